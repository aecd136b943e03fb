// Writes a new migration for the schema changes not yet committed: `npm run migration:new -- <name>`.
// `prisma migrate dev` needs a shadow database that the engine-free setup cannot provide for SQLite, so this diffs
// the committed schema (HEAD) against the working schema and writes the SQL; `npm run setup` then applies it.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { derivePostgresSchema, POSTGRES_MIGRATIONS, writePostgresSchema } from "./prisma-schemas.mjs";
import { ensurePostgres } from "./postgres.mjs";
import { tmpdir } from "node:os";
import path from "node:path";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run migration:new -- <snake_case_name>");
  process.exit(2);
}
// One migration per database: SQLite (prisma/migrations) and PostgreSQL (prisma/postgresql/migrations, from the
// schema derived for it), each the difference between HEAD's schema and the working one.
const work = mkdtempSync(path.join(tmpdir(), "schema-"));
const head = execFileSync("git", ["show", "HEAD:prisma/schema.prisma"], { encoding: "utf8" });
const targets = [
  {
    provider: "sqlite",
    url: "file:./prisma/dev.sqlite",
    previous: head,
    current: readFileSync("prisma/schema.prisma", "utf8"),
    dir: "prisma/migrations",
  },
  // The PostgreSQL adapter connects even to diff two files: the local cluster (npm run db:postgres) is started for it.
  {
    provider: "postgresql",
    url: ensurePostgres(),
    previous: derivePostgresSchema(head),
    current: writePostgresSchema(),
    dir: POSTGRES_MIGRATIONS,
  },
];
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
let wrote = 0;
for (const t of targets) {
  const from = path.join(work, `${t.provider}-head.prisma`);
  const to = path.join(work, `${t.provider}-now.prisma`);
  writeFileSync(from, t.previous);
  writeFileSync(to, t.current);
  const sql = execFileSync(
    process.execPath,
    [
      "node_modules/prisma/build/index.js",
      "migrate",
      "diff",
      "--from-schema-datamodel",
      from,
      "--to-schema-datamodel",
      to,
      "--script",
    ],
    { encoding: "utf8", env: { ...process.env, DATABASE_URL: t.url, PRISMA_SCHEMA: to } },
  );
  if (!sql.trim() || /empty migration/i.test(sql)) continue;
  const dir = path.join(t.dir, `${stamp}_${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "migration.sql"), sql);
  console.log(`Wrote ${dir}/migration.sql`);
  wrote += 1;
}
console.log(wrote ? "Review them, then run: npm run setup" : "No schema changes since HEAD.");

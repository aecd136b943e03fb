// Writes a new migration for the schema changes not yet committed: `npm run migration:new -- <name>`.
// `prisma migrate dev` needs a shadow database that the engine-free setup cannot provide for SQLite, so this diffs
// the committed schema (HEAD) against the working schema and writes the SQL; `npm run setup` then applies it.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run migration:new -- <snake_case_name>");
  process.exit(2);
}
const previous = path.join(mkdtempSync(path.join(tmpdir(), "schema-")), "schema.prisma");
writeFileSync(previous, execFileSync("git", ["show", "HEAD:prisma/schema.prisma"]));
const sql = execFileSync(
  process.execPath,
  ["node_modules/prisma/build/index.js", "migrate", "diff", "--from-schema-datamodel", previous,
    "--to-schema-datamodel", "prisma/schema.prisma", "--script"],
  { encoding: "utf8" },
);
if (!sql.trim() || /empty migration/i.test(sql)) {
  console.log("No schema changes since HEAD.");
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const dir = path.join("prisma/migrations", `${stamp}_${name}`);
mkdirSync(dir, { recursive: true });
writeFileSync(path.join(dir, "migration.sql"), sql);
console.log(`Wrote ${dir}/migration.sql — review it, then run: npm run setup`);

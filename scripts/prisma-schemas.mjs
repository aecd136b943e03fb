// The app has one Prisma schema, prisma/schema.prisma (SQLite, the default). PostgreSQL needs the same models under
// its own provider and client output: prisma/postgresql/schema.prisma is derived from it here — never edit it by hand
// (tests/unit/migrations.test.ts fails when it is out of date). Run by `npm run setup` and `npm run migration:new`.
import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";

export const SQLITE_SCHEMA = "prisma/schema.prisma";
export const POSTGRES_SCHEMA = "prisma/postgresql/schema.prisma";
export const POSTGRES_MIGRATIONS = "prisma/postgresql/migrations";

export function derivePostgresSchema(source) {
  const replaced = source
    .replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
    .replace(/output\s*=\s*"\.\.\/app\/generated\/prisma"/, 'output          = "../../app/generated/prisma-pg"');
  if (!replaced.includes('provider = "postgresql"') || !replaced.includes("prisma-pg")) {
    throw new Error("prisma/schema.prisma no longer has the provider/output lines this script rewrites");
  }
  return `// GENERATED from prisma/schema.prisma by scripts/prisma-schemas.mjs for PostgreSQL — do not edit.\n${replaced}`;
}

export function writePostgresSchema() {
  mkdirSync("prisma/postgresql", { recursive: true });
  const text = derivePostgresSchema(readFileSync(SQLITE_SCHEMA, "utf8"));
  // Unchanged files are not rewritten (processes may be reading them, e.g. a test running `npm run setup`).
  if (!existsSync(POSTGRES_SCHEMA) || readFileSync(POSTGRES_SCHEMA, "utf8") !== text)
    writeFileSync(POSTGRES_SCHEMA, text);
  return text;
}

if (import.meta.url === `file://${process.argv[1]}`) writePostgresSchema();

// Prisma CLI configuration: the JavaScript schema engine through a driver adapter, so no engine binary is ever
// downloaded. DATABASE_URL picks the database: a postgres:// URL uses PostgreSQL (the schema derived for it in
// prisma/postgresql/, scripts/prisma-schemas.mjs), anything else SQLite. The CLI does not read .env here;
// DATABASE_URL falls back to the embedded SQLite file.
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";

export const DEFAULT_DATABASE_URL = "file:./prisma/dev.sqlite";
process.env.DATABASE_URL ||= DEFAULT_DATABASE_URL;
const url = process.env.DATABASE_URL as string;
const postgres = /^postgres(ql)?:\/\//.test(url);

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  // PRISMA_SCHEMA lets `npm run setup` generate the other database's client too.
  schema: process.env.PRISMA_SCHEMA || (postgres ? "prisma/postgresql/schema.prisma" : "prisma/schema.prisma"),
  async adapter() {
    return postgres ? new PrismaPg({ connectionString: url }) : new PrismaBetterSQLite3({ url });
  },
});

// Prisma CLI configuration: the JavaScript schema engine through the better-sqlite3 driver adapter, so no engine
// binary is ever downloaded. The CLI does not read .env here; DATABASE_URL falls back to the embedded SQLite file.
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";

export const DEFAULT_DATABASE_URL = "file:./prisma/dev.sqlite";
process.env.DATABASE_URL ||= DEFAULT_DATABASE_URL;

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "prisma/schema.prisma",
  async adapter() {
    return new PrismaBetterSQLite3({ url: process.env.DATABASE_URL as string });
  },
});

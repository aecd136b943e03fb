// The one Prisma client, on the driver adapter chosen by DATABASE_URL (SQLite by default; no engine binaries).
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "./generated/prisma/client";
import { env } from "./env.server";

function createClient() {
  const adapter = new PrismaBetterSQLite3({ url: env.DATABASE_URL });
  return new PrismaClient({ adapter });
}

declare global {
  // Reused across dev-server reloads so a reload does not open another connection.
  var __prisma: PrismaClient | undefined;
}

export const prisma: PrismaClient = globalThis.__prisma ?? createClient();
if (env.NODE_ENV !== "production") globalThis.__prisma = prisma;

export type { PrismaClient };

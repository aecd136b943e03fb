// The one Prisma client, on the driver adapter chosen by DATABASE_URL (SQLite by default; no engine binaries).
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "./generated/prisma/client";
import { env } from "./env.server";
import { logger } from "./logger.server";

function createClient() {
  const adapter = new PrismaBetterSQLite3({ url: env.DATABASE_URL, timeout: 10_000 });
  const client = new PrismaClient({ adapter });
  // WAL lets readers work while one writer commits, and with synchronous=NORMAL a commit no longer waits for an
  // fsync (durable at the next checkpoint; a power cut may lose the last commits, never corrupt the file). Without
  // them every webhook paid ~7 ms per commit on this disk (docs/BENCHMARKS.md).
  client
    .$queryRawUnsafe("PRAGMA journal_mode = WAL")
    .then(() => client.$executeRawUnsafe("PRAGMA synchronous = NORMAL"))
    .catch((error: unknown) => logger.error("could not configure SQLite", { error: String(error) }));
  return client;
}

declare global {
  // Reused across dev-server reloads so a reload does not open another connection.
  var __prisma: PrismaClient | undefined;
}

export const prisma: PrismaClient = globalThis.__prisma ?? createClient();
if (env.NODE_ENV !== "production") globalThis.__prisma = prisma;

export type { PrismaClient };

// The one Prisma client, on the driver adapter chosen by DATABASE_URL: SQLite by default (the embedded file), or
// PostgreSQL for a postgres:// URL (db-kind.ts decides). No engine binaries either way. Both clients are generated from the one schema
// (scripts/prisma-schemas.mjs), so the PostgreSQL client is typed as the SQLite one.
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "./generated/prisma/client";
import { PrismaClient as PostgresPrismaClient } from "./generated/prisma-pg/client";
import { databaseKindOf, type DatabaseKind } from "./db-kind";
import { env } from "./env.server";
import { logger } from "./logger.server";

/** Which database this process uses (decided by db-kind.ts). */
export const databaseKind: DatabaseKind = databaseKindOf(env.DATABASE_URL);

declare global {
  var __pgPool: pg.Pool | undefined;
}

/**
 * On PostgreSQL, the process's one connection pool: Prisma's adapter runs on it, and so do the statements the
 * ledger sends directly (ledger-driver-pg.server.ts). Null on SQLite.
 */
export function pgPool(): pg.Pool | null {
  if (databaseKind !== "postgresql") return null;
  if (!globalThis.__pgPool) {
    const pool = new pg.Pool({
      connectionString: env.DATABASE_URL,
      max: env.DATABASE_POOL_SIZE,
      application_name: "loyalty-app",
    });
    // An idle connection dies when the server restarts: the pool drops it and opens another when asked.
    pool.on("error", (error) => logger.warn("database connection lost", { error: String(error) }));
    globalThis.__pgPool = pool;
  }
  return globalThis.__pgPool;
}

function createClient(): PrismaClient {
  const pool = pgPool();
  if (pool) {
    const adapter = new PrismaPg(pool);
    return new PostgresPrismaClient({ adapter }) as unknown as PrismaClient;
  }
  const adapter = new PrismaBetterSQLite3({ url: env.DATABASE_URL, timeout: 10_000 });
  const client = new PrismaClient({ adapter });
  // WAL lets readers work while one writer commits, and with synchronous=NORMAL a commit no longer waits for an
  // fsync (durable at the next checkpoint; a power cut may lose the last commits, never corrupt the file). Without
  // them every webhook paid an fsync per commit (figures: docs/BENCHMARKS.md).
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

/** Process shutdown: closes the database (on SQLite this checkpoints the WAL into the file; on PostgreSQL it ends the pool). */
export async function disconnectDatabase() {
  await prisma.$disconnect();
  const pool = globalThis.__pgPool;
  globalThis.__pgPool = undefined;
  if (pool && !pool.ended) await pool.end();
}

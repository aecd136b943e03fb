// What the prepared-statement paths on SQLite share (docs/decisions/0002, 0003, 0005): whether the database is a SQLite
// file, the stored DateTime format, and waiting out another connection's write lock without blocking the event loop.
import { sqliteFileOf } from "../db-kind";
import { env } from "../env.server";

/** The database file when DATABASE_URL names a SQLite file; null for any other database (the Prisma paths). */
export function sqliteFile(): string | null {
  return sqliteFileOf(env.DATABASE_URL);
}

// The stored DateTime text (sql-dialect.ts, where the ledger's statements get it too).
export { stamp, stampMs } from "./sql-dialect";

const BUSY_RETRY_MS = 10_000;

/**
 * Runs a synchronous transaction, retrying after short async waits while another connection holds the lock.
 * Connections are opened with `timeout: 0`: better-sqlite3 would otherwise wait synchronously, on the event loop,
 * which would also stop the Prisma transaction holding the lock from ever finishing.
 */
export async function whenFree<T>(run: () => T): Promise<T> {
  const deadline = Date.now() + BUSY_RETRY_MS;
  for (let wait = 2; ; wait = Math.min(wait * 2, 100)) {
    try {
      return run();
    } catch (error) {
      const code = (error as { code?: string }).code;
      if ((code !== "SQLITE_BUSY" && code !== "SQLITE_LOCKED") || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

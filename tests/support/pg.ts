// PostgreSQL for tests that need one of their own: a database created for the test file (the `loyalty` role is a
// superuser, see scripts/postgres.mjs) and dropped afterwards, so runs never share rows, schemas or locks.
// PostgreSQL is part of every test run (`npm test` starts the local cluster): not reachable is a failure. Only a run
// asked for explicitly without it (`npm test -- --sqlite-only`, which sets TEST_SQLITE_ONLY=1) skips its cases.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { POSTGRES_URL } from "../../scripts/postgres.mjs";

/** The local cluster `npm run db:postgres` starts (TEST_POSTGRES_URL overrides it). */
export const TEST_POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? POSTGRES_URL;

/** `npm test -- --sqlite-only`: PostgreSQL cases are skipped (and counted as skipped) instead of required. */
export const sqliteOnly = process.env.TEST_SQLITE_ONLY === "1";

export interface TestDatabase {
  url: string;
  name: string;
  /** Drops the database, ending whatever sessions are still connected to it. */
  drop(): Promise<void>;
}

function urlFor(url: string, database: string) {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Creates a database of this test file's own, or returns why PostgreSQL cannot be used. */
export async function createTestDatabase(prefix = "loyalty_test"): Promise<TestDatabase | { unavailable: string }> {
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (error) {
    return {
      unavailable: `PostgreSQL is not reachable at ${TEST_POSTGRES_URL} (${String(error)}); start it with \`npm run db:postgres\``,
    };
  }
  const name = `${prefix}_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: urlFor(TEST_POSTGRES_URL, name),
    async drop() {
      const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

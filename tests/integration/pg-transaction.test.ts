// A PostgreSQL connection the server ends while the app holds it in a transaction (PostgreSQL restarting, an
// administrator's terminate) fails that transaction; it does not crash the process, and the pool goes on with a new
// connection. Found by npm run reliability:faults: the web process died with an unhandled 'error' on a pg Client.
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { databaseKind } from "../../app/db.server";
import { env } from "../../app/env.server";
import { inTransaction } from "../../app/pg-transaction.server";

describe.runIf(databaseKind === "postgresql")("a transaction whose connection the server ends", () => {
  const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 2 });
  afterAll(() => pool.end());

  it("fails with the server's error, leaves the process running, and the pool serves the next transaction", async () => {
    const admin = new pg.Client({ connectionString: env.DATABASE_URL });
    await admin.connect();
    const failed = inTransaction(pool, async (client) => {
      const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      // The server ends this connection while no statement is running on it
      await admin.query("SELECT pg_terminate_backend($1)", [rows[0].pid]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await client.query("SELECT 1");
    });
    await expect(failed).rejects.toThrow(/terminat|Connection/i);
    await admin.end();
    // The dead connection was dropped, not handed out again
    expect(
      await inTransaction(pool, async (client) => (await client.query<{ n: number }>("SELECT 1 AS n")).rows[0].n),
    ).toBe(1);
    expect(pool.totalCount).toBeLessThanOrEqual(1);
  });
});

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

// A burst queues requests for the pool's connections; a request whose sender gave up (Shopify's 5 s) while it waited
// must not take a connection for its work: the connection is the next live request's (issue #23 item 5).
describe.runIf(databaseKind === "postgresql")("a transaction for a request whose sender gave up", () => {
  const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 1 });
  afterAll(() => pool.end());

  it("is not begun when the signal is aborted while it waits for a connection, and the connection goes to the next", async () => {
    // Given the pool's only connection busy
    let releaseHolder!: () => void;
    let holderHasIt!: () => void;
    const holderStarted = new Promise<void>((resolve) => (holderHasIt = resolve));
    const holding = inTransaction(
      pool,
      () =>
        new Promise<void>((resolve) => {
          releaseHolder = resolve;
          holderHasIt();
        }),
    );
    await holderStarted;
    // When a transaction waits for it, its sender gives up, and then a live one queues behind it
    const sender = new AbortController();
    let abandonedRan = false;
    const abandoned = inTransaction(
      pool,
      async () => {
        abandonedRan = true;
      },
      sender.signal,
    );
    const live = inTransaction(pool, async (client) => (await client.query<{ n: number }>("SELECT 2 AS n")).rows[0].n);
    sender.abort(new Error("sender gone"));
    releaseHolder();
    await holding;
    // Then the abandoned one fails with the signal's reason without running, and the live one gets the connection
    await expect(abandoned).rejects.toThrow("sender gone");
    expect(abandonedRan).toBe(false);
    expect(await live).toBe(2);
    expect(pool.waitingCount).toBe(0);
  });

  it("is not begun at all when the signal is already aborted", async () => {
    const sender = new AbortController();
    sender.abort(new Error("already gone"));
    let ran = false;
    await expect(inTransaction(pool, async () => void (ran = true), sender.signal)).rejects.toThrow("already gone");
    expect(ran).toBe(false);
    expect(pool.totalCount).toBeLessThanOrEqual(1);
  });
});

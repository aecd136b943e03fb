// The ledger's writes (ledger-write.ts) on PostgreSQL: each piece of work is one transaction on the process's pool
// (shared with Prisma), its steps sent as named statements (node-pg prepares each once per connection, then only
// binds), a read and its write as one round trip, a batch of independent statements pipelined, follow-up jobs
// inserted into pg-boss on the same transaction — all of it committed together or not at all (docs/decisions/0005).
// Through Prisma the same steps cost the web process far more CPU per webhook (its query compiler runs on every
// statement; figures: docs/RELIABILITY.md).
import type pg from "pg";
import { pgPool } from "../db.server";
import type { LedgerDriver, LedgerStep, LedgerWork, SqlStep, TransactionalQueue } from "./ledger-write";
import { inTransaction } from "../pg-transaction.server";
import { postgresValue, readThenWriteForPostgres, type Statement } from "./sql-dialect";

function query(client: pg.PoolClient, sql: Statement, params: readonly unknown[]) {
  return client.query({ name: `ledger-${sql.name}`, text: sql.text, values: params.map(postgresValue) });
}

/** One statement; the query is sent before the first await, so a batch goes out in one go when pipelined. */
async function one(client: pg.PoolClient, s: SqlStep): Promise<unknown> {
  switch (s.op) {
    case "run":
      return (await query(client, s.sql, s.params)).rowCount ?? 0;
    case "get":
      return (await query(client, s.sql, s.params)).rows[0];
    case "readThenWrite": {
      const { __found, __written, ...read } = (await query(client, readThenWriteForPostgres(s.read, s.write), s.params))
        .rows[0];
      return { read: __found ? read : undefined, written: __written };
    }
  }
}

/**
 * Statements that do not depend on each other, pipelined: all written to the connection at once and answered in order
 * (node-pg's pipeline mode, switched on for the batch only, on a connection with nothing in flight, so the pool's other
 * users — Prisma among them — keep the ordinary mode). A thousand upserts cost about one round trip instead of a
 * thousand. Every statement is answered before the mode goes back; the first failure is then thrown (PostgreSQL has
 * failed the transaction's later statements anyway).
 */
async function pipelined(client: pg.PoolClient, steps: SqlStep[]): Promise<unknown[]> {
  const connection = client as pg.PoolClient & { pipeline?: boolean };
  if (steps.length < 2 || typeof connection.pipeline !== "boolean") {
    const values: unknown[] = [];
    for (const s of steps) values.push(await one(client, s));
    return values;
  }
  connection.pipeline = true;
  let settled: PromiseSettledResult<unknown>[];
  try {
    settled = await Promise.allSettled(steps.map((s) => one(client, s)));
  } finally {
    connection.pipeline = false;
  }
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value);
}

export function createPgLedgerDriver(pool: pg.Pool): LedgerDriver {
  async function step(client: pg.PoolClient, s: LedgerStep, queue: TransactionalQueue | undefined): Promise<unknown> {
    switch (s.op) {
      case "each":
        return pipelined(
          client,
          s.rows.map((params) => ({ ...s.template, params })),
        );
      case "enqueue":
        // pg-boss: its insert (and its coalescing lock) on this transaction's client.
        if (!queue) throw new Error("ledger work queues jobs: the transaction needs the queue");
        await queue.enqueueIn(client as never, s.shop, s.kind, s.payload, { key: s.key, runAt: s.runAt });
        return undefined;
      default:
        return one(client, s);
    }
  }

  return {
    transaction: <T>(work: () => LedgerWork<T>, queue?: TransactionalQueue, signal?: AbortSignal) =>
      inTransaction(
        pool,
        async (client) => {
          const steps = work();
          for (let next = steps.next(); ; ) {
            if (next.done) return next.value;
            next = steps.next(await step(client, next.value, queue));
          }
        },
        signal,
      ),
  };
}

let shared: LedgerDriver | undefined;

/** The process's PostgreSQL driver when the database is PostgreSQL; null otherwise. */
export function pgLedgerDriver() {
  const pool = pgPool();
  if (!pool) return null;
  shared ??= createPgLedgerDriver(pool);
  return shared;
}

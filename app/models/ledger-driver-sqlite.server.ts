// The ledger's writes (ledger-write.ts) on SQLite: each piece of work is one synchronous better-sqlite3 transaction of
// prepared statements on a connection of its own to the same file (docs/decisions/0002, 0005). Prisma's raw queries
// pay for their query compiler on every statement and bound parameter; a prepared statement does not (figures:
// docs/BENCHMARKS.md). The work's steps run inside the one synchronous call, so nothing else on the event loop can slip a
// statement into the transaction; a busy database (another connection's write) is waited out asynchronously.
import Database from "better-sqlite3";
import type { LedgerDriver, LedgerStep, LedgerWork, SqlStep, TransactionalQueue } from "./ledger-write";
import { sqliteForm, sqliteValue, type Statement, type SyncSql } from "./sql-dialect";
import { sqliteFile, whenFree } from "./sqlite-direct.server";

interface Prepared {
  statement: Database.Statement;
  /** For each `?`, the index of its value. */
  order: number[];
}

export function createSqliteLedgerDriver(file: string) {
  // No busy wait: better-sqlite3 waits synchronously, on the event loop, which would also stop the Prisma
  // transaction holding the lock from ever finishing. A busy database is retried asynchronously instead (whenFree).
  const db = new Database(file, { timeout: 0 });
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");

  // By text: a queue may hand over its statement as a new object each time.
  const prepared = new Map<string, Prepared>();
  const prepare = (sql: Statement): Prepared => {
    let p = prepared.get(sql.text);
    if (!p) {
      const { text, order } = sqliteForm(sql);
      p = { statement: db.prepare(text), order };
      prepared.set(sql.text, p);
    }
    return p;
  };
  const values = (p: Prepared, params: readonly unknown[]) => p.order.map((i) => sqliteValue(params[i]));

  /** The open transaction, as the table queue's enqueueIn takes it. */
  const tx: SyncSql = {
    run: (sql, params) => {
      const p = prepare(sql);
      return p.statement.run(values(p, params)).changes;
    },
  };
  const get = (sql: Statement, params: readonly unknown[]) => {
    const p = prepare(sql);
    return p.statement.get(values(p, params));
  };

  function one(s: SqlStep): unknown {
    switch (s.op) {
      case "run":
        return tx.run(s.sql, s.params);
      case "get":
        return get(s.sql, s.params);
      case "readThenWrite": {
        const read = get(s.read, s.params);
        return { read, written: tx.run(s.write, s.params) > 0 };
      }
    }
  }

  function step(s: LedgerStep, queue: TransactionalQueue | undefined): unknown {
    switch (s.op) {
      case "all":
        return s.steps.map(one);
      case "enqueue":
        // The table queue: it inserts on `tx` before it returns.
        if (!queue) throw new Error("ledger work queues jobs: the transaction needs the queue");
        queue.enqueueIn(tx as never, s.shop, s.kind, s.payload, { key: s.key });
        return undefined;
      default:
        return one(s);
    }
  }

  const transaction = db.transaction(<T>(work: LedgerWork<T>, queue: TransactionalQueue | undefined): T => {
    for (let next = work.next(); ; ) {
      if (next.done) return next.value;
      next = work.next(step(next.value, queue));
    }
  });

  const driver: LedgerDriver & { close(): void } = {
    // A fresh generator per attempt: an attempt stopped by another connection's lock was rolled back.
    transaction: <T>(work: () => LedgerWork<T>, queue?: TransactionalQueue) =>
      whenFree(() => transaction(work(), queue) as T),
    close: () => db.close(),
  };
  return driver;
}

let shared: ReturnType<typeof createSqliteLedgerDriver> | undefined;

/** The process's SQLite driver when the database is a SQLite file; null for PostgreSQL. */
export function sqliteLedgerDriver() {
  const file = sqliteFile();
  if (file === null) return null;
  shared ??= createSqliteLedgerDriver(file);
  return shared;
}

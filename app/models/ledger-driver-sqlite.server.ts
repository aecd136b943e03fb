// The ledger's writes (ledger-write.ts) on SQLite: each piece of work is one synchronous better-sqlite3 transaction of
// prepared statements on a connection of its own to the same file (docs/decisions/0002, 0005). Prisma's raw queries
// pay for their query compiler on every statement and bound parameter; a prepared statement does not (figures:
// docs/BENCHMARKS.md). The work's steps run inside the one synchronous call, so nothing else on the event loop can slip a
// statement into the transaction; a busy database (another connection's write) is waited out asynchronously.
import Database from "better-sqlite3";
import type { LedgerDriver, LedgerStep, LedgerWork, SqlTemplate, TransactionalQueue } from "./ledger-write";
import { sqliteForm, sqliteValue, type Statement, type SyncSql } from "./sql-dialect";
import { sqliteFile, whenFree } from "./sqlite-direct.server";

interface Prepared {
  statement: Database.Statement;
  /** For each `?`, the index of its value. */
  order: number[];
  /** The values as bound, reused call after call: better-sqlite3 binds them before `run`/`get` returns. */
  bound: unknown[];
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
      p = { statement: db.prepare(text), order, bound: new Array(order.length) };
      prepared.set(sql.text, p);
    }
    return p;
  };
  const values = (p: Prepared, params: readonly unknown[]) => {
    for (let k = 0; k < p.order.length; k++) p.bound[k] = sqliteValue(params[p.order[k]]);
    return p.bound;
  };

  /** The open transaction, as the table queue's enqueueIn takes it. */
  const tx: SyncSql = {
    run: (sql, params) => {
      const p = prepare(sql);
      return p.statement.run(values(p, params)).changes;
    },
  };
  /** One statement for each row; the statements prepared once for the batch. */
  function each(t: SqlTemplate, rows: readonly unknown[][]): unknown[] {
    const out: unknown[] = new Array(rows.length);
    if (t.op === "readThenWrite") {
      const [read, write] = [prepare(t.read), prepare(t.write)];
      for (let i = 0; i < rows.length; i++) {
        const found = read.statement.get(values(read, rows[i]));
        out[i] = { read: found, written: write.statement.run(values(write, rows[i])).changes > 0 };
      }
    } else {
      const p = prepare(t.sql);
      for (let i = 0; i < rows.length; i++) {
        out[i] = t.op === "run" ? p.statement.run(values(p, rows[i])).changes : p.statement.get(values(p, rows[i]));
      }
    }
    return out;
  }

  function step(s: LedgerStep, queue: TransactionalQueue | undefined): unknown {
    switch (s.op) {
      case "each":
        return each(s.template, s.rows);
      case "enqueue":
        // The table queue: it inserts on `tx` before it returns.
        if (!queue) throw new Error("ledger work queues jobs: the transaction needs the queue");
        queue.enqueueIn(tx as never, s.shop, s.kind, s.payload, { key: s.key, runAt: s.runAt });
        return undefined;
      default:
        return each(s, [s.params])[0];
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

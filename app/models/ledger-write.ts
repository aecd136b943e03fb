// The ledger's hot writes, each written once (docs/rules.md#ledger): a webhook's change (the delivery claimed, the
// previous owners read, the upserts under the version rules, late refunds, tombstones, the follow-up jobs), a backfill
// batch with its resume point, and the plain writes reconciliation and tests make.
//
// Each is a generator of steps — a statement to run, a row to read, a read and its write, a job to queue — that a
// driver carries out inside one transaction: ledger-driver-sqlite.server.ts synchronously with better-sqlite3 (the
// whole transaction is one synchronous call, as fast as hand-written prepared statements and never interleaved with
// other work on the connection), ledger-driver-pg.server.ts with node-pg on the pool, awaiting each step. The
// statements are ledger-rules.sql.ts's. Nothing here touches a database, a clock or the environment.
import type { DeliveryIds } from "./webhook-delivery.server";
import {
  BACKFILL_PROGRESS,
  CLAIM_DELIVERY,
  HELD_CUSTOMER,
  INSERT_REFUND,
  ORDER_OWNER,
  REFRESH_ORDER_VALUE,
  SHOP_STATUS,
  TOMBSTONE_CUSTOMER,
  TOMBSTONE_ORDER,
  UPSERT_CUSTOMER,
  UPSERT_ORDER,
} from "./ledger-rules.sql";
import {
  CUSTOMER_REFRESH,
  newestVersions,
  sameSecondConflict,
  type LedgerChange,
  type LedgerCustomer,
  type LedgerOrder,
  type LedgerRefund,
} from "./ledger-types";
import type { Statement } from "./sql-dialect";

/** One step for the driver. The value sent back: `run` the rows changed, `get` the row or undefined, `readThenWrite`
 * the read's row and whether the write changed one, `enqueue` nothing. */
export type LedgerStep =
  | { op: "run"; sql: Statement; params: unknown[] }
  | { op: "get"; sql: Statement; params: unknown[] }
  /** The read's $n mean what the write's do: the read sees the rows as they were before the write. */
  | { op: "readThenWrite"; read: Statement; write: Statement; params: unknown[] }
  /** A job in the same transaction, coalesced per shop and key (the queue's enqueueIn). */
  | { op: "enqueue"; shop: string; kind: string; payload: { customerId: string }; key: string };

export type LedgerWork<T> = Generator<LedgerStep, T, unknown>;

/**
 * A job queue that writes into the driver's open transaction, so the jobs commit with the rows (both engines'
 * enqueueIn): the engine of the same database — the table queue on SQLite, pg-boss on PostgreSQL.
 */
export interface TransactionalQueue {
  enqueueIn(tx: never, shop: string, kind: string, payload: { customerId: string }, options: { key: string }): unknown;
}

/** Carries out the steps of a piece of ledger work as one transaction; `queue` takes its `enqueue` steps. */
export interface LedgerDriver {
  transaction<T>(work: () => LedgerWork<T>, queue?: TransactionalQueue): Promise<T>;
}

/** "redacted": the shop's data was erased (shop/redact); a late delivery is acknowledged and writes nothing. */
export type WebhookOutcome = "applied" | "duplicate" | "unknown-shop" | "redacted";

/** A batch of a backfill file (bulk JSONL) with the line it reaches. */
export interface BackfillBatch {
  customers: LedgerCustomer[];
  orders: LedgerOrder[];
  refunds: LedgerRefund[];
  /** The file's last line this batch covers (1-based). */
  throughLine: number;
}

function* run(sql: Statement, params: unknown[]): LedgerWork<number> {
  return (yield { op: "run", sql, params }) as number;
}

function* get<Row>(sql: Statement, params: unknown[]): LedgerWork<Row | undefined> {
  return (yield { op: "get", sql, params }) as Row | undefined;
}

function* readThenWrite<Row>(read: Statement, write: Statement, params: unknown[]): LedgerWork<{ read: Row | undefined; written: boolean }> {
  return (yield { op: "readThenWrite", read, write, params }) as { read: Row | undefined; written: boolean };
}

/** The newest version of each row, in id order: two transactions touching the same rows lock them in the same order. */
function newest<T>(items: readonly T[], key: (item: T) => string, version: (item: T) => Date | null): T[] {
  return newestVersions(items, key, version).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** What a write touched: customers to recompute, and customers whose same-second versions differ (re-read them). */
export interface Touched {
  affected: Set<string>;
  inDoubt: Set<string>;
}

/** Upserts orders; with `touched`, notes the customers of the orders that changed (both owners when one changed hands). */
function* writeOrders(shop: string, orders: readonly LedgerOrder[], touched: Touched | null): LedgerWork<void> {
  for (const o of newest(orders, (x) => x.id, (x) => x.sourceUpdatedAt)) {
    const params = [
      shop, o.id, o.customerId, o.name, o.processedAt, o.cancelledAt, o.test, o.currencyCode,
      o.currentTotalMinor, JSON.stringify(o.discountCodes), o.discountMinor, o.sourceUpdatedAt,
    ];
    if (touched) {
      const { read: before, written } = yield* readThenWrite<{ customerId: string | null }>(ORDER_OWNER, UPSERT_ORDER, params);
      if (!written) continue;
      yield* run(REFRESH_ORDER_VALUE, [shop, o.id]);
      if (o.customerId) touched.affected.add(o.customerId);
      if (before?.customerId) touched.affected.add(before.customerId);
    } else if (yield* run(UPSERT_ORDER, params)) {
      yield* run(REFRESH_ORDER_VALUE, [shop, o.id]);
    }
  }
}

/**
 * Records refunds (once each, by id). A new one lowers its order's value when it is late; `reflected`: they came
 * inside the order version just written (backfill), whose current total already accounts for them.
 */
function* writeRefunds(shop: string, refunds: readonly LedgerRefund[], touched: Touched | null, reflected = false): LedgerWork<void> {
  for (const r of newest(refunds, (x) => x.id, (x) => x.createdAt)) {
    const inserted = yield* run(INSERT_REFUND, [shop, r.id, r.orderId, r.createdAt, r.amountMinor, r.currencyCode]);
    if (!inserted || reflected) continue;
    yield* run(REFRESH_ORDER_VALUE, [shop, r.orderId]);
    if (!touched) continue;
    const owner = yield* get<{ customerId: string | null }>(ORDER_OWNER, [shop, r.orderId]);
    if (owner?.customerId) touched.affected.add(owner.customerId);
  }
}

/** Upserts customers (newest version wins); with `touched`, notes those that changed and same-second conflicts. */
function* writeCustomers(shop: string, customers: readonly LedgerCustomer[], touched: Touched | null): LedgerWork<void> {
  for (const c of newest(customers, (x) => x.id, (x) => x.sourceUpdatedAt)) {
    const changed = yield* run(UPSERT_CUSTOMER, [shop, c.id, c.email, c.firstName, c.lastName, c.locale, c.sourceCreatedAt, c.sourceUpdatedAt]);
    if (!touched) continue;
    if (changed) {
      touched.affected.add(c.id);
      continue;
    }
    const held = yield* get<{ email: string | null; firstName: string | null; lastName: string | null; locale: string | null; sameSecond: unknown; deleted: unknown }>(
      HELD_CUSTOMER,
      [shop, c.id, c.sourceUpdatedAt],
    );
    // SQLite answers a comparison with 0/1, PostgreSQL with a boolean.
    if (held && sameSecondConflict({ ...held, sameSecond: Boolean(held.sameSecond), deleted: Boolean(held.deleted) }, c)) touched.inDoubt.add(c.id);
  }
}

/** A change as a webhook or a reconciliation brings it; returns the customers it touched. */
export function* writeChange(shop: string, change: LedgerChange): LedgerWork<Touched> {
  const touched: Touched = { affected: new Set(), inDoubt: new Set() };
  switch (change.kind) {
    case "orders":
      yield* writeOrders(shop, change.orders, touched);
      // Refunds inside an order body are reflected in its current total (they are not late, so they take nothing
      // off); one that arrived earlier on its own is the same row, so inserting is a no-op either way.
      yield* writeRefunds(shop, change.refunds, touched);
      break;
    case "refunds":
      yield* writeRefunds(shop, change.refunds, touched);
      break;
    case "customers":
      yield* writeCustomers(shop, change.customers, touched);
      break;
    case "deleteOrder": {
      const { read: before, written } = yield* readThenWrite<{ customerId: string | null }>(ORDER_OWNER, TOMBSTONE_ORDER, [shop, change.orderId, change.at]);
      if (written && before?.customerId) touched.affected.add(before.customerId);
      break;
    }
    case "deleteCustomer":
      if (yield* run(TOMBSTONE_CUSTOMER, [shop, change.customerId, change.at])) touched.affected.add(change.customerId);
      break;
  }
  return touched;
}

/**
 * One webhook's change, exactly once: the shop checked and the delivery claimed, the change written, a `followUp` job
 * per affected customer and a customer-refresh per same-second conflict queued — all in the driver's one
 * transaction. An unknown shop, a redacted one or a repeat writes nothing.
 */
export function* ingestWebhook(shop: string, delivery: DeliveryIds, change: LedgerChange, followUp: string, now: Date): LedgerWork<WebhookOutcome> {
  const { read: held, written: claimed } = yield* readThenWrite<{ status: string }>(SHOP_STATUS, CLAIM_DELIVERY, [
    shop, delivery.webhookId, delivery.eventId, delivery.topic, now,
  ]);
  if (!held) return "unknown-shop";
  if (held.status === "redacted") return "redacted";
  if (!claimed) return "duplicate";
  const { affected, inDoubt } = yield* writeChange(shop, change);
  // In id order, like the rows: the per-key locks of two transactions (pg-boss's coalescing) are taken in one order.
  for (const customerId of [...affected].sort()) yield { op: "enqueue", shop, kind: followUp, payload: { customerId }, key: `${followUp}:${customerId}` };
  for (const customerId of [...inDoubt].sort()) {
    yield { op: "enqueue", shop, kind: CUSTOMER_REFRESH, payload: { customerId }, key: `${CUSTOMER_REFRESH}:${customerId}` };
  }
  return "applied";
}

/**
 * A batch of a backfill file and the run's resume point, together: a crash keeps both or neither, so a rerun neither
 * skips nor doubles a line. No customers are tracked: the whole shop is recomputed after a backfill.
 */
export function* backfillBatch(shop: string, runId: string, batch: BackfillBatch, now: Date): LedgerWork<void> {
  yield* writeCustomers(shop, batch.customers, null);
  yield* writeOrders(shop, batch.orders, null);
  // Refunds come inside their order's version, already reflected in its current total.
  yield* writeRefunds(shop, batch.refunds, null, true);
  yield* run(BACKFILL_PROGRESS, [shop, runId, batch.throughLine, batch.customers.length, batch.orders.length, now]);
}

// The ledger's hot writes, each written once (docs/rules.md#ledger): a webhook's change (the delivery claimed, the
// previous owners read, the upserts under the version rules, late refunds, tombstones, the follow-up jobs), a backfill
// batch with its resume point, and the plain writes reconciliation and tests make.
//
// Each is a generator of steps — a statement to run, a row to read, a read and its write, a batch of statements that
// do not depend on each other, a job to queue — that a driver carries out inside one transaction:
// ledger-driver-sqlite.server.ts synchronously with better-sqlite3 (the whole transaction is one synchronous call, as
// fast as hand-written prepared statements and never interleaved with other work on the connection),
// ledger-driver-pg.server.ts with node-pg on the pool (a batch pipelined: one round trip for a thousand rows). The
// statements are ledger-rules.sql.ts's. Nothing here touches a database, a clock or the environment.
import type { DeliveryIds } from "./webhook-delivery.server";
import {
  AGGREGATE_DROP_EMPTY,
  AGGREGATE_LOCK,
  AGGREGATE_REFRESH,
  AGGREGATES_STALE,
  EVERY_ORDER_UNTIL,
  BACKFILL_PROGRESS,
  CLAIM_DELIVERY,
  DELETE_ORDER_LINES,
  DELETE_REFUND_LINES,
  FILL_ORDER_LINE,
  HELD_CUSTOMER,
  HELD_PRODUCT,
  INSERT_REFUND,
  INSERT_REFUND_LINE,
  ORDER_OWNER,
  PRODUCT_RECOMMENDED,
  PRODUCT_STATUS,
  REFRESH_ORDER_VALUE,
  REFRESH_PRODUCT,
  SHOP_STATUS,
  TOMBSTONE_CUSTOMER,
  TOMBSTONE_ORDER,
  TOMBSTONE_PRODUCT,
  UPSERT_CUSTOMER,
  UPSERT_ORDER,
  UPSERT_ORDER_LINE,
  UPSERT_PRODUCT,
} from "./ledger-rules.sql";
import {
  newestVersions,
  productSameSecondConflict,
  sameSecondConflict,
  type LedgerChange,
  type LedgerCustomer,
  type LedgerLine,
  type LedgerOrder,
  type LedgerProduct,
  type LedgerRefund,
} from "../domain/ledger-types";
import type { Statement } from "./sql-dialect";

/** A statement for the driver. The value sent back: `run` the rows changed, `get` the row or undefined,
 * `readThenWrite` the read's row and whether the write changed one. */
export type SqlTemplate =
  | { op: "run" | "get"; sql: Statement }
  /** The read's $n mean what the write's do: the read sees the rows as they were before the write. */
  | { op: "readThenWrite"; read: Statement; write: Statement };

export type SqlStep = SqlTemplate & { params: unknown[] };

/** What the algorithm asks of a driver: a statement; the same statement for rows that do not depend on each other
 * (`each`: the values in row order; PostgreSQL sends them at once); a job in the same transaction (the queue's
 * enqueueIn, nothing back; `runAt`: not before). */
export type LedgerStep =
  | SqlStep
  | { op: "each"; template: SqlTemplate; rows: unknown[][] }
  | { op: "enqueue"; shop: string; kind: string; payload: object; key: string; runAt?: Date };

export type LedgerWork<T> = Generator<LedgerStep, T, unknown>;

/**
 * A job queue that writes into the driver's open transaction, so the jobs commit with the rows (both engines'
 * enqueueIn): the engine of the same database — the table queue on SQLite, pg-boss on PostgreSQL.
 */
export interface TransactionalQueue {
  enqueueIn(tx: never, shop: string, kind: string, payload: object, options: { key: string; runAt?: Date }): unknown;
}

/**
 * Carries out the steps of a piece of ledger work as one transaction; `queue` takes its `enqueue` steps. `signal`: the
 * request the work is for; a driver that waits for a connection does not begin once it is aborted (it rejects with
 * the signal's reason; pg-transaction.server.ts).
 */
export interface LedgerDriver {
  transaction<T>(work: () => LedgerWork<T>, queue?: TransactionalQueue, signal?: AbortSignal): Promise<T>;
}

/** "redacted": the shop's data was erased (shop/redact); a late delivery is acknowledged and writes nothing. */
export type WebhookOutcome = "applied" | "duplicate" | "unknown-shop" | "redacted";

/** A batch of a backfill file (bulk JSONL) with the line it reaches. */
export interface BackfillBatch {
  customers: LedgerCustomer[];
  orders: LedgerOrder[];
  refunds: LedgerRefund[];
  /** The catalogue's products (the backfill's products phase); none in the customers and orders phases. */
  products?: LedgerProduct[];
  /** The file's last line this batch covers (1-based). */
  throughLine: number;
}

function* run(sql: Statement, params: unknown[]): LedgerWork<number> {
  return (yield { op: "run", sql, params }) as number;
}

function* readThenWrite<Row>(
  read: Statement,
  write: Statement,
  params: unknown[],
): LedgerWork<{ read: Row | undefined; written: boolean }> {
  return (yield { op: "readThenWrite", read, write, params }) as { read: Row | undefined; written: boolean };
}

/** One statement per row, none depending on another's result: the rows changed by each. */
function* runEach(sql: Statement, rows: unknown[][]): LedgerWork<number[]> {
  if (rows.length === 0) return [];
  return (yield { op: "each", template: { op: "run", sql }, rows }) as number[];
}

/** One read per row: each row found, or undefined. */
function* getEach<Row>(sql: Statement, rows: unknown[][]): LedgerWork<(Row | undefined)[]> {
  if (rows.length === 0) return [];
  return (yield { op: "each", template: { op: "get", sql }, rows }) as (Row | undefined)[];
}

/** A read and its write per row. */
function* readThenWriteEach<Row>(
  read: Statement,
  write: Statement,
  rows: unknown[][],
): LedgerWork<{ read: Row | undefined; written: boolean }[]> {
  if (rows.length === 0) return [];
  return (yield { op: "each", template: { op: "readThenWrite", read, write }, rows }) as {
    read: Row | undefined;
    written: boolean;
  }[];
}

/** The newest version of each row, in id order: two transactions touching the same rows lock them in the same order.
 * (Backfill files come in id order already: they are only checked.) */
function newest<T>(items: readonly T[], key: (item: T) => string, version: (item: T) => Date | null): T[] {
  const rows = newestVersions(items, key, version);
  for (let i = 1; i < rows.length; i++) {
    if (key(rows[i - 1]) > key(rows[i])) return rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  }
  return rows;
}

/** What a write touched: customers to recompute, customers whose same-second versions differ (re-read them),
 * products deleted or gone on or off sale (the recommendations shown to shoppers may change), and products whose
 * same-second versions differ (re-read them). */
export interface Touched {
  affected: Set<string>;
  inDoubt: Set<string>;
  products: Set<string>;
  productsInDoubt: Set<string>;
}

/**
 * Upserts orders, then refreshes the value of those written (late refunds); with `touched`, notes the customers of the
 * orders that changed (both owners when one changed hands). Rows are independent: each stage goes in one batch.
 */
function* writeOrders(shop: string, orders: readonly LedgerOrder[], touched: Touched | null): LedgerWork<void> {
  const rows = newest(
    orders,
    (x) => x.id,
    (x) => x.sourceUpdatedAt,
  );
  const params = rows.map((o) => [
    shop,
    o.id,
    o.customerId,
    o.name,
    o.processedAt,
    o.cancelledAt,
    o.test,
    o.currencyCode,
    o.currentTotalMinor,
    JSON.stringify(o.discountCodes),
    o.discountMinor,
    o.sourceUpdatedAt,
  ]);
  let written: boolean[];
  if (touched) {
    const results = yield* readThenWriteEach<{ customerId: string | null }>(ORDER_OWNER, UPSERT_ORDER, params);
    written = results.map((r) => r.written);
    results.forEach(({ read: before, written: changed }, i) => {
      if (!changed) return;
      if (rows[i].customerId) touched.affected.add(rows[i].customerId!);
      if (before?.customerId) touched.affected.add(before.customerId);
    });
  } else {
    written = (yield* runEach(UPSERT_ORDER, params)).map((changed) => changed > 0);
  }
  yield* runEach(
    REFRESH_ORDER_VALUE,
    rows.filter((_, i) => written[i]).map((o) => [shop, o.id]),
  );
  yield* writeLines(shop, rows, written);
}

const lineRow = (shop: string, orderId: string, l: LedgerLine) => [
  shop,
  l.id,
  orderId,
  l.productId,
  l.variantId,
  l.title,
  l.variantTitle,
  l.vendor,
  l.sku,
  l.quantity,
  l.amountMinor,
  l.giftCard,
];

/**
 * The lines of the order versions just upserted: a version that won replaces its order's lines whole (a line the new
 * version no longer has goes); one that did not win adds only lines missing from the very version held (a ledger
 * from before line items, read again). A version without lines (undefined) leaves the held lines as they are.
 */
function* writeLines(shop: string, rows: readonly LedgerOrder[], written: readonly boolean[]): LedgerWork<void> {
  const won = rows.filter((o, i) => written[i] && o.lines !== undefined);
  const kept = rows.filter((o, i) => !written[i] && o.lines !== undefined && o.lines.length > 0);
  yield* runEach(
    DELETE_ORDER_LINES,
    won.map((o) => [shop, o.id]),
  );
  yield* runEach(
    UPSERT_ORDER_LINE,
    won.flatMap((o) =>
      newest(
        o.lines!,
        (l) => l.id,
        () => null,
      ).map((l) => lineRow(shop, o.id, l)),
    ),
  );
  yield* runEach(
    FILL_ORDER_LINE,
    kept.flatMap((o) =>
      newest(
        o.lines!,
        (l) => l.id,
        () => null,
      ).map((l) => [...lineRow(shop, o.id, l), o.sourceUpdatedAt]),
    ),
  );
}

/** Refunded lines, each stored once by id (whether or not its refund was new: one held from before lines came). */
function* writeRefundLines(shop: string, refunds: readonly LedgerRefund[]): LedgerWork<void> {
  const rows = refunds.flatMap((r) =>
    (r.lines ?? []).map((l) => [shop, l.id, r.id, r.orderId, l.lineId, l.quantity, l.amountMinor]),
  );
  yield* runEach(
    INSERT_REFUND_LINE,
    rows.sort((a, b) => ((a[1] as string) < (b[1] as string) ? -1 : (a[1] as string) > (b[1] as string) ? 1 : 0)),
  );
}

/**
 * Products: the newest version of each wins; a deleted one stays deleted. Nothing to recompute. With `touched`, notes
 * the products that went on or off sale (ACTIVE or not), for `recommendedAmong`. With `inDoubt` (the webhooks', the
 * products import's), notes those whose version of the held second differs from it (productSameSecondConflict:
 * re-read from Shopify).
 */
function* writeProducts(
  shop: string,
  products: readonly LedgerProduct[],
  touched: Touched | null,
  inDoubt: Set<string> | null = touched?.productsInDoubt ?? null,
): LedgerWork<void> {
  const rows = newest(
    products,
    (x) => x.id,
    (x) => x.sourceUpdatedAt,
  );
  const params = rows.map((p) => [shop, p.id, p.title, p.handle, p.productType, p.vendor, p.status, p.sourceUpdatedAt]);
  let written: boolean[];
  if (!touched) {
    written = (yield* runEach(UPSERT_PRODUCT, params)).map((changed) => changed > 0);
  } else {
    const results = yield* readThenWriteEach<{ status: string | null }>(PRODUCT_STATUS, UPSERT_PRODUCT, params);
    results.forEach(({ read: before, written }, i) => {
      if (written && (before?.status === "ACTIVE") !== (rows[i].status === "ACTIVE")) touched.products.add(rows[i].id);
    });
    written = results.map((r) => r.written);
  }
  if (!inDoubt) return;
  const kept = rows.filter((_, i) => !written[i]);
  const held = yield* getEach<{
    title: string | null;
    handle: string | null;
    productType: string | null;
    vendor: string | null;
    status: string | null;
    sameSecond: unknown;
    deleted: unknown;
  }>(
    HELD_PRODUCT,
    kept.map((p) => [shop, p.id, p.sourceUpdatedAt]),
  );
  kept.forEach((p, i) => {
    const h = held[i];
    // SQLite answers a comparison with 0/1, PostgreSQL with a boolean.
    if (h && productSameSecondConflict({ ...h, sameSecond: Boolean(h.sameSecond), deleted: Boolean(h.deleted) }, p))
      inDoubt.add(p.id);
  });
}

const PRODUCT_GID = /^gid:\/\/shopify\/Product\/\d+$/;

/**
 * Whether any customer of the shop has one of these products in their stored recommendations (one read per product,
 * at most a few per webhook): the storefront's `$app.recommendations` then changes at the next sync.
 */
function* recommendedAmong(shop: string, productIds: ReadonlySet<string>): LedgerWork<boolean> {
  const ids = [...productIds].filter((id) => PRODUCT_GID.test(id)).sort();
  const found = yield* getEach<{ found: unknown }>(
    PRODUCT_RECOMMENDED,
    ids.map((id) => [shop, `%${JSON.stringify(id)}%`]),
  );
  return found.some((row) => row !== undefined);
}

/**
 * Records refunds (once each, by id). A new one lowers its order's value when it is late; `reflected`: they came
 * inside the order version just written (backfill), whose current total already accounts for them.
 */
function* writeRefunds(
  shop: string,
  refunds: readonly LedgerRefund[],
  touched: Touched | null,
  reflected = false,
): LedgerWork<void> {
  const rows = newest(
    refunds,
    (x) => x.id,
    (x) => x.createdAt,
  );
  const inserted = yield* runEach(
    INSERT_REFUND,
    rows.map((r) => [shop, r.id, r.orderId, r.createdAt, r.amountMinor, r.currencyCode]),
  );
  yield* writeRefundLines(shop, rows);
  if (reflected) return;
  const orderIds = rows.filter((_, i) => inserted[i] > 0).map((r) => [shop, r.orderId]);
  yield* runEach(REFRESH_ORDER_VALUE, orderIds);
  if (!touched) return;
  for (const owner of yield* getEach<{ customerId: string | null }>(ORDER_OWNER, orderIds))
    if (owner?.customerId) touched.affected.add(owner.customerId);
}

/** Upserts customers (newest version wins); with `touched`, notes those that changed and same-second conflicts. */
function* writeCustomers(
  shop: string,
  customers: readonly LedgerCustomer[],
  touched: Touched | null,
): LedgerWork<void> {
  const rows = newest(
    customers,
    (x) => x.id,
    (x) => x.sourceUpdatedAt,
  );
  const changed = yield* runEach(
    UPSERT_CUSTOMER,
    rows.map((c) => [shop, c.id, c.email, c.firstName, c.lastName, c.locale, c.sourceCreatedAt, c.sourceUpdatedAt]),
  );
  if (!touched) return;
  rows.forEach((c, i) => changed[i] > 0 && touched.affected.add(c.id));
  const kept = rows.filter((_, i) => changed[i] === 0);
  const held = yield* getEach<{
    email: string | null;
    firstName: string | null;
    lastName: string | null;
    locale: string | null;
    sameSecond: unknown;
    deleted: unknown;
  }>(
    HELD_CUSTOMER,
    kept.map((c) => [shop, c.id, c.sourceUpdatedAt]),
  );
  kept.forEach((c, i) => {
    const h = held[i];
    // SQLite answers a comparison with 0/1, PostgreSQL with a boolean.
    if (h && sameSecondConflict({ ...h, sameSecond: Boolean(h.sameSecond), deleted: Boolean(h.deleted) }, c))
      touched.inDoubt.add(c.id);
  });
}

/**
 * The maintained aggregates (docs/decisions/0009) of the customers a write touched, recomputed from their own orders
 * in the write's transaction: each row taken first (AGGREGATE_LOCK, in id order), then refilled, then dropped when no
 * qualifying order is left.
 */
function* refreshAggregates(shop: string, customers: ReadonlySet<string>): LedgerWork<void> {
  const rows = [...customers].sort().map((id) => [shop, id, EVERY_ORDER_UNTIL]);
  yield* runEach(AGGREGATE_LOCK, rows);
  yield* runEach(AGGREGATE_REFRESH, rows);
  yield* runEach(
    AGGREGATE_DROP_EMPTY,
    rows.map(([s, id]) => [s, id]),
  );
}

/** A change as a webhook or a reconciliation brings it; returns the customers it touched. */
export function* writeChange(shop: string, change: LedgerChange): LedgerWork<Touched> {
  const touched: Touched = { affected: new Set(), inDoubt: new Set(), products: new Set(), productsInDoubt: new Set() };
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
      const { read: before, written } = yield* readThenWrite<{ customerId: string | null }>(
        ORDER_OWNER,
        TOMBSTONE_ORDER,
        [shop, change.orderId, change.at],
      );
      if (written && before?.customerId) touched.affected.add(before.customerId);
      // Its lines go with it (every time: a refund's lines cannot arrive after the tombstone, INSERT_REFUND_LINE).
      yield* run(DELETE_ORDER_LINES, [shop, change.orderId]);
      yield* run(DELETE_REFUND_LINES, [shop, change.orderId]);
      break;
    }
    case "deleteCustomer":
      if (yield* run(TOMBSTONE_CUSTOMER, [shop, change.customerId, change.at])) touched.affected.add(change.customerId);
      break;
    case "products":
      yield* writeProducts(shop, change.products, touched);
      break;
    case "deleteProduct": {
      const { read: before, written } = yield* readThenWrite<{ status: string | null }>(
        PRODUCT_STATUS,
        TOMBSTONE_PRODUCT,
        [shop, change.productId, change.at],
      );
      // Only a product that was on sale can be in a customer's `$app.recommendations` (a draft, an unknown one: not)
      if (written && before?.status === "ACTIVE") touched.products.add(change.productId);
      break;
    }
  }
  yield* refreshAggregates(shop, touched.affected);
  return touched;
}

/**
 * The job queued when a product customers are recommended is deleted or goes on or off sale (a sync of the shop, which
 * rewrites the recommendations of those whose list it changes): its kind, coalescing key, payload and delay.
 */
export interface RecommendationsFollowUp {
  kind: string;
  key: string;
  payload: object;
  delayMs: number;
}

/**
 * One webhook's change, exactly once: the shop checked and the delivery claimed, the change written, a
 * `followUp.changed` job per affected customer, a `followUp.refresh` job per same-second conflict of a customer, a
 * `followUp.productRefresh` job per same-second conflict of a product and, when a product some customer is recommended
 * was deleted or went on or off sale, the `followUp.recommendations` job queued — all in the driver's one transaction.
 * An unknown shop, a redacted one or a repeat writes nothing.
 */
export function* ingestWebhook(
  shop: string,
  delivery: DeliveryIds,
  change: LedgerChange,
  followUp: {
    changed: string;
    refresh: string;
    productRefresh?: string;
    recommendations?: RecommendationsFollowUp;
  },
  now: Date,
): LedgerWork<WebhookOutcome> {
  const { read: held, written: claimed } = yield* readThenWrite<{ status: string }>(SHOP_STATUS, CLAIM_DELIVERY, [
    shop,
    delivery.webhookId,
    delivery.eventId,
    delivery.topic,
    now,
  ]);
  if (!held) return "unknown-shop";
  if (held.status === "redacted") return "redacted";
  if (!claimed) return "duplicate";
  const { affected, inDoubt, products, productsInDoubt } = yield* writeChange(shop, change);
  // In id order, like the rows: the per-key locks of two transactions (pg-boss's coalescing) are taken in one order.
  for (const customerId of [...affected].sort())
    yield {
      op: "enqueue",
      shop,
      kind: followUp.changed,
      payload: { customerId },
      key: `${followUp.changed}:${customerId}`,
    };
  for (const customerId of [...inDoubt].sort()) {
    yield {
      op: "enqueue",
      shop,
      kind: followUp.refresh,
      payload: { customerId },
      key: `${followUp.refresh}:${customerId}`,
    };
  }
  const productRefresh = followUp.productRefresh;
  if (productRefresh)
    for (const productId of [...productsInDoubt].sort())
      yield {
        op: "enqueue",
        shop,
        kind: productRefresh,
        payload: { productId },
        key: `${productRefresh}:${productId}`,
      };
  yield* followRecommendations(shop, products, followUp.recommendations, now);
  return "applied";
}

/** The `recommendations` job, when one of these products (deleted, or gone on or off sale) is someone's recommendation. */
function* followRecommendations(
  shop: string,
  products: ReadonlySet<string>,
  recommendations: RecommendationsFollowUp | undefined,
  now: Date,
): LedgerWork<void> {
  if (recommendations && products.size > 0 && (yield* recommendedAmong(shop, products)))
    yield {
      op: "enqueue",
      shop,
      kind: recommendations.kind,
      payload: recommendations.payload,
      key: recommendations.key,
      runAt: new Date(now.getTime() + recommendations.delayMs),
    };
}

/**
 * A product as just read from Shopify (the product-refresh job, after two versions of one second differed): it
 * replaces the held version when it is as new or newer and differs (REFRESH_PRODUCT); a deleted product stays
 * deleted. When that took it on or off sale and some customer is recommended it, the `recommendations` job is queued
 * in the same transaction, as for a products webhook. Whether the row changed.
 */
export function* refreshProduct(
  shop: string,
  product: LedgerProduct,
  recommendations: RecommendationsFollowUp | undefined,
  now: Date,
): LedgerWork<boolean> {
  const p = product;
  const { read: before, written } = yield* readThenWrite<{ status: string | null }>(PRODUCT_STATUS, REFRESH_PRODUCT, [
    shop,
    p.id,
    p.title,
    p.handle,
    p.productType,
    p.vendor,
    p.status,
    p.sourceUpdatedAt,
  ]);
  if (!written) return false;
  if ((before?.status === "ACTIVE") !== (p.status === "ACTIVE"))
    yield* followRecommendations(shop, new Set([p.id]), recommendations, now);
  return true;
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
  if (batch.products) yield* writeProducts(shop, batch.products, null);
  // Orders written without tracking their customers: the shop's aggregates are rebuilt in one pass before its next
  // full recompute (docs/decisions/0009).
  if (batch.orders.length > 0) yield* run(AGGREGATES_STALE, [shop]);
  yield* run(BACKFILL_PROGRESS, [shop, runId, batch.throughLine, batch.customers.length, batch.orders.length, now]);
}

/** The refunded lines of refunds already held (read after the backfill's orders): each stored once by id. */
export function* refundLinesBatch(shop: string, refunds: readonly LedgerRefund[]): LedgerWork<void> {
  yield* writeRefundLines(shop, refunds);
}

/**
 * A batch of the catalogue (the products import): the newest version of each product wins. With `productRefresh`, a
 * job of that kind per product whose version of the held second differs from it, in the same transaction (the bulk
 * file is read at some moment of that second: a webhook's version of the same second may be older or newer).
 */
export function* productsBatch(
  shop: string,
  products: readonly LedgerProduct[],
  productRefresh?: string,
): LedgerWork<void> {
  const inDoubt = productRefresh ? new Set<string>() : null;
  yield* writeProducts(shop, products, null, inDoubt);
  for (const productId of [...(inDoubt ?? [])].sort())
    yield {
      op: "enqueue",
      shop,
      kind: productRefresh!,
      payload: { productId },
      key: `${productRefresh}:${productId}`,
    };
}

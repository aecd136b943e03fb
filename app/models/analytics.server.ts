// The read for analytics (docs/analytics.md): every qualifying order before a moment as (customer, time, value),
// grouped by customer in time order, with each customer's current segment and tier. Every query is scoped by shop.
// On SQLite one prepared statement walks the (shop, customerId) index once and hands each customer's orders over as
// one text (no row object or Date per order: a million orders read in well under a second); on any other database
// the same rows come through Prisma.
//
// The page reads the maintained per-customer aggregates instead (readOrderLedgerFromAggregates, docs/analytics.md
// "Where the figures are read from"): each CustomerAggregate row already holds its customer's qualifying orders as
// "time value,…" in time order, and the rule's only dependence on the moment is the order's time (QUALIFYING_ORDER:
// processedAt <= asOf), so cutting each list at `to` gives the same orders — ~100k rows instead of ~1M. Only while
// the shop's aggregates are current (CustomerAggregateBuild.stale = 0); otherwise the caller reads the ledger.
import Database from "better-sqlite3";
import { setImmediate as nextTurn } from "node:timers/promises";
import { Prisma } from "../generated/prisma/client";
import { prisma } from "../db.server";
import type { OrderColumns } from "../domain/analytics";
import { parseStamp as parseAnyStamp } from "../domain/customer-aggregate";
import { sqliteFile, stampMs } from "./sqlite-direct.server";
import { LIVE_CUSTOMER, QUALIFYING_ORDER } from "./ledger-rules.sql";
import { qualifying } from "./qualifying-orders.server";

/**
 * The shop's qualifying orders before `to`, per customer (in `customerIds` order), times ascending, with each
 * customer's current segment and tier from CustomerState (segment null: the customer has no state row yet).
 */
export interface OrderLedger extends OrderColumns {
  customerIds: string[];
  segments: (string | null)[];
  tiers: (string | null)[];
}

const CUSTOMERS_PER_TURN = 5000;

/**
 * The qualifying orders with a time before `to` are those qualifying as of `to` − 1 ms (times are stored to the
 * millisecond): the rule of ledger-rules.sql.ts (QUALIFYING_ORDER, LIVE_CUSTOMER), bound to `@asOf`.
 */
const asOfBefore = (to: number) => to - 1;

/** Every qualifying order of `shop` before `to` (epoch ms). SQLite: prepared statement; otherwise Prisma. */
export async function readOrderLedger(shop: string, to: number): Promise<OrderLedger> {
  const file = sqliteFile();
  return file === null ? readOrderLedgerWithPrisma(shop, to) : readOrderLedgerFromSqlite(file, shop, to);
}

/**
 * The same ledger as readOrderLedger, from the maintained aggregates: every live customer's qualifying orders before
 * `to`, customers in id order, times ascending. Null when the shop's aggregates are not current (never built, or bulk
 * writes since the last rebuild): the caller then reads the ledger.
 */
export async function readOrderLedgerFromAggregates(shop: string, to: number): Promise<OrderLedger | null> {
  const file = sqliteFile();
  return file === null ? readAggregatesWithPrisma(shop, to) : readAggregatesFromSqlite(file, shop, to);
}

// The aggregate rows with an order before `to` (firstOrderAt), of customers not deleted (a deleted customer's row is
// dropped by the write path; the tombstone check keeps the read exact whatever wrote the tombstone), with their state.
const AGGREGATES_READ = `SELECT a."customerId", a."orders",
    (SELECT s."segment" || ' ' || coalesce(s."tier", '') FROM "CustomerState" s WHERE s."shop" = a."shop" AND s."customerId" = a."customerId")
  FROM "CustomerAggregate" a
  WHERE a."shop" = @shop AND a."orderCount" > 0 AND a."firstOrderAt" <= @asOf
    AND a."customerId" NOT IN (SELECT c."id" FROM "Customer" c WHERE c."shop" = @shop AND c."deletedAt" IS NOT NULL)
  ORDER BY a."customerId"`;
const BUILD_CURRENT = `SELECT 1 FROM "CustomerAggregateBuild" WHERE "shop" = ? AND "stale" = 0`;

async function readAggregatesFromSqlite(file: string, shop: string, to: number): Promise<OrderLedger | null> {
  const db = open(file);
  try {
    // One read transaction: the marker and the rows are one snapshot (a bulk write between them cannot slip in).
    db.exec("BEGIN");
    try {
      if (db.prepare(BUILD_CURRENT).get(shop) === undefined) return null;
      const statement = db.prepare(AGGREGATES_READ).raw();
      const cut = asOfBefore(to);
      const builder = columnsBuilder(1 << 16);
      let n = 0;
      for (const [customerId, text, state] of statement.iterate({ shop, asOf: stampMs(cut) }) as IterableIterator<
        [string, string, string | null]
      >) {
        addCustomer(builder, customerId, state, text, cut);
        if (++n % CUSTOMERS_PER_TURN === 0) await nextTurn();
      }
      return builder.done();
    } finally {
      db.exec("COMMIT");
    }
  } finally {
    db.close();
  }
}

// An interactive transaction ends after 5 s by default: a 100k-customer shop's rows can take longer under load.
const READ_TRANSACTION = { maxWait: 10_000, timeout: 120_000 };

async function readAggregatesWithPrisma(shop: string, to: number): Promise<OrderLedger | null> {
  const cut = asOfBefore(to);
  // The marker and the rows in one repeatable-read transaction (this path is PostgreSQL's): one snapshot (read
  // committed, the default, would let a bulk write land between the two).
  const rows = await prisma.$transaction(async (tx) => {
    await tx.$executeRawUnsafe("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    const current = await tx.customerAggregateBuild.findFirst({ where: { shop, stale: 0 }, select: { shop: true } });
    if (!current) return null;
    return tx.$queryRaw<{ customerId: string; orders: string; state: string | null }[]>(
      Prisma.sql`SELECT a."customerId" AS "customerId", a."orders" AS "orders",
            (SELECT s."segment" || ' ' || coalesce(s."tier", '') FROM "CustomerState" s
              WHERE s."shop" = a."shop" AND s."customerId" = a."customerId") AS "state"
          FROM "CustomerAggregate" a
          WHERE a."shop" = ${shop} AND a."orderCount" > 0 AND a."firstOrderAt" <= ${new Date(cut)}
            AND a."customerId" NOT IN (SELECT c."id" FROM "Customer" c WHERE c."shop" = ${shop} AND c."deletedAt" IS NOT NULL)
          ORDER BY a."customerId"`,
    );
  }, READ_TRANSACTION);
  if (rows === null) return null;
  const builder = columnsBuilder(1 << 16);
  for (const row of rows) addCustomer(builder, row.customerId, row.state, row.orders, cut);
  return builder.done();
}

/** One customer's row into the builder: "segment tier" state, and their list up to `cut` (none: left out). */
function addCustomer(
  builder: ReturnType<typeof columnsBuilder>,
  customerId: string,
  state: string | null,
  text: string,
  cut: number,
) {
  const space = state === null ? -1 : state.indexOf(" ");
  builder.customer(
    customerId,
    state === null ? null : state.slice(0, space),
    state === null || space === state.length - 1 ? null : state.slice(space + 1),
  );
  parseOrders(text, builder, cut, parseAnyStamp);
}

/** A connection of its own: an open iterator keeps its connection busy (as in scoring-sqlite.server.ts). */
function open(file: string) {
  return new Database(file, { timeout: 0 });
}

async function readOrderLedgerFromSqlite(file: string, shop: string, to: number): Promise<OrderLedger> {
  const db = open(file);
  try {
    const statement = db
      .prepare(
        `SELECT o."customerId", group_concat(o."processedAt" || ' ' || o."valueMinor", ','),
          (SELECT s."segment" || ' ' || coalesce(s."tier", '') FROM "CustomerState" s WHERE s."shop" = @shop AND s."customerId" = o."customerId")
        FROM "Order" o WHERE ${QUALIFYING_ORDER} GROUP BY o."customerId" HAVING ${LIVE_CUSTOMER}`,
      )
      .raw();
    // The live-customer part once per customer group (HAVING) rather than once per order.
    const params = { shop, asOf: stampMs(asOfBefore(to)) };
    const builder = columnsBuilder(1 << 16);
    let n = 0;
    for (const [customerId, text, state] of statement.iterate(params) as IterableIterator<
      [string, string, string | null]
    >) {
      // "segment tier" (keys never hold a space; tier empty: none), once per customer, not once per order.
      const space = state === null ? -1 : state.indexOf(" ");
      builder.customer(
        customerId,
        state === null ? null : state.slice(0, space),
        state === null || space === state.length - 1 ? null : state.slice(space + 1),
      );
      parseOrders(text, builder);
      if (++n % CUSTOMERS_PER_TURN === 0) await nextTurn();
    }
    return builder.done();
  } finally {
    db.close();
  }
}

/** The same rows through Prisma (PostgreSQL later; on SQLite the reference the prepared-statement path is tested against). */
export async function readOrderLedgerWithPrisma(shop: string, to: number): Promise<OrderLedger> {
  const rows = await prisma.$queryRaw<{ customerId: string; processedAt: unknown; valueMinor: unknown }[]>(
    Prisma.sql`SELECT o."customerId" AS "customerId", o."processedAt" AS "processedAt", o."valueMinor" AS "valueMinor"
      FROM "Order" o WHERE ${qualifying(shop, new Date(asOfBefore(to)))} ORDER BY o."customerId", o."processedAt"`,
  );
  const states = new Map(
    (
      await prisma.customerState.findMany({ where: { shop }, select: { customerId: true, segment: true, tier: true } })
    ).map((s) => [s.customerId, s]),
  );
  const builder = columnsBuilder(rows.length);
  let current: string | null = null;
  for (const row of rows) {
    if (row.customerId !== current) {
      const state = states.get((current = row.customerId));
      builder.customer(current, state?.segment ?? null, state?.tier ?? null);
    }
    builder.order(instant(row.processedAt), integer(row.valueMinor));
  }
  return builder.done();
}

/** Column arrays filled customer by customer; `capacity` is a first guess, doubled as needed. */
function columnsBuilder(capacity: number) {
  const customerIds: string[] = [];
  const segments: (string | null)[] = [];
  const tiers: (string | null)[] = [];
  const starts: number[] = [];
  let times = new Float64Array(Math.max(16, capacity));
  let values = new Float64Array(times.length);
  let k = 0;
  let customerStart = 0;
  /** Orders of one customer arrive in any order from group_concat: put the last customer's in time order. */
  const sortLast = () => {
    let sorted = true;
    for (let j = customerStart + 1; j < k; j++) if (times[j] < times[j - 1]) sorted = false;
    if (sorted) return;
    const index = Array.from({ length: k - customerStart }, (_, j) => customerStart + j).sort(
      (a, b) => times[a] - times[b],
    );
    const t = index.map((j) => times[j]);
    const v = index.map((j) => values[j]);
    times.set(t, customerStart);
    values.set(v, customerStart);
  };
  return {
    customer(id: string, segment: string | null, tier: string | null) {
      if (customerIds.length > 0) sortLast();
      customerIds.push(id);
      segments.push(segment);
      tiers.push(tier);
      starts.push(k);
      customerStart = k;
    },
    order(time: number, value: number) {
      if (k === times.length) {
        const grownTimes = new Float64Array(k * 2);
        const grownValues = new Float64Array(k * 2);
        grownTimes.set(times);
        grownValues.set(values);
        times = grownTimes;
        values = grownValues;
      }
      times[k] = time;
      values[k++] = value;
    },
    done(): OrderLedger {
      if (customerIds.length > 0) sortLast();
      const offsets = new Int32Array(customerIds.length + 1);
      offsets.set(starts);
      offsets[customerIds.length] = k;
      return { customerIds, segments, tiers, offsets, times: times.subarray(0, k), values: values.subarray(0, k) };
    },
  };
}

/**
 * "time value,time value,…" into the builder, without a Date or a substring per order for the usual stamp; a list in
 * time order (an aggregate's) stops after `cut`. `otherStamp` parses a time of any other shape.
 */
function parseOrders(
  text: string,
  builder: ReturnType<typeof columnsBuilder>,
  cut = Number.POSITIVE_INFINITY,
  otherStamp: (text: string, start: number, end: number) => number = (t, start, end) => instant(t.slice(start, end)),
) {
  let i = 0;
  const length = text.length;
  while (i < length) {
    // The value follows the entry's last space (PostgreSQL's timestamp text has a space of its own).
    let comma = text.indexOf(",", i);
    if (comma === -1) comma = length;
    const space = text.lastIndexOf(" ", comma - 1);
    const time = space - i === STAMP_LENGTH ? parseStamp(text, i) : Number.NaN;
    let value = 0;
    let j = space + 1;
    for (let c = text.charCodeAt(j); j < length && c !== 44; c = text.charCodeAt(++j)) value = value * 10 + (c - 48);
    const at = Number.isNaN(time) ? otherStamp(text, i, space) : time;
    if (at > cut) return;
    builder.order(at, value);
    i = j + 1;
  }
}

// The stored DateTime text: "2026-03-16T04:18:19.528+00:00" (sqlite-direct.server.ts `stamp`).
const STAMP_LENGTH = 29;
const digits2 = (s: string, i: number) => (s.charCodeAt(i) - 48) * 10 + (s.charCodeAt(i + 1) - 48);

/** Epoch ms of a stored stamp at `i`; NaN when the text is not exactly that shape (the caller then uses Date.parse). */
function parseStamp(s: string, i: number): number {
  if (
    s.charCodeAt(i + 4) !== 45 ||
    s.charCodeAt(i + 10) !== 84 ||
    s.charCodeAt(i + 19) !== 46 ||
    s.charCodeAt(i + 23) !== 43 || // "+00:00", compared without a substring per order
    s.charCodeAt(i + 24) !== 48 ||
    s.charCodeAt(i + 25) !== 48 ||
    s.charCodeAt(i + 26) !== 58 ||
    s.charCodeAt(i + 27) !== 48 ||
    s.charCodeAt(i + 28) !== 48
  )
    return Number.NaN;
  const year = digits2(s, i) * 100 + digits2(s, i + 2);
  const month = digits2(s, i + 5);
  const day = digits2(s, i + 8);
  // The day's start once per distinct day (a million orders fall on a few thousand days), then the time of day: the
  // same sum Date.UTC makes.
  const key = (year * 100 + month) * 100 + day;
  let start = DAY_STARTS.get(key);
  if (start === undefined) DAY_STARTS.set(key, (start = Date.UTC(year, month - 1, day)));
  return (
    start +
    ((digits2(s, i + 11) * 60 + digits2(s, i + 14)) * 60 + digits2(s, i + 17)) * 1000 +
    (s.charCodeAt(i + 20) - 48) * 100 +
    digits2(s, i + 21)
  );
}

/** Epoch ms of each day's start seen by parseStamp (YYYYMMDD → ms); a day is 8 bytes of key and value. */
const DAY_STARTS = new Map<number, number>();

// Raw rows come back as the driver gives them (as in qualifying-orders.server.ts).
function integer(value: unknown): number {
  const n = typeof value === "number" ? value : Number(typeof value === "bigint" ? value : String(value));
  if (!Number.isSafeInteger(n))
    throw new RangeError(`expected an exact integer from the database, got ${String(value)}`);
  return n;
}

function instant(value: unknown): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === "number" ? value : Date.parse(String(value));
  if (Number.isNaN(ms)) throw new RangeError(`expected a time from the database, got ${String(value)}`);
  return ms;
}

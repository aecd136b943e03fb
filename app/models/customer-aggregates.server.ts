// The maintained per-customer aggregates (docs/decisions/0009-recompute-from-maintained-aggregates.md): CustomerAggregate
// rows kept current by the ledger's write path (ledger-write.ts refreshAggregates), rebuilt for a whole shop after bulk
// writes, and read by the full recompute in two streamed passes, a page of customers at a time (memory does not grow
// with the shop's orders). On SQLite through prepared statements on a connection of its own (as
// scoring-sqlite.server.ts), elsewhere through Prisma's raw queries. Every query is scoped by shop.
import Database from "better-sqlite3";
import { setImmediate as nextTurn } from "node:timers/promises";
import { prisma } from "../db.server";
import { AGGREGATES_REBUILD, EVERY_ORDER_UNTIL } from "./ledger-rules.sql";
import { prismaSql, stamp } from "./sql-dialect";
import { parseStamp } from "../domain/customer-aggregate";
import { sqliteFile, whenFree } from "./sqlite-direct.server";

const PAGE = 5000;

// The first pass reads a customer's list only when their columns do not answer (a window, or an order after asOf).
const VALUES_PAGE = `
  SELECT "customerId", "orderCount", "totalMinor", "lastOrderAt",
    CASE WHEN @windowed = 1 OR "lastOrderAt" > @asOf THEN "orders" END AS "orders" FROM "CustomerAggregate"
  WHERE "shop" = @shop AND "customerId" > @after ORDER BY "customerId" LIMIT @page`;
const AGGREGATES_PAGE = `
  SELECT "customerId", "orders", "orderCount", "totalMinor", "lastOrderAt" FROM "CustomerAggregate"
  WHERE "shop" = @shop AND "customerId" > @after ORDER BY "customerId" LIMIT @page`;
// Walks the (shop, deletedAt, id) covering index.
const LIVE_PAGE = `
  SELECT "id" AS "customerId" FROM "Customer"
  WHERE "shop" = @shop AND "deletedAt" IS NULL AND "id" > @after ORDER BY "id" LIMIT @page`;
const STATES_PAGE = `
  SELECT "customerId", "digest", "segment", "tier", "computedAt" FROM "CustomerState"
  WHERE "shop" = @shop AND "customerId" > @after ORDER BY "customerId" LIMIT @page`;
// A range of the (shop, deletedAt, id) index ("IS NOT NULL" alone has SQLite walk every customer of the shop).
// Read at once, not by pages: tombstones are few (a page's ORDER BY would have SQLite walk the primary key instead).
const TOMBSTONES = `SELECT "id" FROM "Customer" WHERE "shop" = @shop AND "deletedAt" > @epoch`;

function instant(value: unknown): number {
  // SQLite's stored text through the hand-written parser (a full run reads two per customer), anything else by Date.
  const ms =
    value instanceof Date ? value.getTime() : typeof value === "string" ? parseStamp(value) : Date.parse(String(value));
  if (Number.isNaN(ms)) throw new RangeError(`expected a time from the database, got ${String(value)}`);
  return ms;
}

type Row = Record<string, unknown> & { customerId: string };

/** Runs keyset pages (`@after`, `@page`) of one query: on SQLite's own read connection, or through Prisma. */
function pageReader(db: Database.Database | null) {
  const prepared = new Map<string, Database.Statement>();
  return async (sql: string, shop: string, after: string, extra: Record<string, unknown> = {}): Promise<Row[]> => {
    if (db) {
      let statement = prepared.get(sql);
      if (!statement) prepared.set(sql, (statement = db.prepare(sql)));
      const ready = statement;
      return (await whenFree(() => ready.all({ shop, after, page: PAGE, ...extra }))) as Row[];
    }
    return prisma.$queryRaw<Row[]>(prismaSql(sql, { shop, after, page: PAGE, ...extra }));
  };
}

/** A keyset-paged query as a stream of rows in customer id order: `peek` answers from the page held, `fill` reads
 * the next page when `needsFill` (the merge awaits only once a page). */
function stream(read: ReturnType<typeof pageReader>, sql: string, shop: string, extra: Record<string, unknown> = {}) {
  let rows: Row[] = [];
  let at = 0;
  let done = false;
  let after = "";
  return {
    needsFill: () => at >= rows.length && !done,
    async fill() {
      rows = await read(sql, shop, after, extra);
      at = 0;
      // The merge relies on the database ordering ids as JavaScript compares them (byte order: SQLite's BINARY,
      // PostgreSQL created with --locale=C); a database that sorts otherwise is refused, never merged wrongly.
      for (let i = 0; i < rows.length; i++)
        if ((i === 0 ? after : rows[i - 1].customerId) >= rows[i].customerId)
          throw new Error("customer ids do not come back in byte order: the database's collation must be C");
      if (rows.length < PAGE) done = true;
      if (rows.length > 0) after = rows[rows.length - 1].customerId;
    },
    /** The next row without taking it (call fill first when needsFill); undefined at the end. */
    peek: (): Row | undefined => (at < rows.length ? rows[at] : undefined),
    take() {
      at++;
    },
  };
}

/** Opens SQLite's read connection for a pass (null on other databases) and closes it after. */
async function* withReader<T>(
  body: (read: ReturnType<typeof pageReader>, deleted: Set<string>) => AsyncGenerator<T>,
  shop: string,
): AsyncGenerator<T> {
  const file = sqliteFile();
  const db = file === null ? null : new Database(file, { readonly: true, timeout: 0 });
  try {
    yield* body(pageReader(db), await tombstones(db, shop));
  } finally {
    db?.close();
  }
}

/** The ids of the shop's deleted customers (tombstones: few). */
async function tombstones(db: Database.Database | null, shop: string): Promise<Set<string>> {
  const epoch = new Date(0);
  const rows = db
    ? ((await whenFree(() => db.prepare(TOMBSTONES).all({ shop, epoch: stamp(epoch) }))) as { id: string }[])
    : await prisma.$queryRaw<{ id: string }[]>(prismaSql(TOMBSTONES, { shop, epoch }));
  return new Set(rows.map((r) => r.id));
}

/** One customer's aggregate row as the passes read it. */
export interface AggregateRow {
  customerId: string;
  /** Their order list (domain/customer-aggregate.ts); null when not read (aggregatePages). */
  orders: string | null;
  orderCount: number;
  totalMinor: number;
  /** Their last qualifying order ever (epoch ms). */
  lastOrderAt: number;
}

function aggregateRow(r: Row): AggregateRow {
  const total = Number(r.totalMinor);
  if (!Number.isSafeInteger(total))
    throw new RangeError(`a customer's total is beyond exact integers: ${String(r.totalMinor)}`);
  return {
    customerId: r.customerId,
    orders: (r.orders as string | null) ?? null,
    orderCount: Number(r.orderCount),
    totalMinor: total,
    lastOrderAt: instant(r.lastOrderAt),
  };
}

/**
 * Every live customer's aggregate (first pass: the RFM population), a page at a time, in customer id order; `orders`
 * is null where the columns answer as of asOf (no RFM window, no order after asOf).
 */
export function aggregatePages(
  shop: string,
  { asOf, windowed }: { asOf: Date; windowed: boolean },
): AsyncGenerator<AggregateRow[]> {
  return withReader(async function* (read, deleted) {
    const extra = { asOf: sqliteFile() === null ? asOf : stamp(asOf), windowed: windowed ? 1 : 0 };
    let after = "";
    for (;;) {
      const rows = await read(VALUES_PAGE, shop, after, extra);
      if (rows.length > 0) yield rows.filter((r) => !deleted.has(r.customerId)).map(aggregateRow);
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1].customerId;
      await nextTurn();
    }
  }, shop);
}

/** One customer as the full recompute's second pass reads them, in customer id order. */
export interface RecomputeRow {
  customerId: string;
  /** Their aggregate; null: no qualifying order. */
  aggregate: AggregateRow | null;
  /** The ledger holds the customer and has not deleted them. */
  live: boolean;
  /** Their stored state, if any. */
  stored: { digest: string | null; segment: string; tier: string | null; computedAt: number } | null;
}

/**
 * Every customer the recompute must look at — with an aggregate, live in the ledger, or with a stored state — with
 * what it needs of them, in customer id order, a page at a time (second pass): three keyset-paged reads of primary
 * keys (and the live-customer covering index) merged by id, no join.
 */
export function recomputePages(shop: string): AsyncGenerator<RecomputeRow[]> {
  return withReader(async function* (read, deleted) {
    const aggregates = stream(read, AGGREGATES_PAGE, shop);
    const live = stream(read, LIVE_PAGE, shop);
    const states = stream(read, STATES_PAGE, shop);
    let page: RecomputeRow[] = [];
    for (;;) {
      if (aggregates.needsFill()) await aggregates.fill();
      if (live.needsFill()) await live.fill();
      if (states.needsFill()) await states.fill();
      const [a, l, s] = [aggregates.peek(), live.peek(), states.peek()];
      if (!a && !l && !s) break;
      let id = (a ?? l ?? s)!.customerId;
      if (l && l.customerId < id) id = l.customerId;
      if (s && s.customerId < id) id = s.customerId;
      const row: RecomputeRow = { customerId: id, aggregate: null, live: false, stored: null };
      if (a && a.customerId === id) {
        if (!deleted.has(id)) row.aggregate = aggregateRow(a);
        aggregates.take();
      }
      if (l && l.customerId === id) {
        row.live = true;
        live.take();
      }
      if (s && s.customerId === id) {
        row.stored = {
          digest: (s.digest as string | null) ?? null,
          segment: s.segment as string,
          tier: (s.tier as string | null) ?? null,
          computedAt: instant(s.computedAt),
        };
        states.take();
      }
      page.push(row);
      if (page.length === PAGE) {
        yield page;
        page = [];
        await nextTurn();
      }
    }
    if (page.length > 0) yield page;
  }, shop);
}

/**
 * Makes the shop's aggregates complete: after bulk writes (or for a shop never built) they are rebuilt from the
 * ledger in one pass, in one transaction; the build is then marked current unless another bulk write came meanwhile
 * (it stays stale, and the next run rebuilds again). Returns whether it rebuilt.
 */
export async function ensureAggregates(shop: string): Promise<boolean> {
  const build = await prisma.customerAggregateBuild.findUnique({ where: { shop } });
  if (build && build.stale === 0) return false;
  await prisma.customerAggregateBuild.upsert({ where: { shop }, create: { shop, stale: 1 }, update: {} });
  const seen = (await prisma.customerAggregateBuild.findUniqueOrThrow({ where: { shop } })).stale;
  const file = sqliteFile();
  if (file !== null) {
    const db = new Database(file, { timeout: 0 });
    try {
      db.pragma("journal_mode = WAL");
      const clear = db.prepare(`DELETE FROM "CustomerAggregate" WHERE "shop" = ?`);
      const rebuild = db.prepare(AGGREGATES_REBUILD);
      const done = db.prepare(`UPDATE "CustomerAggregateBuild" SET "stale" = 0 WHERE "shop" = ? AND "stale" = ?`);
      const run = db.transaction(() => {
        clear.run(shop);
        rebuild.run({ shop, asOf: stamp(EVERY_ORDER_UNTIL) });
        done.run(shop, seen);
      });
      await whenFree(() => run());
    } finally {
      db.close();
    }
    return true;
  }
  await prisma.$transaction([
    prisma.customerAggregate.deleteMany({ where: { shop } }),
    prisma.$executeRaw(prismaSql(AGGREGATES_REBUILD, { shop, asOf: EVERY_ORDER_UNTIL })),
    prisma.customerAggregateBuild.updateMany({ where: { shop, stale: seen }, data: { stale: 0 } }),
  ]);
  return true;
}

/** A customer's aggregate row as stored (tests, privacy export). */
export function customerAggregate(shop: string, customerId: string) {
  return prisma.customerAggregate.findUnique({ where: { shop_customerId: { shop, customerId } } });
}

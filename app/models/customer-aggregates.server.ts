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
import { sqliteFile, whenFree } from "./sqlite-direct.server";

const PAGE = 5000;

/** One customer as the full recompute's second pass reads them, in customer id order. */
export interface RecomputeRow {
  customerId: string;
  /** Their order list (domain/customer-aggregate.ts), null: no qualifying order. */
  orders: string | null;
  /** The ledger holds the customer and has not deleted them. */
  live: boolean;
  /** Their stored state, if any. */
  stored: { digest: string | null; segment: string; tier: string | null; computedAt: number } | null;
}

const TOMBSTONES = `SELECT c."id" FROM "Customer" c WHERE c."shop" = @shop AND c."deletedAt" IS NOT NULL`;

// Each branch of the id union reads its own primary key (or the live-customer covering index) from the cursor on,
// limited to a page: the page's ids are among the first PAGE of each branch.
const RECOMPUTE_PAGE = `
  SELECT ids."customerId", a."orders", c."id" IS NOT NULL AS "live", s."digest", s."segment", s."tier", s."computedAt"
  FROM (
    SELECT "customerId" FROM (SELECT "customerId" FROM "CustomerAggregate" WHERE "shop" = @shop AND "customerId" > @after
      ORDER BY "customerId" LIMIT @page) x
    UNION SELECT "id" FROM (SELECT "id" FROM "Customer" WHERE "shop" = @shop AND "deletedAt" IS NULL AND "id" > @after
      ORDER BY "id" LIMIT @page) y
    UNION SELECT "customerId" FROM (SELECT "customerId" FROM "CustomerState" WHERE "shop" = @shop AND "customerId" > @after
      ORDER BY "customerId" LIMIT @page) z
  ) ids
  LEFT JOIN "CustomerAggregate" a ON a."shop" = @shop AND a."customerId" = ids."customerId"
    AND a."customerId" NOT IN (${TOMBSTONES})
  LEFT JOIN "Customer" c ON c."shop" = @shop AND c."id" = ids."customerId" AND c."deletedAt" IS NULL
  LEFT JOIN "CustomerState" s ON s."shop" = @shop AND s."customerId" = ids."customerId"
  ORDER BY ids."customerId" LIMIT @page`;

const ORDER_LISTS_PAGE = `
  SELECT a."customerId", a."orders" FROM "CustomerAggregate" a
  WHERE a."shop" = @shop AND a."customerId" > @after AND a."customerId" NOT IN (${TOMBSTONES})
  ORDER BY a."customerId" LIMIT @page`;

function instant(value: unknown): number {
  const ms = value instanceof Date ? value.getTime() : Date.parse(String(value));
  if (Number.isNaN(ms)) throw new RangeError(`expected a time from the database, got ${String(value)}`);
  return ms;
}

/** Pages of a keyset query (`@after`, `@page`), on SQLite's own connection or through Prisma. */
async function* pages<Row extends { customerId: string }>(
  sql: string,
  shop: string,
): AsyncGenerator<Record<string, unknown>[]> {
  const file = sqliteFile();
  let after = "";
  if (file !== null) {
    const db = new Database(file, { readonly: true, timeout: 0 });
    try {
      const statement = db.prepare(sql);
      for (;;) {
        const rows = (await whenFree(() => statement.all({ shop, after, page: PAGE }))) as Record<string, unknown>[];
        if (rows.length === 0) return;
        yield rows;
        if (rows.length < PAGE) return;
        after = (rows[rows.length - 1] as Row).customerId;
        await nextTurn();
      }
    } finally {
      db.close();
    }
  }
  for (;;) {
    const rows = await prisma.$queryRaw<Record<string, unknown>[]>(prismaSql(sql, { shop, after, page: PAGE }));
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1].customerId as string;
  }
}

/** Every customer's order list (first pass: the RFM population), a page at a time, in customer id order. */
export async function* orderListPages(shop: string): AsyncGenerator<{ customerId: string; orders: string }[]> {
  for await (const rows of pages(ORDER_LISTS_PAGE, shop)) yield rows as { customerId: string; orders: string }[];
}

/**
 * Every customer the recompute must look at — with an order list, live in the ledger, or with a stored state — with
 * what it needs of them, a page at a time in customer id order (second pass).
 */
export async function* recomputePages(shop: string): AsyncGenerator<RecomputeRow[]> {
  for await (const rows of pages(RECOMPUTE_PAGE, shop)) {
    yield rows.map((r) => ({
      customerId: r.customerId as string,
      orders: (r.orders as string | null) ?? null,
      // SQLite answers a comparison with 0/1, PostgreSQL with a boolean.
      live: Boolean(r.live),
      stored:
        r.segment === null || r.segment === undefined
          ? null
          : {
              digest: (r.digest as string | null) ?? null,
              segment: r.segment as string,
              tier: (r.tier as string | null) ?? null,
              computedAt: instant(r.computedAt),
            },
    }));
  }
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

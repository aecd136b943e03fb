// Reads of the ledger for scoring: which orders qualify (the one SQL rule of ledger-rules.sql.ts), per-customer RFM
// aggregates computed in SQL, and the qualifying orders tiers need, fetched for a batch of customers at a time.
// Portable SQL through Prisma.sql (SQLite now, PostgreSQL later); every query is scoped by shop.
import { Prisma } from "../generated/prisma/client";
import { prisma } from "../db.server";
import type { TierOrder } from "../domain/tiers";
import type { CustomerAggregate, LedgerScan } from "./scoring-types";
import { sqliteScoring } from "./scoring-sqlite.server";
import { LIVE_CUSTOMER, QUALIFYING_ORDER } from "./ledger-rules.sql";
import { prismaSql } from "./sql-dialect";

export type { CustomerAggregate, LedgerScan };

/**
 * Orders are compared by time through `orderTime` (COALESCE(t, t)) for the reason QUALIFYING_ORDER gives: SQLite then
 * walks the (shop, customerId) index instead of the date index.
 */
const orderTime = Prisma.sql`COALESCE(o."processedAt", o."processedAt")`;

/**
 * The qualifying-order rule (docs/rules.md#ledger-qualifying) for Prisma's raw queries on the Order aliased `o`: the
 * one SQL text of ledger-rules.sql.ts, with its parameters bound. `customerChecked`: the caller already knows the
 * customers it reads are live, so the tombstone check is left out — listing the tombstones reads all of the shop's
 * customers: once per full run is fine, once per batch or per incremental update is not.
 */
export function qualifying(shop: string, asOf: Date, { customerChecked = false } = {}): Prisma.Sql {
  const rule = customerChecked ? QUALIFYING_ORDER : `${QUALIFYING_ORDER} AND ${LIVE_CUSTOMER}`;
  return prismaSql(rule, { shop, asOf });
}

/**
 * Per-customer aggregates of qualifying orders up to `asOf` (GROUP BY customer, in SQL), every customer with at
 * least one qualifying order. With `windowStart`, frequency, monetary and lastOrderAt count only orders after it.
 * Pass `customerId` for one customer (an incremental update): the caller checks that the customer is not deleted.
 */
export async function customerAggregates(
  shop: string,
  { asOf, windowStart, customerId }: { asOf: Date; windowStart: Date | null; customerId?: string },
): Promise<CustomerAggregate[]> {
  const only = customerId === undefined ? Prisma.empty : Prisma.sql`AND o."customerId" = ${customerId}`;
  const windowed =
    windowStart === null
      ? Prisma.sql`COUNT(*) AS "frequency", SUM(o."valueMinor") AS "monetary", MAX(o."processedAt") AS "lastOrderAt"`
      : Prisma.sql`SUM(CASE WHEN o."processedAt" > ${windowStart} THEN 1 ELSE 0 END) AS "frequency",
          SUM(CASE WHEN o."processedAt" > ${windowStart} THEN o."valueMinor" ELSE 0 END) AS "monetary",
          MAX(CASE WHEN o."processedAt" > ${windowStart} THEN o."processedAt" END) AS "lastOrderAt"`;
  const rows = await prisma.$queryRaw<
    { customerId: string; lastEver: unknown; frequency: unknown; monetary: unknown; lastOrderAt: unknown }[]
  >(
    Prisma.sql`SELECT o."customerId" AS "customerId", MAX(o."processedAt") AS "lastEver", ${windowed}
      FROM "Order" o WHERE ${qualifying(shop, asOf, { customerChecked: customerId !== undefined })} ${only}
      GROUP BY o."customerId"`,
  );
  return rows.map((row) => ({
    customerId: row.customerId,
    lastOrderAtEver: instant(row.lastEver)!,
    frequency: integer(row.frequency),
    monetary: integer(row.monetary),
    lastOrderAt: instant(row.lastOrderAt),
  }));
}

/**
 * Every customer's aggregate as of asOf and their qualifying orders from `tierFrom` on: what a full computation reads
 * of the ledger. On SQLite one pass of prepared statements (scoring-sqlite.server.ts); elsewhere the aggregate query
 * and the orders of a batch of customers at a time.
 */
export async function scanLedger(
  shop: string,
  range: { asOf: number; windowStart: number | null; tierFrom: number | null },
): Promise<LedgerScan> {
  const sqlite = sqliteScoring();
  return sqlite ? sqlite.scanLedger(shop, range) : scanLedgerWithPrisma(shop, range);
}

/**
 * scanLedger through Prisma: every database but SQLite, the reference the SQLite path is tested against, and one
 * customer's incremental update (`customerId`: the caller checks that the customer is not deleted).
 */
export async function scanLedgerWithPrisma(
  shop: string,
  {
    asOf,
    windowStart,
    tierFrom,
    customerId,
  }: { asOf: number; windowStart: number | null; tierFrom: number | null; customerId?: string },
): Promise<LedgerScan> {
  const aggregates = await customerAggregates(shop, {
    asOf: new Date(asOf),
    windowStart: windowStart === null ? null : new Date(windowStart),
    customerId,
  });
  return {
    aggregates,
    liveCustomerIds: () => liveCustomerIds(shop, customerId),
    tierFrom,
    tierOrders: (customerIds) =>
      qualifyingOrdersOf(shop, customerIds, {
        asOf: new Date(asOf),
        from: tierFrom === null ? null : new Date(tierFrom),
      }) as Promise<Map<string, TierOrder[]>>,
  };
}

export interface CustomerOrders {
  customerId: string;
  orders: { time: number; value: number }[];
}

/**
 * Qualifying orders (time, value) of the given customers with times in [from, asOf] (`from` null: all history),
 * grouped by customer. Called for a batch of customers at a time, so memory stays bounded by the batch. The
 * customers must be live (not deleted): they come from customerAggregates or a checked customer.
 */
export async function qualifyingOrdersOf(
  shop: string,
  customerIds: readonly string[],
  { asOf, from }: { asOf: Date; from: Date | null },
): Promise<Map<string, { time: number; value: number }[]>> {
  const byCustomer = new Map<string, { time: number; value: number }[]>();
  if (customerIds.length === 0) return byCustomer;
  const since = from === null ? Prisma.empty : Prisma.sql`AND ${orderTime} >= ${from}`;
  const rows = await prisma.$queryRaw<{ customerId: string; processedAt: unknown; valueMinor: unknown }[]>(
    Prisma.sql`SELECT o."customerId" AS "customerId", o."processedAt" AS "processedAt", o."valueMinor" AS "valueMinor"
      FROM "Order" o WHERE ${qualifying(shop, asOf, { customerChecked: true })} AND o."customerId" IN (${Prisma.join(customerIds)}) ${since}
      ORDER BY o."customerId"`,
  );
  for (const row of rows) {
    let orders = byCustomer.get(row.customerId);
    if (!orders) byCustomer.set(row.customerId, (orders = []));
    orders.push({ time: instant(row.processedAt)!, value: integer(row.valueMinor) });
  }
  return byCustomer;
}

/** Ids of the shop's customers the ledger holds and has not deleted (or just `customerId`, if it is one of them). */
export async function liveCustomerIds(shop: string, customerId?: string): Promise<string[]> {
  const only = customerId === undefined ? Prisma.empty : Prisma.sql`AND "id" = ${customerId}`;
  const rows = await prisma.$queryRaw<{ id: string }[]>(
    Prisma.sql`SELECT "id" FROM "Customer" WHERE "shop" = ${shop} AND "deletedAt" IS NULL ${only}`,
  );
  return rows.map((r) => r.id);
}

/** Whether the ledger holds this customer as deleted (a tombstone). */
export async function isCustomerDeleted(shop: string, customerId: string): Promise<boolean> {
  const row = await prisma.customer.findUnique({
    where: { shop_id: { shop, id: customerId } },
    select: { deletedAt: true },
  });
  return row?.deletedAt != null;
}

/** The currency most of the shop's orders are in, or null without orders (the shop's currency when Shop has none). */
export async function mostUsedOrderCurrency(shop: string): Promise<string | null> {
  const rows = await prisma.$queryRaw<{ currencyCode: string }[]>(
    Prisma.sql`SELECT "currencyCode" FROM "Order" WHERE "shop" = ${shop} AND "deletedAt" IS NULL
      GROUP BY "currencyCode" ORDER BY COUNT(*) DESC, "currencyCode" LIMIT 1`,
  );
  return rows[0]?.currencyCode ?? null;
}

// Raw rows come back as the driver gives them: BigInt for integer columns and aggregates (Decimal on PostgreSQL's
// SUM), text or Date for times depending on whether the column type survived the expression.
function integer(value: unknown): number {
  const n = typeof value === "number" ? value : Number(typeof value === "bigint" ? value : String(value));
  if (!Number.isSafeInteger(n))
    throw new RangeError(`expected an exact integer from the database, got ${String(value)}`);
  return n;
}

function instant(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const ms = value instanceof Date ? value.getTime() : typeof value === "number" ? value : Date.parse(String(value));
  if (Number.isNaN(ms)) throw new RangeError(`expected a time from the database, got ${String(value)}`);
  return ms;
}

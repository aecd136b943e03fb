// Writes to the ledger outside webhooks and backfill (reconciliation, fixtures) and the ledger's small reads. Every
// write is an upsert that never moves a row backwards: an incoming version older than (or as old as) the one held is
// ignored, a deleted row stays deleted — the algorithm of ledger-write.ts on this database's driver, the same one the
// webhooks and the backfill run (docs/decisions/0005).
import { Prisma } from "../generated/prisma/client";
import { prisma } from "../db.server";
import type { LedgerChange, LedgerCustomer, LedgerOrder, LedgerProduct, LedgerRefund } from "../domain/ledger-types";
import {
  productsBatch,
  refundLinesBatch,
  writeChange,
  type LedgerDriver,
  type TransactionalQueue,
} from "./ledger-write";
import { sqliteLedgerDriver } from "./ledger-driver-sqlite.server";
import { pgLedgerDriver } from "./ledger-driver-pg.server";

/** The process's ledger driver: better-sqlite3 on a SQLite file, node-pg on PostgreSQL. */
export function ledgerDriver(): LedgerDriver {
  const driver = sqliteLedgerDriver() ?? pgLedgerDriver();
  if (!driver) throw new Error("no ledger driver for this DATABASE_URL");
  return driver;
}

/** One change in one transaction; the customers it touched. */
async function write(shop: string, change: LedgerChange): Promise<Set<string>> {
  return (await ledgerDriver().transaction(() => writeChange(shop, change))).affected;
}

/** Upserts orders; returns the customers whose orders changed (both owners when an order changed hands). */
export function applyOrders(shop: string, orders: LedgerOrder[]): Promise<Set<string>> {
  return write(shop, { kind: "orders", orders, refunds: [] });
}

/** Records refunds (idempotent by id); returns the customers whose order values changed. */
export function applyRefunds(shop: string, refunds: LedgerRefund[]): Promise<Set<string>> {
  return write(shop, { kind: "refunds", refunds });
}

/** Stores the refunded lines of refunds (each once by id): the backfill's refund lines pass. */
export async function applyRefundLines(shop: string, refunds: LedgerRefund[]): Promise<void> {
  await ledgerDriver().transaction(() => refundLinesBatch(shop, refunds));
}

/**
 * Upserts products of the catalogue (newest version wins, a deleted one stays deleted): the products import. With
 * `followUp`, a `productRefresh` job per product whose version of the held second differs, queued in the transaction.
 */
export async function applyProducts(
  shop: string,
  products: LedgerProduct[],
  followUp?: { productRefresh: string; queue: TransactionalQueue },
): Promise<void> {
  await ledgerDriver().transaction(() => productsBatch(shop, products, followUp?.productRefresh), followUp?.queue);
}

/** Upserts customers (newest version wins); returns the ids that changed. */
export function applyCustomers(shop: string, customers: LedgerCustomer[]): Promise<Set<string>> {
  return write(shop, { kind: "customers", customers });
}

/**
 * Deletes an order from the ledger, leaving a tombstone (every field blanked, deletedAt set) so that a late, older
 * version cannot bring it back — and so that a delete arriving before or after the order's other events leaves the
 * same row. Returns the customer the order belonged to.
 */
export function deleteOrder(shop: string, orderId: string, at: Date): Promise<Set<string>> {
  return write(shop, { kind: "deleteOrder", orderId, at });
}

/** Deletes a customer the same way (tombstone); their orders leave every score with them. */
export function deleteCustomer(shop: string, customerId: string, at: Date): Promise<Set<string>> {
  return write(shop, { kind: "deleteCustomer", customerId, at });
}

/**
 * Writes a customer as just read from Shopify (customer-refresh): it replaces the held row when it is as new or newer
 * — a read at Shopify settles a tie between two versions of one second. A row deleted stays deleted. Returns whether
 * the row changed.
 */
export async function refreshCustomer(shop: string, c: LedgerCustomer): Promise<boolean> {
  const changed = await prisma.$queryRaw<{ id: string }[]>(Prisma.sql`
    UPDATE "Customer" SET "email" = ${c.email}, "firstName" = ${c.firstName}, "lastName" = ${c.lastName},
      "locale" = COALESCE(${c.locale}, "locale"), "sourceCreatedAt" = COALESCE(${c.sourceCreatedAt}, "sourceCreatedAt"),
      "sourceUpdatedAt" = ${c.sourceUpdatedAt}
    WHERE "shop" = ${shop} AND "id" = ${c.id} AND "deletedAt" IS NULL
      AND ("sourceUpdatedAt" IS NULL OR "sourceUpdatedAt" <= ${c.sourceUpdatedAt})
      AND NOT ("email" IS NOT DISTINCT FROM ${c.email} AND "firstName" IS NOT DISTINCT FROM ${c.firstName}
        AND "lastName" IS NOT DISTINCT FROM ${c.lastName} AND "locale" IS NOT DISTINCT FROM COALESCE(${c.locale}, "locale")
        AND "sourceUpdatedAt" IS NOT DISTINCT FROM ${c.sourceUpdatedAt})
    RETURNING "id"`);
  return changed.length > 0;
}

/** Ledger totals per shop: what reconciliation, the CLI and the tests compare with Shopify's truth. */
export async function ledgerCounts(shop: string) {
  const [customers, orders, refunds] = await Promise.all([
    prisma.customer.count({ where: { shop, deletedAt: null } }),
    prisma.order.count({ where: { shop, deletedAt: null } }),
    prisma.refund.count({ where: { shop } }),
  ]);
  return { customers, orders, refunds };
}

/** Per customer, what Shopify's lifetime figures count: orders not test, not cancelled, not deleted, at current total. */
export async function customerLifetimeFigures(shop: string, customerIds: string[]) {
  if (customerIds.length === 0) return new Map<string, { orders: number; spentMinor: number }>();
  const rows = await prisma.$queryRaw<
    { customerId: string; orders: bigint | number; spent: bigint | number | null }[]
  >(Prisma.sql`
    SELECT "customerId", COUNT(*) AS orders, SUM("currentTotalMinor") AS spent FROM "Order"
    WHERE "shop" = ${shop} AND "customerId" IN (${Prisma.join(customerIds)})
      AND "deletedAt" IS NULL AND "test" = false AND "cancelledAt" IS NULL
    GROUP BY "customerId"`);
  return new Map(rows.map((r) => [r.customerId, { orders: Number(r.orders), spentMinor: Number(r.spent ?? 0) }]));
}

/** A customer's live orders in the ledger with when each was processed (reconciliation compares them by date). */
export function customerOrders(shop: string, customerId: string): Promise<{ id: string; processedAt: Date }[]> {
  return prisma.order.findMany({
    where: { shop, customerId, deletedAt: null },
    select: { id: true, processedAt: true },
    orderBy: { id: "asc" },
  });
}

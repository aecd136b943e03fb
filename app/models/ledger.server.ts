// Writes to the ledger. Every write is an upsert that never moves a row backwards: an incoming version older than
// (or as old as) the one held is ignored, a deleted row stays deleted. Batched multi-row statements keep backfill fast.
import { Prisma } from "../generated/prisma/client";
import { prisma } from "../db.server";
import { newestVersions, type LedgerCustomer, type LedgerOrder, type LedgerRefund } from "./ledger-types";
import { CUSTOMER_VERSION_WINS, LATE_REFUNDS, ORDER_VERSION_WINS } from "./ledger-rules.sql";

type Db = Pick<typeof prisma, "$queryRaw" | "$executeRaw">;

const BATCH = 800; // rows per statement: ≤ 12 parameters a row, well under SQLite's (32,766) and PostgreSQL's (65,535) limits

export interface ApplyOptions {
  /** Skip working out which customers changed (backfill recomputes the whole shop afterwards). */
  trackCustomers?: boolean;
}

function chunks<T>(items: T[], size = BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Upserts orders; returns the customers whose orders changed (both owners when an order changed hands). */
export async function applyOrders(
  shop: string,
  orders: LedgerOrder[],
  db: Db = prisma,
  { trackCustomers = true }: ApplyOptions = {},
): Promise<Set<string>> {
  const affected = new Set<string>();
  for (const batch of chunks(newestVersions(orders, (o) => o.id, (o) => o.sourceUpdatedAt))) {
    const ids = batch.map((o) => o.id);
    // Previous owners, for orders moving between customers.
    const previous = trackCustomers
      ? await db.$queryRaw<{ customerId: string | null }[]>(Prisma.sql`
      SELECT "customerId" FROM "Order" WHERE "shop" = ${shop} AND "id" IN (${Prisma.join(ids)}) AND "deletedAt" IS NULL`)
      : [];
    const rows = batch.map(
      (o) => Prisma.sql`(${shop}, ${o.id}, ${o.customerId}, ${o.name}, ${o.processedAt}, ${o.cancelledAt}, ${o.test},
        ${o.currencyCode}, ${o.currentTotalMinor}, ${o.currentTotalMinor}, ${JSON.stringify(o.discountCodes)}, ${o.discountMinor}, ${o.sourceUpdatedAt})`,
    );
    const changed = await db.$queryRaw<{ id: string; customerId: string | null }[]>(Prisma.sql`
      INSERT INTO "Order" ("shop", "id", "customerId", "name", "processedAt", "cancelledAt", "test", "currencyCode",
        "currentTotalMinor", "valueMinor", "discountCodes", "discountMinor", "sourceUpdatedAt")
      VALUES ${Prisma.join(rows)}
      ON CONFLICT ("shop", "id") DO UPDATE SET
        "customerId" = excluded."customerId", "name" = excluded."name", "processedAt" = excluded."processedAt",
        "cancelledAt" = excluded."cancelledAt", "test" = excluded."test", "currencyCode" = excluded."currencyCode",
        "currentTotalMinor" = excluded."currentTotalMinor", "valueMinor" = excluded."valueMinor",
        "discountCodes" = excluded."discountCodes", "discountMinor" = excluded."discountMinor",
        "sourceUpdatedAt" = excluded."sourceUpdatedAt"
      WHERE ${Prisma.raw(ORDER_VERSION_WINS)}
      RETURNING "id", "customerId"`);
    if (changed.length === 0) continue;
    await refreshOrderValues(shop, changed.map((c) => c.id), db);
    for (const c of changed) if (c.customerId) affected.add(c.customerId);
    const changedIds = new Set(changed.map((c) => c.id));
    if (changedIds.size) for (const p of previous) if (p.customerId) affected.add(p.customerId);
  }
  return affected;
}

/**
 * An order's value is its newest current total less the refunds Shopify created after that version (a refund
 * webhook that arrived before the order update reflecting it). Refunds in another currency wait for the update.
 */
async function refreshOrderValues(shop: string, orderIds: string[], db: Db) {
  if (orderIds.length === 0) return;
  const late = Prisma.raw(LATE_REFUNDS);
  // Orders without such refunds already hold valueMinor = currentTotalMinor: only the others are rewritten.
  await db.$executeRaw(Prisma.sql`
    UPDATE "Order" SET "valueMinor" = "currentTotalMinor" - COALESCE((${late}), 0)
    WHERE "shop" = ${shop} AND "id" IN (${Prisma.join(orderIds)}) AND "valueMinor" <> "currentTotalMinor" - COALESCE((${late}), 0)`);
}

/**
 * Records refunds (idempotent by id); returns the customers whose order values changed. `reflected`: these refunds
 * came inside the order version just written (backfill), so its current total already accounts for them.
 */
export async function applyRefunds(
  shop: string,
  refunds: LedgerRefund[],
  db: Db = prisma,
  { reflected = false }: { reflected?: boolean } = {},
): Promise<Set<string>> {
  const affected = new Set<string>();
  for (const batch of chunks(newestVersions(refunds, (r) => r.id, (r) => r.createdAt))) {
    const rows = batch.map(
      (r) => Prisma.sql`(${shop}, ${r.id}, ${r.orderId}, ${r.createdAt}, ${r.amountMinor}, ${r.currencyCode})`,
    );
    const inserted = await db.$queryRaw<{ orderId: string }[]>(Prisma.sql`
      INSERT INTO "Refund" ("shop", "id", "orderId", "createdAt", "amountMinor", "currencyCode")
      VALUES ${Prisma.join(rows)}
      ON CONFLICT ("shop", "id") DO NOTHING
      RETURNING "orderId"`);
    const orderIds = [...new Set(inserted.map((r) => r.orderId))];
    if (orderIds.length === 0 || reflected) continue;
    await refreshOrderValues(shop, orderIds, db);
    const owners = await db.$queryRaw<{ customerId: string | null }[]>(Prisma.sql`
      SELECT "customerId" FROM "Order" WHERE "shop" = ${shop} AND "id" IN (${Prisma.join(orderIds)}) AND "deletedAt" IS NULL`);
    for (const o of owners) if (o.customerId) affected.add(o.customerId);
  }
  return affected;
}

/** Upserts customers (newest version wins); returns the ids that changed. */
export async function applyCustomers(shop: string, customers: LedgerCustomer[], db: Db = prisma): Promise<Set<string>> {
  const affected = new Set<string>();
  for (const batch of chunks(newestVersions(customers, (c) => c.id, (c) => c.sourceUpdatedAt))) {
    const rows = batch.map(
      (c) => Prisma.sql`(${shop}, ${c.id}, ${c.email}, ${c.firstName}, ${c.lastName}, ${c.locale}, ${c.sourceCreatedAt}, ${c.sourceUpdatedAt})`,
    );
    const changed = await db.$queryRaw<{ id: string }[]>(Prisma.sql`
      INSERT INTO "Customer" ("shop", "id", "email", "firstName", "lastName", "locale", "sourceCreatedAt", "sourceUpdatedAt")
      VALUES ${Prisma.join(rows)}
      ON CONFLICT ("shop", "id") DO UPDATE SET
        "email" = excluded."email", "firstName" = excluded."firstName", "lastName" = excluded."lastName",
        "locale" = COALESCE(excluded."locale", "Customer"."locale"),
        "sourceCreatedAt" = COALESCE(excluded."sourceCreatedAt", "Customer"."sourceCreatedAt"),
        "sourceUpdatedAt" = excluded."sourceUpdatedAt"
      WHERE ${Prisma.raw(CUSTOMER_VERSION_WINS)}
      RETURNING "id"`);
    for (const c of changed) affected.add(c.id);
  }
  return affected;
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

/**
 * Deletes an order from the ledger, leaving a tombstone (every field blanked, deletedAt set) so that a late, older
 * version cannot bring it back — and so that a delete arriving before or after the order's other events leaves the
 * same row. Returns the customer the order belonged to.
 */
export async function deleteOrder(shop: string, orderId: string, at: Date): Promise<Set<string>> {
  const held = await prisma.order.findUnique({ where: { shop_id: { shop, id: orderId } }, select: { customerId: true, deletedAt: true } });
  if (held?.deletedAt) return new Set();
  await prisma.$executeRaw(Prisma.sql`
    INSERT INTO "Order" ("shop", "id", "customerId", "name", "processedAt", "cancelledAt", "test", "currencyCode",
      "currentTotalMinor", "valueMinor", "discountCodes", "sourceUpdatedAt", "deletedAt")
    VALUES (${shop}, ${orderId}, NULL, NULL, ${at}, NULL, false, 'XXX', 0, 0, '[]', NULL, ${at})
    ON CONFLICT ("shop", "id") DO UPDATE SET "customerId" = NULL, "name" = NULL, "processedAt" = excluded."processedAt",
      "cancelledAt" = NULL, "test" = false, "currencyCode" = 'XXX', "currentTotalMinor" = 0, "valueMinor" = 0,
      "discountCodes" = '[]', "discountMinor" = 0, "sourceUpdatedAt" = NULL, "deletedAt" = excluded."deletedAt"
    WHERE "Order"."deletedAt" IS NULL`);
  return new Set(held?.customerId ? [held.customerId] : []);
}

/** Deletes a customer the same way (tombstone); their orders leave every score with them. */
export async function deleteCustomer(shop: string, customerId: string, at: Date): Promise<Set<string>> {
  const changed = await prisma.$executeRaw(Prisma.sql`
    INSERT INTO "Customer" ("shop", "id", "email", "firstName", "lastName", "locale", "sourceCreatedAt", "sourceUpdatedAt", "deletedAt")
    VALUES (${shop}, ${customerId}, NULL, NULL, NULL, NULL, NULL, NULL, ${at})
    ON CONFLICT ("shop", "id") DO UPDATE SET "email" = NULL, "firstName" = NULL, "lastName" = NULL, "locale" = NULL,
      "sourceCreatedAt" = NULL, "sourceUpdatedAt" = NULL, "deletedAt" = excluded."deletedAt"
    WHERE "Customer"."deletedAt" IS NULL`);
  return new Set(changed > 0 ? [customerId] : []);
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
  const rows = await prisma.$queryRaw<{ customerId: string; orders: bigint | number; spent: bigint | number | null }[]>(Prisma.sql`
    SELECT "customerId", COUNT(*) AS orders, SUM("currentTotalMinor") AS spent FROM "Order"
    WHERE "shop" = ${shop} AND "customerId" IN (${Prisma.join(customerIds)})
      AND "deletedAt" IS NULL AND "test" = false AND "cancelledAt" IS NULL
    GROUP BY "customerId"`);
  return new Map(rows.map((r) => [r.customerId, { orders: Number(r.orders), spentMinor: Number(r.spent ?? 0) }]));
}

/** A customer's live orders in the ledger with when each was processed (reconciliation compares them by date). */
export function customerOrders(shop: string, customerId: string): Promise<{ id: string; processedAt: Date }[]> {
  return prisma.order.findMany({ where: { shop, customerId, deletedAt: null }, select: { id: true, processedAt: true }, orderBy: { id: "asc" } });
}

// One webhook's change to the ledger, exactly once: the shop and the delivery checked, the rows written, the
// follow-up queued, the delivery recorded. One transaction of prepared statements: synchronous on SQLite
// (docs/decisions/0002), on the pool with the jobs in pg-boss on PostgreSQL (ledger-pg.server.ts). The same steps
// through Prisma are the reference both are tested against.
import { getShop } from "./shop.server";
import { recordDelivery, wasDelivered, type DeliveryIds } from "./webhook-delivery.server";
import { applyCustomers, applyOrders, applyRefunds, deleteCustomer, deleteOrder } from "./ledger.server";
import { sqliteLedger, type WebhookOutcome } from "./ledger-bulk-sqlite.server";
import { pgLedger } from "./ledger-pg.server";
import { sameSecondConflict, type LedgerChange, type LedgerCustomer } from "./ledger-types";
import { prisma } from "../db.server";

export type { WebhookOutcome };

/**
 * What follows a write: `enqueue` the follow-up (`kind`) for each affected customer, `refresh` the customers whose
 * same-second versions differ (the Prisma path; the others queue the same jobs in their transaction).
 */
export interface FollowUp {
  kind: string;
  enqueue(shop: string, customerIds: Set<string>): Promise<void>;
  refresh(shop: string, customerIds: Set<string>): Promise<void>;
}

export async function ingestLedgerChange(shop: string, delivery: DeliveryIds, change: LedgerChange, followUp: FollowUp): Promise<WebhookOutcome> {
  const direct = sqliteLedger() ?? pgLedger();
  if (direct) return direct.ingest(shop, delivery, change, followUp.kind);
  return ingestWithPrisma(shop, delivery, change, followUp);
}

/** The same steps through Prisma (not one transaction: each step is idempotent, so a retry completes them). */
export async function ingestWithPrisma(shop: string, delivery: DeliveryIds, change: LedgerChange, followUp: FollowUp): Promise<WebhookOutcome> {
  const known = await getShop(shop);
  if (!known) return "unknown-shop";
  if (known.status === "redacted") return "redacted";
  if (await wasDelivered(shop, delivery)) return "duplicate";
  const affected = await applyChange(shop, change);
  await followUp.enqueue(shop, affected);
  if (change.kind === "customers") await followUp.refresh(shop, await customersInDoubt(shop, change.customers, affected));
  await recordDelivery(shop, delivery);
  return "applied";
}

/** The Prisma path's writes (also what the SQLite path is tested against). */
export async function applyChange(shop: string, change: LedgerChange): Promise<Set<string>> {
  switch (change.kind) {
    case "orders": {
      const affected = await applyOrders(shop, change.orders);
      for (const id of await applyRefunds(shop, change.refunds)) affected.add(id);
      return affected;
    }
    case "refunds":
      return applyRefunds(shop, change.refunds);
    case "customers":
      return applyCustomers(shop, change.customers);
    case "deleteOrder":
      return deleteOrder(shop, change.orderId, change.at);
    case "deleteCustomer":
      return deleteCustomer(shop, change.customerId, change.at);
  }
}

/** The incoming customer versions that were not written because the held one has the same second and differs. */
async function customersInDoubt(shop: string, customers: LedgerCustomer[], written: Set<string>): Promise<Set<string>> {
  const inDoubt = new Set<string>();
  for (const c of customers) {
    if (written.has(c.id)) continue;
    const held = await prisma.customer.findUnique({ where: { shop_id: { shop, id: c.id } } });
    const view = held && { ...held, sameSecond: held.sourceUpdatedAt?.getTime() === c.sourceUpdatedAt.getTime(), deleted: held.deletedAt !== null };
    if (sameSecondConflict(view ?? undefined, c)) inDoubt.add(c.id);
  }
  return inDoubt;
}

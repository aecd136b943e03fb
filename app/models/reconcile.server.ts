// Reconciliation runs: what was checked against Shopify, and what was repaired.
import { randomUUID } from "node:crypto";
import { prisma } from "../db.server";

export interface ReconcileFix {
  customerId: string;
  shopify: { orders: number; spentMinor: number };
  ledgerBefore: { orders: number; spentMinor: number };
  /** Orders re-read from Shopify and upserted (a newer version replaces the ledger's, an older one is ignored). */
  ordersRepaired: number;
  /** Orders the ledger held that Shopify no longer has: a direct read by id answered null (a lost delete webhook). */
  ordersRemoved: number;
  /** Orders the ledger holds that the search did not return, kept, and why (a search result never removes one). */
  ordersKept?: KeptOrder[];
}

/**
 * Why reconciliation kept an order Shopify's search did not return: the direct read by id found it (search is an index
 * that lags behind the orders), or the order is older than what the app's scopes can see (no read_all_orders: the
 * last 60 days), so Shopify's silence about it says nothing.
 */
export type KeepReason = "not in search yet" | "outside read_all_orders window";

export interface KeptOrder {
  orderId: string;
  reason: KeepReason;
}

export function createReconcileRun(shop: string, mode: "full" | "sample") {
  return prisma.reconcileRun.create({ data: { id: randomUUID(), shop, mode } });
}

export async function finishReconcileRun(
  shop: string,
  id: string,
  result: { customersChecked: number; fixes: ReconcileFix[]; error?: string },
) {
  await prisma.reconcileRun.updateMany({
    where: { shop, id },
    data: {
      status: result.error ? "failed" : "done",
      customersChecked: result.customersChecked,
      mismatched: result.fixes.length,
      ordersRepaired: result.fixes.reduce((n, f) => n + f.ordersRepaired, 0),
      ordersRemoved: result.fixes.reduce((n, f) => n + f.ordersRemoved, 0),
      fixes: JSON.stringify(result.fixes),
      lastError: result.error ?? null,
      finishedAt: new Date(),
    },
  });
}

export function latestReconcileRun(shop: string) {
  return prisma.reconcileRun.findFirst({ where: { shop }, orderBy: { startedAt: "desc" } });
}

// Reconciliation runs: what was checked against Shopify, and what was repaired.
import { randomUUID } from "node:crypto";
import { prisma } from "../db.server";

export interface ReconcileFix {
  customerId: string;
  shopify: { orders: number; spentMinor: number };
  ledgerBefore: { orders: number; spentMinor: number };
  /** Orders re-read from Shopify and upserted (a newer version replaces the ledger's, an older one is ignored). */
  ordersRepaired: number;
  /** Orders the ledger held that Shopify no longer has (a delete whose webhook was lost). */
  ordersRemoved: number;
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

// The backfill's SQLite bulk path writes exactly what the Prisma path writes (same rules, same stored formats),
// including over rows that webhooks already wrote: a newer version, a tombstone, a refund not yet reflected.
import { describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { commitBackfillBatch, commitBackfillBatchWithPrisma, createBackfillRun } from "../../app/models/backfill.server";
import { applyOrders, applyRefunds, deleteOrder } from "../../app/models/ledger.server";
import type { LedgerCustomer, LedgerOrder, LedgerRefund } from "../../app/models/ledger-types";
import { toMinorUnits } from "../../app/domain/money";
import { generateShop } from "../../simulator/generator/index";

function ledgerRowsFromGenerator() {
  const customers: LedgerCustomer[] = [];
  const orders: LedgerOrder[] = [];
  const refunds: LedgerRefund[] = [];
  for (const r of generateShop({ preset: "demo", seed: 9, customers: 60, endDate: "2026-11-01T00:00:00.000Z" })) {
    if (r.__typename === "Customer") {
      customers.push({ id: r.id, email: r.email, firstName: r.firstName, lastName: r.lastName, locale: r.locale, sourceCreatedAt: new Date(r.createdAt), sourceUpdatedAt: new Date(r.updatedAt) });
    } else if (r.__typename === "Order") {
      const money = r.currentTotalPriceSet.shopMoney;
      orders.push({
        id: r.id, customerId: r.customer?.id ?? null, name: r.name, processedAt: new Date(r.processedAt),
        cancelledAt: r.cancelledAt ? new Date(r.cancelledAt) : null, test: r.test, currencyCode: money.currencyCode,
        currentTotalMinor: toMinorUnits(money.amount, money.currencyCode), discountCodes: r.discountCodes, discountMinor: toMinorUnits(r.totalDiscountsSet.shopMoney.amount, money.currencyCode), sourceUpdatedAt: new Date(r.updatedAt),
      });
    } else if (r.__typename === "Refund") {
      const money = r.totalRefundedSet.shopMoney;
      refunds.push({ id: r.id, orderId: r.order.id, createdAt: new Date(r.createdAt), amountMinor: toMinorUnits(money.amount, money.currencyCode), currencyCode: money.currencyCode });
    }
  }
  return { customers, orders, refunds };
}

async function seedWebhookHistory(shop: string, rows: ReturnType<typeof ledgerRowsFromGenerator>) {
  const [newer, deleted, refunded] = rows.orders.filter((o) => o.customerId && !o.test);
  await applyOrders(shop, [{ ...newer, currentTotalMinor: 1, sourceUpdatedAt: new Date("2030-01-01T00:00:00Z") }]);
  await deleteOrder(shop, deleted.id, new Date("2026-06-01T00:00:00Z"));
  await applyRefunds(shop, [{ id: "gid://shopify/Refund/1", orderId: refunded.id, createdAt: new Date("2029-01-01T00:00:00Z"), amountMinor: 100, currencyCode: refunded.currencyCode }]);
}

async function rowsOf(shop: string) {
  const strip = <T extends { shop: string }>(rows: T[]) => rows.map(({ shop: _shop, ...rest }) => rest);
  const [customers, orders, refunds] = await Promise.all([
    prisma.customer.findMany({ where: { shop }, orderBy: { id: "asc" } }),
    prisma.order.findMany({ where: { shop }, orderBy: { id: "asc" } }),
    prisma.refund.findMany({ where: { shop }, orderBy: { id: "asc" } }),
  ]);
  const run = await prisma.backfillRun.findFirstOrThrow({ where: { shop } });
  return { customers: strip(customers), orders: strip(orders), refunds: strip(refunds), progress: [run.linesCommitted, run.customersRead, run.ordersRead] };
}

describe("backfill write paths", () => {
  it("the SQLite bulk path and the Prisma path leave identical rows", async () => {
    const rows = ledgerRowsFromGenerator();
    for (const shop of ["bulk.myshopify.com", "prisma.myshopify.com"]) await seedWebhookHistory(shop, rows);
    const half = Math.floor(rows.orders.length / 2);
    const batches = [
      { customers: rows.customers, orders: [], refunds: [], throughLine: rows.customers.length },
      { customers: [], orders: rows.orders.slice(0, half), refunds: rows.refunds, throughLine: half },
      { customers: [], orders: rows.orders.slice(half), refunds: [], throughLine: rows.orders.length },
    ];
    const bulkRun = (await createBackfillRun("bulk.myshopify.com")).run;
    const prismaRun = (await createBackfillRun("prisma.myshopify.com")).run;
    for (const batch of batches) {
      await commitBackfillBatch("bulk.myshopify.com", bulkRun.id, batch);
      await commitBackfillBatchWithPrisma("prisma.myshopify.com", prismaRun.id, batch);
    }
    const [bulk, viaPrisma] = [await rowsOf("bulk.myshopify.com"), await rowsOf("prisma.myshopify.com")];
    expect(bulk.orders.length).toBe(rows.orders.length);
    expect(bulk).toEqual(viaPrisma);
    // The webhook's newer version, the tombstone and the late refund all survived the backfill.
    expect(bulk.orders.filter((o) => o.currentTotalMinor === 1n)).toHaveLength(1);
    expect(bulk.orders.filter((o) => o.deletedAt)).toHaveLength(1);
    expect(bulk.orders.filter((o) => o.valueMinor === o.currentTotalMinor - 100n && o.valueMinor !== o.currentTotalMinor)).toHaveLength(1);
  });
});

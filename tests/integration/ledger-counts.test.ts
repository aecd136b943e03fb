// The dashboard's ledger counts (app/models/ledger-counts.server.ts, docs/ledger-counts.md): kept by the database's
// triggers, folded on read, and always equal to counting the rows — after the webhook path's creates, retries,
// duplicate events, refunds, changes of hands, deletes and tombstones, after bulk writes outside the webhook path,
// after a customer's and a shop's erasure; one shop's writes never move another's counts. On this run's database
// (SQLite, or PostgreSQL with TEST_DATABASE=postgresql).
import { describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import type { LedgerChange, LedgerOrder } from "../../app/domain/ledger-types";
import { ingestLedgerChange } from "../../app/models/ledger-ingest.server";
import { ledgerCounts } from "../../app/models/ledger-counts.server";
import { eraseCustomerData, eraseShopData } from "../../app/models/privacy.server";
import { getInstallOverview } from "../../app/models/shop.server";
import { recomputeShopAndFollowUp } from "../../app/services/recompute.server";
import { customerFollowUp } from "../../app/webhooks/ledger-changed.server";
import { testQueue } from "../support/queue";
import { installShop } from "../support/shops";

const A = "counts-a.myshopify.com";
const B = "counts-b.myshopify.com";
const at = (minute: number) => new Date(Date.UTC(2026, 5, 1, 12, minute));
const order = (n: number, customer: number | null, cents: number, minute: number): LedgerOrder => ({
  id: `gid://shopify/Order/${n}`,
  customerId: customer === null ? null : `gid://shopify/Customer/${customer}`,
  name: `#${1000 + n}`,
  processedAt: at(0),
  cancelledAt: null,
  test: false,
  currencyCode: "USD",
  currentTotalMinor: cents,
  discountCodes: [],
  discountMinor: 0,
  sourceUpdatedAt: at(minute),
});
const customer = (n: number, minute: number) => ({
  id: `gid://shopify/Customer/${n}`,
  email: `c${n}@example.com`,
  firstName: "Ada",
  lastName: "King",
  locale: null,
  sourceCreatedAt: at(0),
  sourceUpdatedAt: at(minute),
});

let delivery = 0;
const ingest = (shop: string, change: LedgerChange, ids?: { webhookId: string; eventId: string }) => {
  delivery += 1;
  const { webhookId, eventId } = ids ?? { webhookId: `w${delivery}`, eventId: `e${delivery}` };
  const topic = change.kind === "orders" ? "orders/updated" : change.kind === "customers" ? "customers/update" : "x";
  return ingestLedgerChange(shop, { webhookId, eventId, topic }, change, customerFollowUp);
};

/** The counts kept, checked against counting the rows, then returned. */
async function kept(shop: string) {
  const counts = await ledgerCounts(shop);
  expect(counts).toEqual({
    orders: await prisma.order.count({ where: { shop } }),
    customers: await prisma.customer.count({ where: { shop } }),
  });
  return counts;
}

describe("ledger counts kept by the database", () => {
  it("equal counting the rows after every kind of write, for each shop alone", async () => {
    await installShop(A);
    await installShop(B);
    expect(await kept(A)).toEqual({ orders: 0, customers: 0 });

    await ingest(A, { kind: "customers", customers: [customer(1, 1), customer(2, 1)] });
    const first = { webhookId: "first", eventId: "first-event" };
    await ingest(A, { kind: "orders", orders: [order(1, 1, 10_000, 2)], refunds: [] }, first);
    await ingest(A, { kind: "orders", orders: [order(2, null, 700, 2), order(3, 2, 2_500, 2)], refunds: [] });
    expect(await kept(A)).toEqual({ orders: 3, customers: 2 });

    // A retry, the same event under another webhook id, a newer version, a late older one, a change of hands, a refund
    await ingest(A, { kind: "orders", orders: [order(1, 1, 10_000, 2)], refunds: [] }, first);
    await ingest(
      A,
      { kind: "orders", orders: [order(1, 1, 10_000, 2)], refunds: [] },
      { ...first, webhookId: "other" },
    );
    await ingest(A, { kind: "orders", orders: [order(1, 2, 9_000, 5)], refunds: [] });
    await ingest(A, { kind: "orders", orders: [order(1, 1, 5_000, 1)], refunds: [] });
    await ingest(A, {
      kind: "refunds",
      refunds: [
        {
          id: "gid://shopify/Refund/9",
          orderId: "gid://shopify/Order/3",
          createdAt: at(6),
          amountMinor: 500,
          currencyCode: "USD",
        },
      ],
    });
    // A refund before its order: the order's row comes with the order, once
    await ingest(A, {
      kind: "refunds",
      refunds: [
        {
          id: "gid://shopify/Refund/10",
          orderId: "gid://shopify/Order/4",
          createdAt: at(6),
          amountMinor: 100,
          currencyCode: "USD",
        },
      ],
    });
    await ingest(A, { kind: "orders", orders: [order(4, 2, 1_000, 7)], refunds: [] });
    expect(await kept(A)).toEqual({ orders: 4, customers: 2 });

    // Deletes leave tombstones (rows still in the ledger, as counted before); an order deleted before it arrived is one
    await ingest(A, { kind: "deleteOrder", orderId: "gid://shopify/Order/2", at: at(8) });
    await ingest(A, { kind: "deleteOrder", orderId: "gid://shopify/Order/99", at: at(8) });
    await ingest(A, { kind: "deleteCustomer", customerId: "gid://shopify/Customer/2", at: at(8) });
    await kept(A);

    // Rows written outside the webhook path (a bulk import's batches), and removed again: counted all the same
    await prisma.order.createMany({
      data: Array.from({ length: 120 }, (_, i) => ({
        shop: A,
        id: `gid://shopify/Order/${5_000 + i}`,
        processedAt: at(0),
        currencyCode: "USD",
        currentTotalMinor: 100n,
        valueMinor: 100n,
        discountCodes: "[]",
        discountMinor: 0n,
      })),
    });
    await prisma.customer.createMany({
      data: Array.from({ length: 30 }, (_, i) => ({ shop: A, id: `gid://shopify/Customer/${5_000 + i}` })),
    });
    const bulk = await kept(A);
    await prisma.order.deleteMany({ where: { shop: A, id: { startsWith: "gid://shopify/Order/50" } } });
    expect((await kept(A)).orders).toBeLessThan(bulk.orders);

    // A's writes did not touch B; B's own do not touch A
    expect(await kept(B)).toEqual({ orders: 0, customers: 0 });
    await ingest(B, { kind: "orders", orders: [order(1, 1, 10_000, 2)], refunds: [] });
    expect(await kept(B)).toEqual({ orders: 1, customers: 0 });
    const a = await kept(A);

    // A customer's erasure removes their orders: the counts follow; the dashboard reads the same counts
    const ordersOfOne = (
      await prisma.order.findMany({ where: { shop: A, customerId: "gid://shopify/Customer/1" } })
    ).map((o) => o.id);
    await eraseCustomerData(A, "gid://shopify/Customer/1", ordersOfOne);
    const afterErasure = await kept(A);
    expect(afterErasure.customers).toBe(a.customers - 1);
    expect(await getInstallOverview(A)).toMatchObject(afterErasure);

    // Reading again folds nothing new and changes nothing
    expect(await kept(A)).toEqual(afterErasure);
    expect(await prisma.ledgerCountDelta.count({ where: { shop: A } })).toBe(0);

    // The shop's erasure: nothing of its counts is left, B's stay
    await eraseShopData(A, at(30));
    expect(await prisma.ledgerCount.count({ where: { shop: A } })).toBe(0);
    expect(await prisma.ledgerCountDelta.count({ where: { shop: A } })).toBe(0);
    expect(await kept(A)).toEqual({ orders: 0, customers: 0 });
    expect(await kept(B)).toEqual({ orders: 1, customers: 0 });
  });
});

describe("ledger counts folded by the daily recompute", () => {
  it("leaves no delta behind after the daily run, and not before it (a manual run does not fold)", async () => {
    const C = "counts-daily.myshopify.com";
    await installShop(C);
    for (let n = 1; n <= 3; n += 1) {
      await ingest(C, { kind: "customers", customers: [customer(500 + n, 1)] });
      await ingest(C, { kind: "orders", orders: [order(500 + n, 500 + n, 1000 * n, 1)], refunds: [] });
    }
    const deltas = () => prisma.ledgerCountDelta.count({ where: { shop: C } });
    expect(await deltas()).toBe(6);
    const queue = testQueue();
    await recomputeShopAndFollowUp(C, { asOf: at(40), reason: "manual", queue });
    expect(await deltas()).toBe(6);
    await recomputeShopAndFollowUp(C, { asOf: at(40), reason: "daily", queue });
    expect(await deltas()).toBe(0);
    expect(await kept(C)).toEqual({ orders: 3, customers: 3 });
  });
});

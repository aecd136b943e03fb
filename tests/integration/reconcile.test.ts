// Reconciliation: drift between the ledger and Shopify (a lost create, a lost delete, a lost update) is found by
// comparing lifetime figures and repaired from Shopify, and what was fixed is recorded. A search result never removes
// an order: Shopify's search lags behind its orders and, without read_all_orders, shows only the last 60 days.
import path from "node:path";
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { prisma } from "../../app/db.server";
import { jobRows, testQueue } from "../support/queue";
import { backfillJob } from "../../app/jobs/backfill.server";
import { reconcileJob } from "../../app/jobs/reconcile.server";
import { latestReconcileRun } from "../../app/models/reconcile.server";
import { writeShopFile, type TruthSummary } from "../../simulator/generator/index";
import { openApp, startLocalShopifyAndApp, testShopRecord } from "../support/local-shopify";
import { moneyBag } from "../../simulator/admin/money";
import type { OrderRecord } from "../../simulator/shop-file/types";

const SHOP = "drifting-shop.myshopify.com";
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;
let truth: TruthSummary;

const clientFor = (shop: string) => env.clientFor(shop);

async function runJobs(kind: "backfill" | "reconcile", shop = SHOP) {
  const queue = testQueue();
  if (kind === "reconcile") await queue.enqueue(shop, "reconcile", {});
  const worker = queue.work(
    kind === "backfill"
      ? { backfill: backfillJob({ queue, clientFor }) }
      : { reconcile: reconcileJob({ clientFor, queue }) },
    { pollMs: 20 },
  );
  await worker.idle();
  await worker.stop();
}

async function ledgerSpend() {
  const rows = await prisma.$queryRaw<{ customerId: string; spend: number }[]>`
    SELECT "customerId", SUM("valueMinor") AS spend FROM "Order"
    WHERE "shop" = ${SHOP} AND "customerId" IS NOT NULL AND "deletedAt" IS NULL AND "test" = false AND "cancelledAt" IS NULL AND "valueMinor" > 0
    GROUP BY "customerId"`;
  return Object.fromEntries(rows.map((r) => [r.customerId, Number(r.spend)]));
}
const truthSpend = () => Object.fromEntries(Object.entries(truth.perCustomer).map(([id, t]) => [id, t.spendMinor]));

beforeAll(async () => {
  env = await startLocalShopifyAndApp();
  const file = path.join(inject("testRunDir"), "drifting.jsonl");
  await writeShopFile(
    { preset: "demo", seed: 5, customers: 80, shopDomain: SHOP, endDate: "2026-11-01T00:00:00.000Z" },
    file,
  );
  await env.shopify.admin.shops.loadShopFile(file);
  truth = JSON.parse(readFileSync(`${file}.truth.json`, "utf8"));
  env.shopify.install(SHOP);
  expect((await openApp(env.app.url, env.shopify, SHOP)).status).toBe(200);
  await runJobs("backfill");
});

describe("reconciliation", () => {
  it("finds nothing to fix when the ledger and Shopify agree", async () => {
    await runJobs("reconcile");
    expect(await latestReconcileRun(SHOP)).toMatchObject({ status: "done", customersChecked: 80, mismatched: 0 });
  });

  it("repairs a lost create, a lost delete and a lost update, and records each fix", async () => {
    const qualifying = await prisma.order.findMany({
      where: {
        shop: SHOP,
        deletedAt: null,
        test: false,
        cancelledAt: null,
        customerId: { not: null },
        valueMinor: { gt: 0 },
      },
      orderBy: { id: "asc" },
    });
    const [lostCreate, lostUpdate] = [
      qualifying[0],
      qualifying.find((o) => o.customerId !== qualifying[0].customerId)!,
    ];
    // Given: an order the ledger never got
    await prisma.order.delete({ where: { shop_id: { shop: SHOP, id: lostCreate.id } } });
    // an older version of another (its update was lost)
    await prisma.order.update({
      where: { shop_id: { shop: SHOP, id: lostUpdate.id } },
      data: { currentTotalMinor: 1n, valueMinor: 1n, sourceUpdatedAt: new Date("2000-01-01T00:00:00Z") },
    });
    // and an order Shopify deleted while its webhook was lost
    const ghost = "gid://shopify/Order/999999999";
    await prisma.order.create({
      data: {
        shop: SHOP,
        id: ghost,
        customerId: lostCreate.customerId,
        processedAt: new Date("2026-01-01"),
        currencyCode: "USD",
        currentTotalMinor: 5000n,
        valueMinor: 5000n,
        sourceUpdatedAt: new Date("2026-01-01"),
      },
    });
    expect(await ledgerSpend()).not.toEqual(truthSpend());

    await runJobs("reconcile");

    expect(await ledgerSpend()).toEqual(truthSpend());
    expect(
      (await prisma.order.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: ghost } } })).deletedAt,
    ).not.toBeNull();
    const run = await latestReconcileRun(SHOP);
    expect(run).toMatchObject({ status: "done", customersChecked: 80, mismatched: 2, ordersRemoved: 1 });
    const fixed = JSON.parse(run!.fixes)
      .map((f: { customerId: string }) => f.customerId)
      .sort();
    expect(fixed).toEqual([lostCreate.customerId, lostUpdate.customerId].sort());
    // And the repaired customers are queued for rescoring
    expect(
      await jobRows(SHOP, { kind: "customer-changed", key: `customer-changed:${lostCreate.customerId}` }),
    ).toHaveLength(1);
  });
});

describe("reconciliation and what Shopify cannot show", () => {
  const LAGGING = "lagging-shop.myshopify.com";
  const CUSTOMER = "gid://shopify/Customer/7001";
  const DAY = 86_400_000;
  const at = (daysAgo: number) => new Date(Date.now() - daysAgo * DAY).toISOString().replace(/\.\d{3}Z$/, "Z");
  const order = (n: number, daysAgo: number, total: string): OrderRecord => ({
    __typename: "Order",
    id: `gid://shopify/Order/${n}`,
    name: `#${n}`,
    customer: { id: CUSTOMER },
    email: "ada@example.com",
    createdAt: at(daysAgo),
    updatedAt: at(daysAgo),
    processedAt: at(daysAgo),
    cancelledAt: null,
    cancelReason: null,
    test: false,
    currencyCode: "USD",
    presentmentCurrencyCode: "USD",
    totalPriceSet: moneyBag(total, "USD"),
    currentTotalPriceSet: moneyBag(total, "USD"),
    totalRefundedSet: moneyBag("0.00", "USD"),
    subtotalPriceSet: moneyBag(total, "USD"),
    totalDiscountsSet: moneyBag("0.00", "USD"),
    discountCodes: [],
    edited: false,
  });
  const OLD = order(8001, 90, "30.00");
  const RECENT = order(8002, 10, "20.00");
  const DELETED = order(8003, 5, "15.00");

  it("keeps an order search does not return yet and one older than 60 days without read_all_orders, and removes one Shopify deleted", async () => {
    // Given a shop whose customer has orders of 90, 10 and 5 days ago, installed with every scope and backfilled
    const state = env.shopify.admin.shops.addShop(testShopRecord(LAGGING));
    state.putCustomer({
      __typename: "Customer",
      id: CUSTOMER,
      firstName: "Ada",
      lastName: "L",
      email: "ada@example.com",
      phone: null,
      locale: "en",
      tags: [],
      createdAt: at(120),
      updatedAt: at(90),
      defaultAddress: null,
    });
    for (const o of [OLD, RECENT, DELETED]) state.putOrder(o);
    env.shopify.install(LAGGING);
    expect((await openApp(env.app.url, env.shopify, LAGGING)).status).toBe(200);
    await runJobs("backfill");
    expect(await prisma.order.count({ where: { shop: LAGGING, deletedAt: null } })).toBe(3);
    // And then read_all_orders is taken away (app/scopes_update reaches the app)
    await env.shopify.revokeScopes(LAGGING, "read_all_orders");
    expect((await prisma.shop.findUniqueOrThrow({ where: { shop: LAGGING } })).scope?.split(",")).not.toContain(
      "read_all_orders",
    );
    // And a new order the app hears of by webhook, which Shopify's search has not indexed yet
    const placed = env.shopify.admin.placeOrder(LAGGING, { customerId: CUSTOMER, total: "12.00" });
    env.shopify.admin.search.hold(LAGGING, placed.id);
    await env.shopify.webhooks.drain();
    expect(await prisma.order.findUnique({ where: { shop_id: { shop: LAGGING, id: placed.id } } })).not.toBeNull();
    // And an order Shopify deleted while its orders/delete webhook was lost
    env.shopify.withoutDelivery(LAGGING, () => env.shopify.admin.deleteOrder(LAGGING, DELETED.id));

    // When reconciliation runs
    await runJobs("reconcile", LAGGING);

    // Then only the deleted order leaves the ledger: the direct read by id said Shopify no longer has it
    const rows = await prisma.order.findMany({ where: { shop: LAGGING }, select: { id: true, deletedAt: true } });
    expect(Object.fromEntries(rows.map((r) => [r.id, r.deletedAt === null ? "kept" : "removed"]))).toEqual({
      [OLD.id]: "kept",
      [RECENT.id]: "kept",
      [DELETED.id]: "removed",
      [placed.id]: "kept",
    });
    // And the run records why the other two were kept
    const run = await latestReconcileRun(LAGGING);
    expect(run).toMatchObject({ status: "done", customersChecked: 1, mismatched: 1, ordersRemoved: 1 });
    const [fix] = JSON.parse(run!.fixes);
    expect(fix).toMatchObject({ customerId: CUSTOMER, ordersRemoved: 1 });
    expect(fix.ordersKept).toEqual([
      { orderId: OLD.id, reason: "outside read_all_orders window" },
      { orderId: placed.id, reason: "not in search yet" },
    ]);
    // And the direct read was one nodes(ids:) request, for the orders inside the window only
    const direct = env.shopify.admin.requests.forShop(LAGGING).filter((e) => e.document?.includes("query OrdersById"));
    expect(direct).toHaveLength(1);
    expect((direct[0].variables!.ids as string[]).sort()).toEqual([DELETED.id, placed.id].sort());
  });
});

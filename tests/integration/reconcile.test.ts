// Reconciliation: drift between the ledger and Shopify (a lost create, a lost delete, a lost update) is found by
// comparing lifetime figures and repaired from Shopify, and what was fixed is recorded.
import path from "node:path";
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { prisma } from "../../app/db.server";
import { jobRows, testQueue } from "../support/queue";
import { backfillJob } from "../../app/jobs/backfill.server";
import { reconcileJob } from "../../app/jobs/reconcile.server";
import { latestReconcileRun } from "../../app/models/reconcile.server";
import { writeShopFile, type TruthSummary } from "../../simulator/generator/index";
import { openApp, startLocalShopifyAndApp } from "../support/local-shopify";

const SHOP = "drifting-shop.myshopify.com";
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;
let truth: TruthSummary;

const clientFor = (shop: string) => env.clientFor(shop);

async function runJobs(kind: "backfill" | "reconcile") {
  const queue = testQueue();
  if (kind === "reconcile") await queue.enqueue(SHOP, "reconcile", {});
  const worker = queue.work(
    kind === "backfill" ? { backfill: backfillJob({ queue, clientFor }) } : { reconcile: reconcileJob({ clientFor }) },
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
  await writeShopFile({ preset: "demo", seed: 5, customers: 80, shopDomain: SHOP, endDate: "2026-11-01T00:00:00.000Z" }, file);
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
      where: { shop: SHOP, deletedAt: null, test: false, cancelledAt: null, customerId: { not: null }, valueMinor: { gt: 0 } },
      orderBy: { id: "asc" },
    });
    const [lostCreate, lostUpdate] = [qualifying[0], qualifying.find((o) => o.customerId !== qualifying[0].customerId)!];
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
      data: { shop: SHOP, id: ghost, customerId: lostCreate.customerId, processedAt: new Date("2026-01-01"), currencyCode: "USD", currentTotalMinor: 5000n, valueMinor: 5000n, sourceUpdatedAt: new Date("2026-01-01") },
    });
    expect(await ledgerSpend()).not.toEqual(truthSpend());

    await runJobs("reconcile");

    expect(await ledgerSpend()).toEqual(truthSpend());
    expect((await prisma.order.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: ghost } } })).deletedAt).not.toBeNull();
    const run = await latestReconcileRun(SHOP);
    expect(run).toMatchObject({ status: "done", customersChecked: 80, mismatched: 2, ordersRemoved: 1 });
    const fixed = JSON.parse(run!.fixes).map((f: { customerId: string }) => f.customerId).sort();
    expect(fixed).toEqual([lostCreate.customerId, lostUpdate.customerId].sort());
    // And the repaired customers are queued for rescoring
    expect(await jobRows(SHOP, { kind: "customer-changed", key: `customer-changed:${lostCreate.customerId}` })).toHaveLength(1);
  });
});

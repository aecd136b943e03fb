// Shopify's own view side by side (docs/history.md): the shopify-stats job reads every customer's rfmGroup and
// predictedSpendTier in one bulk query from the local Shopify into CustomerShopifyStats — equal to what Shopify answers
// for each customer one by one —, a rerun writes the same rows, a customer deleted in Shopify leaves, and the segments
// matrix counts every scored customer once. Two shops: neither read touches the other's rows.
import path from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { prisma } from "../../app/db.server";
import { enqueueShopifyStats, SHOPIFY_STATS } from "../../app/jobs/contracts";
import { shopifyStatsJob } from "../../app/jobs/shopify-stats.server";
import { recomputeShop } from "../../app/services/recompute.server";
import { readShopifyStats, shopifyComparison } from "../../app/services/shopify-stats.server";
import { SHOPIFY_RFM_GROUPS } from "../../app/domain/shopify-stats";
import { writeShopFile } from "../../simulator/generator/index";
import { openApp, startLocalShopifyAndApp } from "../support/local-shopify";
import { testQueue } from "../support/queue";
import { loadGeneratedShop } from "./recompute-fixtures";

const A = "shopify-stats-a.myshopify.com";
const B = "shopify-stats-b.myshopify.com";
const AS_OF = new Date("2026-03-01T00:00:00.000Z");
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;

async function rows(shop: string) {
  return prisma.customerShopifyStats.findMany({
    where: { shop },
    orderBy: { customerId: "asc" },
    select: { customerId: true, rfmGroup: true, predictedSpendTier: true },
  });
}

/** What Shopify answers for each customer, one query each (not the bulk path). */
async function shopifyAnswers(shop: string, customerIds: string[]) {
  const client = await env.clientFor(shop);
  const out = [];
  for (const id of customerIds) {
    const data = await client.request<{
      customer: { statistics: { rfmGroup: string | null; predictedSpendTier: string | null } };
    }>(`query ($id: ID!) { customer(id: $id) { statistics { rfmGroup predictedSpendTier } } }`, { id });
    out.push({ customerId: id, ...data.customer.statistics });
  }
  return out;
}

beforeAll(async () => {
  env = await startLocalShopifyAndApp();
  for (const [shop, seed, customers] of [
    [A, 61, 150],
    [B, 62, 40],
  ] as const) {
    // The same generated shop in the local Shopify and in the ledger (as a backfill would bring it)
    const input = { preset: "demo", seed, customers, shopDomain: shop, endDate: AS_OF.toISOString() } as const;
    const file = path.join(inject("testRunDir"), `${shop}.jsonl`);
    await writeShopFile(input, file, { truthFile: false });
    await env.shopify.admin.shops.loadShopFile(file);
    env.shopify.install(shop);
    expect((await openApp(env.app.url, env.shopify, shop)).status).toBe(200);
    await loadGeneratedShop(shop, input);
  }
  await recomputeShop(A, { asOf: AS_OF, reason: "backfill" });
}, 180_000);

describe("reading Shopify's customer statistics", () => {
  it("stores every customer's group and tier as Shopify answers them, through the job and one bulk query", async () => {
    // When the job runs for shop A
    const queue = testQueue();
    await enqueueShopifyStats(queue, A, "backfill");
    const worker = queue.work({ [SHOPIFY_STATS]: shopifyStatsJob({ clientFor: env.clientFor }) }, { pollMs: 20 });
    await worker.idle();
    await worker.stop();
    // Then A holds one row per Shopify customer, equal to Shopify's answer for each
    const stored = await rows(A);
    const ledger = await prisma.customer.findMany({ where: { shop: A, deletedAt: null }, select: { id: true } });
    expect(stored.map((r) => r.customerId).sort()).toEqual(ledger.map((c) => c.id).sort());
    expect(stored).toEqual(
      await shopifyAnswers(
        A,
        stored.map((r) => r.customerId),
      ),
    );
    // And the groups are not all one: the stand-in spreads a generated shop over several groups and tiers
    expect(new Set(stored.map((r) => r.rfmGroup)).size).toBeGreaterThan(4);
    expect(new Set(stored.map((r) => r.predictedSpendTier))).toEqual(new Set(["HIGH", "MEDIUM", "LOW"]));
    // And shop B, not read yet, has no rows
    expect(await rows(B)).toEqual([]);
  });

  it("writes the same rows again on a rerun, and drops a customer Shopify deleted", async () => {
    const before = await rows(A);
    const client = await env.clientFor(A);
    const again = await readShopifyStats(A, client);
    expect(again).toMatchObject({ customers: before.length, unknownValues: 0, removed: 0 });
    expect(await rows(A)).toEqual(before);
    // A customer deleted at Shopify is gone from the next read
    const gone = before.find((r) => r.rfmGroup === "PROSPECTS") ?? before[0];
    env.shopify.admin.shops.getShop(A)!.removeCustomer(gone.customerId);
    const third = await readShopifyStats(A, client, { now: () => new Date(Date.now() + 1000) });
    expect(third).toMatchObject({ customers: before.length - 1, removed: 1 });
    expect((await rows(A)).map((r) => r.customerId)).not.toContain(gone.customerId);
  });

  it("keeps shops apart: B's read leaves A's rows as they were", async () => {
    const aBefore = await rows(A);
    await readShopifyStats(B, await env.clientFor(B));
    expect(await rows(A)).toEqual(aBefore);
    const bRows = await rows(B);
    expect(bRows.length).toBeGreaterThan(0);
    expect(bRows.every((r) => !aBefore.some((a) => a.customerId === r.customerId))).toBe(true);
  });

  it("sets our predicted value bands against Shopify's spend tiers once predictions exist", async () => {
    // Given no predictions, there is no band matrix
    expect((await shopifyComparison(A)).bands).toBeNull();
    // Given predictions for A's first 30 customers, in bands by position, and one for B (which A never counts)
    const stored = await rows(A);
    const bands = ["high", "medium", "low"];
    const prediction = (shop: string, customerId: string, band: string | null) => ({
      shop,
      customerId,
      x: 1,
      tx: 1,
      T: 2,
      pAlive: 0.5,
      expected90: 0.1,
      expected365: 0.4,
      band,
      asOf: AS_OF,
    });
    await prisma.customerPrediction.createMany({
      data: [
        ...stored.slice(0, 30).map((r, i) => prediction(A, r.customerId, i === 0 ? null : bands[i % 3])),
        prediction(B, (await rows(B))[0].customerId, "high"),
      ],
    });
    const { bands: matrix } = await shopifyComparison(A);
    expect(matrix!.rows).toEqual(["high", "medium", "low", ""]);
    expect(matrix!.total).toBe(30);
    const expected = (band: string, tier: string) =>
      stored.slice(0, 30).filter((r, i) => (i === 0 ? "" : bands[i % 3]) === band && r.predictedSpendTier === tier)
        .length;
    matrix!.rows.forEach((band, i) =>
      matrix!.columns.forEach((tier, j) => expect(matrix!.cells[i][j], `${band} × ${tier}`).toBe(expected(band, tier))),
    );
    await prisma.customerPrediction.deleteMany({ where: { shop: { in: [A, B] } } });
  });

  it("counts every scored customer once in the segments × Shopify groups matrix", async () => {
    const comparison = await shopifyComparison(A);
    const states = await prisma.customerState.findMany({
      where: { shop: A },
      select: { customerId: true, segment: true },
    });
    const stats = new Map((await rows(A)).map((r) => [r.customerId, r.rfmGroup ?? ""]));
    expect(comparison.segments.total).toBe(states.length);
    // Each cell equals the count of customers with that pair, computed here from the rows
    const expected = new Map<string, number>();
    for (const s of states) {
      const key = `${s.segment}|${stats.get(s.customerId) ?? ""}`;
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }
    const { rows: segs, columns, cells } = comparison.segments;
    expect(columns.slice(0, SHOPIFY_RFM_GROUPS.length)).toEqual([...SHOPIFY_RFM_GROUPS]);
    segs.forEach((seg, i) =>
      columns.forEach((col, j) => expect(cells[i][j], `${seg} × ${col}`).toBe(expected.get(`${seg}|${col}`) ?? 0)),
    );
    // Shopify's prospects (no order at all) are ours too; ours may hold more (orders that do not qualify: refunded to
    // nothing, for instance), which the matrix shows rather than hides
    const p = columns.indexOf("PROSPECTS");
    expect(comparison.segments.columnTotals[p]).toBeGreaterThan(0);
    expect(cells[segs.indexOf("prospect")][p]).toBe(comparison.segments.columnTotals[p]);
  });
});

// The customer's points in the app's metafields (docs/rules.md#sync-metafields) against the local Shopify: points
// earned through webhooks and the app's own jobs (as points-journal.test.ts plays them), then the sync the points jobs
// queue writes the `points` metafield the storefront reads — pending with its date, then available as days pass,
// lowered by a refund — a customer without a journal gets none, and a sync with nothing new writes nothing.
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import type { PointsStatusJson } from "../../app/domain/sync";
import { DAY_MS } from "../../app/domain/time";
import { CUSTOMER_CHANGED, POINTS_CUSTOMER, POINTS_SHOP, RECOMPUTE_SHOP, SYNC } from "../../app/jobs/contracts";
import { pointsCustomerJob, pointsShopJob } from "../../app/jobs/points.server";
import { customerChangedJob, recomputeShopJob } from "../../app/jobs/recompute.server";
import { syncJob } from "../../app/jobs/sync.server";
import { setPointsStart } from "../../app/services/points.server";
import { syncShop } from "../../app/services/sync.server";
import { syncFailures } from "../../app/models/sync.server";
import { createReward, setRewardActive } from "../../app/models/rewards.server";
import { createFakeClock } from "../../simulator/admin/index";
import { openApp, startLocalShopifyAndApp, testShopRecord } from "../support/local-shopify";
import { jobRows, testQueue } from "../support/queue";

const SHOP = "points-sync-shop.myshopify.com";
const APP_NS = "app--1";
const clock = createFakeClock(Date.now());
const now = () => new Date(clock.now());
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;

/** The app's own handlers: a ledger change, the points that follow it, and the sync they queue. */
async function runJobs() {
  const queue = testQueue({ now });
  const worker = queue.work(
    {
      [CUSTOMER_CHANGED]: customerChangedJob({ queue, now }),
      [RECOMPUTE_SHOP]: recomputeShopJob({ queue, now }),
      [POINTS_CUSTOMER]: pointsCustomerJob({ queue, now }),
      [POINTS_SHOP]: pointsShopJob({ queue, now }),
      [SYNC]: syncJob({ clientFor: env.clientFor, now }),
    },
    { pollMs: 20 },
  );
  await worker.idle();
  await worker.stop();
}

/** Acts in the simulated shop, delivers its webhooks, runs the jobs, and again once the coalesced sync is due. */
async function step(days: number, act: () => void = () => {}) {
  clock.advance(days * DAY_MS);
  act();
  await env.shopify.webhooks.drain();
  await runJobs();
  clock.advance(3_000);
  await runJobs();
}

const simulated = () => env.shopify.admin.shops.getShop(SHOP)!;
const pointsOf = (customerId: string): PointsStatusJson | null => {
  const field = simulated().getMetafield(customerId, APP_NS, "points");
  return field ? (JSON.parse(field.value) as PointsStatusJson) : null;
};

beforeAll(async () => {
  env = await startLocalShopifyAndApp({ clock });
  env.shopify.admin.shops.addShop(testShopRecord(SHOP));
  env.shopify.install(SHOP);
  expect((await openApp(env.app.url, env.shopify, SHOP)).status).toBe(200);
  clock.advance(5 * 60_000);
});

describe("the points metafield through the sync", () => {
  it("holds the balance after earning, follows a refund and the return window, and is absent without a journal", async () => {
    const sim = env.shopify.admin;
    // The programme starts in a minute; Cy orders before: a tier, no journal
    await setPointsStart(SHOP, new Date(clock.now() + 60_000), { now });
    const cy = sim.createCustomer(SHOP, { firstName: "Cy", email: "cy@points.example" });
    await step(0, () => sim.placeOrder(SHOP, { customerId: cy.id, total: "60.00" }));
    clock.advance(2 * 60_000);

    const ada = sim.createCustomer(SHOP, { firstName: "Ada", email: "ada@points.example" });
    let order!: { id: string; processedAt: string };
    await step(0, () => {
      order = sim.placeOrder(SHOP, { customerId: ada.id, total: "120.50" }) as typeof order;
    });
    const availableAt = new Date(Date.parse(order.processedAt) + 30 * DAY_MS).toISOString();
    // The points job queued the sync; it wrote the JSON the storefront reads
    expect(pointsOf(ada.id)).toEqual({
      available: 0,
      pending: 120,
      next_available: { points: 120, at: availableAt },
      expiring: null,
      rewards_affordable: 0,
      next_reward: null,
    });
    expect(simulated().getMetafield(ada.id, APP_NS, "tier")?.value).toBeTruthy();
    // Cy has tier metafields and no points metafield
    expect(simulated().getMetafield(cy.id, APP_NS, "status")).toBeTruthy();
    expect(pointsOf(cy.id)).toBeNull();
    expect((await jobRows(SHOP, { kind: SYNC, state: "done" })).length).toBeGreaterThan(0);

    // A refund inside the window: the next sync lowers the pending points
    await step(2, () => sim.refundOrder(SHOP, order.id, { amount: "20.50" }));
    expect(pointsOf(ada.id)).toEqual({
      available: 0,
      pending: 100,
      next_available: { points: 100, at: availableAt },
      expiring: null,
      rewards_affordable: 0,
      next_reward: null,
    });

    // A sync with nothing new writes no metafield
    const before = env.shopify.admin.requests.forShop(SHOP).length;
    const again = await syncShop(SHOP, { client: await env.clientFor(SHOP), reason: "manual", now });
    expect(again).toMatchObject({ status: "done", changed: 0 });
    const sent = env.shopify.admin.requests.forShop(SHOP);
    expect(sent.slice(0, before).some((r) => JSON.stringify(r).includes("metafieldsSet"))).toBe(true);
    expect(sent.slice(before).some((r) => JSON.stringify(r).includes("metafieldsSet"))).toBe(false);

    // Past the return window, the daily run's points pass queues a sync: the points are available (no new entry)
    await step(30);
    expect(pointsOf(ada.id)).toEqual({
      available: 100,
      pending: 0,
      next_available: null,
      expiring: null,
      rewards_affordable: 0,
      next_reward: null,
    });

    // The catalogue: what the 100 available points redeem now, and what the next reward still needs
    const reward = (title: string, pointsPrice: number) =>
      createReward(SHOP, {
        kind: "amount_off",
        title,
        pointsPrice,
        valueMinor: 500,
        expiryDays: null,
        limits: { perCustomer: null, total: null },
      });
    await reward("5 off", 100);
    await reward("Tote", 250);
    const inactive = await reward("Cheap but inactive", 150);
    await setRewardActive(SHOP, inactive.id, false);
    await syncShop(SHOP, { client: await env.clientFor(SHOP), reason: "manual", now });
    expect(pointsOf(ada.id)).toMatchObject({
      available: 100,
      rewards_affordable: 1,
      next_reward: { title: "Tote", points_price: 250, points_needed: 150 },
    });

    // Eleven and a half months after the order: the 100 points expire within 30 days, on the order's day
    await step(320);
    const status = pointsOf(ada.id)!;
    expect(status).toMatchObject({ available: 100, pending: 0, expiring: { points: 100 } });
    const day = new Date(Date.parse(order.processedAt)).toISOString().slice(0, 10);
    expect(status.expiring!.at).toBe(`${Number(day.slice(0, 4)) + 1}${day.slice(4)}T00:00:00.000Z`);

    // What was recorded as written is what the shop holds
    const row = await prisma.customerSync.findUniqueOrThrow({
      where: { shop_customerId: { shop: SHOP, customerId: ada.id } },
    });
    expect(row.metafields).toContain(JSON.stringify(status));
  }, 120_000);

  it("packs customers with points 8 to a metafieldsSet call (25 metafields), split across small requests alike", async () => {
    const sim = env.shopify.admin;
    const many = Array.from({ length: 20 }, (_, i) =>
      sim.createCustomer(SHOP, { firstName: `P${i}`, email: `p${i}@points.example` }),
    );
    await step(0, () => many.forEach((c, i) => sim.placeOrder(SHOP, { customerId: c.id, total: `${10 + i}.00` })));
    const values = () => many.map((c) => pointsOf(c.id));
    expect(values().map((v) => v?.pending)).toEqual(many.map((_, i) => 10 + i));
    // Every metafieldsSet call held at most 25 metafields, a customer's three together
    const calls = env.shopify.admin.requests
      .forShop(SHOP)
      .flatMap((r) => Object.entries((r as { variables?: Record<string, unknown> }).variables ?? {}))
      .filter(([name]) => /^set\d+$/.test(name))
      .map(([, list]) => list as { ownerId: string }[]);
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) expect(call.length).toBeLessThanOrEqual(25);
    expect(Math.max(...calls.map((c) => c.length))).toBe(24);
    // Written again two mutation fields at a time: the same values, nobody refused
    const before = values();
    await prisma.customerSync.updateMany({ where: { shop: SHOP }, data: { metafields: null } });
    const small = await syncShop(SHOP, {
      client: await env.clientFor(SHOP),
      reason: "manual",
      now,
      fieldsPerRequest: 2,
    });
    expect(small).toMatchObject({ status: "done", failed: 0 });
    expect(values()).toEqual(before);
  });

  it("writes the same through bulk operations, and deletes the points metafield alone when the journal goes", async () => {
    const held = await prisma.customerSync.findMany({ where: { shop: SHOP }, orderBy: { customerId: "asc" } });
    const ids = held.map((r) => r.customerId);
    const fields = () =>
      ids.map((id) => ["tier", "status", "points"].map((k) => simulated().getMetafield(id, APP_NS, k)?.value ?? null));
    const before = fields();
    // As if nothing had been recorded: the bulk path writes every customer's metafields again, to the same values
    await prisma.customerSync.updateMany({ where: { shop: SHOP }, data: { metafields: null } });
    const bulk = await syncShop(SHOP, { client: await env.clientFor(SHOP), reason: "manual", now, bulkThreshold: 0 });
    expect(bulk).toMatchObject({ status: "done", failed: 0, changed: ids.length });
    expect(fields()).toEqual(before);
    const after = await prisma.customerSync.findMany({ where: { shop: SHOP }, orderBy: { customerId: "asc" } });
    expect(after.map((r) => r.metafields)).toEqual(held.map((r) => r.metafields));

    // The customer's journal erased: the points metafield goes, the tier pair stays
    const ada = ids.find((id) => simulated().getMetafield(id, APP_NS, "points"))!;
    await prisma.pointsEntry.deleteMany({ where: { shop: SHOP, customerId: ada } });
    const erased = await syncShop(SHOP, { client: await env.clientFor(SHOP), reason: "manual", now });
    expect(erased).toMatchObject({ status: "done", failed: 0, changed: 1 });
    expect(simulated().getMetafield(ada, APP_NS, "points")).toBeFalsy();
    expect(simulated().getMetafield(ada, APP_NS, "status")).toBeTruthy();
    const row = await prisma.customerSync.findUniqueOrThrow({
      where: { shop_customerId: { shop: SHOP, customerId: ada } },
    });
    expect(row.metafields).toBe(held.find((r) => r.customerId === ada)!.metafields!.split("\npoints\n")[0]);
  });

  it("blames a refused metafield write on its customer when customers hold three metafields each", async () => {
    const rows = await prisma.customerSync.findMany({ where: { shop: SHOP }, orderBy: { customerId: "asc" } });
    const withPoints = rows.filter((r) => r.metafields?.includes("\npoints\n")).map((r) => r.customerId);
    expect(withPoints.length).toBeGreaterThan(8);
    // A customer deleted in Shopify whose customers/delete the app has not received yet, in the middle of a call
    const gone = withPoints[4];
    env.shopify.withoutDelivery(SHOP, () => env.shopify.admin.deleteCustomer(SHOP, gone));
    await prisma.customerSync.updateMany({ where: { shop: SHOP }, data: { metafields: null } });
    const result = await syncShop(SHOP, { client: await env.clientFor(SHOP), reason: "manual", now });
    expect(result).toMatchObject({ status: "done", failed: 1 });
    expect((await syncFailures(SHOP)).map((f) => f.customerId)).toEqual([gone]);
    // Everyone else of its call was written (sent again in a call of their own), their digest recorded
    const after = await prisma.customerSync.findMany({ where: { shop: SHOP }, orderBy: { customerId: "asc" } });
    for (const r of after)
      if (r.customerId !== gone)
        expect(r.metafields, r.customerId).toBe(rows.find((x) => x.customerId === r.customerId)!.metafields);
    expect(after.find((r) => r.customerId === gone)!.metafields).toBeNull();
  });

  it("a points pass queues the shop's sync by itself", async () => {
    expect(await jobRows(SHOP, { kind: SYNC, state: "queued" })).toEqual([]);
    const queue = testQueue({ now });
    const job = { id: "j", shop: SHOP, kind: POINTS_SHOP, attempt: 1, signal: new AbortController().signal };
    await pointsShopJob({ queue, now })({ ...job, payload: { reason: "manual" } });
    expect(await jobRows(SHOP, { kind: SYNC, state: "queued" })).toHaveLength(1);
  });
});

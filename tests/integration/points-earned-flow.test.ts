// "Points earned" when an order's points become available, through the app's own points jobs against the local
// Shopify (which checks each trigger against extensions/flow-points-earned): none while the points are pending, one
// once the return window has passed, never a second however often the passes run; a failed send is sent again by the
// next pass and then once; a refusal is tried a bounded number of times; an order refunded to zero, or points that
// became available long ago, are never announced; a shop's pass sends nothing for another shop. Also on PostgreSQL
// (TEST_DATABASE=postgresql).
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { DAY_MS } from "../../app/domain/time";
import { EARNED_MAX_ATTEMPTS } from "../../app/domain/points-flow";
import { CUSTOMER_CHANGED, POINTS_CUSTOMER, POINTS_SHOP, RECOMPUTE_SHOP } from "../../app/jobs/contracts";
import { pointsCustomerJob, pointsShopJob } from "../../app/jobs/points.server";
import { customerChangedJob, recomputeShopJob } from "../../app/jobs/recompute.server";
import type { JobContext } from "../../app/jobs/queue";
import { DEFAULT_POINTS_RULES } from "../../app/domain/points";
import { savePointsRules, setPointsStart } from "../../app/services/points.server";
import { createFakeClock } from "../../simulator/admin/index";
import { openApp, startLocalShopifyAndApp, testShopRecord } from "../support/local-shopify";
import { testQueue } from "../support/queue";

const A = "points-earned-flow-a.myshopify.com";
const B = "points-earned-flow-b.myshopify.com";
const C = "points-earned-flow-c.myshopify.com";
const clock = createFakeClock(Date.now());
const now = () => new Date(clock.now());
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;

const context = <P>(shop: string, kind: string, payload: P): JobContext<P> => ({
  id: `${kind}-${clock.now()}`,
  shop,
  kind,
  payload,
  attempt: 1,
  signal: new AbortController().signal,
});
/** The daily points pass of a shop, as the worker runs it (with the shop's Admin client). */
const dailyPass = (shop: string) =>
  pointsShopJob({ now, clientFor: env.clientFor })(context(shop, POINTS_SHOP, { reason: "daily" as const }));
/** The points-customer job for one customer. */
const customerPass = (shop: string, customerId: string) =>
  pointsCustomerJob({ now, clientFor: env.clientFor })(context(shop, POINTS_CUSTOMER, { customerId }));

/** The webhooks delivered and the jobs they queue run (the ledger, the recompute, the points-customer job). */
async function deliver() {
  await env.shopify.webhooks.drain();
  const queue = testQueue({ now });
  const worker = queue.work(
    {
      [CUSTOMER_CHANGED]: customerChangedJob({ queue, now }),
      [RECOMPUTE_SHOP]: recomputeShopJob({ queue, now }),
      [POINTS_CUSTOMER]: pointsCustomerJob({ now, clientFor: env.clientFor }),
      [POINTS_SHOP]: pointsShopJob({ now, clientFor: env.clientFor }),
    },
    { pollMs: 20 },
  );
  await worker.idle();
  await worker.stop();
}

const legacy = (gid: string) => Number(gid.split("/").pop());
/** The Points earned payloads the local Shopify accepted for a shop, in order. */
const earned = (shop: string) =>
  env.shopify.admin.shops
    .getShop(shop)!
    .flowTriggers.filter((t) => t.handle === "points-earned")
    .map((t) => t.payload);
const earnedFor = (shop: string, customerId: string) =>
  earned(shop).filter((p) => p.customer_id === legacy(customerId));
const records = (shop: string, customerId: string) =>
  prisma.pointsFlowTrigger
    .findMany({ where: { shop, customerId }, orderBy: { sourceKey: "asc" } })
    .then((rows) => rows.map((r) => [r.sourceKey, r.topic, r.state, r.attempts, Number(r.points), r.sentAt !== null]));

async function customerWithOrder(shop: string, name: string, total: string) {
  const sim = env.shopify.admin;
  const customer = sim.createCustomer(shop, { firstName: name, email: `${name.toLowerCase()}@earned.example` });
  const order = sim.placeOrder(shop, { customerId: customer.id, total });
  await deliver();
  return { customer: customer.id, order: order.id, name: order.name };
}

beforeAll(async () => {
  env = await startLocalShopifyAndApp({ clock });
  for (const shop of [A, B, C]) {
    env.shopify.admin.shops.addShop(testShopRecord(shop));
    env.shopify.install(shop);
    expect((await openApp(env.app.url, env.shopify, shop)).status).toBe(200);
  }
  clock.advance(5 * 60_000);
  for (const shop of [A, B, C]) await setPointsStart(shop, new Date(clock.now() - 60_000), { now });
}, 120_000);

describe("Points earned for an order's points", () => {
  it("none while pending; one once the return window passed, with the points and balance; never a second", async () => {
    const ada = await customerWithOrder(A, "Ada", "120.00");
    const entries = await prisma.pointsEntry.findMany({ where: { shop: A, customerId: ada.customer } });
    expect(entries.map((e) => [e.kind, Number(e.points), e.availableAt > now()])).toEqual([["order", 120, true]]);
    await dailyPass(A);
    await customerPass(A, ada.customer);
    expect(earnedFor(A, ada.customer)).toEqual([]);
    expect(await records(A, ada.customer)).toEqual([]);

    clock.advance(31 * DAY_MS);
    await dailyPass(A);
    const announced = {
      customer_id: legacy(ada.customer),
      points: "120",
      reason: `Order ${ada.name}`,
      source: "order",
      "available points": "120",
    };
    expect(earnedFor(A, ada.customer)).toEqual([announced]);
    expect(await records(A, ada.customer)).toEqual([[`order:${ada.order}`, "points-earned", "sent", 1, 120, true]]);

    // The passes again, the customer's job, a day later: nothing more
    await dailyPass(A);
    await customerPass(A, ada.customer);
    clock.advance(DAY_MS);
    await dailyPass(A);
    expect(earnedFor(A, ada.customer)).toEqual([announced]);
    // Long after, nothing either (the lookback is over, the record stays)
    clock.advance(10 * DAY_MS);
    await dailyPass(A);
    expect(earnedFor(A, ada.customer)).toEqual([announced]);
  }, 120_000);

  it("the points-customer job announces its customer's points once available (and only its customer's)", async () => {
    const bea = await customerWithOrder(A, "Bea", "40.00");
    const cid = await customerWithOrder(A, "Cid", "30.00");
    clock.advance(31 * DAY_MS);
    await customerPass(A, bea.customer);
    expect(earnedFor(A, bea.customer).map((p) => p.points)).toEqual(["40"]);
    expect(earnedFor(A, cid.customer)).toEqual([]);
    await dailyPass(A);
    expect(earnedFor(A, bea.customer).map((p) => p.points)).toEqual(["40"]);
    expect(earnedFor(A, cid.customer).map((p) => p.points)).toEqual(["30"]);
  }, 120_000);

  it("an order refunded to zero while pending is never announced; a partial refund announces what is left", async () => {
    const sim = env.shopify.admin;
    const dee = await customerWithOrder(A, "Dee", "80.00");
    const eve = await customerWithOrder(A, "Eve", "100.00");
    clock.advance(2 * DAY_MS);
    sim.refundOrder(A, dee.order, { amount: "80.00" });
    sim.refundOrder(A, eve.order, { amount: "25.00" });
    await deliver();
    clock.advance(29 * DAY_MS);
    await dailyPass(A);
    await customerPass(A, dee.customer);
    expect(earnedFor(A, dee.customer)).toEqual([]);
    expect(await records(A, dee.customer)).toEqual([]);
    expect(earnedFor(A, eve.customer).map((p) => [p.points, p["available points"]])).toEqual([["75", "75"]]);
  }, 120_000);

  it("a send that failed is sent by the next pass, once", async () => {
    const fay = await customerWithOrder(A, "Fay", "55.00");
    clock.advance(31 * DAY_MS);
    env.shopify.admin.faults.inject({ kind: "http", status: 500 }, { times: Infinity, shop: A });
    try {
      await dailyPass(A);
    } finally {
      env.shopify.admin.faults.clear();
    }
    expect(earnedFor(A, fay.customer)).toEqual([]);
    expect(await records(A, fay.customer)).toEqual([[`order:${fay.order}`, "points-earned", "pending", 1, 55, false]]);
    clock.advance(DAY_MS);
    await dailyPass(A);
    expect(earnedFor(A, fay.customer).map((p) => p.points)).toEqual(["55"]);
    expect(await records(A, fay.customer)).toEqual([[`order:${fay.order}`, "points-earned", "sent", 2, 55, true]]);
    await dailyPass(A);
    await customerPass(A, fay.customer);
    expect(earnedFor(A, fay.customer)).toHaveLength(1);
  }, 120_000);

  it("a trigger Shopify refuses is tried a bounded number of times, then refused for good", async () => {
    const gus = await customerWithOrder(A, "Gus", "65.00");
    clock.advance(31 * DAY_MS);
    // Shopify no longer has the customer (its delete not yet delivered): flowTriggerReceive refuses the payload
    env.shopify.admin.shops.getShop(A)!.customers.delete(gus.customer);
    for (let i = 1; i <= EARNED_MAX_ATTEMPTS; i++) {
      await dailyPass(A);
      const state = i < EARNED_MAX_ATTEMPTS ? "pending" : "refused";
      expect(await records(A, gus.customer)).toEqual([[`order:${gus.order}`, "points-earned", state, i, 65, false]]);
    }
    await dailyPass(A);
    expect(await records(A, gus.customer)).toEqual([
      [`order:${gus.order}`, "points-earned", "refused", EARNED_MAX_ATTEMPTS, 65, false],
    ]);
    expect(earnedFor(A, gus.customer)).toEqual([]);
  }, 120_000);

  it("points that became available before the lookback (a programme start moved back) are not announced", async () => {
    const sim = env.shopify.admin;
    const hal = sim.createCustomer(A, { firstName: "Hal", email: "hal@earned.example" });
    sim.placeOrder(A, {
      customerId: hal.id,
      total: "90.00",
      processedAt: new Date(clock.now() - 60 * DAY_MS).toISOString(),
    });
    await deliver();
    await setPointsStart(A, new Date(clock.now() - 90 * DAY_MS), { now });
    const entries = await prisma.pointsEntry.findMany({ where: { shop: A, customerId: hal.id } });
    expect(entries.map((e) => [e.kind, Number(e.points), e.availableAt < now()])).toEqual([["order", 90, true]]);
    await dailyPass(A);
    await customerPass(A, hal.id);
    expect(earnedFor(A, hal.id)).toEqual([]);
    expect(await records(A, hal.id)).toEqual([]);
  }, 120_000);

  it("shop A's passes never send for shop B", async () => {
    const ivy = await customerWithOrder(B, "Ivy", "70.00");
    clock.advance(31 * DAY_MS);
    const before = earned(A).length;
    const recordsOfA = await prisma.pointsFlowTrigger.count({ where: { shop: A } });
    await dailyPass(A);
    await customerPass(A, ivy.customer);
    expect(earned(B)).toEqual([]);
    expect(await prisma.pointsFlowTrigger.count({ where: { shop: B } })).toBe(0);
    expect(await prisma.pointsFlowTrigger.count({ where: { shop: A } })).toBe(recordsOfA);
    expect(earned(A)).toHaveLength(before);
    await dailyPass(B);
    expect(earnedFor(B, ivy.customer).map((p) => p.points)).toEqual(["70"]);
  }, 120_000);

  it("a Flow award is announced right away through the same record: a failed send is sent by the next pass, once", async () => {
    // Imported once the local Shopify is up (the services read the app's environment)
    const { awardPointsFromFlow } = await import("../../app/services/points-adjustments.server");
    const jo = env.shopify.admin.createCustomer(A, { firstName: "Jo", email: "jo@earned.example" });
    await deliver();
    const flow = { client: await env.clientFor(A) };
    const body = (run: string, points: number) => ({
      action_run_id: run,
      customer_id: legacy(jo.id),
      properties: { customer_id: legacy(jo.id), points, reason: "Review" },
    });
    expect(await awardPointsFromFlow(A, body("run-0001", 15), { now, flow })).toEqual({ status: 200, repeated: false });
    expect(earnedFor(A, jo.id).map((p) => [p.points, p.source, p.reason])).toEqual([["15", "flow", "Review"]]);
    expect(await records(A, jo.id)).toEqual([["flow:run-0001", "points-earned", "sent", 1, 15, true]]);
    // Shopify down for the next award: recorded pending, sent by the next pass, then never again
    env.shopify.admin.faults.inject({ kind: "http", status: 500 }, { times: Infinity, shop: A });
    try {
      expect(await awardPointsFromFlow(A, body("run-0002", 5), { now, flow })).toEqual({
        status: 200,
        repeated: false,
      });
    } finally {
      env.shopify.admin.faults.clear();
    }
    expect(earnedFor(A, jo.id)).toHaveLength(1);
    expect(await awardPointsFromFlow(A, body("run-0002", 5), { now, flow })).toEqual({ status: 200, repeated: true });
    await dailyPass(A);
    await dailyPass(A);
    expect(earnedFor(A, jo.id).map((p) => [p.points, p.source, p["available points"]])).toEqual([
      ["15", "flow", "15"],
      ["5", "flow", "20"],
    ]);
    expect(await records(A, jo.id)).toEqual([
      ["flow:run-0001", "points-earned", "sent", 1, 15, true],
      ["flow:run-0002", "points-earned", "sent", 2, 5, true],
    ]);
  }, 120_000);
});

describe("Points earned for a bonus", () => {
  it("a sign-up bonus is announced once available; one turned on for accounts made days ago is not", async () => {
    const made = clock.now();
    const kim = await customerWithOrder(C, "Kim", "10.00");
    clock.advance(10 * DAY_MS);
    // Turned on for accounts from before Kim's: hers is 10 days old, not announced
    const effectiveFrom = new Date(made - 60_000);
    const saved = await savePointsRules(C, { ...DEFAULT_POINTS_RULES, signUpPoints: 25 }, { now, effectiveFrom });
    expect(saved).toMatchObject({ ok: true });
    const lee = await customerWithOrder(C, "Lee", "20.00");
    await dailyPass(C);
    await dailyPass(C);
    const bonuses = await prisma.pointsEntry.findMany({
      where: { shop: C, sourceKey: "bonus:signup" },
      orderBy: { customerId: "asc" },
    });
    expect(bonuses.map((b) => [b.customerId, Number(b.points)])).toEqual([
      [kim.customer, 25],
      [lee.customer, 25],
    ]);
    expect(earned(C)).toEqual([
      {
        customer_id: legacy(lee.customer),
        points: "25",
        reason: "Sign-up bonus",
        source: "bonus",
        "available points": "25",
      },
    ]);
    expect(await records(C, lee.customer)).toEqual([["bonus:signup", "points-earned", "sent", 1, 25, true]]);
    expect(await records(C, kim.customer)).toEqual([]);
  }, 120_000);
});

// The "Award points" Shopify Flow action over real HTTP to the built app, sent as Flow sends it by the local
// Shopify's Flow runner (simulator/flow/actions.ts: the extension's declared fields checked, the body signed with the
// app's secret): a run awards once however often it is retried; a forged request (another secret, no signature, a body
// changed after signing) gets 401, a malformed one 400, an unknown customer, another shop's customer or a shop the
// app does not know 404 — and none of them writes anything. Also on PostgreSQL (TEST_DATABASE=postgresql).
import { beforeAll, describe, expect, it } from "vitest";
import { createHmac } from "node:crypto";
import { prisma } from "../../app/db.server";
import { confirmRedemption, createReward, getRedemption, reserveRedemption } from "../../app/models/rewards.server";
import { announceRewardsRedeemed, fireRewardRedeemed } from "../../app/services/points-flow.server";
import { redeem } from "../../app/services/redemption.server";
import { seedDemoShop } from "../../simulator/admin/demo-shop";
import {
  declaredFlowActions,
  flowActionPropertyIssues,
  flowActionRequest,
  sendFlowAction,
  type FlowActionDefinition,
  type FlowActionRequest,
} from "../../simulator/flow/actions";
import { openApp, startLocalShopifyAndApp } from "../support/local-shopify";
import { TEST_API_SECRET } from "../support/test-env";

const A = "flow-award-a.myshopify.com";
const B = "flow-award-b.myshopify.com";
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;
let award: FlowActionDefinition;
const customers: Record<string, string[]> = {};

const legacy = (gid: string) => Number(gid.split("/").pop());
/** The payloads of the triggers the local Shopify accepted for a shop, of one handle, in order. */
const triggers = (shop: string, handle: string) =>
  env.shopify.admin.shops
    .getShop(shop)!
    .flowTriggers.filter((t) => t.handle === handle)
    .map((t) => t.payload);
const journal = () =>
  prisma.pointsEntry
    .findMany({ orderBy: { id: "asc" } })
    .then((rows) => rows.map((r) => [r.shop, r.customerId, r.kind, Number(r.points), r.sourceKey, r.actor, r.note]));

/** The request Flow would send for a run in `shop` (properties checked as Flow checks a workflow first). */
function run(shop: string, properties: Record<string, unknown>, actionRunId?: string) {
  const issues = flowActionPropertyIssues(award, properties, (gid) =>
    Boolean(env.shopify.admin.shops.getShop(shop)?.customers.get(gid)),
  );
  expect(issues).toEqual([]);
  return flowActionRequest({
    appUrl: env.app.url,
    apiSecret: TEST_API_SECRET,
    shop,
    shopId: 1,
    definition: award,
    properties,
    actionRunId,
  });
}

/** A request signed as `secret` signs it, whatever its body. */
function signed(request: FlowActionRequest, body: string, secret = TEST_API_SECRET): FlowActionRequest {
  return {
    ...request,
    body,
    headers: {
      ...request.headers,
      "X-Shopify-Hmac-Sha256": createHmac("sha256", secret).update(body).digest("base64"),
    },
  };
}

beforeAll(async () => {
  env = await startLocalShopifyAndApp();
  award = declaredFlowActions("extensions")["award-points"];
  // The simulator numbers each shop's customers from the same start: B has ids A does not.
  for (const shop of [A, B]) {
    customers[shop] = seedDemoShop(env.shopify.admin, {
      domain: shop,
      customers: shop === A ? 3 : 6,
      ordersEach: 0,
    }).customers.map((c) => c.id);
    env.shopify.install(shop);
    expect((await openApp(env.app.url, env.shopify, shop)).status).toBe(200);
    // The customers as the ledger holds them (the install's backfill may write them too)
    for (const id of customers[shop])
      await prisma.customer.upsert({ where: { shop_id: { shop, id } }, create: { shop, id }, update: {} });
  }
});

describe("the extension as Flow reads it", () => {
  it("declares customer, points and reason, posted to /flow/award-points", () => {
    expect(award).toMatchObject({ handle: "award-points", name: "Award points", runtimePath: "/flow/award-points" });
    expect(award.fields.map((f) => [f.type, f.key ?? null, f.required])).toEqual([
      ["customer_reference", null, true],
      ["number_integer", "points", true],
      ["single_line_text_field", "reason", true],
    ]);
    const exists = () => true;
    expect(flowActionPropertyIssues(award, { customer_id: 1, points: 5 }, exists)).toEqual(["'reason' is required"]);
    expect(flowActionPropertyIssues(award, { customer_id: 1, points: 1.5, reason: "x", extra: 1 }, exists)).toEqual([
      "'points' must be a whole number",
      "unknown property 'extra'",
    ]);
    expect(flowActionPropertyIssues(award, { customer_id: 1, points: 1, reason: "x" }, () => false)).toEqual([
      "customer '1' does not exist",
    ]);
  });
});

describe("POST /flow/award-points", () => {
  it("awards once per run: the first answer and three retries are 200, one bonus entry from flow", async () => {
    const customer = customers[A][0];
    const request = run(
      A,
      { customer_id: legacy(customer), points: 150, reason: "Wrote a review" },
      "1111-2222-3333-4444",
    );
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await sendFlowAction(request));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(JSON.parse(answers[0].body)).toEqual({ ok: true, repeated: false });
    expect(JSON.parse(answers[3].body)).toEqual({ ok: true, repeated: true });
    const rows = await prisma.pointsEntry.findMany({ where: { shop: A, customerId: customer } });
    expect(rows.map((r) => [r.kind, Number(r.points), r.sourceKey, r.actor, r.note])).toEqual([
      ["bonus", 150, "flow:1111-2222-3333-4444", "flow", "Wrote a review"],
    ]);
    // One "Points earned" trigger for the run, as the extension declares it (the simulator checks the fields)
    expect(triggers(A, "points-earned")).toEqual([
      {
        customer_id: legacy(customer),
        points: "150",
        reason: "Wrote a review",
        source: "flow",
        "available points": "150",
      },
    ]);
    // Another run is another award
    const second = await sendFlowAction(run(A, { customer_id: legacy(customer), points: 5, reason: "Again" }));
    expect(second.status).toBe(200);
    expect(await prisma.pointsEntry.count({ where: { shop: A, customerId: customer } })).toBe(2);
    expect(triggers(A, "points-earned").map((p) => p["available points"])).toEqual(["150", "155"]);
  });

  it("a reward redeemed with the awarded points sends one Reward redeemed trigger, a repeat none", async () => {
    const customer = customers[A][0];
    const reward = await createReward(A, {
      kind: "amount_off",
      title: "$1 off",
      pointsPrice: 100,
      valueMinor: 100,
      expiryDays: null,
      limits: { perCustomer: null, total: null },
    });
    const client = await env.clientFor(A);
    for (let i = 0; i < 2; i++) {
      const result = await redeem(A, customer, reward.id, "redeem-token-1", { client });
      expect(result.outcome).toBe("confirmed");
    }
    expect(triggers(A, "reward-redeemed")).toEqual([
      {
        customer_id: legacy(customer),
        reward: "$1 off",
        "reward kind": "amount_off",
        points: "100",
        code: expect.any(String),
      },
    ]);
    expect(triggers(A, "reward-redeemed")[0].code).not.toBe("");
  });

  it("Reward redeemed that Shopify failed is sent again by the recovery pass, once; one never recorded is not", async () => {
    const [first, second] = [customers[A][1], customers[A][2]];
    const reward = await createReward(A, {
      kind: "amount_off",
      title: "$2 off",
      pointsPrice: 200,
      valueMinor: 200,
      expiryDays: null,
      limits: { perCustomer: null, total: null },
    });
    const start = Date.now() - 60_000;
    for (const customerId of [first, second])
      await prisma.pointsEntry.create({
        data: {
          shop: A,
          customerId,
          kind: "adjustment",
          points: 500n,
          sourceKey: `adjust:reward-redeemed-${customerId}`,
          ruleVersion: 0,
          effectiveAt: new Date(start),
          availableAt: new Date(start),
        },
      });
    /** A redemption reserved and confirmed as a process does it, without the trigger that follows. */
    const confirmed = async (customerId: string, token: string) => {
      const reserved = await reserveRedemption(A, {
        customerId,
        rewardId: reward.id,
        token,
        now: new Date(start + 1_000),
        currencyCode: "USD",
        code: `RR${token.toUpperCase().padEnd(14, "X")}`,
        expiresAt: null,
      });
      const id = (reserved as { redemption: { id: string } }).redemption.id;
      expect(
        await confirmRedemption(A, id, `gid://shopify/DiscountCodeNode/${token.length}`, new Date(start + 2_000)),
      ).toBe(true);
      return (await getRedemption(A, id))!;
    };
    const client = await env.clientFor(A);
    const sent = () => triggers(A, "reward-redeemed").filter((t) => t.reward === "$2 off");
    const recordOf = (id: string) =>
      prisma.pointsFlowTrigger.findFirst({ where: { shop: A, topic: "reward-redeemed", sourceKey: `redeem:${id}` } });

    // The first: confirmed, then the process died before its trigger's record
    const died = await confirmed(first, "died");
    // The second: its trigger sent while Shopify fails every request (a record left pending)
    const failed = await confirmed(second, "failed");
    env.shopify.admin.faults.inject({ kind: "http", status: 500 }, { times: Infinity, shop: A });
    try {
      expect(await fireRewardRedeemed(A, failed, client, 30_000)).toBe(0);
    } finally {
      env.shopify.admin.faults.clear();
    }
    expect(await recordOf(failed.id)).toMatchObject({ state: "pending", attempts: 1 });
    expect(sent()).toEqual([]);

    // Within the grace period of the confirmation nothing is sent again (a send may be under way), but it is pending:
    // the job queues itself again
    const grace = 120_000;
    expect(await announceRewardsRedeemed(A, client, { now: () => new Date(start + 60_000), graceMs: grace })).toEqual({
      sent: 0,
      pending: 1,
    });
    expect(sent()).toEqual([]);
    // After it, the failed one is sent, once, whatever the passes; the one never recorded is not (rules.md#sync-flow)
    const later = () => new Date(start + 2_000 + grace);
    expect(await announceRewardsRedeemed(A, client, { now: later, graceMs: grace })).toEqual({ sent: 1, pending: 0 });
    expect(await announceRewardsRedeemed(A, client, { now: later, graceMs: grace })).toEqual({ sent: 0, pending: 0 });
    expect(sent()).toEqual([
      {
        customer_id: legacy(second),
        reward: "$2 off",
        "reward kind": "amount_off",
        points: "200",
        code: failed.code,
      },
    ]);
    expect(await recordOf(failed.id)).toMatchObject({ state: "sent", attempts: 2 });
    expect(await recordOf(died.id)).toBeNull();
    // Shop B's pass sends nothing of A's
    expect(await announceRewardsRedeemed(B, await env.clientFor(B), { now: later, graceMs: grace })).toEqual({
      sent: 0,
      pending: 0,
    });
  }, 60_000);

  it("refuses forged requests with 401 and writes nothing", async () => {
    const before = await journal();
    const request = run(A, { customer_id: legacy(customers[A][1]), points: 10, reason: "x" }, "forged-0001-aaaa");
    const otherSecret = signed(request, request.body, "not-the-app-secret");
    const unsigned = { ...request, headers: { "Content-Type": "application/json" } };
    const changed = { ...request, body: request.body.replace('"points":10', '"points":100000') };
    const garbage = { ...request, headers: { ...request.headers, "X-Shopify-Hmac-Sha256": "bm90LWEtbWFj" } };
    for (const forged of [otherSecret, unsigned, changed, garbage])
      expect((await sendFlowAction(forged)).status).toBe(401);
    expect(await journal()).toEqual(before);
  });

  it("refuses malformed bodies with 400, and unknown customers, other shops' customers and unknown shops with 404", async () => {
    const before = await journal();
    const base = run(A, { customer_id: legacy(customers[A][2]), points: 10, reason: "x" }, "bad-0001-aaaa");
    const body = JSON.parse(base.body) as Record<string, unknown>;
    const withProps = (props: Record<string, unknown>) =>
      JSON.stringify({ ...body, properties: { ...(body.properties as object), ...props } });
    for (const bad of [
      "not json",
      "[]",
      JSON.stringify({ ...body, shopify_domain: undefined }),
      JSON.stringify({ ...body, action_run_id: undefined }),
      JSON.stringify({ ...body, properties: undefined }),
      withProps({ points: 0 }),
      withProps({ points: -10 }),
      withProps({ points: 1_000_001 }),
      withProps({ points: 2.5 }),
      withProps({ reason: "" }),
      withProps({ customer_id: "someone" }),
    ])
      expect([bad, (await sendFlowAction(signed(base, bad))).status]).toEqual([bad, 400]);
    for (const missing of [
      withProps({ customer_id: 999_999_999 }),
      withProps({ customer_id: legacy(customers[B][5]) }), // B's customer (A has no such id), in a request for A
      JSON.stringify({ ...body, shopify_domain: "not-installed.myshopify.com" }),
    ])
      expect([missing, (await sendFlowAction(signed(base, missing))).status]).toEqual([missing, 404]);
    expect(await journal()).toEqual(before);
  });

  it("answers 405 to anything but POST", async () => {
    expect((await fetch(`${env.app.url}/flow/award-points`)).status).toBe(405);
  });
});

// Redeeming points for rewards, exactly once (docs/rules.md#points-redemption), against the strict local Shopify (every
// document checked against the Admin 2026-04 schema): each reward kind is created in the simulated shop as the shopper
// is promised; refusals (points, limits) change nothing in the journal, the app's tables or Shopify; racing redemptions
// and a double submit make one reward; a redemption interrupted after the reservation, or after Shopify applied the
// create but before the app recorded it, is finished by the recovery pass with exactly one reward and no lost points.
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { balancesAt, type PointsKind } from "../../app/domain/points";
import { redemptionCode, type RewardDefinition } from "../../app/domain/rewards";
import { DAY_MS } from "../../app/domain/time";
import { DEFAULT_SCOPES } from "../../app/env.server";
import { REDEMPTIONS_RECOVER } from "../../app/jobs/contracts";
import { redemptionsRecoverJob } from "../../app/jobs/redemptions.server";
import { appendJournalEntries } from "../../app/models/points.server";
import {
  createReward,
  getRedemption,
  releaseRedemption,
  reserveRedemption,
  type Reward,
} from "../../app/models/rewards.server";
import { RECOVERY_GRACE_MS, recoverRedemptions, redeem, shopperRewards } from "../../app/services/redemption.server";
import { API_VERSION } from "../../app/shopify/api-version";
import { createAdminClient, type AdminClient } from "../../app/shopify/client";
import { fetchTransport } from "../../app/shopify/transport.server";
import { seedDemoShop } from "../../simulator/admin/demo-shop";
import { createAdminSimulator, createFakeClock, type AdminSimulator } from "../../simulator/admin/index";
import type { DiscountRecord } from "../../simulator/admin/records";
import { APP_APPROVAL } from "../support/approval";
import { jobRows, testQueue } from "../support/queue";

const SHOP = "rewards-shop.myshopify.com";
// Milliseconds on purpose: Shopify keeps whole seconds of the times it is given.
const START = Date.parse("2026-06-01T00:00:00.250Z");
const clock = createFakeClock(START);
const now = () => new Date(clock.now());
let sim: AdminSimulator;
let close: () => Promise<void>;
let client: AdminClient;
let endpoint: string;
let customers: { id: string; email: string | null }[];
let next = 0;

beforeAll(async () => {
  sim = createAdminSimulator({
    apiKey: "key",
    apiSecret: "secret",
    clock,
    scopes: DEFAULT_SCOPES,
    protectedCustomerData: APP_APPROVAL,
    plans: { standard: { maximumAvailable: 1_000_000, restoreRate: 1_000_000 } },
  });
  customers = seedDemoShop(sim, { domain: SHOP, customers: 40, ordersEach: 0 }).customers;
  const server = await sim.listen();
  close = server.close;
  endpoint = `${server.url}/store/${SHOP}/admin/api/${API_VERSION}/graphql.json`;
  client = createAdminClient({
    shop: SHOP,
    transport: fetchTransport({
      shop: SHOP,
      accessToken: sim.tokens.issue(SHOP),
      endpoint,
    }),
    backoff: { baseMs: 1, maxMs: 5 },
  });
});
afterAll(async () => {
  await close();
  await sim.dispose();
});
beforeEach(() => clock.advance(DAY_MS));

/** A customer of the simulated shop no other test used, with `points` available now. */
async function customerWith(points: number) {
  const customer = customers[next++];
  if (points > 0)
    await appendJournalEntries(
      SHOP,
      new Map([
        [
          customer.id,
          [
            {
              sourceKey: `adjustment:test:${customer.id}`,
              kind: "adjustment" as PointsKind,
              points,
              ruleVersion: 0,
              effectiveAt: clock.now() - DAY_MS,
              availableAt: clock.now() - DAY_MS,
              orderId: null,
              refundId: null,
              note: "test grant",
            },
          ],
        ],
      ]),
    );
  return customer.id;
}

const reward = (def: Partial<RewardDefinition> & Pick<RewardDefinition, "kind">): Promise<Reward> =>
  createReward(SHOP, {
    title: `${def.kind} reward`,
    pointsPrice: 100,
    valueMinor: def.kind === "free_shipping" ? null : 500,
    expiryDays: 30,
    limits: { perCustomer: null, total: null },
    ...def,
  });

async function available(customerId: string) {
  const rows = await prisma.pointsEntry.findMany({ where: { shop: SHOP, customerId } });
  return balancesAt(
    rows.map((e) => ({
      kind: e.kind as PointsKind,
      points: Number(e.points),
      effectiveAt: e.effectiveAt.getTime(),
      availableAt: e.availableAt.getTime(),
    })),
    clock.now(),
  ).available;
}

const state = () => sim.shops.getShop(SHOP)!;
const discounts = () => [...state().discounts.values()] as DiscountRecord[];
const giftCards = () => [...state().giftCards.values()];
const credits = (customerId: string) => {
  const accounts = [...state().storeCreditAccounts.values()].filter((a) => a.ownerId === customerId);
  return [...state().storeCreditTransactions.values()].filter(
    (t) => t.__typename === "StoreCreditAccountCreditTransaction" && accounts.some((a) => a.id === t.accountId),
  );
};
const discountsOf = (customerId: string) =>
  discounts().filter((d) => d.buyers.kind === "customers" && d.buyers.ids.includes(customerId));

/** Everything a redemption could change: the journal, the app's redemptions, and Shopify's rewards and emails. */
async function everything() {
  const journal = await prisma.pointsEntry.findMany({ where: { shop: SHOP }, orderBy: { id: "asc" } });
  const redemptions = await prisma.redemption.findMany({ where: { shop: SHOP }, orderBy: { id: "asc" } });
  return {
    journal: journal.map((e) => ({ ...e, points: Number(e.points) })),
    redemptions: redemptions.map((r) => ({ ...r, valueMinor: r.valueMinor === null ? null : Number(r.valueMinor) })),
    discounts: discounts().length,
    giftCards: giftCards().length,
    storeCredit: state().storeCreditTransactions.size,
    notifications: state().customerNotifications.length,
  };
}

const deps = () => ({ client, now });
/** What the recovery pass sees once the grace period has passed. */
async function recoverLater() {
  clock.advance(RECOVERY_GRACE_MS + 1000);
  return recoverRedemptions(SHOP, deps());
}

/** A client that sends nothing for the mutations named: the process died before the request left. */
function diesBefore(operation: RegExp): AdminClient {
  return {
    ...client,
    request: (async (query, variables, options) => {
      if (operation.test(query)) throw new Error("process killed before sending");
      return client.request(query, variables, options);
    }) as AdminClient["request"],
  };
}
/** A client whose answer to the mutations named is lost: Shopify applied it, the process died before recording it. */
function diesAfter(operation: RegExp): AdminClient {
  return {
    ...client,
    request: (async (query, variables, options) => {
      const data = await client.request(query, variables, options);
      if (operation.test(query)) throw new Error("process killed after Shopify answered");
      return data;
    }) as AdminClient["request"],
  };
}

describe("each reward kind in Shopify", () => {
  it("amount off: a single-use code limited to the customer, with the value and expiry; the points are spent", async () => {
    const customer = await customerWith(250);
    const r = await reward({ kind: "amount_off", pointsPrice: 200, valueMinor: 1250, expiryDays: 14 });
    const result = await redeem(SHOP, customer, r.id, "tok-1", deps());
    expect(result.outcome).toBe("confirmed");
    if (result.outcome !== "confirmed") return;
    const [discount] = discountsOf(customer);
    expect(discount).toMatchObject({
      id: result.redemption.shopifyId,
      method: "code",
      usageLimit: 1,
      appliesOncePerCustomer: true,
      buyers: { kind: "customers", ids: [customer] },
      value: { kind: "amount", amount: { amount: expect.stringMatching(/^12\.50?$/) } },
      endsAt: new Date(clock.now() + 14 * DAY_MS).toISOString(),
    });
    expect(discount.codes.map((c) => c.code)).toEqual([result.redemption.code]);
    expect(result.redemption).toMatchObject({ state: "confirmed", points: 200, attempts: 1 });
    expect(await available(customer)).toBe(50);
    const entries = await prisma.pointsEntry.findMany({
      where: { shop: SHOP, customerId: customer, kind: "redemption" },
    });
    expect(entries.map((e) => [e.sourceKey, Number(e.points)])).toEqual([[`redeem:${result.redemption.id}`, -200]]);
  });

  it("free shipping: a single-use free shipping code limited to the customer", async () => {
    const customer = await customerWith(100);
    const r = await reward({ kind: "free_shipping" });
    const result = await redeem(SHOP, customer, r.id, "tok-1", deps());
    expect(result.outcome).toBe("confirmed");
    const [discount] = discountsOf(customer);
    expect(discount).toMatchObject({
      usageLimit: 1,
      appliesOncePerCustomer: true,
      value: { kind: "freeShipping" },
      buyers: { kind: "customers", ids: [customer] },
    });
    expect(await available(customer)).toBe(0);
  });

  it("store credit: credited to the customer with its expiry, and Shopify notifies them", async () => {
    const customer = await customerWith(300);
    const r = await reward({ kind: "store_credit", pointsPrice: 300, valueMinor: 1000, expiryDays: 90 });
    const result = await redeem(SHOP, customer, r.id, "tok-1", deps());
    expect(result.outcome).toBe("confirmed");
    const [credit] = credits(customer);
    expect(credit).toMatchObject({
      id: (await getRedemption(SHOP, (result as { redemption: { id: string } }).redemption.id))!.shopifyId,
      amount: expect.stringMatching(/^10\.0+$/),
      expiresAt: new Date(Math.floor((clock.now() + 90 * DAY_MS) / 1000) * 1000).toISOString().replace(".000Z", "Z"),
    });
    expect(state().customerNotifications.filter((n) => n.customerId === customer)).toEqual([
      expect.objectContaining({ template: "store_credit_issued", subjectId: credit.id }),
    ]);
    expect(await available(customer)).toBe(0);
  });

  it("gift card: issued to the customer with the app's code and expiry, and sent to them by Shopify", async () => {
    const customer = await customerWith(500);
    const r = await reward({ kind: "gift_card", pointsPrice: 400, valueMinor: 2500, expiryDays: 365 });
    const result = await redeem(SHOP, customer, r.id, "tok-1", deps());
    expect(result.outcome).toBe("confirmed");
    if (result.outcome !== "confirmed") return;
    const cards = giftCards().filter((g) => g.customerId === customer);
    expect(cards).toHaveLength(1);
    expect(cards[0]).toMatchObject({
      id: result.redemption.shopifyId,
      code: result.redemption.code!.toLowerCase(),
      initialValue: { amount: expect.stringMatching(/^25\.0+$/) },
      expiresOn: new Date(clock.now() + 365 * DAY_MS).toISOString().slice(0, 10),
    });
    expect(state().customerNotifications.filter((n) => n.customerId === customer)).toEqual([
      expect.objectContaining({ template: "gift_card", subjectId: cards[0].id }),
    ]);
    expect(result.redemption.notifiedAt).not.toBeNull();
    expect(await available(customer)).toBe(100);
  });
});

describe("refusals change nothing", () => {
  it("not enough points: refused with the reason, nothing written, nothing sent", async () => {
    const customer = await customerWith(99);
    const r = await reward({ kind: "amount_off" });
    const before = await everything();
    const result = await redeem(SHOP, customer, r.id, "tok-1", deps());
    expect(result).toMatchObject({
      outcome: "refused",
      refusal: { reason: "not_enough_points", available: 99, price: 100 },
      message: expect.stringContaining("99"),
    });
    expect(await everything()).toEqual(before);
  });

  it("pending points do not pay: only what is available counts", async () => {
    const customer = await customerWith(0);
    await appendJournalEntries(
      SHOP,
      new Map([
        [
          customer,
          [
            {
              sourceKey: "adjustment:pending",
              kind: "adjustment" as PointsKind,
              points: 500,
              ruleVersion: 0,
              effectiveAt: clock.now(),
              availableAt: clock.now() + DAY_MS,
              orderId: null,
              refundId: null,
              note: null,
            },
          ],
        ],
      ]),
    );
    const r = await reward({ kind: "amount_off" });
    const before = await everything();
    const result = await redeem(SHOP, customer, r.id, "tok-1", deps());
    expect(result).toMatchObject({ outcome: "refused", refusal: { reason: "not_enough_points", available: 0 } });
    expect(await everything()).toEqual(before);
  });

  it("the customer's limit per period, then the shop's total: refused with the reason, nothing changed", async () => {
    const a = await customerWith(1000);
    const b = await customerWith(1000);
    const r = await reward({ kind: "free_shipping", limits: { perCustomer: { count: 1, periodDays: 7 }, total: 2 } });
    expect((await redeem(SHOP, a, r.id, "a-1", deps())).outcome).toBe("confirmed");
    let before = await everything();
    expect(await redeem(SHOP, a, r.id, "a-2", deps())).toMatchObject({
      outcome: "refused",
      refusal: { reason: "customer_limit_reached", count: 1, periodDays: 7 },
    });
    expect(await everything()).toEqual(before);
    // A week later the customer may again; then the shop's total is reached for everyone.
    clock.advance(7 * DAY_MS + 1);
    expect((await redeem(SHOP, a, r.id, "a-3", deps())).outcome).toBe("confirmed");
    before = await everything();
    expect(await redeem(SHOP, b, r.id, "b-1", deps())).toMatchObject({
      outcome: "refused",
      refusal: { reason: "total_limit_reached", total: 2 },
    });
    expect(await everything()).toEqual(before);
    expect(await available(a)).toBe(800);
    expect(await available(b)).toBe(1000);
  });

  it("Shopify's refusal releases the points (a release entry) and leaves no reward", async () => {
    const customer = await customerWith(100);
    // Above Shopify's store credit limit: CREDIT_LIMIT_EXCEEDED.
    const r = await reward({ kind: "store_credit", valueMinor: 20_000_000 });
    const result = await redeem(SHOP, customer, r.id, "tok-1", deps());
    expect(result.outcome).toBe("released");
    if (result.outcome !== "released") return;
    expect(result.redemption.failure).toMatch(/CREDIT_LIMIT_EXCEEDED/);
    expect(credits(customer)).toEqual([]);
    expect(await available(customer)).toBe(100);
    const keys = await prisma.pointsEntry.findMany({
      where: { shop: SHOP, customerId: customer, kind: "redemption" },
      orderBy: { id: "asc" },
    });
    expect(keys.map((e) => [e.sourceKey, Number(e.points)])).toEqual([
      [`redeem:${result.redemption.id}`, -100],
      [`release:${result.redemption.id}`, 100],
    ]);
  });
});

describe("what the shopper is shown", () => {
  it("available points, each active reward with the refusal it would get now, and their redemptions", async () => {
    const customer = await customerWith(300);
    const cheap = await reward({
      kind: "free_shipping",
      pointsPrice: 50,
      limits: { perCustomer: { count: 1, periodDays: 30 }, total: null },
    });
    const dear = await reward({ kind: "gift_card", pointsPrice: 1000 });
    const off = await reward({ kind: "amount_off", pointsPrice: 10 });
    await prisma.reward.update({ where: { shop_id: { shop: SHOP, id: off.id } }, data: { active: false } });
    expect((await redeem(SHOP, customer, cheap.id, "t", deps())).outcome).toBe("confirmed");
    const shown = await shopperRewards(SHOP, customer, now());
    expect(shown.available).toBe(250);
    const of = (id: string) => shown.rewards.find((r) => r.reward.id === id);
    expect(of(off.id)).toBeUndefined();
    expect(of(cheap.id)!.refusal).toEqual({ reason: "customer_limit_reached", count: 1, periodDays: 30 });
    expect(of(dear.id)!.refusal).toEqual({ reason: "not_enough_points", available: 250, price: 1000 });
    expect(shown.redemptions.map((r) => [r.rewardId, r.state])).toEqual([[cheap.id, "confirmed"]]);
    // A month later the limit no longer applies.
    clock.advance(30 * DAY_MS + 1);
    const later = await shopperRewards(SHOP, customer, now());
    expect(later.rewards.find((r) => r.reward.id === cheap.id)!.refusal).toBeNull();
  });
});

describe("exactly once", () => {
  it("two redemptions raced with points for one: one reward, the other refused, the balance right", async () => {
    const customer = await customerWith(150);
    const r = await reward({ kind: "amount_off" });
    const other = await reward({ kind: "gift_card" });
    const results = await Promise.all([
      redeem(SHOP, customer, r.id, "tab-1", deps()),
      redeem(SHOP, customer, other.id, "tab-2", deps()),
    ]);
    expect(results.map((x) => x.outcome).sort()).toEqual(["confirmed", "refused"]);
    expect(discountsOf(customer).length + giftCards().filter((g) => g.customerId === customer).length).toBe(1);
    expect(await available(customer)).toBe(50);
  });

  it("a racer whose clock was read before the other's reservation (it waited on the lock) is still refused", async () => {
    const customer = await customerWith(150);
    const r = await reward({ kind: "amount_off" });
    const reserve = (token: string, at: Date) =>
      reserveRedemption(SHOP, {
        customerId: customer,
        rewardId: r.id,
        token,
        now: at,
        currencyCode: "USD",
        code: `CODE-${token}`,
        expiresAt: null,
      });
    const t = now();
    const later = await reserve("later", new Date(t.getTime() + 5));
    expect(later.outcome).toBe("reserved");
    const earlier = await reserve("earlier", t);
    expect(earlier.outcome).toBe("refused");
    expect((earlier as { refusal: { reason: string } }).refusal.reason).toBe("not_enough_points");
    // Leave nothing for the recovery tests below to find.
    await releaseRedemption(SHOP, (later as { redemption: { id: string } }).redemption.id, "test", now());
  });

  it("many racers on one customer: as many rewards as the points pay for, never a negative balance", async () => {
    const customer = await customerWith(350);
    const r = await reward({ kind: "amount_off" });
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => redeem(SHOP, customer, r.id, `racer-${i}`, deps())),
    );
    expect(results.filter((x) => x.outcome === "confirmed")).toHaveLength(3);
    expect(discountsOf(customer)).toHaveLength(3);
    expect(await available(customer)).toBe(50);
  });

  it("the same token twice (double submit, two tabs): one redemption, one reward", async () => {
    const customer = await customerWith(300);
    const r = await reward({ kind: "amount_off" });
    const [first, second] = await Promise.all([
      redeem(SHOP, customer, r.id, "form-token", deps()),
      redeem(SHOP, customer, r.id, "form-token", deps()),
    ]);
    const third = await redeem(SHOP, customer, r.id, "form-token", deps());
    const ids = [first, second, third].map((x) => (x as { redemption: { id: string } }).redemption.id);
    expect(new Set(ids).size).toBe(1);
    expect(third.outcome).toBe("confirmed");
    expect(discountsOf(customer)).toHaveLength(1);
    expect(await available(customer)).toBe(200);
  });
});

describe("interrupted redemptions and the recovery pass", () => {
  it.each(["amount_off", "free_shipping", "gift_card"] as const)(
    "%s: killed after the reservation, before Shopify: recovery creates it once",
    async (kind) => {
      const customer = await customerWith(100);
      const r = await reward({ kind });
      const reserved = await reserveRedemption(SHOP, {
        customerId: customer,
        rewardId: r.id,
        token: "t",
        now: now(),
        currencyCode: "USD",
        code: redemptionCode((n) => crypto.getRandomValues(new Uint8Array(n))),
        expiresAt: new Date(clock.now() + 30 * DAY_MS),
      });
      expect(reserved.outcome).toBe("reserved");
      expect(await available(customer)).toBe(0);
      // Recovery leaves a reservation younger than the grace period alone (its request may still be sending).
      expect(await recoverRedemptions(SHOP, deps())).toMatchObject({ confirmed: 0, waiting: expect.any(Number) });
      expect((await recoverLater()).confirmed).toBeGreaterThanOrEqual(1);
      const id = (reserved as { redemption: { id: string } }).redemption.id;
      expect(await getRedemption(SHOP, id)).toMatchObject({ state: "confirmed", attempts: 1 });
      const made = kind === "gift_card" ? giftCards().filter((g) => g.customerId === customer) : discountsOf(customer);
      expect(made).toHaveLength(1);
      expect(await available(customer)).toBe(0);
      // Another pass finds nothing to do.
      expect(await recoverLater()).toEqual({ confirmed: 0, released: 0, pending: 0, waiting: 0 });
    },
  );

  it.each(["amount_off", "free_shipping"] as const)(
    "%s: Shopify applied the create, the process died before recording it: recovery finds the code, no second one",
    async (kind) => {
      const customer = await customerWith(100);
      const r = await reward({ kind });
      const result = await redeem(SHOP, customer, r.id, "t", { client: diesAfter(/DiscountCode\w*Create/), now });
      expect(result.outcome).toBe("pending");
      expect(discountsOf(customer)).toHaveLength(1);
      expect(await recoverLater()).toMatchObject({ confirmed: 1, released: 0, pending: 0 });
      const redemption = await getRedemption(SHOP, (result as { redemption: { id: string } }).redemption.id);
      expect(redemption).toMatchObject({ state: "confirmed", shopifyId: discountsOf(customer)[0].id, attempts: 2 });
      expect(discountsOf(customer)).toHaveLength(1);
      expect(await available(customer)).toBe(0);
    },
  );

  it("gift card: applied but not recorded; the lagging search finds it on a later pass, one card, one email", async () => {
    const customer = await customerWith(100);
    const r = await reward({ kind: "gift_card" });
    const result = await redeem(SHOP, customer, r.id, "t", { client: diesAfter(/GiftCardCreate/), now });
    expect(result.outcome).toBe("pending");
    const id = (result as { redemption: { id: string } }).redemption.id;
    // The retry is refused as taken; whether search shows the card yet depends on its lag.
    const firstPass = await recoverLater();
    if (firstPass.pending === 1) {
      expect(await getRedemption(SHOP, id)).toMatchObject({ state: "reserved" });
      clock.advance(sim.search.lagMs);
      expect(await recoverLater()).toMatchObject({ confirmed: 1, pending: 0 });
    } else expect(firstPass.confirmed).toBe(1);
    const cards = giftCards().filter((g) => g.customerId === customer);
    expect(cards).toHaveLength(1);
    expect(await getRedemption(SHOP, id)).toMatchObject({ state: "confirmed", shopifyId: cards[0].id });
    expect(state().customerNotifications.filter((n) => n.customerId === customer)).toHaveLength(1);
    expect(await available(customer)).toBe(0);
  });

  it("gift card: confirmed by a process that died before asking Shopify to send it: recovery sends it once", async () => {
    const customer = await customerWith(100);
    const r = await reward({ kind: "gift_card" });
    const result = await redeem(SHOP, customer, r.id, "t", { client: diesBefore(/GiftCardNotify/), now });
    expect(result.outcome).toBe("confirmed");
    // The kill hit the send: as a crash leaves it, nothing recorded about the send.
    const id = (result as { redemption: { id: string } }).redemption.id;
    await prisma.redemption.update({ where: { shop_id: { shop: SHOP, id } }, data: { failure: null } });
    const sent = () => state().customerNotifications.filter((n) => n.customerId === customer);
    expect(sent()).toEqual([]);
    await recoverLater();
    expect(sent()).toEqual([expect.objectContaining({ template: "gift_card" })]);
    expect((await getRedemption(SHOP, id))!.notifiedAt).not.toBeNull();
    await recoverLater();
    expect(sent()).toHaveLength(1);
  });

  it("store credit: killed after the reservation, before the attempt: recovery credits once", async () => {
    const customer = await customerWith(100);
    const r = await reward({ kind: "store_credit" });
    const reserved = await reserveRedemption(SHOP, {
      customerId: customer,
      rewardId: r.id,
      token: "t",
      now: now(),
      currencyCode: "USD",
      code: null,
      expiresAt: new Date(clock.now() + 30 * DAY_MS),
    });
    expect(reserved.outcome).toBe("reserved");
    expect((await recoverLater()).confirmed).toBe(1);
    expect(credits(customer)).toHaveLength(1);
    expect(await available(customer)).toBe(0);
  });

  it("store credit: applied but not recorded: recovery finds the credit among the customer's transactions", async () => {
    const customer = await customerWith(200);
    const r = await reward({ kind: "store_credit", pointsPrice: 100, valueMinor: 700 });
    // An earlier credit of the same amount, already claimed by a confirmed redemption, must not be taken for it.
    expect((await redeem(SHOP, customer, r.id, "earlier", deps())).outcome).toBe("confirmed");
    clock.advance(RECOVERY_GRACE_MS * 10);
    const result = await redeem(SHOP, customer, r.id, "t", { client: diesAfter(/StoreCreditCredit/), now });
    expect(result.outcome).toBe("pending");
    expect(credits(customer)).toHaveLength(2);
    expect(await recoverLater()).toMatchObject({ confirmed: 1, released: 0 });
    const [, second] = credits(customer);
    expect(await getRedemption(SHOP, (result as { redemption: { id: string } }).redemption.id)).toMatchObject({
      state: "confirmed",
      shopifyId: second.id,
    });
    expect(credits(customer)).toHaveLength(2);
    expect(await available(customer)).toBe(0);
  });

  it("store credit: the attempt was recorded but never reached Shopify: recovery releases the points, no credit", async () => {
    const customer = await customerWith(100);
    const r = await reward({ kind: "store_credit" });
    const result = await redeem(SHOP, customer, r.id, "t", { client: diesBefore(/StoreCreditCredit/), now });
    expect(result.outcome).toBe("pending");
    expect(await available(customer)).toBe(0);
    expect(await recoverLater()).toMatchObject({ confirmed: 0, released: 1 });
    expect(credits(customer)).toEqual([]);
    expect(await available(customer)).toBe(100);
    // The same token again answers with the released redemption; a new token may redeem again.
    expect((await redeem(SHOP, customer, r.id, "t", deps())).outcome).toBe("released");
    expect((await redeem(SHOP, customer, r.id, "t2", deps())).outcome).toBe("confirmed");
    expect(credits(customer)).toHaveLength(1);
  });

  it("the job: queued before Shopify is asked, it finishes what a crash left and queues itself while work remains", async () => {
    const queue = testQueue();
    const customer = await customerWith(100);
    const r = await reward({ kind: "amount_off" });
    const result = await redeem(SHOP, customer, r.id, "t", { client: diesBefore(/DiscountCode\w*Create/), now, queue });
    expect(result.outcome).toBe("pending");
    expect((await jobRows(SHOP)).filter((j) => j.kind === REDEMPTIONS_RECOVER)).toHaveLength(1);
    clock.advance(RECOVERY_GRACE_MS + 1000);
    await redemptionsRecoverJob({ clientFor: async () => client, queue, now })({
      shop: SHOP,
      payload: {},
    } as Parameters<ReturnType<typeof redemptionsRecoverJob>>[0]);
    expect(await getRedemption(SHOP, (result as { redemption: { id: string } }).redemption.id)).toMatchObject({
      state: "confirmed",
    });
    expect(discountsOf(customer)).toHaveLength(1);
  });
});

describe("redeeming processes (killed with SIGKILL, or racing)", () => {
  const CHILD = path.resolve("tests/support/redemption-child.ts");
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  });

  async function until(what: string, check: () => Promise<boolean> | boolean, ms = 20_000) {
    const end = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it.each(["amount_off", "gift_card", "store_credit"] as const)(
    "%s: killed while Shopify is answering its create (which Shopify then applies): recovery confirms the one reward",
    async (kind) => {
      const customer = await customerWith(100);
      const r = await reward({ kind });
      // Shopify is slow to answer the next request (the create): the process dies while it waits, Shopify applies it.
      sim.faults.inject({ kind: "slow", ms: 1500 }, { shop: SHOP });
      const child = fork(CHILD, [SHOP, endpoint, sim.tokens.issue(SHOP), customer, r.id, "form", String(clock.now())], {
        execArgv: ["--import", "tsx"],
        stdio: "inherit",
      });
      children.push(child);
      const exited = new Promise((resolve) => child.once("exit", resolve));
      // The create reached Shopify (it took the slow answer): the process dies while Shopify is still answering.
      await until("the create to reach Shopify", () => sim.faults.pending().length === 0);
      child.kill("SIGKILL");
      await exited;
      const made = () =>
        kind === "store_credit"
          ? credits(customer).length
          : kind === "gift_card"
            ? giftCards().filter((g) => g.customerId === customer).length
            : discountsOf(customer).length;
      await until("Shopify to apply the create", () => made() === 1);
      expect(await prisma.redemption.findFirst({ where: { shop: SHOP, customerId: customer } })).toMatchObject({
        state: "reserved",
      });
      expect(await available(customer)).toBe(0);
      clock.advance(sim.search.lagMs);
      expect(await recoverLater()).toMatchObject({ confirmed: 1, released: 0, pending: 0 });
      expect(made()).toBe(1);
      expect(await available(customer)).toBe(0);
    },
    30_000,
  );

  it("two processes racing on one customer with points for one: one reward, the other refused", async () => {
    const customer = await customerWith(150);
    const r = await reward({ kind: "amount_off" });
    // Each process loads, then all are told to go at once.
    const racers = ["tab-1", "tab-2", "tab-3"].map((token) => {
      const child = fork(
        CHILD,
        [SHOP, endpoint, sim.tokens.issue(SHOP), customer, r.id, token, String(clock.now()), "wait"],
        { execArgv: ["--import", "tsx"], stdio: "inherit" },
      );
      children.push(child);
      const ready = new Promise<void>((resolve) =>
        child.on("message", (m: { type?: string }) => m?.type === "ready" && resolve()),
      );
      const done = new Promise<string>((resolve, reject) => {
        child.on("message", (m: { type?: string; outcome?: string }) => m?.type === "done" && resolve(m.outcome!));
        child.once("exit", (code) => code !== 0 && reject(new Error(`redeeming process exited ${code}`)));
      });
      return { child, ready, done };
    });
    await Promise.all(racers.map((x) => x.ready));
    for (const x of racers) x.child.send({ type: "go" });
    const outcomes = await Promise.all(racers.map((x) => x.done));
    expect(outcomes.sort()).toEqual(["confirmed", "refused", "refused"]);
    expect(discountsOf(customer)).toHaveLength(1);
    expect(await available(customer)).toBe(50);
  }, 30_000);

  it("killed right after its reservation (the create sent or not): recovery leaves exactly one code", async () => {
    const customer = await customerWith(100);
    const r = await reward({ kind: "amount_off" });
    // The database answers, Shopify never gets the create: the process is killed as soon as the reservation exists.
    sim.faults.inject({ kind: "slow", ms: 1500 }, { shop: SHOP });
    const child = fork(CHILD, [SHOP, endpoint, sim.tokens.issue(SHOP), customer, r.id, "form", String(clock.now())], {
      execArgv: ["--import", "tsx"],
      stdio: "inherit",
    });
    children.push(child);
    const exited = new Promise((resolve) => child.once("exit", resolve));
    await until(
      "the reservation",
      async () => (await prisma.redemption.count({ where: { shop: SHOP, customerId: customer } })) === 1,
    );
    child.kill("SIGKILL");
    await exited;
    expect(await available(customer)).toBe(0);
    // Whether or not the create left before the kill, recovery ends with exactly one code.
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect(await recoverLater()).toMatchObject({ confirmed: 1, released: 0, pending: 0 });
    expect(discountsOf(customer)).toHaveLength(1);
    expect(await available(customer)).toBe(0);
  }, 30_000);
});

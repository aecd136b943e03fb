// The ledger fed by Shopify's webhooks (the simulator's sender, through the built server, into a real SQLite file):
// exact to the minor unit after refunds, cancellations, edits and deletions, and unmoved by duplicates and reordering.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { toMinorUnits } from "../../app/domain/money";
import { createFakeClock, type SimulatorEvent } from "../../simulator/admin/index";
import { openApp, startLocalShopifyAndApp } from "../support/local-shopify";
import { jobRows, testQueue } from "../support/queue";
import { customerRefreshJob } from "../../app/jobs/customer-refresh.server";
import { CUSTOMER_REFRESH } from "../../app/jobs/contracts";

const SHOP = "ledger-shop.myshopify.com";
// Starts at the real time so the session tokens it signs are valid for the app; then moves on by the minute.
const clock = createFakeClock(Date.now());
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;
type Recorded = ReturnType<typeof env.shopify.webhookEventOf>;
const events: Recorded[] = [];

/** A realistic stretch of a shop's life, recorded as the webhooks Shopify would send. */
function liveAShopsLife() {
  const sim = env.shopify.admin;
  const tick = () => clock.advance(60_000);
  const stop = sim.onEvent((event: SimulatorEvent) => {
    if (event.topic !== "bulk_operations/finish") events.push(env.shopify.webhookEventOf(event));
  });
  const ada = sim.createCustomer(SHOP, { firstName: "Ada", lastName: "Lovelace", email: "ada@example.com" });
  tick();
  const somchai = sim.createCustomer(SHOP, {
    firstName: "สมชาย",
    lastName: "ใจดี",
    email: "somchai@example.co.th",
    locale: "th",
  });
  tick();
  const leaving = sim.createCustomer(SHOP, { firstName: "Lee", lastName: "Ving", email: "lee@example.com" });
  tick();
  const a1 = sim.placeOrder(SHOP, { customerId: ada.id, total: "100.00", discountCodes: ["WELCOME10"] });
  tick();
  const a2 = sim.placeOrder(SHOP, { customerId: ada.id, total: "50.00" });
  tick();
  sim.refundOrder(SHOP, a2.id, { amount: "20.00" });
  tick();
  const s1 = sim.placeOrder(SHOP, { customerId: somchai.id, total: "30.00" });
  tick();
  sim.cancelOrder(SHOP, s1.id);
  tick();
  sim.placeOrder(SHOP, { customerId: somchai.id, total: "80.00", test: true });
  tick();
  const s3 = sim.placeOrder(SHOP, { customerId: somchai.id, total: "40.00" });
  tick();
  sim.editOrder(SHOP, s3.id, { newTotal: "25.50" });
  tick();
  sim.placeOrder(SHOP, { total: "10.00", email: "guest@example.com" });
  tick();
  const l1 = sim.placeOrder(SHOP, { customerId: leaving.id, total: "60.00" });
  tick();
  sim.deleteOrder(SHOP, l1.id);
  tick();
  sim.refundOrder(SHOP, a1.id, { amount: "100.00" }); // a full refund: the order no longer qualifies
  tick();
  sim.updateCustomer(SHOP, ada.id, { lastName: "King" });
  tick();
  sim.deleteCustomer(SHOP, leaving.id);
  stop();
}

/** What Shopify itself says each customer's qualifying spend is (the simulator's own state). */
function truth(shop = SHOP) {
  const state = env.shopify.admin.shops.getShop(shop)!;
  const spend = new Map<string, number>();
  for (const order of state.orders.values()) {
    const value = toMinorUnits(order.currentTotalPriceSet.shopMoney.amount, "USD");
    if (!order.customer || order.test || order.cancelledAt || value <= 0) continue;
    if (!state.customers.get(order.customer.id)) continue;
    spend.set(order.customer.id, (spend.get(order.customer.id) ?? 0) + value);
  }
  return Object.fromEntries([...spend].sort());
}

async function ledgerSpend(shop = SHOP) {
  const rows = await prisma.$queryRaw<{ customerId: string; spend: bigint | number }[]>`
    SELECT o."customerId", SUM(o."valueMinor") AS spend FROM "Order" o
    JOIN "Customer" c ON c."shop" = o."shop" AND c."id" = o."customerId" AND c."deletedAt" IS NULL
    WHERE o."shop" = ${shop} AND o."deletedAt" IS NULL AND o."test" = false AND o."cancelledAt" IS NULL AND o."valueMinor" > 0
    GROUP BY o."customerId" ORDER BY o."customerId"`;
  return Object.fromEntries(rows.map((r) => [r.customerId, Number(r.spend)]));
}

/** The ledger's rows, byte for byte (bigints as strings). */
async function ledgerBytes(shop = SHOP) {
  const [customers, orders, refunds] = await Promise.all([
    prisma.customer.findMany({ where: { shop }, orderBy: { id: "asc" } }),
    prisma.order.findMany({ where: { shop }, orderBy: { id: "asc" } }),
    prisma.refund.findMany({ where: { shop }, orderBy: { id: "asc" } }),
  ]);
  return JSON.stringify({ customers, orders, refunds }, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
}

async function resetLedger(shop = SHOP) {
  await prisma.$transaction([
    prisma.customer.deleteMany({ where: { shop } }),
    prisma.order.deleteMany({ where: { shop } }),
    prisma.refund.deleteMany({ where: { shop } }),
    prisma.webhookDelivery.deleteMany({ where: { shop } }),
  ]);
}

const shopRecord = (domain: string) => ({
  __typename: "Shop" as const,
  id: "gid://shopify/Shop/7",
  name: "Ledger Shop",
  myshopifyDomain: domain,
  email: "owner@ledger.example",
  currencyCode: "USD",
  ianaTimezone: "Asia/Bangkok",
  primaryLocale: "en",
  plan: "standard" as const,
});

/** One step of a generated shop history (indexes wrap around whatever exists at that moment). */
type Action =
  | { kind: "customer" }
  | { kind: "order"; customer: number | null; cents: number; test: boolean }
  | { kind: "refund"; order: number; share: number }
  | { kind: "cancel"; order: number }
  | { kind: "edit"; order: number; cents: number }
  | { kind: "deleteOrder"; order: number }
  | { kind: "updateCustomer"; customer: number }
  | { kind: "deleteCustomer"; customer: number };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ kind: "customer" as const }) },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("order" as const),
      customer: fc.option(fc.nat(20), { freq: 6 }),
      cents: fc.integer({ min: 100, max: 50_000 }),
      test: fc.integer({ min: 0, max: 9 }).map((n) => n < 2),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("refund" as const),
      order: fc.nat(50),
      share: fc.double({ min: 0.05, max: 1, noNaN: true }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("cancel" as const), order: fc.nat(50) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("edit" as const),
      order: fc.nat(50),
      cents: fc.integer({ min: 0, max: 50_000 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("deleteOrder" as const), order: fc.nat(50) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("updateCustomer" as const), customer: fc.nat(20) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("deleteCustomer" as const), customer: fc.nat(20) }) },
);

const amount = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;

/**
 * The one refusal a generated history may meet: the simulator, like Shopify, refusing an action on an order or customer
 * that was deleted earlier in the history (the generator keeps pointing at them). Anything else is a failure.
 */
function isRefusedAsDeleted(error: unknown, domain: string) {
  return (
    error instanceof Error &&
    new RegExp(
      `^unknown (order|customer) gid://shopify/(Order|Customer)/\\d+ in ${domain.replaceAll(".", "\\.")}$`,
    ).test(error.message)
  );
}

interface Played {
  /** The webhooks Shopify would have sent, in order. */
  recorded: Recorded[];
  /** Actions the simulator carried out, by kind. */
  applied: Partial<Record<Action["kind"], number>>;
}

/** Plays generated actions in a new shop. */
function play(domain: string, actions: Action[]): Played {
  const sim = env.shopify.admin;
  sim.shops.addShop(shopRecord(domain));
  const recorded: Recorded[] = [];
  const applied: Played["applied"] = {};
  const stop = sim.onEvent((event: SimulatorEvent) => {
    if (event.shop === domain && event.topic !== "bulk_operations/finish")
      recorded.push(env.shopify.webhookEventOf(event));
  });
  const customers: string[] = [];
  const orders: string[] = [];
  const pick = (list: string[], index: number) => (list.length ? list[index % list.length] : undefined);
  const did = (kind: Action["kind"]) => (applied[kind] = (applied[kind] ?? 0) + 1);
  for (const action of actions) {
    clock.advance(60_000);
    try {
      if (action.kind === "customer") {
        customers.push(sim.createCustomer(domain, { firstName: "Gen", email: `g${customers.length}@example.com` }).id);
        did("customer");
      }
      if (action.kind === "order") {
        const customerId = action.customer === null ? null : (pick(customers, action.customer) ?? null);
        orders.push(sim.placeOrder(domain, { customerId, total: amount(action.cents), test: action.test }).id);
        did("order");
      }
      const order =
        action.kind === "refund" || action.kind === "cancel" || action.kind === "edit" || action.kind === "deleteOrder"
          ? pick(orders, action.order)
          : undefined;
      if (action.kind === "refund" && order) {
        // A share of what is left on the order (a deleted order has nothing left: the simulator refuses any refund)
        const current = sim.shops.getShop(domain)!.orders.get(order);
        const cents = current
          ? Math.floor(toMinorUnits(current.currentTotalPriceSet.shopMoney.amount, "USD") * action.share)
          : 1;
        if (cents > 0) {
          sim.refundOrder(domain, order, { amount: amount(cents) });
          did("refund");
        }
      }
      if (action.kind === "cancel" && order) {
        sim.cancelOrder(domain, order);
        did("cancel");
      }
      if (action.kind === "edit" && order) {
        sim.editOrder(domain, order, { newTotal: amount(action.cents) });
        did("edit");
      }
      if (action.kind === "deleteOrder" && order) {
        sim.deleteOrder(domain, order);
        did("deleteOrder");
      }
      const customer =
        action.kind === "updateCustomer" || action.kind === "deleteCustomer"
          ? pick(customers, action.customer)
          : undefined;
      if (action.kind === "updateCustomer" && customer) {
        sim.updateCustomer(domain, customer, { lastName: `L${clock.now()}` });
        did("updateCustomer");
      }
      if (action.kind === "deleteCustomer" && customer) {
        sim.deleteCustomer(domain, customer);
        did("deleteCustomer");
      }
    } catch (error) {
      // Refunding, cancelling, editing or deleting a deleted order, or ordering for / changing a deleted customer:
      // Shopify refuses these too. Any other error is the simulator or this test breaking, and fails the run.
      if (!isRefusedAsDeleted(error, domain)) throw error;
    }
  }
  stop();
  return { recorded, applied };
}

/**
 * Generated histories: each opens with a customer and a real order of theirs (so no run is empty), then 5 to 40
 * generated actions.
 */
const historyArb: fc.Arbitrary<Action[]> = fc
  .tuple(fc.integer({ min: 100, max: 50_000 }), fc.array(actionArb, { minLength: 5, maxLength: 40 }))
  .map(([cents, rest]) => [
    { kind: "customer" as const },
    { kind: "order" as const, customer: 0, cents, test: false },
    ...rest,
  ]);

beforeAll(async () => {
  env = await startLocalShopifyAndApp({ clock });
  env.shopify.admin.shops.addShop(shopRecord(SHOP));
  env.shopify.install(SHOP);
  expect((await openApp(env.app.url, env.shopify, SHOP)).status).toBe(200);
  liveAShopsLife();
});

describe("ledger from webhooks", () => {
  it("matches Shopify's own totals to the minor unit after refunds, cancellations, edits and deletions", async () => {
    await resetLedger();
    await env.shopify.webhooks.deliverBatch(events);
    expect(await ledgerSpend()).toEqual(truth());
    // Spot checks by hand: Ada 50.00 − 20.00 (order 1 fully refunded); Somchai's edited 25.50 only.
    expect(Object.values(truth()).sort()).toEqual([2550, 3000]);
  });

  it("keeps deleted orders and customers out, and the guest order out of every customer", async () => {
    const orders = await prisma.order.findMany({ where: { shop: SHOP } });
    expect(orders.filter((o) => o.deletedAt)).toHaveLength(1);
    const customers = await prisma.customer.findMany({ where: { shop: SHOP } });
    expect(customers.filter((c) => c.deletedAt).map((c) => c.email)).toEqual([null]);
    expect(orders.filter((o) => o.customerId === null && !o.deletedAt)).toHaveLength(1);
  });

  it("ends byte-identical after ten deliveries of every event in any order", async () => {
    await resetLedger();
    await env.shopify.webhooks.deliverBatch(events);
    const inOrder = await ledgerBytes();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (seed) => {
        await resetLedger();
        await env.shopify.webhooks.deliverBatch(events, { duplicates: 9, shuffle: seed });
        expect(await ledgerBytes()).toBe(inOrder);
      }),
      { numRuns: 4 },
    );
  }, 120_000);

  it("over generated histories: ten shuffled deliveries of every event equal in-order delivery, and Shopify's totals", async () => {
    let run = 0;
    const appliedOverall: Played["applied"] = {};
    await fc.assert(
      fc.asyncProperty(historyArb, fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (actions, seed) => {
        const domain = `generated-${run++}.myshopify.com`;
        const { recorded: stream, applied } = play(domain, actions);
        for (const [kind, n] of Object.entries(applied))
          appliedOverall[kind as Action["kind"]] = (appliedOverall[kind as Action["kind"]] ?? 0) + n;
        // Not a vacuous run: the opening customer and order were carried out and sent, and reached the ledger
        expect(applied.customer).toBeGreaterThanOrEqual(1);
        expect(applied.order).toBeGreaterThanOrEqual(1);
        expect(stream.length).toBeGreaterThanOrEqual(3); // customers/create, orders/create, orders/paid at least
        await prisma.shop.create({ data: { shop: domain } });
        await env.shopify.webhooks.deliverBatch(stream);
        const inOrder = await ledgerBytes(domain);
        expect(await prisma.order.count({ where: { shop: domain } })).toBe(applied.order);
        expect(await prisma.customer.count({ where: { shop: domain } })).toBe(applied.customer);
        expect(await ledgerSpend(domain)).toEqual(truth(domain));
        await resetLedger(domain);
        await env.shopify.webhooks.deliverBatch(stream, { duplicates: 9, shuffle: seed });
        expect(await ledgerBytes(domain)).toBe(inOrder);
      }),
      { numRuns: 6 },
    );
    // And the generated parts were carried out too, not only the openings (2 actions a run, 6 runs)
    expect(run).toBe(6);
    expect(Object.values(appliedOverall).reduce((a, b) => a + b, 0)).toBeGreaterThan(2 * 6);
  }, 180_000);

  it("answers a repeated delivery without touching the ledger twice", async () => {
    await resetLedger();
    const outcomes = await env.shopify.webhooks.deliverBatch(events.slice(0, 5), {
      duplicates: 1,
      duplicateWebhookId: "same",
    });
    expect(outcomes.every((o) => o.delivered)).toBe(true);
    expect(await prisma.webhookDelivery.count({ where: { shop: SHOP } })).toBe(5);
  });
});

describe("two versions of one customer in the same second", () => {
  // Shopify's updated_at has whole seconds: two renames within one second arrive with the same stamp, and nothing in
  // the payloads says which is newer. The app re-reads the customer from Shopify (customer-refresh job).
  const lastName = async (id: string) =>
    (await prisma.customer.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id } } })).lastName;

  it.each([
    ["in the order they happened", false],
    ["newest first", true],
  ])("ends on Shopify's last name when delivered %s", async (_label, reversed) => {
    const sim = env.shopify.admin;
    const recorded: Recorded[] = [];
    const stop = sim.onEvent((event: SimulatorEvent) => {
      if (event.shop === SHOP && event.topic !== "bulk_operations/finish" && event.topic.startsWith("customers/"))
        recorded.push(env.shopify.webhookEventOf(event));
    });
    // Shopify's own deliveries held back: this test delivers the events itself, in the order it chooses
    const grace = env.shopify.withoutDelivery(SHOP, () => {
      clock.advance(60_000);
      const created = sim.createCustomer(SHOP, {
        firstName: "Grace",
        lastName: "Hopper",
        email: `grace-${reversed}@example.com`,
      });
      clock.advance(60_000);
      sim.updateCustomer(SHOP, created.id, { lastName: "Murray" });
      sim.updateCustomer(SHOP, created.id, { lastName: "Brewster" }); // the same second: Shopify's last word
      return created;
    });
    stop();
    const [created, first, second] = recorded;
    const stamp = (e: Recorded) => (e.resource as { updated_at: string }).updated_at;
    expect(stamp(first)).toBe(stamp(second));
    const outcomes = await env.shopify.webhooks.deliverBatch(
      reversed ? [created, second, first] : [created, first, second],
    );
    expect(outcomes.every((o) => o.delivered)).toBe(true);
    // Delivered in order, the later version ties and is not written: the customer is queued for a re-read
    if (!reversed) {
      expect(await lastName(grace.id)).toBe("Murray");
      expect((await jobRows(SHOP, { kind: CUSTOMER_REFRESH, state: "queued" })).map((j) => j.key)).toEqual([
        `${CUSTOMER_REFRESH}:${grace.id}`,
      ]);
    }
    const queue = testQueue();
    const worker = queue.work(
      { [CUSTOMER_REFRESH]: customerRefreshJob({ clientFor: env.clientFor, queue }) },
      { pollMs: 20 },
    );
    await worker.idle();
    await worker.stop();
    expect(await lastName(grace.id)).toBe("Brewster");
    expect(await jobRows(SHOP, { kind: CUSTOMER_REFRESH, state: "dead" })).toEqual([]);
    // and the customer's state follows the re-read like any ledger write
    if (!reversed)
      expect(await jobRows(SHOP, { key: `customer-changed:${grace.id}`, state: "queued" })).toHaveLength(1);
  });
});

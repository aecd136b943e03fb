// The points journal (docs/rules.md#points) fed by Shopify's webhooks through the built server into a real database:
// a customer's life played through the local Shopify with the app's own job handlers (the order's points pending, then
// available, refunds and a cancellation taken back, expiry on the shop's local day from the daily run, a loss); and
// generated histories whose webhooks, delivered in order or shuffled ten times over, end on one journal, byte for byte,
// and — derived after every delivery — on the same sources and balances.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { balancesAt, sourceOf, type PointsKind } from "../../app/domain/points";
import { DAY_MS } from "../../app/domain/time";
import { CUSTOMER_CHANGED, POINTS_CUSTOMER, POINTS_SHOP, RECOMPUTE_SHOP } from "../../app/jobs/contracts";
import { pointsCustomerJob, pointsShopJob } from "../../app/jobs/points.server";
import { customerChangedJob, recomputeShopJob } from "../../app/jobs/recompute.server";
import { applyOrders } from "../../app/models/ledger.server";
import { derivePointsShop, pointsBalances, savePointsRules, setPointsStart } from "../../app/services/points.server";
import { createFakeClock, type SimulatorEvent } from "../../simulator/admin/index";
import { openApp, startLocalShopifyAndApp, testShopRecord } from "../support/local-shopify";
import { jobRows, testQueue } from "../support/queue";

const SHOP = "points-shop.myshopify.com";
// Starts at the real time so the session tokens it signs are valid for the app; then moves on by days.
const clock = createFakeClock(Date.now());
const now = () => new Date(clock.now());
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;
type Recorded = ReturnType<typeof env.shopify.webhookEventOf>;

/** The journal's rows as written (all but the row id, the shop and the moment written), in key order. */
async function journal(shop: string) {
  const rows = await prisma.pointsEntry.findMany({
    where: { shop },
    orderBy: [{ customerId: "asc" }, { sourceKey: "asc" }],
  });
  return rows.map(({ id: _id, shop: _shop, createdAt: _at, ...row }) => ({ ...row, points: Number(row.points) }));
}

/** Per customer and source, the points of each movement (kind, effective, available): "the same sources". */
async function sources(shop: string) {
  return sourcesOf(await journal(shop));
}

/** Each customer's balances at `at`, from the journal as held. */
async function balances(shop: string, at: number) {
  const byCustomer = new Map<
    string,
    { kind: PointsKind; points: number; effectiveAt: number; availableAt: number }[]
  >();
  for (const e of await journal(shop)) {
    const list = byCustomer.get(e.customerId) ?? [];
    list.push({
      kind: e.kind as PointsKind,
      points: e.points,
      effectiveAt: e.effectiveAt.getTime(),
      availableAt: e.availableAt.getTime(),
    });
    byCustomer.set(e.customerId, list);
  }
  return Object.fromEntries([...byCustomer].sort().map(([id, entries]) => [id, balancesAt(entries, at)]));
}

async function resetLedgerAndJournal(shop: string) {
  await prisma.$transaction([
    prisma.customer.deleteMany({ where: { shop } }),
    prisma.order.deleteMany({ where: { shop } }),
    prisma.refund.deleteMany({ where: { shop } }),
    prisma.webhookDelivery.deleteMany({ where: { shop } }),
    prisma.pointsEntry.deleteMany({ where: { shop } }),
  ]);
}

/** The app's own handlers for a ledger change and what follows it, on the simulator's clock. */
async function runJobs() {
  const queue = testQueue({ now });
  const worker = queue.work(
    {
      [CUSTOMER_CHANGED]: customerChangedJob({ queue, now }),
      [RECOMPUTE_SHOP]: recomputeShopJob({ queue, now }),
      [POINTS_CUSTOMER]: pointsCustomerJob({ now }),
      [POINTS_SHOP]: pointsShopJob({ now }),
    },
    { pollMs: 20 },
  );
  await worker.idle();
  await worker.stop();
}

beforeAll(async () => {
  env = await startLocalShopifyAndApp({ clock });
  env.shopify.admin.shops.addShop(testShopRecord(SHOP, { ianaTimezone: "Asia/Bangkok" }));
  env.shopify.install(SHOP);
  expect((await openApp(env.app.url, env.shopify, SHOP)).status).toBe(200);
  // The shop's zone as the backfill would have read it (this test has no backfill)
  await prisma.shop.update({ where: { shop: SHOP }, data: { timezone: "Asia/Bangkok" } });
  // Ahead of the real clock from here on: the built server queues the webhooks' jobs at the real time, and the worker
  // here runs what is due by the simulator's clock.
  clock.advance(5 * 60_000);
});

describe("a customer's points through webhooks and the app's jobs", () => {
  it("pending, available, taken back, expired on the shop's local day, and a loss", async () => {
    const sim = env.shopify.admin;
    const started = clock.now();
    await setPointsStart(SHOP, new Date(started - DAY_MS), { now });
    const ada = sim.createCustomer(SHOP, { firstName: "Ada", email: "ada@points.example" });
    const bo = sim.createCustomer(SHOP, { firstName: "Bo", email: "bo@points.example" });
    const step = async (days: number, act: () => void) => {
      clock.advance(days * DAY_MS);
      act();
      await env.shopify.webhooks.drain();
      await runJobs();
    };
    const mine = async (customerId: string, at = clock.now()) => (await balances(SHOP, at))[customerId];

    let first!: { id: string; processedAt: string };
    await step(0, () => {
      first = sim.placeOrder(SHOP, { customerId: ada.id, total: "120.50" }) as typeof first;
    });
    // The webhook's ledger change queued the customer's jobs; their points are pending for 30 days
    expect(await mine(ada.id)).toMatchObject({ earned: 120, pending: 120, available: 0 });
    const processedAt = Date.parse(first.processedAt);

    await step(10, () => sim.refundOrder(SHOP, first.id, { amount: "20.50" }));
    expect(await mine(ada.id)).toMatchObject({ earned: 120, pending: 100, clawedBack: 20 });

    let second!: { id: string };
    await step(21, () => {
      second = sim.placeOrder(SHOP, { customerId: bo.id, total: "80.00" });
    });
    // Ada's 30 days are over: available, without a new entry
    expect(await mine(ada.id)).toMatchObject({ pending: 0, available: 100 });
    await step(40, () => sim.refundOrder(SHOP, second.id, { amount: "80.00" }));
    // Bo's order was available: the refund took it from the available balance
    expect(await mine(bo.id)).toMatchObject({ earned: 80, available: 0, clawedBack: 80, lost: 0 });

    let third!: { id: string };
    await step(1, () => {
      third = sim.placeOrder(SHOP, { customerId: bo.id, total: "45.99" });
    });
    await step(1, () => sim.cancelOrder(SHOP, third.id));
    expect(await mine(bo.id)).toMatchObject({ earned: 125, pending: 0, available: 0, clawedBack: 125 });

    // Thirteen months on, the daily run (queued by the first full recompute): Ada's available points expired on the
    // local day 12 months after her order
    clock.advance(400 * DAY_MS);
    await runJobs();
    const bangkokDay = new Date(processedAt + 7 * 3_600_000).toISOString().slice(0, 10);
    const expiry = Date.parse(`${Number(bangkokDay.slice(0, 4)) + 1}${bangkokDay.slice(4)}T00:00:00+07:00`);
    const expired = (await journal(SHOP)).filter((e) => e.kind === "expiry");
    expect(expired.map((e) => [e.customerId, e.points, e.effectiveAt.getTime()])).toEqual([[ada.id, -100, expiry]]);
    expect(await mine(ada.id, expiry - 1)).toMatchObject({ available: 100, expired: 0 });
    expect(await mine(ada.id, expiry)).toMatchObject({ available: 0, expired: 100 });
    const passes = await jobRows(SHOP, { kind: POINTS_SHOP, state: "done" });
    expect(passes.map((j) => (JSON.parse(j.payload) as { reason: string }).reason)).toContain("daily");

    // A refund after that: nothing left to take, the whole difference is a loss
    await step(1, () => sim.refundOrder(SHOP, first.id, { amount: "50.00" }));
    expect(await mine(ada.id)).toEqual({
      earned: 120,
      pending: 0,
      available: 0,
      redeemed: 0,
      expired: 100,
      clawedBack: 20,
      lost: 50,
    });

    // What the CLI reports is the journal's balances; rebuilding the journal from the ledger writes the same rows
    const reported = await pointsBalances(SHOP, { now });
    expect(reported.map((r) => r.customerId)).toEqual([ada.id, bo.id].sort());
    const held = await journal(SHOP);
    await prisma.pointsEntry.deleteMany({ where: { shop: SHOP } });
    await derivePointsShop(SHOP, { now });
    expect(await journal(SHOP)).toEqual(held);
  }, 60_000);
});

// ---- Generated histories ------------------------------------------------------------------------------------------

type Action =
  | { kind: "customer"; hours: number }
  | { kind: "order"; hours: number; customer: number | null; cents: number; test: boolean }
  | { kind: "refund"; hours: number; order: number; share: number }
  | { kind: "cancel"; hours: number; order: number }
  | { kind: "edit"; hours: number; order: number; cents: number }
  | { kind: "deleteOrder"; hours: number; order: number }
  | { kind: "deleteCustomer"; hours: number; customer: number };

// Hours between actions: up to ~60 days, so histories cross return windows and, often, a year without orders.
const hours = fc.integer({ min: 1, max: 1_440 });
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("customer" as const), hours }) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("order" as const),
      hours,
      customer: fc.option(fc.nat(6), { freq: 8 }),
      cents: fc.integer({ min: 100, max: 50_000 }),
      test: fc.integer({ min: 0, max: 19 }).map((n) => n === 0),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("refund" as const),
      hours,
      order: fc.nat(30),
      share: fc.integer({ min: 5, max: 100 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("cancel" as const), hours, order: fc.nat(30) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("edit" as const),
      hours,
      order: fc.nat(30),
      cents: fc.integer({ min: 0, max: 50_000 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("deleteOrder" as const), hours, order: fc.nat(30) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("deleteCustomer" as const), hours, customer: fc.nat(6) }) },
);
const historyArb = fc
  .tuple(fc.integer({ min: 100, max: 50_000 }), fc.array(actionArb, { minLength: 8, maxLength: 30 }))
  .map(([cents, rest]): Action[] => [
    { kind: "customer", hours: 1 },
    { kind: "order", hours: 1, customer: 0, cents, test: false },
    { kind: "refund", hours: 24, order: 0, share: 50 },
    ...rest,
  ]);

const amount = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
const refusedAsDeleted = (error: unknown) =>
  error instanceof Error && /^unknown (order|customer) gid:\/\/shopify\/(Order|Customer)\/\d+ in /.test(error.message);

/** Plays the actions in a new simulated shop; returns the webhooks Shopify would have sent, in order. */
function play(domain: string, actions: Action[]): Recorded[] {
  const sim = env.shopify.admin;
  sim.shops.addShop(testShopRecord(domain, { ianaTimezone: "Asia/Bangkok" }));
  const recorded: Recorded[] = [];
  const stop = sim.onEvent((event: SimulatorEvent) => {
    if (event.shop === domain && event.topic !== "bulk_operations/finish")
      recorded.push(env.shopify.webhookEventOf(event));
  });
  const customers: string[] = [];
  const orders: string[] = [];
  const pick = (list: string[], i: number) => (list.length ? list[i % list.length] : undefined);
  // The opening customer and order stay (every run earns and takes back): later actions change the others.
  const later = (list: string[], i: number) => pick(list.length > 1 ? list.slice(1) : [], i);
  for (const action of actions) {
    clock.advance(action.hours * 3_600_000);
    try {
      if (action.kind === "customer")
        customers.push(sim.createCustomer(domain, { email: `g${customers.length}@points.example` }).id);
      else if (action.kind === "order") {
        const customerId = action.customer === null ? null : (pick(customers, action.customer) ?? null);
        orders.push(sim.placeOrder(domain, { customerId, total: amount(action.cents), test: action.test }).id);
      } else if (action.kind === "deleteCustomer") {
        const id = later(customers, action.customer);
        if (id) sim.deleteCustomer(domain, id);
      } else {
        const id = orders.length === 1 && action.kind === "refund" ? orders[0] : later(orders, action.order);
        if (!id) continue;
        if (action.kind === "refund") {
          const current = sim.shops.getShop(domain)!.orders.get(id);
          const left = current ? Math.round(Number(current.currentTotalPriceSet.shopMoney.amount) * 100) : 0;
          const cents = Math.floor((left * action.share) / 100);
          if (cents > 0) sim.refundOrder(domain, id, { amount: amount(cents) });
        } else if (action.kind === "cancel") sim.cancelOrder(domain, id);
        else if (action.kind === "edit") sim.editOrder(domain, id, { newTotal: amount(action.cents) });
        else sim.deleteOrder(domain, id);
      }
    } catch (error) {
      if (!refusedAsDeleted(error)) throw error; // Shopify refuses changes to what was deleted, too
    }
  }
  stop();
  return recorded;
}

describe("generated histories through webhooks", () => {
  it("in order or shuffled and tenfold, then derived: one journal; derived after every delivery: the same sources and balances", async () => {
    let run = 0;
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(historyArb, fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (actions, seed) => {
        const domain = `points-gen-${run++}.myshopify.com`;
        const from = clock.now();
        const stream = play(domain, actions);
        const end = clock.now() + DAY_MS;
        await prisma.shop.create({ data: { shop: domain, timezone: "Asia/Bangkok", installedAt: new Date(from) } });
        await setPointsStart(domain, new Date(from), { now: () => new Date(from) });

        // In order, then one derive
        await env.shopify.webhooks.deliverBatch(stream);
        await derivePointsShop(domain, { now: () => new Date(end) });
        const inOrder = await journal(domain);
        for (const e of inOrder) seen.add(e.kind);

        // Ten deliveries of every event in a shuffled order, then one derive: the same rows
        await resetLedgerAndJournal(domain);
        await env.shopify.webhooks.deliverBatch(stream, { duplicates: 9, shuffle: seed });
        await derivePointsShop(domain, { now: () => new Date(end) });
        expect(await journal(domain)).toEqual(inOrder);

        // Three deliveries of every event, shuffled, the journal derived after each delivery as time moves on
        await resetLedgerAndJournal(domain);
        const copies = fc.sample(
          fc.shuffledSubarray([...stream, ...stream, ...stream], { minLength: stream.length * 3 }),
          {
            seed,
            numRuns: 1,
          },
        )[0];
        for (const [k, event] of copies.entries()) {
          await env.shopify.webhooks.deliverBatch([event]);
          const at = from + Math.floor(((end - from) * (k + 1)) / copies.length);
          await derivePointsShop(domain, { now: () => new Date(at) });
        }
        const corrected = await journal(domain);
        if (corrected.some((e) => e.sourceKey.includes("~"))) seen.add("correction");
        expect(await sources(domain)).toEqual(await sourcesOf(inOrder));
        const moments = [...new Set(inOrder.flatMap((e) => [e.effectiveAt.getTime(), e.availableAt.getTime()]))];
        for (const t of [...moments, ...moments.map((m) => m - 1), end])
          expect(await balances(domain, t)).toEqual(await balancesOfRows(inOrder, t, corrected));

        // And a rebuild from the ledger writes the in-order rows again
        await prisma.pointsEntry.deleteMany({ where: { shop: domain } });
        await derivePointsShop(domain, { now: () => new Date(end) });
        expect(await journal(domain)).toEqual(inOrder);
      }),
      { numRuns: 4 },
    );
    // Not vacuous: the opening order earned and its refund took back in every run (cancellations, corrections and
    // losses most runs meet too)
    expect(run).toBe(4);
    expect([...seen]).toEqual(expect.arrayContaining(["order", "refund"]));
  }, 300_000);
});

/** `sources` of rows already read. */
async function sourcesOf(rows: Awaited<ReturnType<typeof journal>>) {
  const out: Record<string, number> = {};
  for (const e of rows) {
    const key = [
      e.customerId,
      sourceOf(e.sourceKey),
      e.kind,
      e.effectiveAt.toISOString(),
      e.availableAt.toISOString(),
    ].join("|");
    out[key] = (out[key] ?? 0) + e.points;
  }
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== 0));
}

/** Balances of the in-order rows, for the customers the other journal lists (a customer whose points all went still
 * has a journal there: zeros). */
async function balancesOfRows(rows: Awaited<ReturnType<typeof journal>>, at: number, other: typeof rows) {
  const ids = [...new Set([...rows, ...other].map((e) => e.customerId))].sort();
  return Object.fromEntries(
    ids.map((id) => [
      id,
      balancesAt(
        rows
          .filter((e) => e.customerId === id)
          .map((e) => ({
            kind: e.kind as PointsKind,
            points: e.points,
            effectiveAt: e.effectiveAt.getTime(),
            availableAt: e.availableAt.getTime(),
          })),
        at,
      ),
    ]),
  );
}

describe("rules versions, racing writers, a redacted shop", () => {
  const shop = "points-rules.myshopify.com";
  const customerId = "gid://shopify/Customer/77";
  const ledgerOrder = (n: number, processedAt: string, total: number) => ({
    id: `gid://shopify/Order/77${n}`,
    customerId,
    name: `#77${n}`,
    processedAt: new Date(processedAt),
    cancelledAt: null,
    test: false,
    currencyCode: "USD",
    currentTotalMinor: total,
    discountCodes: [],
    discountMinor: 0,
    sourceUpdatedAt: new Date(processedAt),
  });

  it("a saved version applies to orders processed from its effectiveFrom on; invalid rules save nothing", async () => {
    await prisma.shop.create({ data: { shop, installedAt: new Date("2025-01-01T00:00:00Z") } });
    const at = () => new Date("2025-06-01T00:00:00Z");
    await applyOrders(shop, [ledgerOrder(1, "2025-02-01T00:00:00Z", 10_000)]);
    const refused = await savePointsRules(shop, { ratePerMille: 0.5, returnWindowDays: 400 }, { now: at });
    expect(refused.ok).toBe(false);
    expect(await prisma.pointsRulesVersion.count({ where: { shop } })).toBe(0);
    const saved = await savePointsRules(
      shop,
      { ratePerMille: 2000, returnWindowDays: 0 },
      { now: at, effectiveFrom: new Date("2025-03-01T00:00:00Z"), queue: testQueue() },
    );
    // The install-time start was saved as version 1 (the defaults) on the way: the new rules are version 2
    expect(saved).toEqual({ ok: true, version: 2 });
    expect(await jobRows(shop, { kind: POINTS_SHOP, state: "queued" })).toHaveLength(1);
    await applyOrders(shop, [ledgerOrder(2, "2025-03-15T00:00:00Z", 10_000)]);
    await derivePointsShop(shop, { now: at });
    expect((await journal(shop)).map((e) => [e.sourceKey, e.points, e.ruleVersion])).toEqual([
      ["order:gid://shopify/Order/771:v1", 100, 1],
      ["order:gid://shopify/Order/772:v2", 200, 2],
    ]);
    expect(await mineAt(shop, customerId, at())).toMatchObject({ earned: 300, available: 300 });
  });

  it("writers racing on one customer append each movement once", async () => {
    await applyOrders(shop, [ledgerOrder(3, "2025-04-01T00:00:00Z", 5_000)]);
    const at = () => new Date("2025-06-01T00:00:00Z");
    await Promise.all(Array.from({ length: 4 }, () => derivePointsShop(shop, { now: at })));
    const rows = await journal(shop);
    expect(rows.filter((e) => e.orderId === "gid://shopify/Order/773")).toHaveLength(1);
    expect(new Set(rows.map((e) => e.sourceKey)).size).toBe(rows.length);
  });

  it("a redacted shop gets nothing written again, by a derive or the CLI's start", async () => {
    await prisma.shop.update({ where: { shop }, data: { status: "redacted" } });
    await prisma.pointsEntry.deleteMany({ where: { shop } });
    await prisma.pointsRulesVersion.deleteMany({ where: { shop } });
    expect(await derivePointsShop(shop)).toEqual({ asOf: null, customers: 0, appended: 0 });
    await expect(setPointsStart(shop, new Date("2020-01-01T00:00:00Z"))).rejects.toThrow(/redacted/);
    expect(await prisma.pointsEntry.count({ where: { shop } })).toBe(0);
    expect(await prisma.pointsRulesVersion.count({ where: { shop } })).toBe(0);
  });
});

async function mineAt(shop: string, customerId: string, at: Date) {
  return (await balances(shop, at.getTime()))[customerId];
}

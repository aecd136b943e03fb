// Analytics of a generated shop against an independent brute-force computation over the same ledger rows (the
// definitions of docs/analytics.md written out again as plain loops, with Intl for the months — no domain code):
// every figure, for the shop and per segment and tier, for a custom period, all time and a preset; orders that do
// not qualify never count; another shop's orders never count; the SQLite and Prisma reads agree.
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import {
  readOrderLedger,
  readOrderLedgerFromAggregates,
  readOrderLedgerWithPrisma,
} from "../../app/models/analytics.server";
import { applyOrders, applyRefunds, deleteCustomer, deleteOrder } from "../../app/models/ledger.server";
import type { LedgerOrder } from "../../app/domain/ledger-types";
import { recomputeShop } from "../../app/services/recompute.server";
import { shopAnalytics, type PeriodChoice } from "../../app/services/analytics.server";
import { DAY, loadGeneratedShop } from "./recompute-fixtures";

const A = "analytics-a.myshopify.com";
const B = "analytics-b.myshopify.com";
const END = "2025-06-01T00:00:00.000Z";
const NOW = new Date(END);
const TZ = "Asia/Bangkok";

beforeAll(async () => {
  await loadGeneratedShop(A, { preset: "demo", seed: 31, endDate: END, shopDomain: A });
  await loadGeneratedShop(B, { preset: "demo", seed: 32, endDate: END, shopDomain: B, customers: 80 });
  await prisma.shop.update({ where: { shop: A }, data: { timezone: TZ } });
  await recomputeShop(A, { asOf: NOW, reason: "backfill" });
  await recomputeShop(B, { asOf: NOW, reason: "backfill" });
});

// ---- The brute force ---------------------------------------------------------------------------------------------

interface Row {
  customerId: string;
  time: number;
  value: number;
}

/** The ledger's qualifying orders of a shop, by the rule written out: live customer, not test/cancelled/deleted, > 0. */
async function qualifyingRows(shop: string): Promise<Row[]> {
  const deleted = new Set(
    (await prisma.customer.findMany({ where: { shop, deletedAt: { not: null } } })).map((c) => c.id),
  );
  const orders = await prisma.order.findMany({ where: { shop } });
  return orders
    .filter(
      (o) =>
        o.customerId !== null &&
        !deleted.has(o.customerId) &&
        !o.test &&
        o.cancelledAt === null &&
        o.deletedAt === null &&
        o.valueMinor > 0n,
    )
    .map((o) => ({ customerId: o.customerId!, time: o.processedAt.getTime(), value: Number(o.valueMinor) }));
}

const monthKey = (t: number, timeZone: string) =>
  new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit" }).format(t).slice(0, 7);
const nextMonth = (key: string, k: number) => {
  const n = Number(key.slice(0, 4)) * 12 + Number(key.slice(5, 7)) - 1 + k;
  return `${Math.floor(n / 12)}-${String((n % 12) + 1).padStart(2, "0")}`;
};

function bruteForce(rows: Row[], period: { from: number | null; to: number }, timeZone: string) {
  const { from, to } = period;
  const month = (t: number) => monthKey(t, timeZone);
  const length = from === null ? 0 : to - from;
  const inPeriod = (t: number) => (from === null || t >= from) && t < to;
  const inPrevious = (t: number) => from !== null && t >= from - length && t < from;
  const yearFrom = to - 365 * DAY;
  const byCustomer = new Map<string, Row[]>();
  for (const r of rows) if (r.time < to) byCustomer.set(r.customerId, [...(byCustomer.get(r.customerId) ?? []), r]);
  for (const list of byCustomer.values()) list.sort((a, b) => a.time - b.time);
  const customers = [...byCustomer.entries()];

  const S = customers.filter(([, l]) => l.some((o) => inPrevious(o.time))).length;
  const active = customers.filter(([, l]) => l.some((o) => inPeriod(o.time)));
  const E = active.length;
  const N = active.filter(([, l]) => inPeriod(l[0].time)).length;
  const periodOrders = active.flatMap(([, l]) => l.filter((o) => inPeriod(o.time)));
  const revenue = periodOrders.reduce((s, o) => s + o.value, 0);
  const repeat = active.filter(([, l]) => l.filter((o) => inPeriod(o.time)).length >= 2).length;
  const gaps = customers.flatMap(([, l]) =>
    l
      .slice(1)
      .map((o, i) => (inPeriod(o.time) ? (o.time - l[i].time) / DAY : null))
      .filter((g): g is number => g !== null),
  );
  gaps.sort((a, b) => a - b);
  const mid = Math.floor(gaps.length / 2);
  const lifetimes = customers.map(([, l]) => l.reduce((s, o) => s + o.value, 0)).sort((a, b) => a - b);
  const nearest = (p: number) => lifetimes[Math.ceil(p * lifetimes.length) - 1];

  // The year before `to` and the one before it
  const yearActive = customers.filter(([, l]) => l.some((o) => o.time >= yearFrom));
  const yearStart = customers.filter(([, l]) =>
    l.some((o) => o.time >= yearFrom - 365 * DAY && o.time < yearFrom),
  ).length;
  const yearNew = yearActive.filter(([, l]) => l[0].time >= yearFrom).length;
  const yearOrders = yearActive.flatMap(([, l]) => l.filter((o) => o.time >= yearFrom));
  const yearRevenue = yearOrders.reduce((s, o) => s + o.value, 0);
  const yearRetention = yearStart === 0 ? null : ((yearActive.length - yearNew) / yearStart) * 100;
  const lifespan = yearRetention === null ? null : 1 / Math.max(0.1, 1 - yearRetention / 100);
  const predicted =
    lifespan === null || yearOrders.length === 0
      ? null
      : (yearRevenue / yearOrders.length) * (yearOrders.length / yearActive.length) * lifespan;

  // Cohorts: months of the period (all time: from the first order's month) to the month of the last instant
  const firstMonth =
    from !== null ? month(from) : customers.length ? month(Math.min(...customers.map(([, l]) => l[0].time))) : null;
  const lastMonth = month(to - 1);
  const cohorts = [];
  for (let m = firstMonth; m !== null && m <= lastMonth; m = nextMonth(m, 1)) {
    const members = customers.filter(([, l]) => month(l[0].time) === m);
    if (from === null && cohorts.length === 0 && members.length === 0) continue;
    cohorts.push({
      month: m,
      customers: members.length,
      shares: Array.from({ length: 12 }, (_, k) =>
        nextMonth(m!, k) > lastMonth || members.length === 0
          ? null
          : members.filter(([, l]) => l.some((o) => month(o.time) === nextMonth(m!, k))).length / members.length,
      ),
    });
  }
  return {
    customersAtStart: S,
    customersAtEnd: E,
    newCustomers: N,
    retentionRate: S === 0 ? null : ((E - N) / S) * 100,
    repeatCustomers: repeat,
    repeatPurchaseRate: E === 0 ? null : (repeat / E) * 100,
    orders: periodOrders.length,
    revenueMinor: revenue,
    purchaseFrequency: E === 0 ? null : periodOrders.length / E,
    averageOrderValueMinor: periodOrders.length === 0 ? null : Math.round(revenue / periodOrders.length),
    meanDays: gaps.length === 0 ? null : gaps.reduce((s, g) => s + g, 0) / gaps.length,
    medianDays: gaps.length === 0 ? null : gaps.length % 2 ? gaps[mid] : (gaps[mid - 1] + gaps[mid]) / 2,
    intervals: gaps.length,
    historical:
      lifetimes.length === 0
        ? null
        : {
            mean: Math.round(lifetimes.reduce((s, v) => s + v, 0) / lifetimes.length),
            p25: nearest(0.25),
            median: nearest(0.5),
            p75: nearest(0.75),
            p90: nearest(0.9),
            max: lifetimes[lifetimes.length - 1],
          },
    clvCustomers: lifetimes.length,
    predicted,
    yearRetention,
    cohorts,
  };
}

type Figures = Awaited<ReturnType<typeof shopAnalytics>>["all"];

/** The service's figures in the brute force's shape (floats compared to 9 digits, the predicted CLV to a minor unit). */
function expectSame(actual: Figures, expected: ReturnType<typeof bruteForce>) {
  const close = (a: number | null, b: number | null) =>
    a === null || b === null ? expect(a).toBe(b) : expect(a).toBeCloseTo(b, 9);
  expect({
    customersAtStart: actual.customersAtStart,
    customersAtEnd: actual.customersAtEnd,
    newCustomers: actual.newCustomers,
    repeatCustomers: actual.repeatCustomers,
    orders: actual.orders,
    revenueMinor: actual.revenueMinor,
    averageOrderValueMinor: actual.averageOrderValueMinor,
    intervals: actual.timeBetweenPurchases.intervals,
    clvCustomers: actual.historicalClv.customers,
    cohorts: actual.cohorts,
  }).toEqual({
    customersAtStart: expected.customersAtStart,
    customersAtEnd: expected.customersAtEnd,
    newCustomers: expected.newCustomers,
    repeatCustomers: expected.repeatCustomers,
    orders: expected.orders,
    revenueMinor: expected.revenueMinor,
    averageOrderValueMinor: expected.averageOrderValueMinor,
    intervals: expected.intervals,
    clvCustomers: expected.clvCustomers,
    cohorts: expected.cohorts,
  });
  close(actual.retentionRate, expected.retentionRate);
  close(actual.repeatPurchaseRate, expected.repeatPurchaseRate);
  close(actual.purchaseFrequency, expected.purchaseFrequency);
  close(actual.timeBetweenPurchases.meanDays, expected.meanDays);
  close(actual.timeBetweenPurchases.medianDays, expected.medianDays);
  close(actual.predictedClv.retentionRate, expected.yearRetention);
  expect(actual.historicalClv.meanMinor).toBe(expected.historical?.mean ?? null);
  expect(actual.historicalClv.distribution).toEqual(
    expected.historical && {
      p25: expected.historical.p25,
      median: expected.historical.median,
      p75: expected.historical.p75,
      p90: expected.historical.p90,
      max: expected.historical.max,
    },
  );
  if (expected.predicted === null) expect(actual.predictedClv.valueMinor).toBeNull();
  else expect(Math.abs(actual.predictedClv.valueMinor! - expected.predicted)).toBeLessThanOrEqual(0.5 + 1e-6);
}

/** The brute force for every group the service reports: the shop, each current segment, each current tier. */
async function checkAgainstBruteForce(shop: string, choice: PeriodChoice) {
  const result = await shopAnalytics(shop, choice, NOW);
  const period = {
    from: result.period.from === null ? null : Date.parse(result.period.from),
    to: Date.parse(result.period.to),
  };
  const rows = await qualifyingRows(shop);
  // The brute force reads the shop's time zone itself (A: Bangkok; B: none, so UTC)
  const timeZone = (await prisma.shop.findUniqueOrThrow({ where: { shop } })).timezone ?? "UTC";
  expect(result.timeZone).toBe(timeZone);
  const states = new Map((await prisma.customerState.findMany({ where: { shop } })).map((s) => [s.customerId, s]));
  expectSame(result.all, bruteForce(rows, period, timeZone));
  for (const { key, figures } of result.segments) {
    expectSame(
      figures,
      bruteForce(
        rows.filter((r) => (states.get(r.customerId)?.segment ?? "prospect") === key),
        period,
        timeZone,
      ),
    );
  }
  for (const { key, figures } of result.tiers) {
    expectSame(
      figures,
      bruteForce(
        rows.filter((r) => (states.get(r.customerId)?.tier ?? "") === key),
        period,
        timeZone,
      ),
    );
  }
  return { result, rows };
}

describe("analytics of a generated shop", () => {
  it("equals the brute force for a custom year, per segment and per tier, with months in the shop's time zone", async () => {
    // Given shop A (time zone Bangkok) and the period 1 Jun 2024 – 31 May 2025
    const { result, rows } = await checkAgainstBruteForce(A, {
      preset: "custom",
      from: "2024-06-01",
      to: "2025-05-31",
    });
    // Then the period starts at midnight in Bangkok, and the data is not trivial
    expect(result.period).toEqual({ from: "2024-05-31T17:00:00.000Z", to: "2025-05-31T17:00:00.000Z" });
    expect(rows.length).toBeGreaterThan(200);
    expect(result.all.customersAtStart).toBeGreaterThan(0);
    expect(result.all.repeatCustomers).toBeGreaterThan(0);
    expect(result.all.cohorts).toHaveLength(12);
    expect(result.segments.filter((s) => s.figures.customersAtEnd > 0).length).toBeGreaterThan(3);
    expect(result.tiers.filter((s) => s.figures.customersAtEnd > 0).length).toBeGreaterThan(1);
  });

  it("equals the brute force for all time and for the last 30 days", async () => {
    const { result } = await checkAgainstBruteForce(A, { preset: "all" });
    expect(result.all.retentionRate).toBeNull();
    expect(result.previous).toBeNull();
    await checkAgainstBruteForce(A, { preset: "30" });
    await checkAgainstBruteForce(B, { preset: "365" });
  });

  it("leaves out cancelled, test, refunded-to-zero and deleted orders, and deleted customers", async () => {
    // Given the ledger's orders that do not qualify
    const all = await prisma.order.findMany({ where: { shop: A } });
    expect(all.filter((o) => o.cancelledAt !== null).length).toBeGreaterThan(0);
    expect(all.filter((o) => o.test).length).toBeGreaterThan(0);
    // When a customer gets one more of each kind inside the period
    const choice: PeriodChoice = { preset: "custom", from: "2025-01-01", to: "2025-05-31" };
    const before = await shopAnalytics(A, choice, NOW);
    const someone = (await prisma.customerState.findFirstOrThrow({ where: { shop: A, segment: "champions" } }))
      .customerId;
    const base = { shop: A, customerId: someone, processedAt: new Date("2025-03-03T03:00:00Z"), currencyCode: "USD" };
    await prisma.order.createMany({
      data: [
        {
          ...base,
          id: "gid://shopify/Order/990001",
          cancelledAt: new Date("2025-03-04T00:00:00Z"),
          currentTotalMinor: 5000n,
          valueMinor: 5000n,
        },
        { ...base, id: "gid://shopify/Order/990002", test: true, currentTotalMinor: 5000n, valueMinor: 5000n },
        { ...base, id: "gid://shopify/Order/990003", currentTotalMinor: 0n, valueMinor: 0n },
        {
          ...base,
          id: "gid://shopify/Order/990004",
          deletedAt: new Date("2025-03-05T00:00:00Z"),
          currentTotalMinor: 5000n,
          valueMinor: 5000n,
        },
      ],
    });
    // Then no figure moves
    try {
      expect(await shopAnalytics(A, choice, NOW)).toEqual(before);
    } finally {
      await prisma.order.deleteMany({ where: { shop: A, id: { startsWith: "gid://shopify/Order/99000" } } });
    }
    // And when that customer is deleted, their orders leave with them
    await prisma.customer.update({
      where: { shop_id: { shop: A, id: someone } },
      data: { deletedAt: new Date("2025-05-05T00:00:00Z") },
    });
    try {
      const after = await shopAnalytics(A, choice, NOW);
      expect(after.all.historicalClv.customers).toBe(before.all.historicalClv.customers - 1);
      await checkAgainstBruteForce(A, choice);
    } finally {
      await prisma.customer.update({ where: { shop_id: { shop: A, id: someone } }, data: { deletedAt: null } });
    }
  });

  it("never counts another shop's orders (tenancy)", async () => {
    // Given a customer of shop A
    const inA = await prisma.customer.findFirstOrThrow({ where: { shop: A, deletedAt: null }, orderBy: { id: "asc" } });
    const choice: PeriodChoice = { preset: "custom", from: "2025-01-01", to: "2025-05-31" };
    const before = await shopAnalytics(A, choice, NOW);
    // When shop B gets a large order for the same customer id inside A's period (through the ledger's write path,
    // which keeps B's aggregates current: the page reads those)
    await applyOrders(B, [
      {
        id: "gid://shopify/Order/880001",
        customerId: inA.id,
        name: "#880001",
        processedAt: new Date("2025-04-04T04:00:00Z"),
        cancelledAt: null,
        test: false,
        currencyCode: "USD",
        currentTotalMinor: 9_999_900,
        discountCodes: [],
        discountMinor: 0,
        sourceUpdatedAt: new Date("2025-04-04T04:00:00Z"),
      },
    ]);
    // Then A's figures do not move, and B's still equal B's own brute force (which counts the new order)
    try {
      expect(await shopAnalytics(A, choice, NOW)).toEqual(before);
      await checkAgainstBruteForce(B, choice);
      expect((await readOrderLedgerFromAggregates(B, NOW.getTime()))?.customerIds).toContain(inA.id);
    } finally {
      await deleteOrder(B, "gid://shopify/Order/880001", NOW);
    }
  });

  it("reads the same ledger through the SQLite statement and through Prisma", async () => {
    const to = NOW.getTime();
    const sorted = (l: Awaited<ReturnType<typeof readOrderLedger>>) =>
      l.customerIds
        .map((id, i) => ({
          id,
          segment: l.segments[i],
          tier: l.tiers[i],
          orders: [...l.times.subarray(l.offsets[i], l.offsets[i + 1])].map((t, j) => [t, l.values[l.offsets[i] + j]]),
        }))
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const fast = sorted(await readOrderLedger(A, to));
    expect(fast.length).toBeGreaterThan(50);
    expect(fast).toEqual(sorted(await readOrderLedgerWithPrisma(A, to)));
  });
});

describe("the page's read from the maintained aggregates", () => {
  const asRows = (l: Awaited<ReturnType<typeof readOrderLedger>>) =>
    l.customerIds.map((id, i) => ({
      id,
      segment: l.segments[i],
      tier: l.tiers[i],
      orders: [...l.times.subarray(l.offsets[i], l.offsets[i + 1])].map((t, j) => [t, l.values[l.offsets[i] + j]]),
    }));
  const byId = (rows: ReturnType<typeof asRows>) => [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  // Moments around the orders changed below, the start of the data and after every order.
  const moments = [
    "2024-01-01T00:00:00Z",
    "2025-03-01T00:00:00Z",
    "2025-04-04T04:00:00.001Z",
    END,
    "2026-01-01T00:00:00Z",
  ];

  /** Aggregates read = the ledger's orders (SQLite statement and Prisma) at every moment; returns customers seen. */
  async function expectParity(shop: string) {
    let customers = 0;
    for (const moment of moments) {
      const to = new Date(moment).getTime();
      const fromAggregates = await readOrderLedgerFromAggregates(shop, to);
      expect(fromAggregates).not.toBeNull();
      const expected = byId(asRows(await readOrderLedger(shop, to)));
      expect(asRows(fromAggregates!)).toEqual(expected);
      expect(byId(asRows(await readOrderLedgerWithPrisma(shop, to)))).toEqual(expected);
      customers = Math.max(customers, expected.length);
    }
    return customers;
  }

  it("equals the ledger's orders at every moment, after refunds, a cancellation, a reassignment and deletes", async () => {
    // Given shop B as loaded and scored (its aggregates rebuilt by the run)
    expect(await expectParity(B)).toBeGreaterThan(20);
    // When its ledger changes through the write path: a whole refund, a partial refund, a cancellation, an order moved
    // to another customer, a deleted order and a deleted customer
    const orders = (
      await prisma.order.findMany({
        where: { shop: B, deletedAt: null, cancelledAt: null, test: false, valueMinor: { gt: 1000n } },
        orderBy: { id: "asc" },
      })
    ).filter((o) => o.customerId !== null);
    expect(orders.length).toBeGreaterThan(6);
    const version = (o: (typeof orders)[number], change: Partial<LedgerOrder>): LedgerOrder => ({
      id: o.id,
      customerId: o.customerId,
      name: o.name,
      processedAt: o.processedAt,
      cancelledAt: o.cancelledAt,
      test: o.test,
      currencyCode: o.currencyCode,
      currentTotalMinor: Number(o.currentTotalMinor),
      discountCodes: [],
      discountMinor: 0,
      sourceUpdatedAt: new Date(END),
      ...change,
    });
    const later = new Date("2025-06-02T00:00:00Z");
    await applyRefunds(B, [
      {
        id: "gid://shopify/Refund/770001",
        orderId: orders[0].id,
        createdAt: later,
        amountMinor: Number(orders[0].valueMinor),
        currencyCode: orders[0].currencyCode,
      },
      {
        id: "gid://shopify/Refund/770002",
        orderId: orders[1].id,
        createdAt: later,
        amountMinor: 500,
        currencyCode: orders[1].currencyCode,
      },
    ]);
    const someoneElse = orders.find((o) => o.customerId !== orders[3].customerId)!.customerId;
    await applyOrders(B, [
      version(orders[2], { cancelledAt: later, sourceUpdatedAt: later }),
      version(orders[3], { customerId: someoneElse, sourceUpdatedAt: later }),
    ]);
    await deleteOrder(B, orders[4].id, later);
    const gone = orders[5].customerId!;
    await deleteCustomer(B, gone, later);
    // Then the aggregates still read as the ledger does, the deleted customer is in neither, and refunds count
    await expectParity(B);
    const now = (await readOrderLedgerFromAggregates(B, new Date("2026-01-01T00:00:00Z").getTime()))!;
    expect(now.customerIds).not.toContain(gone);
    expect(now.values).not.toContain(Number(orders[1].valueMinor));
    // And the page's figures equal the brute force
    await checkAgainstBruteForce(B, { preset: "custom", from: "2025-01-01", to: "2025-05-31" });
  });

  it("is not used while bulk writes have left the shop's aggregates stale (the page reads the ledger)", async () => {
    await prisma.customerAggregateBuild.update({ where: { shop: B }, data: { stale: { increment: 1 } } });
    try {
      expect(await readOrderLedgerFromAggregates(B, NOW.getTime())).toBeNull();
      expect(await readOrderLedgerFromAggregates("never-built.myshopify.com", NOW.getTime())).toBeNull();
      await checkAgainstBruteForce(B, { preset: "all" });
    } finally {
      await prisma.customerAggregateBuild.update({ where: { shop: B }, data: { stale: 0 } });
    }
  });
});

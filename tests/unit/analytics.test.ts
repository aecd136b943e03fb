// Customer analytics (docs/analytics.md) on small ledgers whose figures are worked out by hand in the comments:
// retention, repeat purchase rate, purchase frequency, AOV, time between purchases, CLV, cohorts, periods.
import { describe, expect, it } from "vitest";
import {
  computeAnalytics,
  median,
  parsePeriodChoice,
  percentile,
  predictedClv,
  resolvePeriod,
  retentionRate,
  type OrderColumns,
} from "../../app/domain/analytics";

const at = (iso: string) => Date.parse(iso);

interface TestCustomer {
  orders: [string, number][];
  segment?: string;
  tier?: string | null;
}

/** Column-wise orders and groups from a readable list of customers (orders in time order). */
function ledger(customers: TestCustomer[]): [OrderColumns, { segments: string[]; tiers: (string | null)[] }] {
  const offsets = [0];
  const times: number[] = [];
  const values: number[] = [];
  for (const c of customers) {
    for (const [iso, value] of c.orders) {
      times.push(at(iso));
      values.push(value);
    }
    offsets.push(times.length);
  }
  return [
    { offsets: Int32Array.from(offsets), times: Float64Array.from(times), values: Float64Array.from(values) },
    { segments: customers.map((c) => c.segment ?? "prospect"), tiers: customers.map((c) => c.tier ?? null) },
  ];
}

describe("retention rate primitive", () => {
  it("gives the textbook case: 100 at the start, 120 at the end, 40 of them new → 80 %", () => {
    // Given S = 100, E = 120, N = 40 / When the retention rate is taken / Then (120 − 40) / 100 × 100 = 80
    expect(retentionRate(100, 120, 40)).toBe(80);
  });

  it("is undefined without customers at the start, and refuses impossible counts", () => {
    expect(retentionRate(0, 10, 10)).toBeNull();
    expect(() => retentionRate(10, 5, 6)).toThrow(RangeError);
    expect(() => retentionRate(-1, 5, 0)).toThrow(RangeError);
  });
});

describe("simple CLV model primitive", () => {
  it("multiplies AOV, purchases per year and lifespan = 1 / churn", () => {
    // Given AOV 50.00, 2 orders a year, retention 60 % → churn 0.4 → lifespan 2.5 years
    // Then CLV = 5000 × 2 × 2.5 = 25000 minor units
    const clv = predictedClv(5000, 2, 60);
    expect(clv.churn).toBeCloseTo(0.4, 12);
    expect(clv.lifespanYears).toBeCloseTo(2.5, 12);
    expect(clv.valueMinor).toBe(25000);
  });

  it("floors churn at 0.1, so a lifespan is at most 10 years, even when retention exceeds 100 %", () => {
    // Given retention 95 % (churn 0.05) and 150 % (churn −0.5) / Then churn 0.1, lifespan 10, CLV 5000 × 2 × 10
    expect(predictedClv(5000, 2, 95)).toMatchObject({ churn: 0.1, lifespanYears: 10, valueMinor: 100000 });
    expect(predictedClv(5000, 2, 150)).toMatchObject({ churn: 0.1, lifespanYears: 10, valueMinor: 100000 });
  });

  it("has no value when the year's retention is undefined", () => {
    expect(predictedClv(5000, 2, null)).toMatchObject({ churn: null, lifespanYears: null, valueMinor: null });
  });
});

describe("median and percentiles", () => {
  it("takes the middle value, or the mean of the two middle ones", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([90, 15, 64, 23])).toBe(43.5);
    expect(median([])).toBeNull();
    expect(median([7, 7, 7, 7, 1, 9])).toBe(7);
  });

  it("uses the nearest rank for percentiles", () => {
    // ⌈0.25 × 5⌉ = 2nd, ⌈0.9 × 5⌉ = 5th smallest
    expect(percentile([1000, 6000, 6000, 8000, 18000], 0.25)).toBe(6000);
    expect(percentile([1000, 6000, 6000, 8000, 18000], 0.9)).toBe(18000);
  });
});

// The period [1 Mar 2025, 1 Apr 2025) UTC, 31 days; the previous period is [29 Jan 2025, 1 Mar 2025).
const MARCH = { from: at("2025-03-01T00:00:00Z"), to: at("2025-04-01T00:00:00Z") };
const SHOP: TestCustomer[] = [
  // A: in the previous period and twice in the period
  {
    orders: [
      ["2025-02-10T12:00:00Z", 10000],
      ["2025-03-05T12:00:00Z", 5000],
      ["2025-03-20T12:00:00Z", 3000],
    ],
    segment: "loyal",
    tier: "gold",
  },
  // B: last ordered before the previous period, comes back in the period (reactivated)
  {
    orders: [
      ["2025-01-05T12:00:00Z", 2000],
      ["2025-03-10T12:00:00Z", 4000],
    ],
    segment: "at_risk",
    tier: "member",
  },
  // C: first order ever in the period (new)
  { orders: [["2025-03-15T12:00:00Z", 6000]], segment: "new", tier: "member" },
  // D: only in the previous period (lost)
  { orders: [["2025-02-20T12:00:00Z", 1000]], segment: "hibernating", tier: "member" },
  // E: a single order exactly at `to`: outside the period and outside everything before `to`
  { orders: [["2025-04-01T00:00:00Z", 9900]], segment: "new", tier: null },
  // F: an order exactly at `from` (inside) and one long before
  {
    orders: [
      ["2024-12-01T00:00:00Z", 1000],
      ["2025-03-01T00:00:00Z", 7000],
    ],
    segment: "loyal",
    tier: "silver",
  },
];

describe("figures for a period", () => {
  const [orders, groups] = ledger(SHOP);
  const result = computeAnalytics(orders, groups, MARCH, {
    segmentKeys: ["champions", "loyal"],
    tierKeys: ["member", "silver", "gold", ""],
  });

  it("counts S, E and N and the retention rate (E − N) / S × 100", () => {
    // S: A and D ordered in [29 Jan, 1 Mar) → 2 (B's 5 Jan and F's 1 Dec are earlier)
    // E: A, B, C and F (at `from` exactly) → 4; E's order at `to` is out
    // N: C → 1
    // Retention: (4 − 1) / 2 × 100 = 150 % (B and F came back without being in S: the formula allows > 100 %)
    expect(result.all).toMatchObject({ customersAtStart: 2, customersAtEnd: 4, newCustomers: 1, retentionRate: 150 });
    expect(result.previous).toEqual({ from: at("2025-01-29T00:00:00Z"), to: MARCH.from });
  });

  it("gives the repeat purchase rate, purchase frequency and average order value", () => {
    // Orders in the period: A 2, B 1, C 1, F 1 = 5 worth 5000 + 3000 + 4000 + 6000 + 7000 = 25000
    // Repeat: A only → 1 / 4 = 25 %; frequency 5 / 4 = 1.25; AOV 25000 / 5 = 5000
    expect(result.all).toMatchObject({
      repeatCustomers: 1,
      repeatPurchaseRate: 25,
      orders: 5,
      revenueMinor: 25000,
      purchaseFrequency: 1.25,
      averageOrderValueMinor: 5000,
    });
  });

  it("measures time between purchases where the later order is in the period", () => {
    // A: 10 Feb → 5 Mar = 23 days, 5 Mar → 20 Mar = 15 days; B: 5 Jan → 10 Mar = 64 days; F: 1 Dec → 1 Mar = 90 days
    // Mean (15 + 23 + 64 + 90) / 4 = 48; median (23 + 64) / 2 = 43.5
    expect(result.all.timeBetweenPurchases).toEqual({ intervals: 4, meanDays: 48, medianDays: 43.5 });
  });

  it("gives historical CLV over every customer with an order before `to`, with its distribution", () => {
    // Lifetime values: A 18000, B 6000, C 6000, D 1000, F 8000 (E has nothing before `to`) → mean 39000 / 5 = 7800
    // Sorted 1000, 6000, 6000, 8000, 18000: p25 2nd = 6000, median 3rd = 6000, p75 4th = 8000, p90 5th = 18000
    expect(result.all.historicalClv).toEqual({
      customers: 5,
      meanMinor: 7800,
      distribution: { p25: 6000, median: 6000, p75: 8000, p90: 18000, max: 18000 },
    });
  });

  it("computes the same figures per current segment and per tier", () => {
    // Tier member: B, C, D. S: D → 1; E: B, C → 2; N: C → 1 → (2 − 1) / 1 = 100 %; orders 2 worth 10000
    expect(result.tiers.member).toMatchObject({
      customersAtStart: 1,
      customersAtEnd: 2,
      newCustomers: 1,
      retentionRate: 100,
      orders: 2,
      revenueMinor: 10000,
      averageOrderValueMinor: 5000,
    });
    // Segment loyal: A and F. S: A → 1; E: A, F → 2; N: 0 → 200 %; 3 orders worth 15000; A repeats → 50 %
    expect(result.segments.loyal).toMatchObject({
      customersAtStart: 1,
      customersAtEnd: 2,
      newCustomers: 0,
      retentionRate: 200,
      repeatPurchaseRate: 50,
      orders: 3,
      revenueMinor: 15000,
    });
    // Segment new: C (E counts for nothing: its only order is at `to`)
    expect(result.segments.new).toMatchObject({
      customersAtEnd: 1,
      newCustomers: 1,
      retentionRate: null,
      historicalClv: { customers: 1, meanMinor: 6000 },
    });
    // A segment asked for but without customers is reported, empty
    expect(result.segments.champions).toMatchObject({
      customersAtEnd: 0,
      retentionRate: null,
      repeatPurchaseRate: null,
      purchaseFrequency: null,
      averageOrderValueMinor: null,
    });
    expect(result.tiers[""]).toMatchObject({
      customersAtEnd: 0,
      historicalClv: { customers: 0, meanMinor: null, distribution: null },
    });
    expect(Object.keys(result.tiers)).toEqual(["member", "silver", "gold", ""]);
  });

  it("ignores orders at or after `to` even when they are handed over", () => {
    // Given the same shop with one more order of A exactly at `to` / Then nothing changes
    const more = SHOP.map((c, i) =>
      i === 0 ? { ...c, orders: [...c.orders, ["2025-04-01T00:00:00Z", 99999] as [string, number]] } : c,
    );
    const [o, g] = ledger(more);
    expect(computeAnalytics(o, g, MARCH).all).toEqual(computeAnalytics(orders, groups, MARCH).all);
  });

  it("refuses orders out of time order", () => {
    const [o, g] = ledger([
      {
        orders: [
          ["2025-03-05T00:00:00Z", 1],
          ["2025-03-01T00:00:00Z", 1],
        ],
      },
    ]);
    expect(() => computeAnalytics(o, g, MARCH)).toThrow(/time order/);
  });
});

describe("an empty shop", () => {
  it("has zero counts and no rates, averages or CLV", () => {
    // Given no customer at all
    const [orders, groups] = ledger([]);
    // When the analytics of March are computed
    const result = computeAnalytics(orders, groups, MARCH);
    // Then every count is 0 and every ratio is undefined; March is a cohort month of nobody
    expect(result.all).toMatchObject({
      customersAtStart: 0,
      customersAtEnd: 0,
      newCustomers: 0,
      retentionRate: null,
      repeatPurchaseRate: null,
      orders: 0,
      revenueMinor: 0,
      purchaseFrequency: null,
      averageOrderValueMinor: null,
      timeBetweenPurchases: { intervals: 0, meanDays: null, medianDays: null },
      historicalClv: { customers: 0, meanMinor: null, distribution: null },
      predictedClv: { valueMinor: null, retentionRate: null },
    });
    expect(result.all.cohorts).toEqual([{ month: "2025-03", customers: 0, shares: Array(12).fill(null) }]);
    // And all time has no cohort month at all
    expect(computeAnalytics(orders, groups, { from: null, to: MARCH.to }).all.cohorts).toEqual([]);
  });
});

describe("predicted CLV over the year before `to`", () => {
  it("uses the year's retention, AOV and frequency", () => {
    // Given `to` = 1 Jan 2025: the year is [2 Jan 2024, 1 Jan 2025) (2024 has 366 days), the year before [2 Jan 2023, 2 Jan 2024)
    const [orders, groups] = ledger([
      {
        orders: [
          ["2023-06-01T00:00:00Z", 10000],
          ["2024-06-01T00:00:00Z", 10000],
          ["2024-09-01T00:00:00Z", 10000],
        ],
      }, // both years, 2 orders in the year
      { orders: [["2023-07-01T00:00:00Z", 5000]] }, // the year before only
      { orders: [["2024-03-01T00:00:00Z", 20000]] }, // new in the year
      {
        orders: [
          ["2023-08-01T00:00:00Z", 1000],
          ["2024-02-01T00:00:00Z", 10000],
        ],
      }, // both years
    ]);
    const result = computeAnalytics(orders, groups, {
      from: at("2024-12-01T00:00:00Z"),
      to: at("2025-01-01T00:00:00Z"),
    });
    // Then S = 3, E = 3, N = 1 → retention 66.67 %, churn 1/3, lifespan 3 years
    // Orders in the year 4 worth 50000: AOV 12500, 4/3 orders per customer → CLV 12500 × 4/3 × 3 = 50000
    const clv = result.all.predictedClv;
    expect(clv.retentionRate).toBeCloseTo(200 / 3, 10);
    expect(clv.churn).toBeCloseTo(1 / 3, 10);
    expect(clv.lifespanYears).toBeCloseTo(3, 10);
    expect(clv).toMatchObject({
      averageOrderValueMinor: 12500,
      yearCustomers: 3,
      yearOrders: 4,
      yearRevenueMinor: 50000,
      valueMinor: 50000,
    });
    expect(clv.ordersPerYear).toBeCloseTo(4 / 3, 12);
  });
});

describe("cohorts by first-order month", () => {
  // Bangkok is UTC+7 all year. The period is January and February 2025 on the shop's wall clock.
  const TZ = "Asia/Bangkok";
  const PERIOD = { from: at("2024-12-31T17:00:00Z"), to: at("2025-02-28T17:00:00Z") };
  const [orders, groups] = ledger([
    // X: first order 1 Jan 01:00 in Bangkok (still 31 Dec in UTC) → January cohort; orders again in February (+1)
    {
      orders: [
        ["2024-12-31T18:00:00Z", 100],
        ["2025-02-10T05:00:00Z", 100],
      ],
    },
    // Y: January cohort, nothing after
    { orders: [["2025-01-20T10:00:00Z", 100]] },
    // Z: February cohort; its second order is 1 Mar 00:30 in Bangkok, at/after `to`: not seen
    {
      orders: [
        ["2025-02-05T10:00:00Z", 100],
        ["2025-02-28T17:30:00Z", 100],
      ],
    },
    // W: December cohort (before the period's months), orders in January (+1)
    {
      orders: [
        ["2024-12-15T10:00:00Z", 100],
        ["2025-01-10T10:00:00Z", 100],
      ],
    },
  ]);

  it("shows each month of the period with the share of its cohort ordering in each month after; unseen months empty", () => {
    const nulls = (n: number) => Array(n).fill(null);
    // January: X, Y → 2; month +0 both (100 %), +1 X (50 %), +2 (March) starts at `to`: not observed
    // February: Z → 1; +0 100 %, +1 not observed
    expect(computeAnalytics(orders, groups, PERIOD, { timeZone: TZ }).all.cohorts).toEqual([
      { month: "2025-01", customers: 2, shares: [1, 0.5, ...nulls(10)] },
      { month: "2025-02", customers: 1, shares: [1, ...nulls(11)] },
    ]);
  });

  it("starts all time at the month of the first order", () => {
    // December: W → 1; +0 100 %, +1 (January) W → 100 %, +2 (February) 0 %, then not observed
    const cohorts = computeAnalytics(orders, groups, { from: null, to: PERIOD.to }, { timeZone: TZ }).all.cohorts;
    expect(cohorts.map((c) => c.month)).toEqual(["2024-12", "2025-01", "2025-02"]);
    expect(cohorts[0]).toEqual({ month: "2024-12", customers: 1, shares: [1, 1, 0, ...Array(9).fill(null)] });
  });

  it("reads months in UTC when the shop has no time zone", () => {
    // In UTC, X's first order (31 Dec 18:00) is in December, so January keeps Y only
    const cohorts = computeAnalytics(orders, groups, {
      from: at("2025-01-01T00:00:00Z"),
      to: at("2025-03-01T00:00:00Z"),
    }).all.cohorts;
    expect(cohorts[0]).toMatchObject({ month: "2025-01", customers: 1 });
  });
});

describe("periods", () => {
  it("reads presets and custom dates from the query string, refusing nonsense", () => {
    expect(parsePeriodChoice({ period: null, from: null, to: null })).toEqual({ ok: true, choice: { preset: "365" } });
    expect(parsePeriodChoice({ period: "all", from: null, to: null })).toEqual({ ok: true, choice: { preset: "all" } });
    expect(parsePeriodChoice({ period: "custom", from: "2025-01-01", to: "2025-01-31" })).toEqual({
      ok: true,
      choice: { preset: "custom", from: "2025-01-01", to: "2025-01-31" },
    });
    expect(parsePeriodChoice({ period: "7", from: null, to: null })).toEqual({ ok: false, error: "unknownPeriod" });
    expect(parsePeriodChoice({ period: "custom", from: "2025-01-01", to: null })).toEqual({
      ok: false,
      error: "missingDate",
    });
    expect(parsePeriodChoice({ period: "custom", from: "2025-02-30", to: "2025-03-01" })).toEqual({
      ok: false,
      error: "invalidDate",
    });
    expect(parsePeriodChoice({ period: "custom", from: "yesterday", to: "2025-03-01" })).toEqual({
      ok: false,
      error: "invalidDate",
    });
    expect(parsePeriodChoice({ period: "custom", from: "1969-12-31", to: "2025-03-01" })).toEqual({
      ok: false,
      error: "invalidDate",
    });
    expect(parsePeriodChoice({ period: "custom", from: "2025-01-01", to: "9999-12-31" })).toEqual({
      ok: false,
      error: "invalidDate",
    });
    expect(parsePeriodChoice({ period: "custom", from: "2025-03-02", to: "2025-03-01" })).toEqual({
      ok: false,
      error: "fromAfterTo",
    });
  });

  it("makes 'last 30 days' the 30 days ending today on the shop's wall clock", () => {
    // 15 Mar 10:00 UTC: today is 15 Mar in UTC → [14 Feb, 16 Mar)
    expect(resolvePeriod({ preset: "30" }, at("2025-03-15T10:00:00Z"), "UTC")).toEqual({
      from: at("2025-02-14T00:00:00Z"),
      to: at("2025-03-16T00:00:00Z"),
    });
    // 15 Mar 20:00 UTC is 16 Mar 03:00 in Bangkok → [15 Feb, 17 Mar) Bangkok time
    expect(resolvePeriod({ preset: "30" }, at("2025-03-15T20:00:00Z"), "Asia/Bangkok")).toEqual({
      from: at("2025-02-14T17:00:00Z"),
      to: at("2025-03-16T17:00:00Z"),
    });
    expect(resolvePeriod({ preset: "all" }, at("2025-03-15T10:00:00Z"), "UTC")).toEqual({
      from: null,
      to: at("2025-03-16T00:00:00Z"),
    });
  });

  it("includes both custom days, and follows daylight saving time", () => {
    expect(resolvePeriod({ preset: "custom", from: "2025-01-01", to: "2025-01-31" }, 0, "UTC")).toEqual({
      from: at("2025-01-01T00:00:00Z"),
      to: at("2025-02-01T00:00:00Z"),
    });
    // New York: 1 Mar is EST (−5), 1 Apr is EDT (−4)
    expect(resolvePeriod({ preset: "custom", from: "2025-03-01", to: "2025-03-31" }, 0, "America/New_York")).toEqual({
      from: at("2025-03-01T05:00:00Z"),
      to: at("2025-04-01T04:00:00Z"),
    });
  });
});

// The pipeline's pure parts (docs/predictions.md#pipeline): purchase days on the shop's wall clock (DST, zones far
// from UTC), the per-customer summaries, the settings, the too-small rule, rounding, bands and the predictions.
import { describe, expect, it } from "vitest";
import { bgnbdConditionalExpectedPurchases, bgnbdProbabilityAlive } from "../../app/domain/predictions/bgnbd";
import {
  civilDayNumber,
  dayIndexer,
  purchaseDaysBetween,
  summariseCustomer,
  type CustomerSummary,
} from "../../app/domain/predictions/purchase-days";
import {
  DEFAULT_PREDICTION_SETTINGS,
  storedPredictionSettings,
  validatePredictionSettings,
} from "../../app/domain/predictions/settings";
import {
  bandCuts,
  bandOf,
  discountedPurchases,
  fitShop,
  predictCustomers,
  roundHalfEven,
  runBacktest,
  WEEKS_365_DAYS,
  WEEKS_90_DAYS,
} from "../../app/domain/predictions/shop-fit";
import { mulberry32, simulateBgNbd, simulateMeanSpend } from "../../app/domain/predictions/simulate";
import { localDateAt } from "../../app/domain/time";

const day = (iso: string) => {
  const [y, m, d] = iso.split("-").map(Number);
  return civilDayNumber(y, m, d);
};
const at = (iso: string) => Date.parse(iso);

describe("purchase days on the shop's wall clock", () => {
  it("counts civil days from 1970-01-01", () => {
    expect(day("1970-01-01")).toBe(0);
    expect(day("1970-01-02")).toBe(1);
    expect(day("1969-12-31")).toBe(-1);
    expect(day("2026-03-09") - day("2026-03-08")).toBe(1);
  });

  it("follows New York across both daylight-saving changes", () => {
    const ny = dayIndexer("America/New_York");
    // Spring forward on 8 March 2026 at 02:00 EST (07:00 UTC): before, midnight is 05:00 UTC; after, 04:00 UTC.
    expect(ny(at("2026-03-08T04:59:59.999Z"))).toBe(day("2026-03-07"));
    expect(ny(at("2026-03-08T05:00:00.000Z"))).toBe(day("2026-03-08"));
    expect(ny(at("2026-03-09T03:59:59.999Z"))).toBe(day("2026-03-08"));
    expect(ny(at("2026-03-09T04:00:00.000Z"))).toBe(day("2026-03-09"));
    // Fall back on 1 November 2026 at 02:00 EDT (06:00 UTC): that day lasts 25 hours.
    expect(ny(at("2026-11-01T03:59:59.999Z"))).toBe(day("2026-10-31"));
    expect(ny(at("2026-11-01T04:00:00.000Z"))).toBe(day("2026-11-01"));
    expect(ny(at("2026-11-02T04:59:59.999Z"))).toBe(day("2026-11-01"));
    expect(ny(at("2026-11-02T05:00:00.000Z"))).toBe(day("2026-11-02"));
  });

  it("follows zones far from UTC: Kiritimati (UTC+14), Pago Pago (UTC−11), Bangkok, Kathmandu (+5:45)", () => {
    const kiritimati = dayIndexer("Pacific/Kiritimati");
    expect(kiritimati(at("2026-01-01T09:59:59.999Z"))).toBe(day("2026-01-01"));
    expect(kiritimati(at("2026-01-01T10:00:00.000Z"))).toBe(day("2026-01-02"));
    const pagoPago = dayIndexer("Pacific/Pago_Pago");
    expect(pagoPago(at("2026-01-01T10:59:59.999Z"))).toBe(day("2025-12-31"));
    expect(pagoPago(at("2026-01-01T11:00:00.000Z"))).toBe(day("2026-01-01"));
    const bangkok = dayIndexer("Asia/Bangkok");
    expect(bangkok(at("2026-06-30T16:59:59.999Z"))).toBe(day("2026-06-30"));
    expect(bangkok(at("2026-06-30T17:00:00.000Z"))).toBe(day("2026-07-01"));
    const kathmandu = dayIndexer("Asia/Kathmandu");
    expect(kathmandu(at("2026-06-30T18:14:59.999Z"))).toBe(day("2026-06-30"));
    expect(kathmandu(at("2026-06-30T18:15:00.000Z"))).toBe(day("2026-07-01"));
    expect(dayIndexer("UTC")(at("2026-06-30T23:59:59.999Z"))).toBe(day("2026-06-30"));
  });

  it("gives, with its per-hour memo, the exact local day of every instant of a year (every 7 min 13 s)", () => {
    for (const zone of ["America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "Europe/London"]) {
      const indexer = dayIndexer(zone);
      for (let t = at("2026-01-01T00:00:00Z"); t < at("2027-01-01T00:00:00Z"); t += 433_000) {
        const d = localDateAt(t, zone);
        const got = indexer(t);
        if (got !== civilDayNumber(d.year, d.month, d.day)) expect({ zone, t, got }).toBeNull();
      }
    }
  });
});

describe("a customer's summary", () => {
  it("makes one transaction of one local day's orders (values summed) and measures x, t_x, T in weeks", () => {
    const bangkok = dayIndexer("Asia/Bangkok");
    // Two orders on 1 March in Bangkok although on two UTC days, then 15 March, then 29 March; as of 12 April.
    const times = ["2026-02-28T18:00:00Z", "2026-03-01T10:00:00Z", "2026-03-15T02:00:00Z", "2026-03-29T16:00:00Z"];
    const days = times.map((t) => bangkok(at(t)));
    expect(days[0]).toBe(days[1]);
    const s = summariseCustomer("c1", days, [1000, 550, 2000, 3001], day("2026-04-12"))!;
    expect(s).toEqual({
      customerId: "c1",
      firstDay: day("2026-03-01"),
      lastDay: day("2026-03-29"),
      x: 2,
      tx: 4,
      T: 6,
      m: (2000 + 3001) / 2, // the first day (1550) left out
      totalMinor: 6551,
    });
  });

  it("ignores orders after the as-of day, and is null without any", () => {
    const s = summariseCustomer("c", [day("2026-01-01"), day("2026-02-01")], [100, 200], day("2026-01-15"))!;
    expect(s).toMatchObject({ x: 0, tx: 0, T: 2, m: null, totalMinor: 100 });
    expect(summariseCustomer("c", [day("2026-02-01")], [200], day("2026-01-15"))).toBeNull();
  });

  it("refuses values that are not positive whole minor units", () => {
    expect(() => summariseCustomer("c", [1], [0], 5)).toThrow(RangeError);
    expect(() => summariseCustomer("c", [1], [1.5], 5)).toThrow(RangeError);
    expect(() => summariseCustomer("c", [1, 2], [1], 5)).toThrow(RangeError);
  });

  it("counts distinct purchase days in a holdout", () => {
    expect(purchaseDaysBetween([1, 5, 5, 6, 9, 10], 5, 9)).toBe(2);
  });
});

describe("settings", () => {
  it("accepts the defaults and both band modes", () => {
    expect(validatePredictionSettings(DEFAULT_PREDICTION_SETTINGS)).toEqual({
      ok: true,
      settings: DEFAULT_PREDICTION_SETTINGS,
    });
    const amount = { ...DEFAULT_PREDICTION_SETTINGS, bands: { mode: "amount", highMinor: 50000, mediumMinor: 10000 } };
    expect(validatePredictionSettings(amount).ok).toBe(true);
  });

  it("names each bad field", () => {
    const bad = validatePredictionSettings({
      churnThreshold: 1,
      discountRate: -0.1,
      backtestDays: 10.5,
      bands: { mode: "share", highShare: 0.7, mediumShare: 0.5 },
    });
    expect(bad).toEqual({
      ok: false,
      errors: { churnThreshold: "range", discountRate: "range", backtestDays: "whole", mediumShare: "sum" },
    });
    expect(
      validatePredictionSettings({
        ...DEFAULT_PREDICTION_SETTINGS,
        bands: { mode: "amount", highMinor: 100, mediumMinor: 100 },
      }),
    ).toEqual({ ok: false, errors: { mediumMinor: "order" } });
    expect(validatePredictionSettings({ ...DEFAULT_PREDICTION_SETTINGS, bands: { mode: "x" } })).toEqual({
      ok: false,
      errors: { mode: "range" },
    });
    expect(validatePredictionSettings({ ...DEFAULT_PREDICTION_SETTINGS, backtestDays: 7 })).toEqual({
      ok: false,
      errors: { backtestDays: "range" },
    });
  });

  it("reads stored JSON over the defaults, and falls back to them when it no longer validates", () => {
    expect(storedPredictionSettings(null)).toEqual(DEFAULT_PREDICTION_SETTINGS);
    expect(storedPredictionSettings('{"churnThreshold":0.5}').churnThreshold).toBe(0.5);
    expect(storedPredictionSettings('{"churnThreshold":5}')).toEqual(DEFAULT_PREDICTION_SETTINGS);
    expect(storedPredictionSettings("not json")).toEqual(DEFAULT_PREDICTION_SETTINGS);
  });
});

describe("money and bands", () => {
  it("rounds half to even, once", () => {
    expect([0.5, 1.5, 2.5, 2.4999, 2.5001, 3, 0].map(roundHalfEven)).toEqual([0, 2, 2, 2, 3, 3, 0]);
    expect(() => roundHalfEven(-1)).toThrow(RangeError);
    expect(() => roundHalfEven(Number.NaN)).toThrow(RangeError);
  });

  it("cuts bands by share (ties stay together) and by amount", () => {
    const clvs = [100n, 90n, 80n, 70n, 60n, 50n, 40n, 30n, 20n, 10n];
    const cuts = bandCuts(clvs, { mode: "share", highShare: 0.2, mediumShare: 0.3 });
    expect(cuts).toEqual({ high: 90n, medium: 60n });
    expect(clvs.map((c) => bandOf(c, cuts))).toEqual([
      "high",
      "high",
      "medium",
      "medium",
      "medium",
      "low",
      "low",
      "low",
      "low",
      "low",
    ]);
    expect(bandCuts([5n, 5n, 5n, 1n], { mode: "share", highShare: 0.25, mediumShare: 0 })).toEqual({
      high: 5n,
      medium: 5n,
    });
    expect(bandCuts(clvs, { mode: "amount", highMinor: 75, mediumMinor: 25 })).toEqual({ high: 75n, medium: 25n });
  });
});

/** Simulated summaries as the pipeline makes them: whole days, first days spread over two years before as-of. */
function simulatedShop(n: number, seed: number): CustomerSummary[] {
  const random = mulberry32(seed);
  const asOfDay = 20_000;
  const lengths = Array.from({ length: n }, () => 30 + Math.floor(random() * 700));
  const rfm = simulateBgNbd(
    seed,
    { r: 0.6, alpha: 6, a: 0.7, b: 2.8 },
    lengths.map((d) => d / 7),
  );
  const spends = simulateMeanSpend(
    seed + 1,
    { p: 6, q: 4, gamma: 1500 },
    rfm.map((c) => Math.max(1, c.x)),
  );
  return rfm.map((c, i) => {
    const T = lengths[i];
    const tx = Math.min(T, Math.round(c.tx * 7));
    const x = tx === 0 ? 0 : c.x;
    return {
      customerId: `c${i}`,
      firstDay: asOfDay - T,
      lastDay: asOfDay - T + (x === 0 ? 0 : tx),
      x,
      tx: x === 0 ? 0 : tx / 7,
      T: T / 7,
      m: x > 0 ? Math.round(spends[i]) : null,
      totalMinor: 1,
    };
  });
}

describe("the too-small rule and the predictions", () => {
  it("says why a shop is too small, and never fits it", () => {
    const shop = simulatedShop(2000, 7);
    expect(fitShop(shop.slice(0, 99), 20_000)).toMatchObject({
      status: "too_small",
      reason: "too_few_customers",
      customers: 99,
    });
    const oneTimers = shop.filter((s) => s.x === 0).slice(0, 500);
    expect(fitShop(oneTimers, 20_000)).toMatchObject({
      status: "too_small",
      reason: "too_few_repeaters",
      repeaters: 0,
    });
    const young = shop.filter((s) => s.firstDay >= 20_000 - 60);
    expect(young.length).toBeGreaterThan(0);
    expect(fitShop(young, 20_000, { minCustomers: 1, minRepeaters: 0, minHistoryDays: 90 })).toMatchObject({
      status: "too_small",
      reason: "too_little_history",
    });
  });

  it("fails, with no numbers, when the spend model has no population mean (q ≤ 1: spends with a tail index ≤ 1)", () => {
    const random = mulberry32(4);
    const shop = simulatedShop(3000, 11).map((s) =>
      s.x > 0 ? { ...s, m: Math.round(100 / Math.pow(random(), 1.5)) } : s,
    );
    const fit = fitShop(shop, 20_000);
    expect(fit).toMatchObject({ status: "failed", reason: "gamma_gamma_degenerate", customers: 3000 });
    expect("bgnbd" in fit).toBe(false);
  });

  it("predicts each customer from the fit: P(active), E[X] at 90 and 365 days, CLV rounded once, bands by share", () => {
    const shop = simulatedShop(3000, 11);
    const fit = fitShop(shop, 20_000);
    expect(fit.status).toBe("fitted");
    if (fit.status !== "fitted") return;
    const { predictions, cuts } = predictCustomers(fit, shop, DEFAULT_PREDICTION_SETTINGS);
    expect(predictions).toHaveLength(3000);
    const gg = fit.gammaGamma.params;
    for (const [i, p] of predictions.entries()) {
      const s = shop[i];
      expect(p.pAlive).toBeCloseTo(bgnbdProbabilityAlive(fit.bgnbd.params, s), 12);
      expect(p.expected90).toBeCloseTo(bgnbdConditionalExpectedPurchases(fit.bgnbd.params, s, WEEKS_90_DAYS), 12);
      const e365 = bgnbdConditionalExpectedPurchases(fit.bgnbd.params, s, WEEKS_365_DAYS);
      expect(p.expected365).toBeCloseTo(e365, 12);
      const spend =
        s.x === 0 ? (gg.p * gg.gamma) / (gg.q - 1) : (gg.p * (gg.gamma + s.m! * s.x)) / (gg.p * s.x + gg.q - 1);
      expect(p.avgSpendMinor).toBe(BigInt(roundHalfEven(spend)));
      expect(p.clv12Minor).toBe(BigInt(roundHalfEven(e365 * spend)));
    }
    const high = predictions.filter((p) => p.band === "high").length;
    const medium = predictions.filter((p) => p.band === "medium").length;
    expect(high).toBeGreaterThanOrEqual(600);
    expect(high).toBeLessThan(650);
    expect(high + medium).toBeGreaterThanOrEqual(1500);
    expect(high + medium).toBeLessThan(1560);
    expect(predictions.every((p) => (p.band === "high") === p.clv12Minor >= cuts.high)).toBe(true);
  });

  it("back-tests: E[X(holdout)] per customer summed, in total and by calibration x; too small says so", () => {
    const shop = simulatedShop(2000, 5);
    const customers = shop.map((summary, i) => ({ summary, holdoutPurchases: i % 3 }));
    const bt = runBacktest(customers, 20_000, 91);
    if (bt.status !== "fitted") throw new Error(bt.reason);
    const fit = fitShop(shop, 20_000);
    if (fit.status !== "fitted") throw new Error(fit.reason);
    // The back-test's own fit is the shop's (same summaries), from a warm start or not.
    expect(bt.params.r).toBeCloseTo(fit.bgnbd.params.r, 4);
    let predicted = 0;
    for (const s of shop) predicted += bgnbdConditionalExpectedPurchases(bt.params, s, 13);
    expect(bt.predicted).toBeCloseTo(predicted, 6);
    expect(bt.actual).toBe(customers.reduce((t, c) => t + c.holdoutPurchases, 0));
    expect(bt.groups.map((g) => g.x)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(bt.groups.reduce((t, g) => t + g.customers, 0)).toBe(2000);
    expect(bt.groups.reduce((t, g) => t + g.predicted, 0)).toBeCloseTo(bt.predicted, 6);
    expect(bt.groups[6].customers).toBe(shop.filter((s) => s.x >= 6).length);
    expect(runBacktest(customers.slice(0, 50), 20_000, 91)).toMatchObject({
      status: "too_small",
      reason: "too_few_customers",
      customers: 50,
    });
  });

  it("discounts the 12-month CLV month by month, less than undiscounted and equal at rate 0", () => {
    const shop = simulatedShop(1500, 3);
    const fit = fitShop(shop, 20_000);
    if (fit.status !== "fitted") throw new Error(fit.reason);
    const s = shop.find((c) => c.x > 2)!;
    const plain = discountedPurchases(fit.bgnbd.params, s, 0);
    expect(plain).toBeCloseTo(bgnbdConditionalExpectedPurchases(fit.bgnbd.params, s, WEEKS_365_DAYS), 12);
    const at10 = discountedPurchases(fit.bgnbd.params, s, 0.1);
    expect(at10).toBeLessThan(plain);
    // Discounting by at most 10 % a year takes off at most 10 % and at least the first month's share of ~0.8 %.
    expect(at10).toBeGreaterThan(plain / 1.1);
    expect(at10).toBeLessThan(plain / Math.pow(1.1, 1 / 12));
    const discounted = predictCustomers(fit, shop, { ...DEFAULT_PREDICTION_SETTINGS, discountRate: 0.1 });
    const undiscounted = predictCustomers(fit, shop, DEFAULT_PREDICTION_SETTINGS);
    const sum = (ps: { clv12Minor: bigint }[]) => ps.reduce((t, p) => t + p.clv12Minor, 0n);
    expect(sum(discounted.predictions)).toBeLessThan(sum(undiscounted.predictions));
  });
});

// A shop's fit and its customers' predictions (docs/predictions.md#pipeline): the too-small rule, BG/NBD and
// Gamma-Gamma on the purchase-day summaries, per customer P(active), expected purchases in the next 90 and 365 days,
// the 12-month CLV in minor units and its band, and the back-test. Pure: no I/O, no clock.
import {
  bgnbdConditionalExpectedPurchases,
  bgnbdExpectedPurchases,
  bgnbdProbabilityAlive,
  fitBgNbd,
  type BgNbdFit,
  type BgNbdParams,
  type RfmSummary,
} from "./bgnbd";
import {
  fitGammaGamma,
  gammaGammaConditionalExpectedSpend,
  type GammaGammaFit,
  type GammaGammaParams,
} from "./gamma-gamma";
import type { CustomerSummary } from "./purchase-days";
import type { ClvBands, PredictionSettingsValues } from "./settings";

/** What a shop needs before its fit means anything (docs/predictions.md#too-small). */
export const FIT_RULES = { minCustomers: 100, minRepeaters: 20, minHistoryDays: 90 };
export type FitRules = typeof FIT_RULES;

/** Horizons in weeks (7 calendar days). */
export const WEEKS_90_DAYS = 90 / 7;
export const WEEKS_365_DAYS = 365 / 7;

export type TooSmallReason = "too_few_customers" | "too_few_repeaters" | "too_little_history";
export type FailedReason =
  | "bgnbd_not_converged"
  | "bgnbd_degenerate"
  | "gamma_gamma_not_converged"
  | "gamma_gamma_degenerate";

export interface ShopCounts {
  /** Customers with at least one qualifying purchase day as of the as-of day. */
  customers: number;
  /** Of them, customers with a repeat purchase day (x > 0). */
  repeaters: number;
  /** Days from the shop's first purchase day to the as-of day. */
  historyDays: number;
}

export type ShopFit =
  | ({ status: "too_small"; reason: TooSmallReason } & ShopCounts)
  | ({ status: "failed"; reason: FailedReason } & ShopCounts)
  | ({ status: "fitted"; bgnbd: BgNbdFit; gammaGamma: GammaGammaFit } & ShopCounts);

export function countShop(summaries: readonly CustomerSummary[], asOfDay: number): ShopCounts {
  let repeaters = 0;
  let first = asOfDay;
  for (const s of summaries) {
    if (s.x > 0) repeaters++;
    if (s.firstDay < first) first = s.firstDay;
  }
  return { customers: summaries.length, repeaters, historyDays: asOfDay - first };
}

/**
 * Fits both models on the shop's summaries, or says why not: too few customers, repeaters or days of history
 * (too_small), or a fit that did not converge or whose parameters give no finite prediction (failed). Customers whose
 * first purchase day is the as-of day (T = 0) carry no information on the repeat process and are left out of the fit.
 */
export function fitShop(summaries: readonly CustomerSummary[], asOfDay: number, rules: FitRules = FIT_RULES): ShopFit {
  const counts = countShop(summaries, asOfDay);
  const small = tooSmall(counts, rules);
  if (small) return { status: "too_small", reason: small, ...counts };
  const bgnbd = fitPurchases(summaries);
  if (typeof bgnbd === "string") return { status: "failed", reason: bgnbd, ...counts };
  const spend: { x: number; m: number }[] = [];
  for (const s of summaries) if (s.x > 0) spend.push({ x: s.x, m: s.m! });
  const gammaGamma = fitGammaGamma(spend);
  if (!gammaGamma.converged) return { status: "failed", reason: "gamma_gamma_not_converged", ...counts };
  // q ≤ 1: the population's mean spend pγ/(q−1) does not exist, nor does the expected spend of a one-time buyer.
  if (gammaGamma.params.q <= 1) return { status: "failed", reason: "gamma_gamma_degenerate", ...counts };
  return { status: "fitted", bgnbd, gammaGamma, ...counts };
}

/** The too-small rule on a shop's counts: the first rule not met, or null. */
export function tooSmall(counts: ShopCounts, rules: FitRules = FIT_RULES): TooSmallReason | null {
  if (counts.customers < rules.minCustomers) return "too_few_customers";
  if (counts.repeaters < rules.minRepeaters) return "too_few_repeaters";
  if (counts.historyDays < rules.minHistoryDays) return "too_little_history";
  return null;
}

/** BG/NBD on the customers with T > 0, or why it gives no usable prediction. */
function fitPurchases(
  summaries: readonly CustomerSummary[],
  start?: BgNbdParams,
): BgNbdFit | "bgnbd_not_converged" | "bgnbd_degenerate" {
  const rows: RfmSummary[] = [];
  for (const s of summaries) if (s.T > 0) rows.push({ x: s.x, tx: s.tx, T: s.T });
  const bgnbd = fitBgNbd(rows, { start });
  if (!bgnbd.converged) return "bgnbd_not_converged";
  // a = 1 exactly divides by zero in E[X(t)]; any a whose expectations are not finite is refused the same way.
  const probe = bgnbdExpectedPurchases(bgnbd.params, WEEKS_365_DAYS);
  if (!Number.isFinite(probe) || probe < 0 || Math.abs(bgnbd.params.a - 1) < 1e-6) return "bgnbd_degenerate";
  return bgnbd;
}

/** Rounds a non-negative amount to whole minor units, half to even: the one rounding of a prediction's money. */
export function roundHalfEven(value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`roundHalfEven: expected an amount ≥ 0, got ${value}`);
  const floor = Math.floor(value);
  const diff = value - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

export interface CustomerPredictionValues {
  customerId: string;
  x: number;
  tx: number;
  T: number;
  pAlive: number;
  expected90: number;
  expected365: number;
  /** Expected spend per future purchase day, minor units, rounded once. */
  avgSpendMinor: bigint;
  /** Predicted value of the next 12 months (365 days), minor units, rounded once from the unrounded product. */
  clv12Minor: bigint;
  band: "high" | "medium" | "low";
}

/** The expected spend per future purchase day (minor units, unrounded): Gamma-Gamma's E[Z | m, x], pγ/(q−1) at x = 0. */
export function expectedSpend(params: GammaGammaParams, x: number, m: number | null): number {
  if (x === 0 || m === null) return (params.p * params.gamma) / (params.q - 1);
  return gammaGammaConditionalExpectedSpend(params, { x, m });
}

/** E[X(t) | x, t_x, T] in weeks, with T = 0 (first purchase today) as a new customer's E[X(t)]. */
export function expectedPurchases(params: BgNbdParams, s: { x: number; tx: number; T: number }, t: number): number {
  return s.T === 0 ? bgnbdExpectedPurchases(params, t) : bgnbdConditionalExpectedPurchases(params, s, t);
}

/**
 * Expected purchases discounted at `annualRate`, over the next 12 months: Σ over months k = 1..12 of
 * (E[X(t_k)] − E[X(t_{k−1})]) / (1 + rate)^(k/12), t_k = k·365/12 days (purchases of month k discounted to its end).
 * With rate 0 it is E[X(365 days)].
 */
export function discountedPurchases(
  params: BgNbdParams,
  s: { x: number; tx: number; T: number },
  annualRate: number,
): number {
  if (annualRate === 0) return expectedPurchases(params, s, WEEKS_365_DAYS);
  let previous = 0;
  let sum = 0;
  for (let k = 1; k <= 12; k++) {
    const now = expectedPurchases(params, s, (k * 365) / 12 / 7);
    sum += (now - previous) / Math.pow(1 + annualRate, k / 12);
    previous = now;
  }
  return sum;
}

/** The CLV cut points (minor units) of the bands for these CLVs: `high` and `medium` are the least values of each. */
export function bandCuts(clvs: readonly bigint[], bands: ClvBands): { high: bigint; medium: bigint } {
  if (bands.mode === "amount") return { high: BigInt(bands.highMinor), medium: BigInt(bands.mediumMinor) };
  if (clvs.length === 0) return { high: 0n, medium: 0n };
  const sorted = [...clvs].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0));
  const highCount = Math.max(1, Math.ceil(bands.highShare * sorted.length));
  const mediumCount = Math.ceil((bands.highShare + bands.mediumShare) * sorted.length);
  const high = sorted[Math.min(highCount, sorted.length) - 1];
  const medium = mediumCount <= highCount ? high : sorted[Math.min(mediumCount, sorted.length) - 1];
  return { high, medium };
}

export function bandOf(clv: bigint, cuts: { high: bigint; medium: bigint }): "high" | "medium" | "low" {
  if (clv >= cuts.high) return "high";
  if (clv >= cuts.medium) return "medium";
  return "low";
}

/**
 * Every customer's predictions from a fitted shop. Customers with the same (x, first-to-last days, first-to-as-of
 * days) get the same numbers, computed once. Bands come last, from the whole shop's CLVs (share mode) or amounts.
 */
export function predictCustomers(
  fit: Extract<ShopFit, { status: "fitted" }>,
  summaries: readonly CustomerSummary[],
  settings: PredictionSettingsValues,
): { predictions: CustomerPredictionValues[]; cuts: { high: bigint; medium: bigint } } {
  const bg = fit.bgnbd.params;
  const gg = fit.gammaGamma.params;
  const memo = new Map<string, { pAlive: number; e90: number; e365: number; discounted: number }>();
  const predictions: CustomerPredictionValues[] = [];
  for (const s of summaries) {
    const key = `${s.x}|${s.lastDay - s.firstDay}|${Math.round(s.T * 7)}`;
    let purchase = memo.get(key);
    if (!purchase) {
      const e365 = expectedPurchases(bg, s, WEEKS_365_DAYS);
      purchase = {
        pAlive: s.T === 0 ? 1 : bgnbdProbabilityAlive(bg, s),
        e90: expectedPurchases(bg, s, WEEKS_90_DAYS),
        e365,
        discounted: settings.discountRate === 0 ? e365 : discountedPurchases(bg, s, settings.discountRate),
      };
      memo.set(key, purchase);
    }
    const spend = expectedSpend(gg, s.x, s.m);
    predictions.push({
      customerId: s.customerId,
      x: s.x,
      tx: s.tx,
      T: s.T,
      pAlive: purchase.pAlive,
      expected90: purchase.e90,
      expected365: purchase.e365,
      avgSpendMinor: BigInt(roundHalfEven(spend)),
      clv12Minor: BigInt(roundHalfEven(purchase.discounted * spend)),
      band: "low",
    });
  }
  const cuts = bandCuts(
    predictions.map((p) => p.clv12Minor),
    settings.bands,
  );
  for (const p of predictions) p.band = bandOf(p.clv12Minor, cuts);
  return { predictions, cuts };
}

// ---- The back-test ----------------------------------------------------------------------------------------------

/** A customer in a back-test: their summary as of the calibration day and their purchase days after it. */
export interface BacktestCustomer {
  summary: CustomerSummary;
  holdoutPurchases: number;
}

export interface BacktestGroup {
  /** Repeat purchase days in calibration: 0, 1, … 5, and 6 meaning "6 or more". */
  x: number;
  customers: number;
  predicted: number;
  actual: number;
}

export type Backtest =
  | { status: "too_small" | "failed"; reason: string; calibrationDay: number; holdoutDays: number; customers: number }
  | {
      status: "fitted";
      calibrationDay: number;
      holdoutDays: number;
      customers: number;
      params: BgNbdParams;
      predicted: number;
      actual: number;
      groups: BacktestGroup[];
    };

/**
 * Fits BG/NBD (under the too-small rule) as of `calibrationDay` and compares each calibration customer's expected
 * purchases over the holdout (`holdoutDays`) with the purchase days they actually made in it, in total and grouped
 * by their calibration x (the paper's conditional-expectation check). `start`: the shop's current fit, a warm start.
 */
export function runBacktest(
  customers: readonly BacktestCustomer[],
  calibrationDay: number,
  holdoutDays: number,
  { rules = FIT_RULES, start }: { rules?: FitRules; start?: BgNbdParams } = {},
): Backtest {
  const summaries = customers.map((c) => c.summary);
  const base = { calibrationDay, holdoutDays, customers: customers.length };
  // The same too-small rule as the fit itself; only the purchase model is needed (no spend).
  const small = tooSmall(countShop(summaries, calibrationDay), rules);
  if (small) return { status: "too_small", reason: small, ...base };
  const fit = fitPurchases(summaries, start);
  if (typeof fit === "string") return { status: "failed", reason: fit, ...base };
  const params = fit.params;
  const groups: BacktestGroup[] = Array.from({ length: 7 }, (_, x) => ({ x, customers: 0, predicted: 0, actual: 0 }));
  const memo = new Map<string, number>();
  let predicted = 0;
  let actual = 0;
  for (const { summary: s, holdoutPurchases } of customers) {
    const key = `${s.x}|${s.lastDay - s.firstDay}|${Math.round(s.T * 7)}`;
    let expected = memo.get(key);
    if (expected === undefined) {
      expected = expectedPurchases(params, s, holdoutDays / 7);
      memo.set(key, expected);
    }
    const group = groups[Math.min(s.x, 6)];
    group.customers++;
    group.predicted += expected;
    group.actual += holdoutPurchases;
    predicted += expected;
    actual += holdoutPurchases;
  }
  return { status: "fitted", ...base, params, predicted, actual, groups };
}

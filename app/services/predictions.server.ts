// Predicted CLV and churn risk for a shop (docs/predictions.md#pipeline): one streaming pass over the ledger's
// qualifying orders into purchase-day summaries in the shop's time zone (as of asOf, and as of the back-test's
// calibration day), the fit or the reason there is none, every customer's predictions, and — when saving — the
// shop's rows replaced in one transaction. The daily/backfill `predictions` job and the CLI's `predict` call this.
import {
  dayIndexer,
  summariseCustomer,
  purchaseDaysBetween,
  type CustomerSummary,
} from "../domain/predictions/purchase-days";
import {
  FIT_RULES,
  fitShop,
  predictCustomers,
  runBacktest,
  type Backtest,
  type BacktestCustomer,
  type CustomerPredictionValues,
} from "../domain/predictions/shop-fit";
import type { PredictionSettingsValues } from "../domain/predictions/settings";
import { isValidTimeZone } from "../domain/time";
import {
  forEachCustomerOrders,
  getPredictionSettings,
  saveShopPrediction,
  shopTimeZone,
  type PredictionStatus,
} from "../models/predictions.server";
import { enqueueSync } from "../jobs/contracts";
import type { JobQueue } from "../jobs/queue";
import { getSyncSettings } from "../models/sync.server";
import { isShopActive } from "../models/shop.server";

const DAY_MS = 86_400_000;

/** A civil day number as YYYY-MM-DD. */
export function dayLabel(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The back-test with its calibration day as YYYY-MM-DD (distributed over the union, so `status` still narrows). */
export type DatedBacktest = Backtest extends infer B
  ? B extends Backtest
    ? Omit<B, "calibrationDay"> & { calibrationDay: string }
    : never
  : never;

export interface PredictionRun {
  asOf: string;
  asOfDay: string;
  timeZone: string;
  timeUnit: "week";
  status: PredictionStatus;
  reason: string | null;
  customers: number;
  repeaters: number;
  historyDays: number;
  rules: typeof FIT_RULES;
  bgnbd: {
    r: number;
    alpha: number;
    a: number;
    b: number;
    logLikelihood: number;
    converged: boolean;
    evaluations: number;
    /** The optimum is on the edge a + b → ∞: every customer drops out with the same probability a/(a+b). */
    boundary: boolean;
  } | null;
  gammaGamma: {
    p: number;
    q: number;
    gamma: number;
    customers: number;
    logLikelihood: number;
    converged: boolean;
  } | null;
  /** The least 12-month CLV (minor units, as a decimal string) of the high and medium bands. */
  bandCuts: { high: string; medium: string } | null;
  settings: PredictionSettingsValues;
  /**
   * Milliseconds: the ledger read; everything after it (fitMs), split into both models' fits, the customers'
   * predictions and the back-test.
   */
  timings: { readMs: number; fitMs: number; modelsMs: number; predictMs: number; backtestMs: number };
  orders: number;
  predictions: CustomerPredictionValues[];
  backtest: DatedBacktest | null;
}

/**
 * Reads the ledger as of `asOf` and fits. Writes nothing. `settings` default to the shop's own; the time zone is the
 * shop's (UTC when the ledger does not know it).
 */
export async function computePredictions(
  shop: string,
  { asOf, settings }: { asOf: Date; settings?: PredictionSettingsValues },
): Promise<PredictionRun> {
  const effective = settings ?? (await getPredictionSettings(shop));
  const stored = await shopTimeZone(shop);
  const timeZone = stored && isValidTimeZone(stored) ? stored : "UTC";
  const dayOf = dayIndexer(timeZone);
  const asOfDay = dayOf(asOf.getTime());
  const calibrationDay = asOfDay - effective.backtestDays;
  const summaries: CustomerSummary[] = [];
  const backtestCustomers: BacktestCustomer[] = [];
  const readStart = performance.now();
  const { orders } = await forEachCustomerOrders(shop, asOf, (customerId, times, values) => {
    const days = times.map(dayOf);
    const summary = summariseCustomer(customerId, days, values, asOfDay);
    if (summary) summaries.push(summary);
    const calibration = summariseCustomer(customerId, days, values, calibrationDay);
    if (calibration)
      backtestCustomers.push({
        summary: calibration,
        holdoutPurchases: purchaseDaysBetween(days, calibrationDay, asOfDay),
      });
  });
  const readMs = performance.now() - readStart;
  const fitStart = performance.now();
  const fit = fitShop(summaries, asOfDay);
  const modelsMs = performance.now() - fitStart;
  let predictions: CustomerPredictionValues[] = [];
  let bandCuts: PredictionRun["bandCuts"] = null;
  if (fit.status === "fitted") {
    const predicted = predictCustomers(fit, summaries, effective);
    predictions = predicted.predictions;
    bandCuts = { high: String(predicted.cuts.high), medium: String(predicted.cuts.medium) };
  }
  const predictMs = performance.now() - fitStart - modelsMs;
  const backtest = runBacktest(backtestCustomers, calibrationDay, effective.backtestDays, {
    start: fit.status === "fitted" ? fit.bgnbd.params : undefined,
  });
  const fitMs = performance.now() - fitStart;
  const backtestMs = fitMs - modelsMs - predictMs;
  return {
    asOf: asOf.toISOString(),
    asOfDay: dayLabel(asOfDay),
    timeZone,
    timeUnit: "week",
    status: fit.status,
    reason: fit.status === "fitted" ? null : fit.reason,
    customers: fit.customers,
    repeaters: fit.repeaters,
    historyDays: fit.historyDays,
    rules: FIT_RULES,
    bgnbd:
      fit.status === "fitted"
        ? {
            ...fit.bgnbd.params,
            logLikelihood: fit.bgnbd.logLikelihood,
            converged: fit.bgnbd.converged,
            evaluations: fit.bgnbd.evaluations,
            boundary: fit.bgnbd.boundary,
          }
        : null,
    gammaGamma:
      fit.status === "fitted"
        ? {
            ...fit.gammaGamma.params,
            customers: fit.gammaGamma.customers,
            logLikelihood: fit.gammaGamma.logLikelihood,
            converged: fit.gammaGamma.converged,
          }
        : null,
    bandCuts,
    settings: effective,
    timings: { readMs, fitMs, modelsMs, predictMs, backtestMs },
    orders,
    predictions,
    backtest: { ...backtest, calibrationDay: dayLabel(backtest.calibrationDay) } as DatedBacktest,
  };
}

/** What is stored in ShopPrediction.model: the run without its per-customer rows and back-test. */
export function modelJson(run: PredictionRun): Record<string, unknown> {
  return {
    timeUnit: run.timeUnit,
    timeZone: run.timeZone,
    asOfDay: run.asOfDay,
    historyDays: run.historyDays,
    rules: run.rules,
    bgnbd: run.bgnbd,
    gammaGamma: run.gammaGamma,
    bandCuts: run.bandCuts,
    settings: run.settings,
    orders: run.orders,
    timings: run.timings,
  };
}

/** Fits as of `asOf` and stores the fit (and the shop's predictions, replaced in one transaction). */
export async function refitPredictions(
  shop: string,
  { asOf, now = new Date(), queue }: { asOf: Date; now?: Date; queue?: JobQueue },
): Promise<PredictionRun> {
  const run = await computePredictions(shop, { asOf });
  await saveShopPrediction(
    shop,
    {
      asOf,
      status: run.status,
      reason: run.reason,
      customers: run.customers,
      repeaters: run.repeaters,
      model: modelJson(run),
      backtest: run.backtest as unknown as Record<string, unknown>,
      fittedAt: now,
    },
    run.predictions,
  );
  // The insight tags (value band, likely lost) follow the fit: the recompute's own sync may have run before it.
  if (queue && (await getSyncSettings(shop)).insightPrefix) await enqueueSync(queue, shop, "recompute");
  return run;
}

/** The job's refit: a shop that stopped using the app keeps its last fit until it reinstalls or is erased (null). */
export async function refitActiveShop(
  shop: string,
  options: { asOf: Date; now?: Date; queue?: JobQueue },
): Promise<PredictionRun | null> {
  if (!(await isShopActive(shop))) return null;
  return refitPredictions(shop, options);
}

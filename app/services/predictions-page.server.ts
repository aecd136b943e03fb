// The predictions page (/app/predictions): the last fit, its figures and the merchant's settings; the settings form
// (validated in the domain: bad input saves nothing) and "refit now" (queues the predictions job).
import { enqueuePredictions } from "../jobs/contracts";
import { getQueue } from "../jobs/runtime.server";
import { toMinorUnits } from "../domain/money";
import {
  validatePredictionSettings,
  type PredictionSettingsValues,
  type SettingsErrors,
} from "../domain/predictions/settings";
import {
  bandTotals,
  getPredictionSettings,
  getShopPrediction,
  pAliveDeciles,
  predictionsOf,
  savePredictionSettings,
  topCustomersByClv,
} from "../models/predictions.server";
import { shopCurrency } from "../models/shop-currency.server";

const BANDS = ["high", "medium", "low"] as const;

export async function predictionsPage(shop: string) {
  const [prediction, settings, currency] = await Promise.all([
    getShopPrediction(shop),
    getPredictionSettings(shop),
    shopCurrency(shop),
  ]);
  const fitted = prediction?.status === "fitted";
  const [deciles, bands, top] = fitted
    ? await Promise.all([pAliveDeciles(shop), bandTotals(shop), topCustomersByClv(shop, 10)])
    : [null, [], []];
  const byBand = new Map(bands.map((b) => [b.band, b]));
  return {
    currency,
    settings,
    prediction: prediction && {
      status: prediction.status,
      reason: prediction.reason,
      asOf: prediction.asOf.toISOString(),
      fittedAt: prediction.fittedAt.toISOString(),
      customers: prediction.customers,
      repeaters: prediction.repeaters,
      model: prediction.model as {
        timeZone?: string;
        historyDays?: number;
        rules?: { minCustomers: number; minRepeaters: number; minHistoryDays: number };
        bgnbd?: {
          r: number;
          alpha: number;
          a: number;
          b: number;
          logLikelihood: number;
          boundary?: boolean;
        } | null;
        gammaGamma?: { p: number; q: number; gamma: number; customers: number } | null;
      },
      backtest: prediction.backtest as
        | null
        | { status: string; reason?: string; calibrationDay: string; holdoutDays: number; customers: number }
        | {
            status: "fitted";
            calibrationDay: string;
            holdoutDays: number;
            customers: number;
            predicted: number;
            actual: number;
            groups: { x: number; customers: number; predicted: number; actual: number }[];
          },
    },
    deciles,
    bands: BANDS.map((band) => ({
      band,
      customers: byBand.get(band)?.customers ?? 0,
      // Whole-shop sums fit a double exactly only below 2^53 minor units; sent as text to stay exact.
      clvMinor: String(byBand.get(band)?.clvMinor ?? 0n),
    })),
    top: top.map((c) => ({
      customerId: c.customerId,
      name: [c.firstName, c.lastName].filter(Boolean).join(" ") || c.email || null,
      pAlive: c.pAlive,
      expected365: c.expected365,
      clv12Minor: String(c.clv12Minor ?? 0n),
      band: c.band,
    })),
  };
}

export type PredictionsAction =
  | { intent: "settings"; ok: true; settings: PredictionSettingsValues }
  | { intent: "settings"; ok: false; errors: SettingsErrors }
  | { intent: "refit"; ok: true }
  | { intent: "unknown"; ok: false; errors: SettingsErrors };

/** A form number: plain decimal digits only ("12", "0.5"); anything else is NaN (refused by the validation). */
function decimal(value: FormDataEntryValue | null): number {
  const text = typeof value === "string" ? value.trim() : "";
  return /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
}

/**
 * The settings form: percentages for the threshold, the shares and the discount rate, money in the shop currency for
 * band amounts, whole days for the back-test. Validated as a whole; saved only when every field is right, then a
 * refit is queued so that they apply.
 */
export async function submitPredictionSettings(shop: string, form: FormData): Promise<PredictionsAction> {
  const mode = form.get("mode");
  const currency = await shopCurrency(shop);
  const money = (value: FormDataEntryValue | null) => {
    const text = typeof value === "string" ? value.trim() : "";
    try {
      return /^\d+(\.\d+)?$/.test(text) ? toMinorUnits(text, currency) : Number.NaN;
    } catch {
      return Number.NaN;
    }
  };
  const candidate = {
    churnThreshold: decimal(form.get("churnThreshold")) / 100,
    discountRate: decimal(form.get("discountRate")) / 100,
    backtestDays: decimal(form.get("backtestDays")),
    bands:
      mode === "amount"
        ? { mode, highMinor: money(form.get("highAmount")), mediumMinor: money(form.get("mediumAmount")) }
        : {
            mode,
            highShare: decimal(form.get("highShare")) / 100,
            mediumShare: decimal(form.get("mediumShare")) / 100,
          },
  };
  const result = validatePredictionSettings(candidate);
  if (!result.ok) return { intent: "settings", ok: false, errors: result.errors };
  await savePredictionSettings(shop, result.settings);
  // Bands, the discount and the back-test are computed by the fit: a refit applies the new settings.
  await enqueuePredictions(getQueue(), shop, "manual");
  return { intent: "settings", ok: true, settings: result.settings };
}

/** "Refit now": queues the predictions job (one per shop: a no-op while one is queued). */
export async function queueRefit(shop: string): Promise<PredictionsAction> {
  await enqueuePredictions(getQueue(), shop, "manual");
  return { intent: "refit", ok: true };
}

/** The customer page's card: this customer's prediction from the last fit (null: none) and the churn threshold. */
export async function customerPredictionView(shop: string, customerId: string) {
  const [found, settings] = await Promise.all([predictionsOf(shop, [customerId]), getPredictionSettings(shop)]);
  const p = found.get(customerId);
  if (!p) return null;
  return {
    pAlive: p.pAlive,
    expected90: p.expected90,
    expected365: p.expected365,
    avgSpendMinor: p.avgSpendMinor === null ? null : String(p.avgSpendMinor),
    clv12Minor: p.clv12Minor === null ? null : String(p.clv12Minor),
    band: p.band,
    asOf: p.asOf.toISOString(),
    churnThreshold: settings.churnThreshold,
  };
}

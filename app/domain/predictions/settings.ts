// The merchant's prediction settings (PredictionSettings.settings, JSON): validated here, defaults documented in
// docs/predictions.md#settings. Pure.

export type ClvBands =
  /** By share of the predicted customers: the top `highShare` are high, the next `mediumShare` medium, the rest low. */
  | { mode: "share"; highShare: number; mediumShare: number }
  /** By amount (minor units of the shop currency): 12-month CLV ≥ highMinor is high, ≥ mediumMinor medium. */
  | { mode: "amount"; highMinor: number; mediumMinor: number };

export interface PredictionSettingsValues {
  /** P(active) below this is "likely lost" (churn risk). */
  churnThreshold: number;
  bands: ClvBands;
  /** Annual discount rate for the 12-month CLV, 0 ≤ rate < 1 (0: not discounted). */
  discountRate: number;
  /** The back-test holds out the last this many days: the fit as of then is compared with what happened since. */
  backtestDays: number;
}

export const DEFAULT_PREDICTION_SETTINGS: PredictionSettingsValues = {
  churnThreshold: 0.3,
  bands: { mode: "share", highShare: 0.2, mediumShare: 0.3 },
  discountRate: 0,
  backtestDays: 90,
};

export type SettingsErrors = Partial<
  Record<
    | "churnThreshold"
    | "highShare"
    | "mediumShare"
    | "highMinor"
    | "mediumMinor"
    | "discountRate"
    | "backtestDays"
    | "mode",
    string
  >
>;

export type SettingsResult = { ok: true; settings: PredictionSettingsValues } | { ok: false; errors: SettingsErrors };

const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/**
 * Validates settings given as values (from stored JSON or a parsed form). Error values are i18n keys (the admin
 * translates them): "range", "whole", "order", "sum".
 */
export function validatePredictionSettings(input: unknown): SettingsResult {
  const errors: SettingsErrors = {};
  const v = (input ?? {}) as Record<string, unknown>;
  const bandsIn = (v.bands ?? {}) as Record<string, unknown>;
  const churnThreshold = v.churnThreshold;
  if (!isNumber(churnThreshold) || churnThreshold <= 0 || churnThreshold >= 1) errors.churnThreshold = "range";
  const discountRate = v.discountRate;
  if (!isNumber(discountRate) || discountRate < 0 || discountRate >= 1) errors.discountRate = "range";
  const backtestDays = v.backtestDays;
  if (!isNumber(backtestDays) || !Number.isInteger(backtestDays)) errors.backtestDays = "whole";
  else if (backtestDays < 28 || backtestDays > 365) errors.backtestDays = "range";
  let bands: ClvBands | null = null;
  if (bandsIn.mode === "share") {
    const { highShare, mediumShare } = bandsIn;
    if (!isNumber(highShare) || highShare <= 0 || highShare >= 1) errors.highShare = "range";
    if (!isNumber(mediumShare) || mediumShare < 0 || mediumShare >= 1) errors.mediumShare = "range";
    else if (isNumber(highShare) && highShare + mediumShare > 1) errors.mediumShare = "sum";
    bands = { mode: "share", highShare: highShare as number, mediumShare: mediumShare as number };
  } else if (bandsIn.mode === "amount") {
    const { highMinor, mediumMinor } = bandsIn;
    if (!isNumber(highMinor) || !Number.isSafeInteger(highMinor) || highMinor <= 0) errors.highMinor = "whole";
    if (!isNumber(mediumMinor) || !Number.isSafeInteger(mediumMinor) || mediumMinor <= 0) errors.mediumMinor = "whole";
    else if (isNumber(highMinor) && mediumMinor >= highMinor) errors.mediumMinor = "order";
    bands = { mode: "amount", highMinor: highMinor as number, mediumMinor: mediumMinor as number };
  } else errors.mode = "range";
  if (Object.keys(errors).length > 0 || bands === null) return { ok: false, errors };
  return {
    ok: true,
    settings: {
      churnThreshold: churnThreshold as number,
      bands,
      discountRate: discountRate as number,
      backtestDays: backtestDays as number,
    },
  };
}

/** Stored settings: the defaults for anything missing; stored JSON that no longer validates falls back to them. */
export function storedPredictionSettings(json: string | null | undefined): PredictionSettingsValues {
  if (!json) return DEFAULT_PREDICTION_SETTINGS;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return DEFAULT_PREDICTION_SETTINGS;
  }
  const merged = { ...DEFAULT_PREDICTION_SETTINGS, ...(parsed as object) };
  const result = validatePredictionSettings(merged);
  return result.ok ? result.settings : DEFAULT_PREDICTION_SETTINGS;
}

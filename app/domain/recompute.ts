// The pure parts of recomputing customer state: what a customer's state is given their RFM result and tier status,
// which fields count as a change, how far back tiers need orders, the CSV row and RFM settings validation. No I/O
// here, so every rule is unit-tested on its own (tests/unit/recompute-core.test.ts).
import { STATE_COLUMNS, type CustomerStateValues } from "./customer-state";
import { fromMinorUnits } from "./money";
import type { RfmResult, RfmValues } from "./rfm";
import { isSegmentKey, SEGMENT_NAME_MAX_LENGTH } from "./segments";
import type { TierProgram, TierStatus } from "./tiers";
import { DAY_MS, yearAt, yearStart } from "./time";

export type { CustomerStateValues };

/** The shop's RFM settings: analysis window and segment display-name overrides (stored by models/rfm-settings). */
export interface RfmSettingsValues {
  /** Only orders in the last windowDays count; null: all history (the default). */
  windowDays: number | null;
  /** The merchant's display names by segment key. */
  segmentNames: Record<string, string>;
}

export const DEFAULT_RFM_SETTINGS: RfmSettingsValues = { windowDays: null, segmentNames: {} };

/**
 * The state of one customer. `rfm` is their RFM result (scored, or prospect); `lastOrderAt` is their last order
 * inside the RFM window (the scored recency's origin); `tier` their tier status at the same asOf; `base` the values
 * to keep for the next incremental update (a full run passes the customer's own values, an incremental one keeps
 * what the full run left).
 */
export function stateOf(
  rfm: RfmResult,
  lastOrderAt: number | null,
  tier: TierStatus | null,
  base: RfmValues | null,
): CustomerStateValues {
  const scored = rfm.segment === "prospect" ? null : (rfm as Extract<RfmResult, { r: number }>);
  const hasTier = tier !== null && tier.tier !== null;
  return {
    customerId: rfm.customerId,
    segment: rfm.segment,
    r: scored?.r ?? null,
    f: scored?.f ?? null,
    m: scored?.m ?? null,
    fm: scored?.fm ?? null,
    recencyDays: scored?.recencyDays ?? null,
    frequency: scored?.frequency ?? null,
    monetaryMinor: scored?.monetary ?? null,
    lastOrderAt: scored ? lastOrderAt : null,
    tier: hasTier ? tier.tier : null,
    spendInWindowMinor: hasTier ? tier.spendInWindow : null,
    ordersInWindow: hasTier ? tier.ordersInWindow : null,
    nextTier: hasTier ? tier.nextTier : null,
    amountToNextMinor: hasTier ? tier.amountToNext : null,
    ordersToNext: hasTier ? tier.ordersToNext : null,
    tierExpiresAt: hasTier ? tier.expiresAt : null,
    windowChangesAt: hasTier ? tier.windowChangesAt : null,
    baseLastOrderAt: base?.lastOrderAt ?? null,
    baseFrequency: base?.frequency ?? null,
    baseMonetaryMinor: base?.monetary ?? null,
  };
}

export function sameState(a: CustomerStateValues, b: CustomerStateValues): boolean {
  // A change of any stored value (all but computedAt, which records when it last changed) rewrites the row.
  for (const field of STATE_COLUMNS) if (a[field] !== b[field]) return false;
  return true;
}

export interface StateChange {
  customerId: string;
  kind: "segment" | "tier";
  from: string | null;
  to: string | null;
}

/** History entries for going from `before` (null: no state yet) to `after`: only real segment or tier moves. */
export function changesBetween(
  before: { segment: string; tier: string | null } | null,
  after: CustomerStateValues,
): StateChange[] {
  const changes: StateChange[] = [];
  const fromSegment = before?.segment ?? null;
  const fromTier = before?.tier ?? null;
  if (fromSegment !== after.segment)
    changes.push({ customerId: after.customerId, kind: "segment", from: fromSegment, to: after.segment });
  if (fromTier !== after.tier)
    changes.push({ customerId: after.customerId, kind: "tier", from: fromTier, to: after.tier });
  return changes;
}

/**
 * The earliest order time that can change a customer's tier status at `asOf` (null: every order can). The held tier
 * looks at the tier computed at asOf and at every order time in [asOf − retention, asOf], and each of those looks
 * back one window; orders before that affect nothing but the fact that the customer has ordered at all.
 */
export function tierHorizon(program: TierProgram, asOf: number): number | null {
  const retainedFrom = asOf - program.retentionDays * DAY_MS;
  const { window } = program;
  if (window.kind === "lifetime") return null;
  if (window.kind === "rolling") return retainedFrom - window.days * DAY_MS;
  const zone = program.timeZone ?? undefined;
  return yearStart(yearAt(retainedFrom, zone), zone);
}

/** The earlier of two horizons (null is the earliest of all). */
export function earlierHorizon(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : Math.min(a, b);
}

/** Start of the RFM window as of asOf (orders strictly after it count), or null for all history. */
export function rfmWindowStart(windowDays: number | null, asOf: number): number | null {
  return windowDays === null ? null : asOf - windowDays * DAY_MS;
}

// ---- CSV ------------------------------------------------------------------------------------------------------

export const CSV_COLUMNS = [
  "customer_id",
  "recency_days",
  "frequency",
  "monetary",
  "r",
  "f",
  "m",
  "fm",
  "segment",
  "tier",
  "spend_in_window",
  "next_tier",
  "amount_to_next",
  "tier_expires_at",
] as const;

/**
 * One CSV record (cells as text, empty for nothing): money as decimal strings of the shop currency, times as
 * ISO-8601 UTC. Prospects have empty score cells; customers without a tier have empty tier cells.
 */
export function csvRecord(state: CustomerStateValues, currency: string): string[] {
  const text = (n: number | null) => (n === null ? "" : String(n));
  const money = (n: number | null) => (n === null ? "" : fromMinorUnits(n, currency));
  const time = (t: number | null) => (t === null ? "" : new Date(t).toISOString());
  return [
    state.customerId,
    text(state.recencyDays),
    text(state.frequency),
    money(state.monetaryMinor),
    text(state.r),
    text(state.f),
    text(state.m),
    text(state.fm),
    state.segment,
    state.tier ?? "",
    money(state.spendInWindowMinor),
    state.nextTier ?? "",
    money(state.amountToNextMinor),
    time(state.tierExpiresAt),
  ];
}

/** Byte order of the ids, the same in every database and in JavaScript: how exports and batches are sorted. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---- RFM settings ----------------------------------------------------------------------------------------------

export const RFM_WINDOW_LIMITS = { min: 30, max: 3650 } as const;

/** One problem with submitted RFM settings; same shape as the tier programme's issues (TierRuleIssue). */
export interface RfmSettingsIssue {
  path: (string | number)[];
  key: string;
  message: string;
  params?: Record<string, string | number>;
}

export type RfmSettingsValidation =
  | { ok: true; settings: RfmSettingsValues }
  | { ok: false; issues: RfmSettingsIssue[] };

/** Checks RFM settings as the admin submits them. Blank names are dropped (the segment keeps its default name). */
export function validateRfmSettings(input: unknown): RfmSettingsValidation {
  const issues: RfmSettingsIssue[] = [];
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return {
      ok: false,
      issues: [
        {
          path: [],
          key: "field.invalid_type",
          message: "This field must be a group of settings.",
          params: { expected: "object" },
        },
      ],
    };
  }
  const { windowDays = null, segmentNames = {} } = input as { windowDays?: unknown; segmentNames?: unknown };
  const { min, max } = RFM_WINDOW_LIMITS;
  if (
    windowDays !== null &&
    !(typeof windowDays === "number" && Number.isInteger(windowDays) && windowDays >= min && windowDays <= max)
  ) {
    issues.push({
      path: ["windowDays"],
      key: "rfm.window_days.out_of_range",
      message: `The analysis window must be a whole number of days from ${min} to ${max}, or all history.`,
      params: { min, max },
    });
  }
  const names: Record<string, string> = {};
  if (typeof segmentNames !== "object" || segmentNames === null || Array.isArray(segmentNames)) {
    issues.push({
      path: ["segmentNames"],
      key: "field.invalid_type",
      message: "This field must be a group of settings.",
      params: { expected: "object" },
    });
  } else {
    for (const [key, name] of Object.entries(segmentNames)) {
      if (!isSegmentKey(key)) {
        issues.push({
          path: ["segmentNames", key],
          key: "rfm.segment_name.unknown_segment",
          message: `There is no segment "${key}".`,
          params: { value: key },
        });
      } else if (typeof name !== "string") {
        issues.push({
          path: ["segmentNames", key],
          key: "field.invalid_type",
          message: "This field must be text.",
          params: { expected: "string" },
        });
      } else if (Array.from(name.trim()).length > SEGMENT_NAME_MAX_LENGTH) {
        issues.push({
          path: ["segmentNames", key],
          key: "rfm.segment_name.too_long",
          message: `Segment names can be at most ${SEGMENT_NAME_MAX_LENGTH} characters.`,
          params: { max: SEGMENT_NAME_MAX_LENGTH },
        });
      } else if (name.trim() !== "") names[key] = name.trim();
    }
  }
  return issues.length
    ? { ok: false, issues }
    : { ok: true, settings: { windowDays: windowDays as number | null, segmentNames: names } };
}

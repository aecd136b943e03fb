// Points (docs/rules.md#points): what an order earns, the journal a customer's ledger facts lead to under the shop's
// points rules as of a moment, what has to be appended to a journal to reach it, and balances as sums of entries.
// Pure: epoch milliseconds in, no clock, no I/O. The journal is a deterministic function of (the customer's orders and
// refunds, the rules, asOf); services/points.server.ts appends, per source key, only the difference (ADR 0006).
import { currencyDecimals } from "./money";
import { birthdayInstants, bonusKeys, tierHeldAt, type TierCountedOrder, type TierProgrammeAt } from "./points-bonuses";
import { TIER_KEY_PATTERN } from "./tier-rules";
import { addCalendarMonths, DAY_MS, isValidTimeZone, localDateAt, localDayStart } from "./time";

// ---- Rules ---------------------------------------------------------------------------------------------------------

/** Why points moved. `loss` moves nothing: it records points a clawback could not take (docs/rules.md#points). */
export const POINTS_KINDS = [
  "order",
  "refund",
  "cancellation",
  "expiry",
  "loss",
  "bonus",
  "redemption",
  "adjustment",
  "import",
] as const;
export type PointsKind = (typeof POINTS_KINDS)[number];

/** How available points expire (docs/rules.md#points-expiry): all at once after `expiryMonths` without earning
 * (`inactivity`), or each credit `expiryMonths` after its own day, spent first-expiring-first (`lifetime`). */
export const EXPIRY_MODES = ["inactivity", "lifetime"] as const;
export type ExpiryMode = (typeof EXPIRY_MODES)[number];

export interface PointsRules {
  /** Points per 1 major unit of the shop currency, per mille: 1000 = 1 point per unit, 2500 = 2.5 points. */
  ratePerMille: number;
  /** Multiplier on every order, per mille: 1000 = ×1. */
  multiplierPerMille: number;
  /** Days an order's points stay pending after processed_at (the return window); 0: available at once. */
  returnWindowDays: number;
  /** Calendar months without earning (`inactivity`) or of each credit's lifetime (`lifetime`) after which available
   * points expire; null: they never expire. */
  expiryMonths: number | null;
  /** How points expire; rules saved before the field existed read `inactivity`. */
  expiryMode: ExpiryMode;
  /** Per tier key, a multiplier in thousandths on the orders placed while the customer held that tier; a tier not
   * listed: ×1 (docs/rules.md#points-earning-rules). */
  tierMultipliers: Record<string, number>;
  /** Points for an account created at or after the programme start (0: no bonus). */
  signUpPoints: number;
  /** Points with the customer's first earning order in the programme (0: no bonus). */
  firstOrderPoints: number;
  /** Points once a calendar year, at the start of the birthday month (0: no bonus). */
  birthdayPoints: number;
  /** The customer metafield holding birth dates, "namespace.key". */
  birthdayMetafield: string;
}

export const DEFAULT_BIRTHDAY_METAFIELD = "facts.birth_date";

export const DEFAULT_POINTS_RULES: Readonly<PointsRules> = {
  ratePerMille: 1000,
  multiplierPerMille: 1000,
  returnWindowDays: 30,
  expiryMonths: 12,
  expiryMode: "inactivity",
  tierMultipliers: {},
  signUpPoints: 0,
  firstOrderPoints: 0,
  birthdayPoints: 0,
  birthdayMetafield: DEFAULT_BIRTHDAY_METAFIELD,
};

export const POINTS_LIMITS = {
  ratePerMille: { min: 0, max: 1_000_000 },
  multiplierPerMille: { min: 0, max: 100_000 },
  returnWindowDays: { min: 0, max: 365 },
  expiryMonths: { min: 1, max: 120 },
  signUpPoints: { min: 0, max: 1_000_000 },
  firstOrderPoints: { min: 0, max: 1_000_000 },
  birthdayPoints: { min: 0, max: 1_000_000 },
} as const;

/** A tier multiplier per mille: 0 (a tier that earns nothing) to ×100; at most this many tiers listed. */
export const TIER_MULTIPLIER_LIMITS = { min: 0, max: 100_000, maxTiers: 10 } as const;

/** "namespace.key" as Shopify allows them: a namespace of 3–255 and a key of 2–64 letters, digits, "-" or "_". */
export const METAFIELD_IDENTIFIER = /^([A-Za-z0-9_-]{3,255})\.([A-Za-z0-9_-]{2,64})$/;

/** Rules as stored by an earlier version of the app (without the later fields) with those fields' defaults. */
export function withRuleDefaults(stored: Partial<PointsRules>): PointsRules {
  return {
    ...DEFAULT_POINTS_RULES,
    ...stored,
    tierMultipliers: { ...(stored.tierMultipliers ?? {}) },
  };
}

/** Whether any version of the programme turns on what needs more than the orders: tiers, sign-ups, birthdays. */
export function programmeNeeds(programme: Pick<PointsProgramme, "versions">) {
  const all = [DEFAULT_POINTS_RULES, ...programme.versions.map((v) => v.rules)];
  return {
    tiers: all.some((r) => Object.keys(r.tierMultipliers ?? {}).length > 0),
    signUps: all.some((r) => (r.signUpPoints ?? 0) > 0),
    birthdays: all.some((r) => (r.birthdayPoints ?? 0) > 0),
  };
}

export interface PointsRuleIssue {
  path: string[];
  key: string;
  message: string;
  params?: Record<string, string | number>;
}

export type PointsRulesValidation = { ok: true; rules: PointsRules } | { ok: false; issues: PointsRuleIssue[] };

/** Checks rules as a merchant (or the CLI) submits them; a missing field takes its default. Integers only. */
export function validatePointsRules(input: unknown): PointsRulesValidation {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return {
      ok: false,
      issues: [{ path: [], key: "field.invalid_type", message: "The points rules must be a group of settings." }],
    };
  }
  const given = input as Record<string, unknown>;
  const issues: PointsRuleIssue[] = [];
  const rules = withRuleDefaults({});
  const messages: Record<keyof typeof POINTS_LIMITS, string> = {
    ratePerMille: "The rate must be a whole number of thousandths of a point per unit, from {min} to {max}.",
    multiplierPerMille: "The multiplier must be a whole number of thousandths, from {min} to {max}.",
    returnWindowDays: "The return window must be a whole number of days from {min} to {max}.",
    expiryMonths: "Points must expire after a whole number of months from {min} to {max}, or never.",
    signUpPoints: "The sign-up bonus must be a whole number of points from {min} to {max}.",
    firstOrderPoints: "The first-order bonus must be a whole number of points from {min} to {max}.",
    birthdayPoints: "The birthday bonus must be a whole number of points from {min} to {max}.",
  };
  for (const field of Object.keys(POINTS_LIMITS) as (keyof typeof POINTS_LIMITS)[]) {
    const value = given[field];
    if (value === undefined) continue;
    if (field === "expiryMonths" && value === null) {
      rules.expiryMonths = null;
      continue;
    }
    const { min, max } = POINTS_LIMITS[field];
    if (typeof value === "number" && Number.isInteger(value) && value >= min && value <= max) {
      rules[field] = value;
    } else {
      const message = messages[field].replace("{min}", String(min)).replace("{max}", String(max));
      issues.push({ path: [field], key: `points.${field}.out_of_range`, message, params: { min, max } });
    }
  }
  const tiers = given.tierMultipliers;
  if (tiers !== undefined) {
    if (typeof tiers !== "object" || tiers === null || Array.isArray(tiers)) {
      issues.push({
        path: ["tierMultipliers"],
        key: "field.invalid_type",
        message: "The tier multipliers must be a group of settings.",
      });
    } else {
      const entries = Object.entries(tiers as Record<string, unknown>);
      const { min, max, maxTiers } = TIER_MULTIPLIER_LIMITS;
      if (entries.length > maxTiers)
        issues.push({
          path: ["tierMultipliers"],
          key: "points.tierMultipliers.too_many",
          message: `At most ${maxTiers} tiers can have a multiplier.`,
          params: { max: maxTiers },
        });
      for (const [key, value] of entries) {
        if (!TIER_KEY_PATTERN.test(key)) {
          issues.push({
            path: ["tierMultipliers", key],
            key: "points.tierMultipliers.unknown_tier",
            message: `"${key}" is not a tier key.`,
            params: { tier: key },
          });
        } else if (typeof value === "number" && Number.isInteger(value) && value >= min && value <= max) {
          rules.tierMultipliers[key] = value;
        } else {
          issues.push({
            path: ["tierMultipliers", key],
            key: "points.tierMultipliers.out_of_range",
            message: `The multiplier of tier "${key}" must be a whole number of thousandths, from ${min} to ${max}.`,
            params: { tier: key, min, max },
          });
        }
      }
    }
  }
  const mode = given.expiryMode;
  if (mode !== undefined) {
    if (typeof mode === "string" && (EXPIRY_MODES as readonly string[]).includes(mode)) {
      rules.expiryMode = mode as ExpiryMode;
    } else {
      issues.push({
        path: ["expiryMode"],
        key: "points.expiryMode.invalid",
        message: 'Points expire either after months without earning ("inactivity") or a fixed lifetime ("lifetime").',
      });
    }
  }
  const metafield = given.birthdayMetafield;
  if (metafield !== undefined) {
    if (typeof metafield === "string" && METAFIELD_IDENTIFIER.test(metafield.trim())) {
      rules.birthdayMetafield = metafield.trim();
    } else {
      issues.push({
        path: ["birthdayMetafield"],
        key: "points.birthdayMetafield.invalid",
        message:
          'The birthday metafield must be written "namespace.key" (for example facts.birth_date): a namespace of 3 to 255 and a key of 2 to 64 letters, digits, "-" or "_".',
      });
    }
  }
  for (const field of Object.keys(given)) {
    if (
      !(field in POINTS_LIMITS) &&
      field !== "tierMultipliers" &&
      field !== "birthdayMetafield" &&
      field !== "expiryMode"
    )
      issues.push({ path: [field], key: "field.unknown", message: `Unknown setting "${field}".` });
  }
  return issues.length === 0 ? { ok: true, rules } : { ok: false, issues };
}

/** A saved version of the rules: orders processed at or after `effectiveFrom` earn under it (the newest such one). */
export interface PointsRulesVersion {
  version: number;
  effectiveFrom: number;
  rules: PointsRules;
}

/** Everything the journal of a shop's customers follows besides the ledger: its rules and calendar. */
export interface PointsProgramme {
  /** Saved versions. Before the first one takes effect, version 0 (DEFAULT_POINTS_RULES) is in force. */
  versions: readonly PointsRulesVersion[];
  /** When the programme started: orders processed before this instant earn nothing. */
  startsAt: number;
  /** The shop's IANA time zone, for expiry days and birthday months (UTC when undefined). */
  timeZone?: string;
  /** The shop's tier programmes with the instant each became the shop's, for tier multipliers: the tier a customer
   * held at an order's processed_at is evaluated under the programme in force then. Empty or absent: no tiers. */
  tierProgrammes?: readonly TierProgrammeAt[];
}

/** The version in force at `t`: the highest-numbered saved version with effectiveFrom ≤ t, else version 0. */
export function rulesAt(programme: PointsProgramme, t: number): PointsRulesVersion {
  let found: PointsRulesVersion | null = null;
  for (const v of programme.versions) if (v.effectiveFrom <= t && (!found || v.version > found.version)) found = v;
  return found ?? { version: 0, effectiveFrom: Number.NEGATIVE_INFINITY, rules: DEFAULT_POINTS_RULES };
}

const toSafeNumber = (value: bigint, what: string) => {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER))
    throw new RangeError(`${what} is beyond 2^53 points`);
  return Number(value);
};

/**
 * An order's points: floor(rate × value × multiplier × tier multiplier), with value in major units of `currency` —
 * computed exactly as floor(valueMinor × ratePerMille × multiplierPerMille × tierPerMille / (10^decimals × 10^9)) in
 * BigInt. 0 for a value ≤ 0. The tier multiplier defaults to ×1 (1000), which gives the formula without it.
 */
export function orderPoints(
  valueMinor: number,
  currency: string,
  rules: Pick<PointsRules, "ratePerMille" | "multiplierPerMille">,
  tierMultiplierPerMille = 1000,
): number {
  if (!Number.isSafeInteger(valueMinor)) throw new RangeError(`value ${valueMinor} is not an integer of minor units`);
  if (valueMinor <= 0) return 0;
  const scale = 10n ** BigInt(currencyDecimals(currency)) * 1_000_000_000n;
  const points =
    (BigInt(valueMinor) *
      BigInt(rules.ratePerMille) *
      BigInt(rules.multiplierPerMille) *
      BigInt(tierMultiplierPerMille)) /
    scale;
  return toSafeNumber(points, `the points of ${valueMinor} minor units`);
}

/** The multiplier (per mille) a tier key gets under `rules`: its own, or ×1 for no tier or a tier not listed. */
export function tierMultiplierOf(rules: Pick<PointsRules, "tierMultipliers">, tier: string | null): number {
  if (tier === null) return 1000;
  const own = rules.tierMultipliers?.[tier];
  return typeof own === "number" ? own : 1000;
}

/** When points of an order processed at `processedAt` expire if no later order earns: that calendar day, N months on, at its first instant in the zone. */
export function expiryAfter(processedAt: number, months: number, timeZone?: string): number {
  return localDayStart(addCalendarMonths(localDateAt(processedAt, timeZone), months), timeZone);
}

// ---- The ledger's facts of one customer --------------------------------------------------------------------------

export interface PointsRefund {
  id: string;
  createdAt: number;
  /** null: Shopify sent it in several currencies; it counts once the order version reflecting it arrives. */
  amountMinor: number | null;
  currencyCode: string;
}

/** An order of the customer as the ledger holds it (not deleted). */
export interface PointsOrder {
  id: string;
  processedAt: number;
  cancelledAt: number | null;
  test: boolean;
  currencyCode: string;
  /** The ledger's value: the newest version's current total less late refunds (docs/rules.md#ledger-order-value). */
  valueMinor: number;
  refunds: readonly PointsRefund[];
}

/** One journal entry as the rules derive it, or as it is held. Points are signed: + adds to the balance. */
export interface PointsEntryValues {
  /** Unique per shop and customer. A correction of source `k` is keyed `k~n` (n = entries already held for `k`). */
  sourceKey: string;
  kind: PointsKind;
  points: number;
  ruleVersion: number;
  /** When the movement happens. */
  effectiveAt: number;
  /** When its points count as available (earn: processed_at + return window; other kinds: effectiveAt, or the
   * clawed order's availableAt when taken from its pending points). */
  availableAt: number;
  orderId: string | null;
  refundId: string | null;
  note: string | null;
  /** A fixed instant its points expire at if still unspent (an import file's date); null or absent: the shop's rules
   * alone decide (docs/rules.md#points-expiry). */
  expiresAt?: number | null;
}

/** Source keys (docs/rules.md#points-keys); a correction adds `~n`. */
export const pointsKeys = {
  order: (orderId: string, version: number) => `order:${orderId}:v${version}`,
  refund: (refundId: string) => `refund:${refundId}`,
  cancellation: (orderId: string) => `cancel:${orderId}`,
  loss: (clawbackKey: string) => `loss:${clawbackKey}`,
  expiry: (at: number) => `expiry:${new Date(at).toISOString()}`,
};

/** The source a key belongs to: the key without its correction suffix. */
export const sourceOf = (sourceKey: string) => {
  const cut = sourceKey.indexOf("~");
  return cut === -1 ? sourceKey : sourceKey.slice(0, cut);
};

const DERIVED_PREFIXES = ["order:", "refund:", "cancel:", "loss:", "expiry:", "bonus:"];

/**
 * Whether a source is derived from the ledger and the customer's facts (an order, a refund, a cancellation, a loss,
 * an expiry, a bonus: sign-up, first order, birthday): derive owns those. Any other source (an import, a redemption,
 * an adjustment) is written by its own service and is an input of the rules: its movements count in the balances they
 * read, and derive never reverses it.
 */
export const isDerivedSource = (sourceKey: string) => DERIVED_PREFIXES.some((p) => sourceKey.startsWith(p));

// ---- The target journal --------------------------------------------------------------------------------------------

interface OrderTrack {
  order: PointsOrder;
  version: PointsRulesVersion;
  availableAt: number;
  /** The tier multiplier (per mille) of the tier held at processed_at. */
  tierMultiplier: number;
  /** The points the order holds now (its earn less what was taken back, loss included). */
  held: number;
  /** The first-order bonus it still holds (only the customer's first order has one). */
  bonus: number;
}

type Fact =
  | { t: number; phase: 0; track: OrderTrack; points: number }
  | { t: number; phase: 0; grant: PointsEntryValues; track?: OrderTrack }
  | { t: number; phase: 1; track: OrderTrack; refund: PointsRefund; pointsAfter: number; valueAfter: number }
  | { t: number; phase: 2; track: OrderTrack }
  | { t: number; phase: 3 };

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Held movements of other sources that count as earning for the inactivity clock: points imported, a merchant's
 * positive adjustment, an award (a Flow action's bonus). A released redemption (points given back) does not. */
const EARNING_ACTIVITY: ReadonlySet<PointsKind> = new Set(["import", "adjustment", "bonus"]);
/** Positive movements that start a lifetime of their own under `lifetime` (docs/rules.md#points-expiry). */
const LIFETIME_CREDITS: ReadonlySet<PointsKind> = new Set(["order", "bonus", "import", "adjustment"]);

/** The mode of rules as stored (a version saved before the field existed has none: inactivity). */
const expiryModeOf = (rules: Pick<PointsRules, "expiryMode">): ExpiryMode =>
  rules.expiryMode === "lifetime" ? "lifetime" : "inactivity";

/** A credit's lifetime under `lifetime`: its points (net of what was taken from them while pending) and the instant
 * they expire — the first instant of the local day `expiryMonths` (of the version in force at the credit) after its
 * effectiveAt's day, or its availableAt when that is later; +∞ when that version never expires points. */
interface Lot {
  points: number;
  expiresAt: number;
  /** When its points count (its first credit's effectiveAt, or availableAt when later). */
  from: number;
}

/**
 * The lots of the movements added so far, and what else moves the available balance (D: debits less released points)
 * by the instant it does. A negative movement taken from pending points (availableAt after effectiveAt, with an order)
 * reduces the credits of the same order that become available at the same moment (added before it), not the balance.
 */
function lifetimeBook(programme: PointsProgramme) {
  const lots = new Map<string, Lot>();
  const debits: { at: number; points: number }[] = [];
  /** Expiry days already computed, by effectiveAt and months (the zone's arithmetic is the costly part). */
  const days = new Map<string, number>();
  let added = 0;
  const add = (m: PointsEntryValues) => {
    const i = added++;
    if (m.kind === "expiry" || m.kind === "loss" || m.points === 0) return;
    if (m.expiresAt != null) {
      // A dated credit (an import's own expiry) and its reversals: one lot, expiring at the earlier of its date and
      // its lifetime, never before it is available
      const key = datedLotKey(m);
      const lot = lots.get(key);
      if (lot) {
        lot.points += m.points;
        return;
      }
      const months = rulesAt(programme, m.effectiveAt).rules.expiryMonths;
      const day = months === null ? Number.POSITIVE_INFINITY : expiryAfter(m.effectiveAt, months, programme.timeZone);
      lots.set(key, {
        points: m.points,
        expiresAt: Math.max(Math.min(day, m.expiresAt), m.availableAt, m.effectiveAt),
        from: Math.max(m.effectiveAt, m.availableAt),
      });
      return;
    }
    if (m.points > 0 && LIFETIME_CREDITS.has(m.kind)) {
      const key = m.orderId !== null ? `${m.orderId}|${m.availableAt}` : `#${i}`;
      const lot = lots.get(key);
      if (lot) {
        lot.points += m.points;
        return;
      }
      const months = rulesAt(programme, m.effectiveAt).rules.expiryMonths;
      let day = Number.POSITIVE_INFINITY;
      if (months !== null) {
        const dayKey = `${m.effectiveAt}|${months}`;
        day = days.get(dayKey) ?? expiryAfter(m.effectiveAt, months, programme.timeZone);
        days.set(dayKey, day);
      }
      lots.set(key, {
        points: m.points,
        expiresAt: Math.max(day, m.availableAt),
        from: Math.max(m.effectiveAt, m.availableAt),
      });
      return;
    }
    const own = m.points < 0 && m.orderId !== null && m.availableAt > m.effectiveAt;
    const lot = own ? lots.get(`${m.orderId}|${m.availableAt}`) : undefined;
    if (lot) lot.points += m.points;
    else debits.push({ at: Math.max(m.effectiveAt, m.availableAt), points: -m.points });
  };
  return { lots, debits, add };
}

/** The lot of a dated movement: a credit with its own expiry and the reversals of it (same source, times, date). */
const datedLotKey = (m: PointsEntryValues) =>
  `dated|${sourceOf(m.sourceKey)}|${m.effectiveAt}|${m.availableAt}|${m.expiresAt}`;

/** When a dated movement's points expire on their own date: the date, or the instant they count when that is later. */
const datedExpiry = (m: PointsEntryValues) => Math.max(m.expiresAt!, m.effectiveAt, m.availableAt);

/**
 * Under `inactivity`, what of the dated credits (held movements with an expiry of their own) whose date is ≤ t is still
 * unspent at t: every movement counted by t is replayed in time order, credits before debits at one instant; a debit
 * (an expiry included) takes from the dated lots first, earliest date first, then from the undated points — so an
 * inactivity expiry, taking everything, empties them; a clawback from an order's pending points is the order's own.
 */
function datedUnspent(movements: readonly PointsEntryValues[], t: number): number {
  const lots = new Map<string, { at: number; points: number }>();
  const moves = movements
    .filter((m) => m.kind !== "loss" && m.points !== 0)
    .map((m) => ({ m, at: Math.max(m.effectiveAt, m.availableAt) }))
    .filter(({ at }) => at <= t)
    .sort(
      (a, b) =>
        a.at - b.at || Number(a.m.points < 0) - Number(b.m.points < 0) || compareText(a.m.sourceKey, b.m.sourceKey),
    );
  for (const { m } of moves) {
    if (m.expiresAt != null) {
      // A dated credit opens its lot; a reversal of it (a corrected file) takes from that lot only
      const key = datedLotKey(m);
      const lot = lots.get(key);
      if (lot) lot.points += m.points;
      else lots.set(key, { at: datedExpiry(m), points: m.points });
      continue;
    }
    // Credits, and a clawback from an order's pending points, move the undated points only
    if (m.points > 0 || (m.orderId !== null && m.availableAt > m.effectiveAt)) continue;
    let owed = -m.points;
    const open = [...lots.entries()].sort((x, y) => x[1].at - y[1].at || compareText(x[0], y[0]));
    for (const [, lot] of open) {
      if (owed === 0) break;
      const taken = Math.min(owed, Math.max(0, lot.points));
      lot.points -= taken;
      owed -= taken;
    }
  }
  let sum = 0;
  for (const lot of lots.values()) if (lot.at <= t) sum += Math.max(0, lot.points);
  return sum;
}

/** What the journal needs to know of the customer besides their orders, for the bonuses. */
export interface PointsCustomerFacts {
  /** When the account was created in Shopify (null: unknown, no sign-up bonus). */
  createdAt: number | null;
  /** The birth date held (CustomerBirthday); null: none, no birthday bonus. */
  birthday: { month: number; day: number } | null;
  /** Every live order of the customer, from before the programme start too, for the tier held at an order's
   * processed_at; absent: the orders given to targetEntries. */
  tierOrders?: readonly TierCountedOrder[];
}

/**
 * The journal one customer's ledger facts lead to as of `asOf`, in the order the movements happen. Deterministic: the
 * same orders (in any order), customer facts, rules and asOf give the same entries.
 *
 * - An order processed at or after the programme start, not a test, earns floor(rate × value₀ × multiplier × tier
 *   multiplier) under the version in force at its processed_at, pending until processed_at + the return window.
 *   value₀ is the ledger's value plus every refund of known amount in the order's currency: the value before those
 *   refunds. (The ledger holds an order's newest total only, so an edit is seen as the order's value from the
 *   start.) The tier is the one held at processed_at over the customer's qualifying orders before it (tierHeldAt),
 *   under the tier programme in force then.
 * - Each such refund, at its created_at (not before processed_at), takes the order down to what its value after the
 *   refund earns; a cancellation, at cancelled_at, takes everything it still holds. Taken from its pending points
 *   while the order is in its return window, else from the available balance, never below zero: the rest is a loss.
 * - Bonuses (each under the version in force at its instant; 0 points: none): sign-up at the account's creation when
 *   that is at or after the start; first order with the customer's first order since the start worth more than 0
 *   (pending with it, taken back when it is cancelled or refunded to 0); birthday at the first instant of the
 *   birthday month of each year, from the start to asOf.
 * - Expiry: at the first instant of the day `expiryMonths` after the local day of the last order still holding
 *   points (in the shop's zone), and at any later instant points become available while that day has passed, every
 *   available point expires. Only at instants ≤ asOf: expiry (and the birthday) are the movements the passing of
 *   time makes.
 * - A held credit with its own `expiresAt` (an import file's date): what of it is unspent expires then (at once when
 *   imported after it), spent before undated points, unless the shop's rules take it earlier (docs/rules.md#points-expiry).
 */
export function targetEntries(
  orders: readonly PointsOrder[],
  programme: PointsProgramme,
  asOf: number,
  {
    customerDeleted = false,
    held = [],
    customer,
  }: {
    customerDeleted?: boolean;
    /** The customer's journal as held: its entries of sources not derived from the ledger (imports …) are facts
     * too, counted in the available balance clawbacks and expiry read. Its derived entries are ignored. */
    held?: readonly PointsEntryValues[];
    /** The customer's creation time and birth date, for the sign-up and birthday bonuses. */
    customer?: PointsCustomerFacts;
  } = {},
): PointsEntryValues[] {
  if (customerDeleted) return [];
  const external = held.filter((e) => !isDerivedSource(e.sourceKey) && e.kind !== "loss");
  /** Held credits that count as earning for the inactivity clock (their effectiveAt is a fact, like an order's). */
  const activities = external.filter((e) => e.points > 0 && EARNING_ACTIVITY.has(e.kind));
  /** Held credits with an expiry of their own (an import file's date): their points expire then if still unspent. */
  const dated = external.filter((e) => e.expiresAt != null && e.points > 0);
  const modeAt = (t: number) => expiryModeOf(rulesAt(programme, t).rules);
  const anyLifetime = programme.versions.some((v) => expiryModeOf(v.rules) === "lifetime");
  // Under `lifetime`: the lots and debits of the held movements of other sources, then of each entry as it is written
  const book = lifetimeBook(programme);
  if (anyLifetime) for (const e of external) book.add(e);
  let booked = 0;
  const facts: Fact[] = [];
  const tracks: OrderTrack[] = [];
  const grant = (
    t: number,
    sourceKey: string,
    version: PointsRulesVersion,
    points: number,
    over: Partial<PointsEntryValues> = {},
  ): PointsEntryValues => ({
    sourceKey,
    kind: "bonus",
    points,
    ruleVersion: version.version,
    effectiveAt: t,
    availableAt: t,
    orderId: null,
    refundId: null,
    note: null,
    ...over,
  });
  const known = (order: PointsOrder) =>
    order.refunds
      .filter((r) => r.amountMinor !== null && r.amountMinor > 0 && r.currencyCode === order.currencyCode)
      .map((r) => ({ refund: r, t: Math.max(r.createdAt, order.processedAt) }))
      .sort((a, b) => a.t - b.t || compareText(a.refund.id, b.refund.id));
  const valueBefore = (order: PointsOrder) =>
    order.valueMinor + known(order).reduce((sum, r) => sum + r.refund.amountMinor!, 0);
  const counts = (order: PointsOrder) => !order.test && order.processedAt >= programme.startsAt;
  // The customer's first order in the programme (worth more than 0 before refunds): the first-order bonus follows it
  let first: PointsOrder | null = null;
  for (const order of orders)
    if (
      counts(order) &&
      valueBefore(order) > 0 &&
      (!first ||
        order.processedAt < first.processedAt ||
        (order.processedAt === first.processedAt && order.id < first.id))
    )
      first = order;
  for (const order of [...orders].sort((a, b) => compareText(a.id, b.id))) {
    if (!counts(order)) continue;
    const version = rulesAt(programme, order.processedAt);
    const refunds = known(order);
    let value = valueBefore(order);
    if (value <= 0) continue;
    const tiered = programme.tierProgrammes?.length && Object.keys(version.rules.tierMultipliers ?? {}).length > 0;
    const tierMultiplier = tiered
      ? tierMultiplierOf(
          version.rules,
          tierHeldAt(programme.tierProgrammes!, customer?.tierOrders ?? orders, order.processedAt),
        )
      : 1000;
    const earned = orderPoints(value, order.currencyCode, version.rules, tierMultiplier);
    const firstOrderPoints = order === first ? (version.rules.firstOrderPoints ?? 0) : 0;
    if (earned <= 0 && firstOrderPoints <= 0) continue;
    const track: OrderTrack = {
      order,
      version,
      availableAt: order.processedAt + version.rules.returnWindowDays * DAY_MS,
      tierMultiplier,
      held: 0,
      bonus: 0,
    };
    tracks.push(track);
    facts.push({ t: order.processedAt, phase: 0, track, points: earned });
    if (firstOrderPoints > 0)
      facts.push({
        t: order.processedAt,
        phase: 0,
        track,
        grant: grant(order.processedAt, bonusKeys.firstOrder(), version, firstOrderPoints, {
          availableAt: track.availableAt,
          orderId: order.id,
        }),
      });
    for (const { refund, t } of refunds) {
      value -= refund.amountMinor!;
      facts.push({
        t,
        phase: 1,
        track,
        refund,
        valueAfter: value,
        pointsAfter: orderPoints(value, order.currencyCode, version.rules, tierMultiplier),
      });
    }
    if (order.cancelledAt !== null) facts.push({ t: Math.max(order.cancelledAt, order.processedAt), phase: 2, track });
    facts.push({ t: track.availableAt, phase: 3 });
  }
  if (customer === undefined) {
    // Without the customer's facts (a caller that reads the orders only), the sign-up and birthday bonuses held stand
    // as they are: carried into the target per source and movement, so no append reverses them.
    const carried = new Map<string, PointsEntryValues>();
    for (const e of held) {
      const source = sourceOf(e.sourceKey);
      if (source !== bonusKeys.signUp() && !source.startsWith("bonus:birthday:")) continue;
      const key = `${source}|${e.kind}|${e.effectiveAt}|${e.availableAt}`;
      const sum = carried.get(key);
      carried.set(key, sum ? { ...sum, points: sum.points + e.points } : { ...e, sourceKey: source, note: null });
    }
    for (const e of carried.values()) if (e.points !== 0) facts.push({ t: e.effectiveAt, phase: 0, grant: e });
  }
  if (customer?.createdAt != null && customer.createdAt >= programme.startsAt) {
    const version = rulesAt(programme, customer.createdAt);
    const points = version.rules.signUpPoints ?? 0;
    if (points > 0)
      facts.push({
        t: customer.createdAt,
        phase: 0,
        grant: grant(customer.createdAt, bonusKeys.signUp(), version, points),
      });
  }
  if (customer?.birthday) {
    for (const { year, at } of birthdayInstants(customer.birthday, programme.startsAt, asOf, programme.timeZone)) {
      const version = rulesAt(programme, at);
      const points = version.rules.birthdayPoints ?? 0;
      if (points > 0) facts.push({ t: at, phase: 0, grant: grant(at, bonusKeys.birthday(year), version, points) });
    }
  }
  // External movements: their instants are moments to look at too (points they make available may expire at once)
  for (const e of external) facts.push({ t: e.effectiveAt, phase: 3 }, { t: e.availableAt, phase: 3 });
  // With a lifetime version, a change of mode is a moment to look at too (what the new mode finds overdue expires)
  if (anyLifetime)
    for (const v of programme.versions)
      if (Number.isFinite(v.effectiveFrom)) facts.push({ t: v.effectiveFrom, phase: 3 });
  facts.sort((a, b) => a.t - b.t || a.phase - b.phase);

  const entries: PointsEntryValues[] = [];
  const available = (t: number) => {
    let sum = 0;
    for (const e of entries) if (e.kind !== "loss" && e.availableAt <= t) sum += e.points;
    for (const e of external) if (e.effectiveAt <= t && e.availableAt <= t) sum += e.points;
    return sum;
  };
  /** Takes `points` back at t: from the order's pending points inside its window, else from the available balance. */
  const clawBack = (track: OrderTrack, points: number, t: number, base: Omit<PointsEntryValues, "points">) => {
    if (t < track.availableAt) {
      entries.push({ ...base, points: -points, availableAt: track.availableAt });
      return;
    }
    // Not below zero at t, nor at any later movement of another source (a redemption, an adjustment) already held: a
    // clawback learned after the points were spent takes only what was left (the rest is a loss).
    let room = available(t);
    for (const e of external) if (e.effectiveAt > t && e.points < 0) room = Math.min(room, available(e.effectiveAt));
    const taken = Math.min(points, Math.max(0, room));
    if (taken > 0) entries.push({ ...base, points: -taken });
    if (points > taken)
      entries.push({
        ...base,
        sourceKey: pointsKeys.loss(base.sourceKey),
        kind: "loss",
        points: -(points - taken),
        note: "not clawed back: the available balance was short",
      });
  };
  /** The first-order bonus back, with the order's own clawback (a cancellation, or a refund to 0). */
  const clawBackBonus = (track: OrderTrack, t: number, base: Omit<PointsEntryValues, "points" | "sourceKey">) => {
    if (track.bonus <= 0) return;
    const points = track.bonus;
    track.bonus = 0;
    clawBack(track, points, t, { ...base, sourceKey: bonusKeys.firstOrderClawback() });
  };
  /** The inactivity clock's expiry instant as of `now`, and the version it follows; null: nothing can expire. It runs
   * from the last earning: the last order still holding points, or a held import, positive adjustment or award
   * effective by `now` (an order first at the same instant). */
  const expiryNow = (now: number): { at: number; version: number } | null => {
    let lastAt = Number.NEGATIVE_INFINITY;
    let version: PointsRulesVersion | null = null;
    for (const track of tracks)
      if (track.held > 0 && (!version || track.order.processedAt > lastAt)) {
        lastAt = track.order.processedAt;
        version = track.version;
      }
    for (const e of activities)
      if (e.effectiveAt <= now && (!version || e.effectiveAt > lastAt)) {
        lastAt = e.effectiveAt;
        version = rulesAt(programme, e.effectiveAt);
      }
    if (!version || version.rules.expiryMonths === null) return null;
    return { at: expiryAfter(lastAt, version.rules.expiryMonths, programme.timeZone), version: version.version };
  };
  /** Under `lifetime`, the instants to look at after `after`: each credit's expiry, each lifetime version's start. */
  const lifetimeNext = (after: number): number => {
    let next = Number.POSITIVE_INFINITY;
    for (; booked < entries.length; booked++) book.add(entries[booked]);
    for (const lot of book.lots.values())
      if (lot.expiresAt > after && lot.expiresAt < next && modeAt(lot.expiresAt) === "lifetime") next = lot.expiresAt;
    for (const v of programme.versions)
      if (v.effectiveFrom > after && v.effectiveFrom < next && expiryModeOf(v.rules) === "lifetime")
        next = v.effectiveFrom;
    return next;
  };
  /** Under `lifetime` at E: max(0, min(available(E), C(E) − D(E) − X(E))), C the credits whose lifetime has ended by
   * E, D the debits by E less released points, X what expired before E — spending is first-expiring-first. */
  const lifetimeDue = (t: number): number => {
    // A lot whose day is ≤ t and a debit at ≤ t are effective by t: held movements later than t count in neither
    for (; booked < entries.length; booked++) book.add(entries[booked]);
    let owed = 0;
    for (const lot of book.lots.values()) if (lot.expiresAt <= t) owed += Math.max(0, lot.points);
    for (const d of book.debits) if (d.at <= t) owed -= d.points;
    for (const e of entries) if (e.kind === "expiry" && e.effectiveAt < t) owed += e.points;
    if (dated.length > 0) owed += datedShortfall(t);
    return Math.max(0, Math.min(available(t), owed));
  };
  /** With dated lots, a lot may arrive after debits yet expire before older lots: C − D − X would charge it debits made
   * before it existed. What the lots due by t could not cover when a debit or expiry came (the most D′ − C₁ ever
   * reached, D′ the debits and expiries so far, C₁ the lots due by t credited so far) was spent from later lots, and is
   * given back to the sum (first-expiring-first among the lots there were at each debit). */
  const datedShortfall = (t: number): number => {
    const moves: { at: number; points: number }[] = [];
    for (const lot of book.lots.values())
      if (lot.expiresAt <= t) moves.push({ at: lot.from, points: Math.max(0, lot.points) });
    for (const d of book.debits) if (d.at <= t) moves.push({ at: d.at, points: -d.points });
    for (const e of entries)
      if (e.kind === "expiry" && e.effectiveAt < t) moves.push({ at: e.effectiveAt, points: e.points });
    moves.sort((a, b) => a.at - b.at);
    let net = 0;
    let shortfall = 0;
    for (let k = 0; k < moves.length; ) {
      const at = moves[k].at;
      for (; k < moves.length && moves[k].at === at; k++) net += moves[k].points;
      shortfall = Math.max(shortfall, -net);
    }
    return shortfall;
  };
  /** Under `inactivity`, the next instant after `after` a dated credit's own expiry falls on (+∞: none). */
  const datedNext = (after: number): number => {
    let next = Number.POSITIVE_INFINITY;
    for (const e of dated) {
      const at = datedExpiry(e);
      if (at > after && at < next && modeAt(at) === "inactivity") next = at;
    }
    return next;
  };
  /** What of the dated credits due by t is unspent and still available (under `inactivity`). */
  const datedDue = (t: number): number =>
    Math.max(0, Math.min(available(t), datedUnspent([...external, ...entries], t)));
  const expireAt = (t: number, version: number, points = available(t)) => {
    if (points <= 0) return;
    entries.push({
      sourceKey: pointsKeys.expiry(t),
      kind: "expiry",
      points: -points,
      ruleVersion: version,
      effectiveAt: t,
      availableAt: t,
      orderId: null,
      refundId: null,
      note: null,
    });
  };

  let i = 0;
  let lastVisit = Number.NEGATIVE_INFINITY;
  for (;;) {
    const nextFact = i < facts.length ? facts[i].t : Number.POSITIVE_INFINITY;
    const due = expiryNow(lastVisit);
    const dueAt =
      due &&
      due.at > lastVisit &&
      due.at < nextFact &&
      due.at <= asOf &&
      (!anyLifetime || modeAt(due.at) === "inactivity")
        ? due.at
        : Number.POSITIVE_INFINITY;
    if (dated.length > 0) {
      // A dated credit's own day, before anything else happens (an inactivity expiry the same instant takes it all)
      const next = datedNext(lastVisit);
      if (next < nextFact && next <= asOf && next < dueAt && (!anyLifetime || next < lifetimeNext(lastVisit))) {
        expireAt(next, rulesAt(programme, next).version, datedDue(next));
        lastVisit = next;
        continue;
      }
    }
    if (due && dueAt !== Number.POSITIVE_INFINITY) {
      expireAt(due.at, due.version);
      lastVisit = due.at;
      continue;
    }
    if (anyLifetime) {
      const next = lifetimeNext(lastVisit);
      if (next < nextFact && next <= asOf) {
        expireAt(next, rulesAt(programme, next).version, lifetimeDue(next));
        lastVisit = next;
        continue;
      }
    }
    if (i >= facts.length) break;
    const t = nextFact;
    for (; i < facts.length && facts[i].t === t; i++) {
      const fact = facts[i];
      if (fact.phase === 3) continue;
      if ("grant" in fact) {
        entries.push(fact.grant);
        if (fact.track) fact.track.bonus += fact.grant.points;
        continue;
      }
      const { track } = fact;
      const { order, version } = track;
      const base = {
        ruleVersion: version.version,
        effectiveAt: t,
        availableAt: t,
        orderId: order.id,
        refundId: null,
        note: null,
      };
      if (fact.phase === 0) {
        track.held = fact.points;
        if (fact.points > 0)
          entries.push({
            ...base,
            sourceKey: pointsKeys.order(order.id, version.version),
            kind: "order",
            points: fact.points,
            availableAt: track.availableAt,
          });
      } else if (fact.phase === 1) {
        const taken = track.held - Math.min(track.held, fact.pointsAfter);
        const refundBase = { ...base, kind: "refund" as const, refundId: fact.refund.id };
        if (taken > 0) {
          track.held -= taken;
          clawBack(track, taken, t, { ...refundBase, sourceKey: pointsKeys.refund(fact.refund.id) });
        }
        if (fact.valueAfter <= 0) clawBackBonus(track, t, refundBase);
      } else {
        const cancelBase = { ...base, kind: "cancellation" as const };
        if (track.held > 0) {
          const points = track.held;
          track.held = 0;
          clawBack(track, points, t, { ...cancelBase, sourceKey: pointsKeys.cancellation(order.id) });
        }
        clawBackBonus(track, t, cancelBase);
      }
    }
    lastVisit = t;
    if (t > asOf) continue;
    if (anyLifetime && modeAt(t) === "lifetime") {
      // What has outlived its lifetime and is still owed (points given back by a released redemption) expires now
      expireAt(t, rulesAt(programme, t).version, lifetimeDue(t));
      continue;
    }
    const dueAfter = expiryNow(t);
    if (dueAfter && dueAfter.at <= t) expireAt(t, dueAfter.version);
    // What a dated credit due by now still holds (a date already past when it was imported: at once)
    else if (dated.length > 0) expireAt(t, rulesAt(programme, t).version, datedDue(t));
  }
  return entries;
}

// ---- Reaching the target: what to append -------------------------------------------------------------------------

/** The signature of a movement: entries of one source with the same signature add up. */
const signature = (e: Pick<PointsEntryValues, "kind" | "effectiveAt" | "availableAt" | "expiresAt">) =>
  `${e.kind}|${e.effectiveAt}|${e.availableAt}|${e.expiresAt ?? ""}`;

/**
 * The entries to append to `held` (a customer's journal) so that, source by source, the journal says what `target`
 * says: for each source key, the held points of every (kind, effectiveAt, availableAt, expiresAt) other than the target's are
 * reversed, and the target's movement is topped up to its points. A held source the target lacks is reversed only
 * when it is derived from the ledger (isDerivedSource): other sources belong to the services that write them. Nothing held is ever changed. A source appended to
 * for the first time gets its own key; a later correction gets `key~n`, n = the entries the source already holds.
 * With `held` empty this is `target` itself.
 */
export function journalAppends(
  held: readonly PointsEntryValues[],
  target: readonly PointsEntryValues[],
): PointsEntryValues[] {
  const bySource = new Map<
    string,
    { count: number; buckets: Map<string, { entry: PointsEntryValues; sum: number }> }
  >();
  for (const e of held) {
    const source = sourceOf(e.sourceKey);
    let group = bySource.get(source);
    if (!group) bySource.set(source, (group = { count: 0, buckets: new Map() }));
    group.count += 1;
    const sig = signature(e);
    const bucket = group.buckets.get(sig);
    if (bucket) bucket.sum += e.points;
    else group.buckets.set(sig, { entry: e, sum: e.points });
  }
  const targets = new Map(target.map((e) => [e.sourceKey, e]));
  // In the order the movements happen (the target's), then the sources only the journal still holds.
  const sources = [...new Set([...targets.keys(), ...bySource.keys()])];
  const out: PointsEntryValues[] = [];
  for (const source of sources) {
    const group = bySource.get(source);
    const want = targets.get(source);
    // A source the ledger does not derive (an import …) is its own service's: never reversed for being absent here.
    if (!want && !isDerivedSource(source)) continue;
    const wantSig = want ? signature(want) : null;
    const appended: PointsEntryValues[] = [];
    if (group) {
      const sigs = [...group.buckets.keys()].sort(compareText);
      for (const sig of sigs) {
        const { entry, sum } = group.buckets.get(sig)!;
        if (sig !== wantSig && sum !== 0)
          appended.push({ ...entry, points: -sum, note: "correction: this movement is no longer in the ledger" });
      }
    }
    if (want) {
      const heldSum = group?.buckets.get(signature(want))?.sum ?? 0;
      if (want.points !== heldSum)
        appended.push(group ? { ...want, points: want.points - heldSum, note: "correction" } : want);
    }
    let n = group?.count ?? 0;
    for (const entry of appended) {
      out.push({ ...entry, sourceKey: n === 0 ? source : `${source}~${n}` });
      n += 1;
    }
  }
  return out;
}

// ---- Balances --------------------------------------------------------------------------------------------------

/** A customer's points as of a moment, whole points (docs/rules.md#points-balances). */
export interface PointsBalance {
  /** Points orders (and later bonuses, imports, adjustments) granted, corrections included. */
  earned: number;
  pending: number;
  available: number;
  redeemed: number;
  expired: number;
  /** Points refunds and cancellations took back. */
  clawedBack: number;
  /** Points a clawback could not take (the available balance was short). */
  lost: number;
}

const EARNING: ReadonlySet<PointsKind> = new Set(["order", "bonus", "import", "adjustment"]);

/** Balances from the entries effective at or before `at`; pending + available = earned − clawedBack − expired − redeemed. */
export function balancesAt(
  entries: readonly Pick<PointsEntryValues, "kind" | "points" | "effectiveAt" | "availableAt">[],
  at: number,
): PointsBalance {
  const b: PointsBalance = { earned: 0, pending: 0, available: 0, redeemed: 0, expired: 0, clawedBack: 0, lost: 0 };
  for (const e of entries) {
    if (e.effectiveAt > at) continue;
    if (e.kind === "loss") {
      b.lost -= e.points;
      continue;
    }
    if (e.availableAt <= at) b.available += e.points;
    else b.pending += e.points;
    if (EARNING.has(e.kind)) b.earned += e.points;
    else if (e.kind === "refund" || e.kind === "cancellation") b.clawedBack -= e.points;
    else if (e.kind === "expiry") b.expired -= e.points;
    else if (e.kind === "redemption") b.redeemed -= e.points;
  }
  return b;
}

/**
 * The points a customer can spend at `at`: what is available then, less every debit already written with a later
 * date. A request that read the clock before waiting on the customer's lock is earlier than a reservation made while
 * it waited; that reservation is spent all the same, so a guard that ignored it would let two spends through.
 */
export function spendableAt(
  entries: readonly Pick<PointsEntryValues, "kind" | "points" | "effectiveAt" | "availableAt">[],
  at: number,
): number {
  let later = 0;
  for (const e of entries) if (e.effectiveAt > at && e.points < 0 && e.kind !== "loss") later += e.points;
  return balancesAt(entries, at).available + later;
}

export const POINTS_CSV_COLUMNS = [
  "customer_id",
  "earned",
  "pending",
  "available",
  "redeemed",
  "expired",
  "clawed_back",
  "lost",
] as const;

/** One CSV line of a customer's balances (ids are Shopify gids: no quoting needed, checked). */
export function pointsCsvLine(customerId: string, b: PointsBalance): string {
  if (/[",\r\n]/.test(customerId)) throw new Error(`customer id ${JSON.stringify(customerId)} cannot be a CSV cell`);
  return [customerId, b.earned, b.pending, b.available, b.redeemed, b.expired, b.clawedBack, b.lost].join(",");
}

/** A time zone the journal can use: the shop's when Intl knows it, else UTC. */
export function pointsTimeZone(timeZone: string | null | undefined): string | undefined {
  return timeZone && timeZone !== "UTC" && isValidTimeZone(timeZone) ? timeZone : undefined;
}

// Points (docs/rules.md#points): what an order earns, the journal a customer's ledger facts lead to under the shop's
// points rules as of a moment, what has to be appended to a journal to reach it, and balances as sums of entries.
// Pure: epoch milliseconds in, no clock, no I/O. The journal is a deterministic function of (the customer's orders and
// refunds, the rules, asOf); services/points.server.ts appends, per source key, only the difference (ADR 0006).
import { currencyDecimals } from "./money";
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

export interface PointsRules {
  /** Points per 1 major unit of the shop currency, per mille: 1000 = 1 point per unit, 2500 = 2.5 points. */
  ratePerMille: number;
  /** Multiplier on every order, per mille: 1000 = ×1. */
  multiplierPerMille: number;
  /** Days an order's points stay pending after processed_at (the return window); 0: available at once. */
  returnWindowDays: number;
  /** Calendar months without an earning order after which available points expire; null: they never expire. */
  expiryMonths: number | null;
}

export const DEFAULT_POINTS_RULES: Readonly<PointsRules> = {
  ratePerMille: 1000,
  multiplierPerMille: 1000,
  returnWindowDays: 30,
  expiryMonths: 12,
};

export const POINTS_LIMITS = {
  ratePerMille: { min: 0, max: 1_000_000 },
  multiplierPerMille: { min: 0, max: 100_000 },
  returnWindowDays: { min: 0, max: 365 },
  expiryMonths: { min: 1, max: 120 },
} as const;

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
  const rules = { ...DEFAULT_POINTS_RULES };
  const messages: Record<keyof typeof POINTS_LIMITS, string> = {
    ratePerMille: "The rate must be a whole number of thousandths of a point per unit, from {min} to {max}.",
    multiplierPerMille: "The multiplier must be a whole number of thousandths, from {min} to {max}.",
    returnWindowDays: "The return window must be a whole number of days from {min} to {max}.",
    expiryMonths: "Points must expire after a whole number of months from {min} to {max}, or never.",
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
  for (const field of Object.keys(given)) {
    if (!(field in POINTS_LIMITS))
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
  /** The shop's IANA time zone, for expiry days (UTC when undefined). */
  timeZone?: string;
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
 * An order's points: floor(rate × value × multiplier), with value in major units of `currency` — computed exactly as
 * floor(valueMinor × ratePerMille × multiplierPerMille / (10^decimals × 10^6)) in BigInt. 0 for a value ≤ 0.
 */
export function orderPoints(valueMinor: number, currency: string, rules: PointsRules): number {
  if (!Number.isSafeInteger(valueMinor)) throw new RangeError(`value ${valueMinor} is not an integer of minor units`);
  if (valueMinor <= 0) return 0;
  const scale = 10n ** BigInt(currencyDecimals(currency)) * 1_000_000n;
  const points = (BigInt(valueMinor) * BigInt(rules.ratePerMille) * BigInt(rules.multiplierPerMille)) / scale;
  return toSafeNumber(points, `the points of ${valueMinor} minor units`);
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

const DERIVED_PREFIXES = ["order:", "refund:", "cancel:", "loss:", "expiry:"];

/**
 * Whether a source is derived from the ledger (an order, a refund, a cancellation, a loss, an expiry): derive owns
 * those. Any other source (an import, and later redemptions, adjustments, bonuses) is written by its own service and is
 * an input of the rules: its movements count in the balances they read, and derive never reverses it.
 */
export const isDerivedSource = (sourceKey: string) => DERIVED_PREFIXES.some((p) => sourceKey.startsWith(p));

// ---- The target journal --------------------------------------------------------------------------------------------

interface OrderTrack {
  order: PointsOrder;
  version: PointsRulesVersion;
  availableAt: number;
  /** The points the order holds now (its earn less what was taken back, loss included). */
  held: number;
}

type Fact =
  | { t: number; phase: 0; track: OrderTrack; points: number }
  | { t: number; phase: 1; track: OrderTrack; refund: PointsRefund; pointsAfter: number }
  | { t: number; phase: 2; track: OrderTrack }
  | { t: number; phase: 3 };

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The journal one customer's ledger facts lead to as of `asOf`, in the order the movements happen. Deterministic: the
 * same orders (in any order), rules and asOf give the same entries.
 *
 * - An order processed at or after the programme start, not a test, earns floor(rate × value₀ × multiplier) under
 *   the version in force at its processed_at, pending until processed_at + the return window. value₀ is the ledger's
 *   value plus every refund of known amount in the order's currency: the value before those refunds. (The ledger
 *   holds an order's newest total only, so an edit is seen as the order's value from the start.)
 * - Each such refund, at its created_at (not before processed_at), takes the order down to what its value after the
 *   refund earns; a cancellation, at cancelled_at, takes everything it still holds. Taken from its pending points
 *   while the order is in its return window, else from the available balance, never below zero: the rest is a loss.
 * - Expiry: at the first instant of the day `expiryMonths` after the local day of the last order still holding
 *   points (in the shop's zone), and at any later instant points become available while that day has passed, every
 *   available point expires. Only at instants ≤ asOf: expiry is the one movement the passing of time makes.
 */
export function targetEntries(
  orders: readonly PointsOrder[],
  programme: PointsProgramme,
  asOf: number,
  {
    customerDeleted = false,
    held = [],
  }: {
    customerDeleted?: boolean;
    /** The customer's journal as held: its entries of sources not derived from the ledger (imports …) are facts
     * too, counted in the available balance clawbacks and expiry read. Its derived entries are ignored. */
    held?: readonly PointsEntryValues[];
  } = {},
): PointsEntryValues[] {
  if (customerDeleted) return [];
  const external = held.filter((e) => !isDerivedSource(e.sourceKey) && e.kind !== "loss");
  const facts: Fact[] = [];
  const tracks: OrderTrack[] = [];
  for (const order of [...orders].sort((a, b) => compareText(a.id, b.id))) {
    if (order.test || order.processedAt < programme.startsAt) continue;
    const version = rulesAt(programme, order.processedAt);
    const known = order.refunds
      .filter((r) => r.amountMinor !== null && r.amountMinor > 0 && r.currencyCode === order.currencyCode)
      .map((r) => ({ refund: r, t: Math.max(r.createdAt, order.processedAt) }))
      .sort((a, b) => a.t - b.t || compareText(a.refund.id, b.refund.id));
    let value = order.valueMinor + known.reduce((sum, r) => sum + r.refund.amountMinor!, 0);
    const earned = orderPoints(value, order.currencyCode, version.rules);
    if (earned <= 0) continue;
    const track: OrderTrack = {
      order,
      version,
      availableAt: order.processedAt + version.rules.returnWindowDays * DAY_MS,
      held: 0,
    };
    tracks.push(track);
    facts.push({ t: order.processedAt, phase: 0, track, points: earned });
    for (const { refund, t } of known) {
      value -= refund.amountMinor!;
      facts.push({ t, phase: 1, track, refund, pointsAfter: orderPoints(value, order.currencyCode, version.rules) });
    }
    if (order.cancelledAt !== null) facts.push({ t: Math.max(order.cancelledAt, order.processedAt), phase: 2, track });
    facts.push({ t: track.availableAt, phase: 3 });
  }
  // External movements: their instants are moments to look at too (points they make available may expire at once)
  for (const e of external) facts.push({ t: e.effectiveAt, phase: 3 }, { t: e.availableAt, phase: 3 });
  facts.sort((a, b) => a.t - b.t || a.phase - b.phase);

  const entries: PointsEntryValues[] = [];
  const available = (t: number) => {
    let sum = 0;
    for (const e of entries) if (e.kind !== "loss" && e.availableAt <= t) sum += e.points;
    for (const e of external) if (e.effectiveAt <= t && e.availableAt <= t) sum += e.points;
    return sum;
  };
  const clawBack = (track: OrderTrack, points: number, t: number, base: Omit<PointsEntryValues, "points">) => {
    track.held -= points;
    if (t < track.availableAt) {
      entries.push({ ...base, points: -points, availableAt: track.availableAt });
      return;
    }
    const taken = Math.min(points, Math.max(0, available(t)));
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
  /** The expiry instant the customer's orders set now, and the version it follows; null: nothing can expire. */
  const expiryNow = (): { at: number; version: number } | null => {
    let last: OrderTrack | null = null;
    for (const track of tracks)
      if (track.held > 0 && (!last || track.order.processedAt > last.order.processedAt)) last = track;
    if (!last || last.version.rules.expiryMonths === null) return null;
    return {
      at: expiryAfter(last.order.processedAt, last.version.rules.expiryMonths, programme.timeZone),
      version: last.version.version,
    };
  };
  const expireAt = (t: number, version: number) => {
    const points = available(t);
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
    const due = expiryNow();
    if (due && due.at > lastVisit && due.at < nextFact && due.at <= asOf) {
      expireAt(due.at, due.version);
      lastVisit = due.at;
      continue;
    }
    if (i >= facts.length) break;
    const t = nextFact;
    for (; i < facts.length && facts[i].t === t; i++) {
      const fact = facts[i];
      if (fact.phase === 3) continue;
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
        entries.push({
          ...base,
          sourceKey: pointsKeys.order(order.id, version.version),
          kind: "order",
          points: fact.points,
          availableAt: track.availableAt,
        });
      } else if (fact.phase === 1) {
        const taken = track.held - Math.min(track.held, fact.pointsAfter);
        if (taken > 0)
          clawBack(track, taken, t, {
            ...base,
            sourceKey: pointsKeys.refund(fact.refund.id),
            kind: "refund",
            refundId: fact.refund.id,
          });
      } else if (track.held > 0) {
        clawBack(track, track.held, t, { ...base, sourceKey: pointsKeys.cancellation(order.id), kind: "cancellation" });
      }
    }
    lastVisit = t;
    const dueAfter = expiryNow();
    if (dueAfter && dueAfter.at <= t && t <= asOf) expireAt(t, dueAfter.version);
  }
  return entries;
}

// ---- Reaching the target: what to append -------------------------------------------------------------------------

/** The signature of a movement: entries of one source with the same signature add up. */
const signature = (e: Pick<PointsEntryValues, "kind" | "effectiveAt" | "availableAt">) =>
  `${e.kind}|${e.effectiveAt}|${e.availableAt}`;

/**
 * The entries to append to `held` (a customer's journal) so that, source by source, the journal says what `target`
 * says: for each source key, the held points of every (kind, effectiveAt, availableAt) other than the target's are
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

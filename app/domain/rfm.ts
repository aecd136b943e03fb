// RFM scoring per docs/rules.md#rfm: aggregation, full scoring with segments, boundaries and incremental scoring.
import { countAtOrBelow, countBelow } from "./sorted";
import { assertInstant, DAY_MS } from "./time";
import { fmScore, segmentFor, type GridSegmentKey, type Score } from "./segments";

/** One qualifying order: its time (epoch ms, `processed_at`) and current value in minor units. */
export interface RfmOrder {
  time: number;
  value: number;
}

export interface RfmCustomerOrders {
  customerId: string;
  orders: readonly RfmOrder[];
}

/** A customer's qualifying orders summed up; what the app's SQL aggregation returns. */
export interface RfmValues {
  /** Time of the last qualifying order, epoch ms, at or before `asOf`. */
  lastOrderAt: number;
  /** Number of qualifying orders, ≥ 1. */
  frequency: number;
  /** Sum of their values, minor units, ≥ 1. */
  monetary: number;
}

export interface RfmAggregate extends RfmValues {
  customerId: string;
}

export interface RfmOptions {
  asOf: number;
  /** Only orders with time in (asOf − windowDays·24 h, asOf] count; null or absent: all history. */
  windowDays?: number | null;
}

/** A customer in the population: the raw values, the four scores and the segment. */
export interface RfmScored {
  customerId: string;
  segment: GridSegmentKey;
  /** Whole days (24 h each, floored) from the last qualifying order to `asOf`. */
  recencyDays: number;
  frequency: number;
  monetary: number;
  r: Score;
  f: Score;
  m: Score;
  fm: Score;
}

/** A customer outside the population: no qualifying order at or before `asOf` (in the window, when there is one). */
export interface RfmProspect {
  customerId: string;
  segment: "prospect";
}

export type RfmResult = RfmScored | RfmProspect;

/**
 * Order statistics of one metric, counted from the worst customer: `values[i]` is the value of the `ranks[i]`-th
 * worst customer (recency: the ranks[i]-th largest day count; frequency, monetary: the ranks[i]-th smallest).
 * Only the ranks next to the score cuts are kept (see RfmBoundaries).
 */
export interface RfmMetricCuts {
  ranks: number[];
  values: number[];
}

/**
 * What a full run leaves behind so one customer can be rescored without a full recompute. Plain JSON, and small:
 * at most 8 (rank, value) pairs per metric whatever the population size.
 *
 * Why that is enough. With the population's values sorted from worst, x(1) ≤ … ≤ x(N) (recency ordered by days,
 * descending), a value v has `below(v) ≥ j` exactly when v is strictly better than x(j). The score is
 * 1 + #{q ∈ 1..4 : below ≥ ceil(q·N/5)}, so it only ever asks about ranks k = ceil(q·N'/5) of a population of
 * N' = N (a customer replaced) or N + 1 (a customer added), shifted by one when the customer's previous value,
 * which must no longer count, was itself below v. ceil(q·(N+1)/5) ≤ ceil(q·N/5) + 1, so the ranks
 * ceil(q·N/5) and ceil(q·N/5) + 1 for q = 1..4 answer every case exactly.
 */
export interface RfmBoundaries {
  version: 1;
  /** The `asOf` of the full run. */
  asOf: number;
  /** The window the aggregates were built with; aggregate an incremental update the same way. */
  windowDays: number | null;
  /** N, the population size. */
  population: number;
  recencyDays: RfmMetricCuts;
  frequency: RfmMetricCuts;
  monetary: RfmMetricCuts;
}

export interface RfmRun<T> {
  results: T[];
  boundaries: RfmBoundaries;
}

const SCORE_CUTS = 4; // scores step up at below ≥ q·N/5, q = 1..4

/** Whole days from `lastOrderAt` to `asOf`, floored; days are 24 h durations, independent of any time zone. */
export function recencyDays(lastOrderAt: number, asOf: number): number {
  return Math.floor((asOf - lastOrderAt) / DAY_MS);
}

/**
 * Sums each customer's qualifying orders as of `asOf`. Customers without one are left out (they are prospects).
 * Filtering test, cancelled and customer-less orders is the ledger's job; here, defensively, an order only counts
 * when its value is > 0 and its time is at or before `asOf` (and inside the window, when there is one).
 */
export function aggregateRfm(customers: readonly RfmCustomerOrders[], options: RfmOptions): RfmAggregate[] {
  const { asOf, windowStart } = checkOptions(options);
  const aggregates: RfmAggregate[] = [];
  for (const customer of customers) {
    let lastOrderAt = Number.NEGATIVE_INFINITY;
    let frequency = 0;
    let monetary = 0;
    for (const order of customer.orders) {
      if (!Number.isSafeInteger(order.time) || !Number.isSafeInteger(order.value)) {
        // Messages are built only on failure: this loop runs once per order of the shop.
        assertInstant(order.time, `order time of customer ${customer.customerId}`);
        assertMinor(order.value, `order value of customer ${customer.customerId}`);
      }
      if (order.value <= 0 || order.time > asOf || order.time <= windowStart) continue;
      frequency += 1;
      monetary += order.value;
      if (order.time > lastOrderAt) lastOrderAt = order.time;
    }
    if (frequency > 0) {
      assertMinor(monetary, `monetary value of customer ${customer.customerId}`);
      aggregates.push({ customerId: customer.customerId, lastOrderAt, frequency, monetary });
    }
  }
  return aggregates;
}

/**
 * Scores a population given as aggregates (one per customer in the population): R, F, M by
 * `1 + floor(5·below/N)`, FM = ceil((F + M)/2), segment from the grid. Results keep the input order; the scores do
 * not depend on it. O(N log N): each metric is sorted once, then every customer's `below` is a binary search.
 */
export function scoreRfm(aggregates: readonly RfmAggregate[], options: RfmOptions): RfmRun<RfmScored> {
  const { asOf, windowStart, windowDays } = checkOptions(options);
  const n = aggregates.length;
  const days = new Float64Array(n);
  const frequencies = new Float64Array(n);
  const monetaries = new Float64Array(n);
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const a = aggregates[i];
    checkValues(a, asOf, windowStart, a.customerId);
    if (seen.has(a.customerId)) throw new RangeError(`customer ${a.customerId} appears twice in the RFM population`);
    seen.add(a.customerId);
    days[i] = recencyDays(a.lastOrderAt, asOf);
    frequencies[i] = a.frequency;
    monetaries[i] = a.monetary;
  }
  // Typed arrays sort numerically and several times faster than Array#sort with a comparator.
  const sortedDays = days.slice().sort();
  const sortedFrequencies = frequencies.slice().sort();
  const sortedMonetaries = monetaries.slice().sort();

  const results: RfmScored[] = new Array(n);
  for (let i = 0; i < n; i++) {
    // Recency: worse means more days, so `below` counts the day counts strictly greater than this one.
    const r = scoreOf(n - countAtOrBelow(sortedDays, days[i]), n);
    const f = scoreOf(countBelow(sortedFrequencies, frequencies[i]), n);
    const m = scoreOf(countBelow(sortedMonetaries, monetaries[i]), n);
    const fm = fmScore(f, m);
    results[i] = {
      customerId: aggregates[i].customerId,
      segment: segmentFor(r, fm),
      recencyDays: days[i],
      frequency: frequencies[i],
      monetary: monetaries[i],
      r,
      f,
      m,
      fm,
    };
  }
  const ranks = cutRanks(n);
  const boundaries: RfmBoundaries = {
    version: 1,
    asOf,
    windowDays,
    population: n,
    // The j-th worst recency is the j-th largest day count.
    recencyDays: { ranks: [...ranks], values: ranks.map((j) => sortedDays[n - j]) },
    frequency: { ranks: [...ranks], values: ranks.map((j) => sortedFrequencies[j - 1]) },
    monetary: { ranks: [...ranks], values: ranks.map((j) => sortedMonetaries[j - 1]) },
  };
  return { results, boundaries };
}

/**
 * Aggregates and scores in one go, returning one result per input customer (in input order): scored when the
 * customer is in the population, `prospect` otherwise.
 */
export function scoreRfmFromOrders(customers: readonly RfmCustomerOrders[], options: RfmOptions): RfmRun<RfmResult> {
  const { results, boundaries } = scoreRfm(aggregateRfm(customers, options), options);
  const byId = new Map(results.map((r) => [r.customerId, r]));
  return {
    results: customers.map(
      (c): RfmResult => byId.get(c.customerId) ?? { customerId: c.customerId, segment: "prospect" },
    ),
    boundaries,
  };
}

export interface RfmChange {
  customerId: string;
  /** The customer's values now (aggregated with `boundaries.windowDays`), or null when they have no qualifying order. */
  current: RfmValues | null;
  /**
   * The customer's values in the full run that produced the boundaries, or null/absent when they were not in that
   * population. They are taken out of the population before comparing, exactly as a full recompute would.
   */
  previous?: RfmValues | null;
}

/**
 * Scores one customer against the last full run's boundaries, for "a single new order also updates that customer
 * at once" (docs/rules.md#rfm-recompute). How it relates to a full recompute at `asOf`:
 * - It equals the full score exactly when every other customer's values are what they were in the full run, the
 *   whole days elapsed since `boundaries.asOf` are whole (asOf − boundaries.asOf a multiple of 24 h, including 0),
 *   and, with a window, no other customer's order has left it since. Other customers' recency is taken as their day
 *   count at the full run plus the whole days elapsed since.
 * - Otherwise it is the score the customer would have if the rest of the shop had not moved; the next full run
 *   corrects it. Between runs in the same day, others' true day counts can be one more than assumed.
 * `asOf` must not be before `boundaries.asOf`.
 */
export function scoreRfmIncremental(
  boundaries: RfmBoundaries,
  change: RfmChange,
  asOf: number = boundaries.asOf,
): RfmResult {
  assertInstant(asOf, "asOf");
  if (asOf < boundaries.asOf) throw new RangeError("asOf is before the boundaries' full run");
  const { current, previous, customerId } = change;
  if (current === null) return { customerId, segment: "prospect" };
  const windowStart = boundaries.windowDays === null ? Number.NEGATIVE_INFINITY : asOf - boundaries.windowDays * DAY_MS;
  checkValues(current, asOf, windowStart, customerId);
  const shift = Math.floor((asOf - boundaries.asOf) / DAY_MS);
  const n = boundaries.population;
  let previousDays: number | null = null;
  if (previous) {
    if (n < 1) throw new RangeError("a previous value was given but the boundaries' population is empty");
    checkValues(previous, boundaries.asOf, Number.NEGATIVE_INFINITY, customerId, "previous values of ");
    previousDays = recencyDays(previous.lastOrderAt, boundaries.asOf) + shift;
  }
  const population = previous ? n : n + 1;
  const days = recencyDays(current.lastOrderAt, asOf);

  const r = incrementalScore(
    boundaries.recencyDays,
    n,
    population,
    (cut) => days < cut + shift,
    previousDays !== null && previousDays > days,
  );
  const f = incrementalScore(
    boundaries.frequency,
    n,
    population,
    (cut) => current.frequency > cut,
    !!previous && previous.frequency < current.frequency,
  );
  const m = incrementalScore(
    boundaries.monetary,
    n,
    population,
    (cut) => current.monetary > cut,
    !!previous && previous.monetary < current.monetary,
  );
  const fm = fmScore(f, m);
  return {
    customerId,
    segment: segmentFor(r, fm),
    recencyDays: days,
    frequency: current.frequency,
    monetary: current.monetary,
    r,
    f,
    m,
    fm,
  };
}

/** Score for `below` customers strictly worse out of a population of `n`. */
function scoreOf(below: number, n: number): Score {
  return (1 + Math.floor((5 * below) / n)) as Score;
}

function cutRanks(n: number): number[] {
  const ranks = new Set<number>();
  for (let q = 1; q <= SCORE_CUTS; q++) {
    const k = Math.ceil((q * n) / 5);
    for (const j of [k, k + 1]) if (j >= 1 && j <= n) ranks.add(j);
  }
  return [...ranks].sort((a, b) => a - b);
}

/**
 * 1 + #{q : below' ≥ ceil(q·population/5)} where below' = below(v) in the stored population minus one when the
 * customer's previous value (still in it) is below v; below(v) ≥ j ⟺ v is strictly better than the j-th worst.
 */
function incrementalScore(
  cuts: RfmMetricCuts,
  n: number,
  population: number,
  isBetterThan: (cutValue: number) => boolean,
  previousIsBelow: boolean,
): Score {
  let score = 1;
  for (let q = 1; q <= SCORE_CUTS; q++) {
    const j = Math.ceil((q * population) / 5) + (previousIsBelow ? 1 : 0);
    let met: boolean;
    if (j <= 0) met = true;
    else if (j > n)
      met = false; // there are not j customers to be better than
    else {
      const at = cuts.ranks.indexOf(j);
      if (at < 0) throw new RangeError(`RFM boundaries lack rank ${j} of ${n}; were they produced by scoreRfm?`);
      met = isBetterThan(cuts.values[at]);
    }
    if (met) score += 1;
  }
  return score as Score;
}

function checkOptions(options: RfmOptions): { asOf: number; windowStart: number; windowDays: number | null } {
  assertInstant(options.asOf, "asOf");
  const windowDays = options.windowDays ?? null;
  if (windowDays !== null && !(Number.isSafeInteger(windowDays) && windowDays >= 1)) {
    throw new RangeError(`windowDays must be a whole number of days ≥ 1, got ${windowDays}`);
  }
  return {
    asOf: options.asOf,
    windowDays,
    windowStart: windowDays === null ? Number.NEGATIVE_INFINITY : options.asOf - windowDays * DAY_MS,
  };
}

function checkValues(v: RfmValues, asOf: number, windowStart: number, customerId: string, prefix = ""): void {
  const valid =
    Number.isSafeInteger(v.lastOrderAt) &&
    v.lastOrderAt <= asOf &&
    v.lastOrderAt > windowStart &&
    Number.isSafeInteger(v.frequency) &&
    v.frequency >= 1 &&
    Number.isSafeInteger(v.monetary) &&
    v.monetary >= 1;
  if (valid) return; // the message is built only on failure: this runs once per customer of the shop
  const what = `${prefix}customer ${customerId}`;
  assertInstant(v.lastOrderAt, `lastOrderAt of ${what}`);
  if (v.lastOrderAt > asOf) throw new RangeError(`${what}: last order is after asOf`);
  if (v.lastOrderAt <= windowStart) throw new RangeError(`${what}: last order is outside the RFM window`);
  if (!Number.isSafeInteger(v.frequency) || v.frequency < 1)
    throw new RangeError(`${what}: frequency must be an integer ≥ 1`);
  assertMinor(v.monetary, `monetary value of ${what}`);
  if (v.monetary < 1)
    throw new RangeError(`${what}: monetary value must be > 0 (only orders worth more than 0 qualify)`);
}

function assertMinor(value: number, what: string): void {
  if (!Number.isSafeInteger(value))
    throw new RangeError(`${what} must be an integer number of minor units, got ${value}`);
}

/**
 * The value a customer must beat for each score step of one metric in a run: `cuts[q - 1]` is the value of the
 * ceil(q·N/5)-th worst customer, and a value strictly better than it scores at least q + 1 (q = 1..4). For the admin's
 * "why this score". Null where the run kept no value for that rank (a population under five).
 */
export function scoreCutValues(
  boundaries: RfmBoundaries,
  metric: "recencyDays" | "frequency" | "monetary",
): (number | null)[] {
  const { ranks, values } = boundaries[metric];
  const cuts: (number | null)[] = [];
  for (let q = 1; q <= SCORE_CUTS; q++) {
    const rank = Math.ceil((q * boundaries.population) / 5);
    const at = ranks.indexOf(rank);
    cuts.push(rank >= 1 && at >= 0 ? values[at] : null);
  }
  return cuts;
}

/**
 * Scoring against a population given as three columns of numbers (day counts as of asOf, frequencies, monetary
 * values, one entry per customer in any order) instead of customer objects: what a full run streaming a shop of
 * millions keeps in memory (24 bytes a customer). `score` gives exactly what scoreRfm gives the customer with these
 * values in that population, and `boundaries` what scoreRfm returns (tests/integration/recompute-aggregates.test.ts).
 * The arrays are sorted in place.
 */
export function rfmPopulation(
  days: Float64Array,
  frequencies: Float64Array,
  monetaries: Float64Array,
  options: RfmOptions,
): {
  boundaries: RfmBoundaries;
  score(customerId: string, values: RfmValues): RfmScored;
} {
  const { asOf, windowStart, windowDays } = checkOptions(options);
  const n = days.length;
  if (frequencies.length !== n || monetaries.length !== n) throw new RangeError("RFM columns of different lengths");
  days.sort();
  frequencies.sort();
  monetaries.sort();
  const ranks = cutRanks(n);
  const boundaries: RfmBoundaries = {
    version: 1,
    asOf,
    windowDays,
    population: n,
    recencyDays: { ranks: [...ranks], values: ranks.map((j) => days[n - j]) },
    frequency: { ranks: [...ranks], values: ranks.map((j) => frequencies[j - 1]) },
    monetary: { ranks: [...ranks], values: ranks.map((j) => monetaries[j - 1]) },
  };
  return {
    boundaries,
    score(customerId, values) {
      checkValues(values, asOf, windowStart, customerId);
      const d = recencyDays(values.lastOrderAt, asOf);
      const r = scoreOf(n - countAtOrBelow(days, d), n);
      const f = scoreOf(countBelow(frequencies, values.frequency), n);
      const m = scoreOf(countBelow(monetaries, values.monetary), n);
      const fm = fmScore(f, m);
      return {
        customerId,
        segment: segmentFor(r, fm),
        recencyDays: d,
        frequency: values.frequency,
        monetary: values.monetary,
        r,
        f,
        m,
        fm,
      };
    },
  };
}

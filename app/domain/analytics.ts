// Customer analytics from the ledger's qualifying orders, for a period [from, to): retention, repeat purchase rate,
// purchase frequency, average order value, time between purchases, cohort retention by first-order month, and CLV
// (historical, and predicted by the simple CLV model), for the whole shop and per segment and per tier.
// Every definition is written out in docs/analytics.md. Pure: the period, the orders and the groups are arguments.
import { DAY_MS } from "./time";
import { countAtOrBelow } from "./sorted";

/** [from, to) in epoch ms; `from` null is all time (no previous period). */
export interface Period {
  from: number | null;
  to: number;
}

/**
 * Qualifying orders of every customer, column-wise (a million orders fit in ~16 MB): customer i's orders are
 * `times`/`values` at offsets[i] .. offsets[i + 1] - 1, in time order. Values in minor units of the shop currency.
 */
export interface OrderColumns {
  offsets: Int32Array;
  times: Float64Array;
  values: Float64Array;
}

/** Each customer's current segment and tier (null: none), in the same order as the customers of OrderColumns. */
export interface CustomerGroups {
  segments: readonly string[];
  tiers: readonly (string | null)[];
}

export const COHORT_MONTHS = 12;
/** The simple CLV model's year, and its floor on churn (so the expected lifespan is at most 10 years). */
export const CLV_YEAR_MS = 365 * DAY_MS;
export const MIN_CHURN = 0.1;
/** The key of the group of customers without a tier. */
export const NO_TIER = "";

export interface CohortRow {
  /** The first-order month, "YYYY-MM" on the shop's wall clock. */
  month: string;
  /** Customers whose first qualifying order ever is in that month. */
  customers: number;
  /** shares[k]: the part of the cohort (0..1) with a qualifying order in month +k; null: that month starts at or after `to`. */
  shares: (number | null)[];
}

export interface ClvDistribution {
  p25: number;
  median: number;
  p75: number;
  p90: number;
  max: number;
}

export interface GroupAnalytics {
  /** S: customers active in the previous period of the same length (0 for all time). */
  customersAtStart: number;
  /** E: customers active in the period. */
  customersAtEnd: number;
  /** N: customers of E whose first qualifying order ever is in the period. */
  newCustomers: number;
  /** (E − N) / S × 100; null when S = 0. */
  retentionRate: number | null;
  /** Customers with ≥ 2 qualifying orders in the period. */
  repeatCustomers: number;
  /** repeatCustomers / E × 100; null when E = 0. */
  repeatPurchaseRate: number | null;
  orders: number;
  revenueMinor: number;
  /** orders / E; null when E = 0. */
  purchaseFrequency: number | null;
  /** revenue / orders, rounded to the minor unit; null without orders. */
  averageOrderValueMinor: number | null;
  timeBetweenPurchases: { intervals: number; meanDays: number | null; medianDays: number | null };
  historicalClv: { customers: number; meanMinor: number | null; distribution: ClvDistribution | null };
  predictedClv: PredictedClv & {
    /** The year the model reads: [to − 365 days, to). */
    yearCustomers: number;
    yearOrders: number;
    yearRevenueMinor: number;
  };
  cohorts: CohortRow[];
}

export interface PredictedClv {
  averageOrderValueMinor: number | null;
  ordersPerYear: number | null;
  retentionRate: number | null;
  churn: number | null;
  lifespanYears: number | null;
  valueMinor: number | null;
}

export interface Analytics {
  period: Period;
  /** The previous period of the same length; null for all time. */
  previous: Period | null;
  timeZone: string;
  all: GroupAnalytics;
  segments: Record<string, GroupAnalytics>;
  /** By tier key; NO_TIER ("") for customers without a tier. */
  tiers: Record<string, GroupAnalytics>;
}

// ---- Primitives ------------------------------------------------------------------------------------------------

/**
 * Customer retention rate in percent: (end − new) / start × 100, the customers at the end of a period who were not
 * acquired in it, over the customers at its start. Null when there was nobody at the start.
 */
export function retentionRate(start: number, end: number, newCustomers: number): number | null {
  for (const [name, n] of [
    ["start", start],
    ["end", end],
    ["newCustomers", newCustomers],
  ] as const) {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${name} must be a count, got ${n}`);
  }
  if (newCustomers > end) throw new RangeError(`newCustomers (${newCustomers}) cannot exceed end (${end})`);
  return start === 0 ? null : ((end - newCustomers) / start) * 100;
}

/**
 * The simple CLV model (not BG/NBD): AOV × purchases per year × expected lifespan in years, lifespan = 1 / churn,
 * churn = 1 − retention / 100 floored at MIN_CHURN. Null parts make the value null.
 */
export function predictedClv(
  averageOrderValue: number | null,
  ordersPerYear: number | null,
  retention: number | null,
): PredictedClv {
  const churn = retention === null ? null : Math.max(MIN_CHURN, 1 - retention / 100);
  const lifespanYears = churn === null ? null : 1 / churn;
  const valueMinor =
    averageOrderValue === null || ordersPerYear === null || lifespanYears === null
      ? null
      : Math.round(averageOrderValue * ordersPerYear * lifespanYears);
  return {
    averageOrderValueMinor: averageOrderValue === null ? null : Math.round(averageOrderValue),
    ordersPerYear,
    retentionRate: retention,
    churn,
    lifespanYears,
    valueMinor,
  };
}

/** The median (mean of the two middle values for an even count); null for none. Reorders `values`. */
export function median(values: Float64Array | number[]): number | null {
  const n = values.length;
  if (n === 0) return null;
  const a = values instanceof Float64Array ? values : Float64Array.from(values);
  const hi = select(a, Math.floor(n / 2));
  if (n % 2 === 1) return hi;
  let lo = -Infinity;
  for (let i = 0; i < Math.floor(n / 2); i++) if (a[i] > lo) lo = a[i];
  return (lo + hi) / 2;
}

/** Nearest-rank percentile p (0 < p ≤ 1) of sorted ascending values: the ⌈p·n⌉-th smallest. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

/** Quickselect (Hoare): afterwards a[k] is the k-th smallest, smaller ones before it. */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const pivot = a[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k];
}

// ---- Wall-clock calendar (the shop's time zone) ----------------------------------------------------------------

const dateFormatters = new Map<string, Intl.DateTimeFormat>();

function dateFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = dateFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US-u-ca-gregory", { timeZone, year: "numeric", month: "numeric", day: "numeric" });
    dateFormatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock date of instant `t` in `timeZone`: [year, month 1..12, day]. */
export function localDate(t: number, timeZone: string): [number, number, number] {
  if (timeZone === "UTC") {
    const d = new Date(t);
    return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
  }
  let y = 0;
  let m = 0;
  let d = 0;
  for (const part of dateFormatter(timeZone).formatToParts(t)) {
    if (part.type === "year") y = Number(part.value);
    else if (part.type === "month") m = Number(part.value);
    else if (part.type === "day") d = Number(part.value);
  }
  return [y, m, d];
}

/** The calendar date `days` after (year, month, day), as [year, month, day]. */
export function addDays([year, month, day]: readonly [number, number, number], days: number): [number, number, number] {
  const d = new Date(Date.UTC(year, month - 1, day + days));
  return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
}

const dayKey = ([y, m, d]: readonly [number, number, number]) => y * 10_000 + m * 100 + d;

/**
 * The first instant of the wall-clock date (year, month, day) in `timeZone`. Bisection on "the local date at t is at
 * least that date" within ±15 h of UTC midnight (every zone's offset lies inside), so daylight-saving days and a
 * skipped midnight come out right with nothing but Intl.
 */
export function dayStart(date: readonly [number, number, number], timeZone: string): number {
  const utc = Date.UTC(date[0], date[1] - 1, date[2]);
  if (timeZone === "UTC") return utc;
  const target = dayKey(date);
  let lo = utc - 15 * 3_600_000;
  let hi = utc + 15 * 3_600_000;
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (dayKey(localDate(mid, timeZone)) >= target) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Month number (year × 12 + month − 1) and its "YYYY-MM" label. */
const monthLabel = (n: number) =>
  `${String(Math.floor(n / 12)).padStart(4, "0")}-${String((n % 12) + 1).padStart(2, "0")}`;
const monthNumberAt = (t: number, timeZone: string) => {
  const [y, m] = localDate(t, timeZone);
  return y * 12 + m - 1;
};
const monthStart = (n: number, timeZone: string) => dayStart([Math.floor(n / 12), (n % 12) + 1, 1], timeZone);

// ---- Periods ---------------------------------------------------------------------------------------------------

export const PERIOD_PRESETS = ["30", "90", "365", "all"] as const;
export type PeriodPreset = (typeof PERIOD_PRESETS)[number];
export const DEFAULT_PERIOD: PeriodPreset = "365";

export type PeriodChoice = { preset: PeriodPreset } | { preset: "custom"; from: string; to: string };
export type PeriodError = "unknownPeriod" | "missingDate" | "invalidDate" | "fromAfterTo";

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function parseDate(text: string): [number, number, number] | null {
  const match = ISO_DATE.exec(text);
  if (!match) return null;
  const date: [number, number, number] = [Number(match[1]), Number(match[2]), Number(match[3])];
  // Round-trip: 2026-02-30 is not a date.
  // 1970–2100: a period of a few centuries would only cost time (a cohort month each) and mean nothing.
  return date[0] >= 1970 && date[0] <= 2100 && dayKey(addDays(date, 0)) === dayKey(date) ? date : null;
}

/**
 * The period asked for in the query string: `period` = 30 | 90 | 365 | all (default 365), or `custom` with `from`
 * and `to` dates (YYYY-MM-DD in 1970–2100, both days included, from ≤ to).
 */
export function parsePeriodChoice(query: {
  period: string | null;
  from: string | null;
  to: string | null;
}): { ok: true; choice: PeriodChoice } | { ok: false; error: PeriodError } {
  const period = query.period ?? (query.from !== null || query.to !== null ? "custom" : DEFAULT_PERIOD);
  if ((PERIOD_PRESETS as readonly string[]).includes(period))
    return { ok: true, choice: { preset: period as PeriodPreset } };
  if (period !== "custom") return { ok: false, error: "unknownPeriod" };
  if (!query.from || !query.to) return { ok: false, error: "missingDate" };
  const from = parseDate(query.from);
  const to = parseDate(query.to);
  if (!from || !to) return { ok: false, error: "invalidDate" };
  if (dayKey(from) > dayKey(to)) return { ok: false, error: "fromAfterTo" };
  return { ok: true, choice: { preset: "custom", from: query.from, to: query.to } };
}

/**
 * The instants of a period choice on the shop's wall clock at `now`: "last N days" is the N calendar days ending
 * today (today included, so `to` is the start of tomorrow); all time has no start; custom runs from the start of
 * `from` to the end of `to` (the start of the day after).
 */
export function resolvePeriod(choice: PeriodChoice, now: number, timeZone: string): Period {
  if (choice.preset === "custom") {
    return {
      from: dayStart(parseDate(choice.from)!, timeZone),
      to: dayStart(addDays(parseDate(choice.to)!, 1), timeZone),
    };
  }
  const tomorrow = addDays(localDate(now, timeZone), 1);
  const to = dayStart(tomorrow, timeZone);
  if (choice.preset === "all") return { from: null, to };
  return { from: dayStart(addDays(tomorrow, -Number(choice.preset)), timeZone), to };
}

/** The previous period of the same length: [from − (to − from), from); none for all time. */
export function previousPeriod({ from, to }: Period): Period | null {
  return from === null ? null : { from: from - (to - from), to: from };
}

// ---- The computation -------------------------------------------------------------------------------------------

interface Accumulator {
  atStart: number;
  atEnd: number;
  fresh: number;
  repeat: number;
  orders: number;
  revenue: number;
  /** This group's intervals between purchases (ms) and customers' lifetime values, filled in at the end. */
  gaps: Float64Array;
  lifetime: Float64Array;
  yearAtStart: number;
  yearAtEnd: number;
  yearNew: number;
  yearOrders: number;
  yearRevenue: number;
  /** Per cohort month m: cohortSize[m]; cohortActive[m * 12 + k]: members ordering in month m + k. */
  cohortSize: Int32Array;
  cohortActive: Int32Array;
}

const EMPTY = new Float64Array(0);

/** A growable list of numbers, each tagged with the customer's segment group and tier group. */
function taggedList() {
  let values = new Float64Array(1024);
  let segment = new Int32Array(1024);
  let tier = new Int32Array(1024);
  let length = 0;
  return {
    push(value: number, s: number, t: number) {
      if (length === values.length) {
        const grow = <T extends Float64Array | Int32Array>(a: T): T => {
          const b = new (a.constructor as new (n: number) => T)(a.length * 2);
          b.set(a);
          return b;
        };
        values = grow(values);
        segment = grow(segment);
        tier = grow(tier);
      }
      values[length] = value;
      segment[length] = s;
      tier[length] = t;
      length++;
    },
    /** Every value (a copy), and the values of each group, by group index (counting sort, two passes). */
    split(groupCount: number): { all: Float64Array; byGroup: Float64Array[] } {
      const counts = new Int32Array(groupCount);
      for (let i = 0; i < length; i++) {
        counts[segment[i]]++;
        counts[tier[i]]++;
      }
      const byGroup = Array.from(counts, (n) => new Float64Array(n));
      const fill = new Int32Array(groupCount);
      for (let i = 0; i < length; i++) {
        byGroup[segment[i]][fill[segment[i]]++] = values[i];
        byGroup[tier[i]][fill[tier[i]]++] = values[i];
      }
      return { all: values.slice(0, length), byGroup };
    },
  };
}

function accumulator(months: number): Accumulator {
  return {
    atStart: 0,
    atEnd: 0,
    fresh: 0,
    repeat: 0,
    orders: 0,
    revenue: 0,
    gaps: EMPTY,
    lifetime: EMPTY,
    yearAtStart: 0,
    yearAtEnd: 0,
    yearNew: 0,
    yearOrders: 0,
    yearRevenue: 0,
    cohortSize: new Int32Array(months),
    cohortActive: new Int32Array(months * COHORT_MONTHS),
  };
}

/**
 * Every figure of docs/analytics.md for `period`, for all customers and per segment and tier. `orders` holds every
 * customer's qualifying orders in time order (orders at or after `to` are ignored); `groups` their current segment
 * and tier. `segmentKeys`/`tierKeys` list groups to report (in that order) even when empty.
 */
export function computeAnalytics(
  orders: OrderColumns,
  groups: CustomerGroups,
  period: Period,
  {
    timeZone = "UTC",
    segmentKeys = [],
    tierKeys = [],
  }: { timeZone?: string; segmentKeys?: readonly string[]; tierKeys?: readonly string[] } = {},
): Analytics {
  const { offsets, times, values } = orders;
  const customers = offsets.length - 1;
  if (customers < 0 || groups.segments.length !== customers || groups.tiers.length !== customers) {
    throw new RangeError("orders and groups must describe the same customers");
  }
  const { from, to } = period;
  if (from !== null && from >= to) throw new RangeError("a period must start before it ends");
  const previous = previousPeriod(period);
  const prevFrom = previous?.from ?? -Infinity;
  const start = from ?? -Infinity;
  const yearFrom = to - CLV_YEAR_MS;
  const yearPrevFrom = to - 2 * CLV_YEAR_MS;

  // Cohort months: those overlapping the period (all time: from the month of the first order).
  let earliest = Infinity;
  for (let i = 0; i < customers; i++)
    if (offsets[i + 1] > offsets[i] && times[offsets[i]] < earliest) earliest = times[offsets[i]];
  const firstMonth =
    from !== null
      ? monthNumberAt(from, timeZone)
      : earliest < to
        ? monthNumberAt(earliest, timeZone)
        : monthNumberAt(to - 1, timeZone) + 1;
  const lastMonth = monthNumberAt(to - 1, timeZone);
  const months = Math.max(0, lastMonth - firstMonth + 1);
  // bounds[m] is the first instant of cohort month m; bounds[months] the start of the month after the last.
  const bounds = new Float64Array(months + 1);
  for (let m = 0; m <= months; m++) bounds[m] = monthStart(firstMonth + m, timeZone);

  // Groups by index: 0 is the whole shop, then segments and tiers as they come (the listed ones first).
  const accumulators: Accumulator[] = [accumulator(months)];
  const segmentIndex = new Map<string, number>();
  const tierIndex = new Map<string, number>();
  const indexOf = (index: Map<string, number>, key: string) => {
    let n = index.get(key);
    if (n === undefined) {
      index.set(key, (n = accumulators.length));
      accumulators.push(accumulator(months));
    }
    return n;
  };
  for (const key of segmentKeys) indexOf(segmentIndex, key);
  for (const key of tierKeys) indexOf(tierIndex, key);
  const all = accumulators[0];
  const targets: Accumulator[] = [all, all, all];
  const gaps = taggedList();
  const lifetimes = taggedList();

  for (let i = 0; i < customers; i++) {
    const first = offsets[i];
    const end = offsets[i + 1];
    if (end === first || times[first] >= to) continue;
    const segment = indexOf(segmentIndex, groups.segments[i]);
    const tier = indexOf(tierIndex, groups.tiers[i] ?? NO_TIER);
    targets[1] = accumulators[segment];
    targets[2] = accumulators[tier];
    let lifetime = 0;
    let inPeriod = 0;
    let inPrevious = 0;
    let inYear = 0;
    let inYearBefore = 0;
    let revenue = 0;
    let yearRevenue = 0;
    // Cohort: the month of the first order, and which of the 12 months from it the customer ordered in (bits).
    let cohort = -1;
    let month = -1;
    let activeMonths = 0;
    if (times[first] >= bounds[0] && times[first] < bounds[months]) {
      cohort = countAtOrBelow(bounds, times[first]) - 1;
      month = cohort;
    }
    let last = -Infinity;
    for (let j = first; j < end; j++) {
      const t = times[j];
      if (t >= to) break;
      if (t < last) throw new RangeError("a customer's orders must be in time order");
      const v = values[j];
      lifetime += v;
      if (t >= start) {
        inPeriod++;
        revenue += v;
        if (j > first) gaps.push(t - last, segment, tier);
      } else if (t >= prevFrom) inPrevious++;
      if (t >= yearFrom) {
        inYear++;
        yearRevenue += v;
      } else if (t >= yearPrevFrom) inYearBefore++;
      if (cohort >= 0 && month - cohort < COHORT_MONTHS) {
        while (month < months && t >= bounds[month + 1]) month++;
        if (month - cohort < COHORT_MONTHS) activeMonths |= 1 << (month - cohort);
      }
      last = t;
    }
    const isNew = times[first] >= start; // the first order ever is in the period (it is before `to`)
    lifetimes.push(lifetime, segment, tier);
    for (const acc of targets) {
      if (inPrevious > 0) acc.atStart++;
      if (inPeriod > 0) {
        acc.atEnd++;
        if (isNew) acc.fresh++;
        if (inPeriod >= 2) acc.repeat++;
        acc.orders += inPeriod;
        acc.revenue += revenue;
      }
      if (inYearBefore > 0) acc.yearAtStart++;
      if (inYear > 0) {
        acc.yearAtEnd++;
        if (times[first] >= yearFrom) acc.yearNew++;
        acc.yearOrders += inYear;
        acc.yearRevenue += yearRevenue;
      }
      if (cohort >= 0) {
        acc.cohortSize[cohort]++;
        for (let k = 0; k < COHORT_MONTHS; k++)
          if (activeMonths & (1 << k)) acc.cohortActive[cohort * COHORT_MONTHS + k]++;
      }
    }
  }

  const cohortLabels = Array.from({ length: months }, (_, m) => monthLabel(firstMonth + m));
  const finish = (acc: Accumulator) =>
    summarise(acc, { cohortLabels, observedMonths: months, trimLeadingCohorts: from === null });
  const gapLists = gaps.split(accumulators.length);
  const lifetimeLists = lifetimes.split(accumulators.length);
  all.gaps = gapLists.all;
  all.lifetime = lifetimeLists.all;
  for (let g = 1; g < accumulators.length; g++) {
    accumulators[g].gaps = gapLists.byGroup[g];
    accumulators[g].lifetime = lifetimeLists.byGroup[g];
  }
  const segments: Record<string, GroupAnalytics> = {};
  const tiers: Record<string, GroupAnalytics> = {};
  for (const [key, g] of segmentIndex) segments[key] = finish(accumulators[g]);
  for (const [key, g] of tierIndex) tiers[key] = finish(accumulators[g]);
  return { period, previous, timeZone, all: finish(all), segments, tiers };
}

function summarise(
  acc: Accumulator,
  {
    cohortLabels,
    observedMonths,
    trimLeadingCohorts,
  }: { cohortLabels: string[]; observedMonths: number; trimLeadingCohorts: boolean },
): GroupAnalytics {
  const safe = (n: number) => {
    if (!Number.isSafeInteger(n)) throw new RangeError(`money total ${n} is beyond exact integers`);
    return n;
  };
  const gaps = acc.gaps;
  let gapSum = 0;
  for (const g of gaps) gapSum += g;
  const gapMedian = median(gaps);
  const lifetime = acc.lifetime.sort();
  let lifetimeSum = 0;
  for (const v of lifetime) lifetimeSum += v;
  const yearAov = acc.yearOrders === 0 ? null : acc.yearRevenue / acc.yearOrders;
  const yearFrequency = acc.yearAtEnd === 0 ? null : acc.yearOrders / acc.yearAtEnd;
  const cohorts: CohortRow[] = [];
  for (let m = 0; m < cohortLabels.length; m++) {
    if (trimLeadingCohorts && cohorts.length === 0 && acc.cohortSize[m] === 0) continue;
    const size = acc.cohortSize[m];
    cohorts.push({
      month: cohortLabels[m],
      customers: size,
      shares: Array.from({ length: COHORT_MONTHS }, (_, k) =>
        m + k >= observedMonths || size === 0 ? null : acc.cohortActive[m * COHORT_MONTHS + k] / size,
      ),
    });
  }
  return {
    customersAtStart: acc.atStart,
    customersAtEnd: acc.atEnd,
    newCustomers: acc.fresh,
    retentionRate: retentionRate(acc.atStart, acc.atEnd, acc.fresh),
    repeatCustomers: acc.repeat,
    repeatPurchaseRate: acc.atEnd === 0 ? null : (acc.repeat / acc.atEnd) * 100,
    orders: acc.orders,
    revenueMinor: safe(acc.revenue),
    purchaseFrequency: acc.atEnd === 0 ? null : acc.orders / acc.atEnd,
    averageOrderValueMinor: acc.orders === 0 ? null : Math.round(acc.revenue / acc.orders),
    timeBetweenPurchases: {
      intervals: gaps.length,
      meanDays: gaps.length === 0 ? null : gapSum / gaps.length / DAY_MS,
      medianDays: gapMedian === null ? null : gapMedian / DAY_MS,
    },
    historicalClv: {
      customers: lifetime.length,
      meanMinor: lifetime.length === 0 ? null : Math.round(safe(lifetimeSum) / lifetime.length),
      distribution:
        lifetime.length === 0
          ? null
          : {
              p25: percentile(lifetime, 0.25),
              median: percentile(lifetime, 0.5),
              p75: percentile(lifetime, 0.75),
              p90: percentile(lifetime, 0.9),
              max: lifetime[lifetime.length - 1],
            },
    },
    predictedClv: {
      ...predictedClv(yearAov, yearFrequency, retentionRate(acc.yearAtStart, acc.yearAtEnd, acc.yearNew)),
      yearCustomers: acc.yearAtEnd,
      yearOrders: acc.yearOrders,
      yearRevenueMinor: safe(acc.yearRevenue),
    },
    cohorts,
  };
}

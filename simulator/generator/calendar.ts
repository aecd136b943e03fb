// When things happen: a day-by-day weight over the shop's history (yearly season, Black Friday–Cyber Monday, the
// weekly rhythm) and an hour-of-day curve, all in the shop's local time. Sampling is exact inversion over
// cumulative weights, so no rejection loop and no dependence on how long the history is.
import type { Rng } from "./random";

export const DAY_MS = 86_400_000;

// Relative order volume by month (Jan..Dec): a slow first quarter, a holiday peak in November and December.
const MONTH_WEIGHT = [0.85, 0.8, 0.9, 0.9, 0.95, 0.9, 0.9, 0.9, 0.9, 1.0, 1.4, 1.5];
// By weekday (Sun..Sat): online shops peak on Sunday evening and Monday, dip on Saturday.
const WEEKDAY_WEIGHT = [1.15, 1.1, 1.0, 1.0, 0.97, 0.92, 0.86];
// By local hour: quiet at night, a lunch bump, the evening peak.
const HOUR_WEIGHT = [2, 1.2, 0.8, 0.5, 0.4, 0.5, 1, 2, 3, 4, 4.5, 5, 6, 6, 5, 5, 5, 5.5, 6.5, 8, 9, 9, 7, 4];

export class Calendar {
  readonly startMs: number;
  readonly endMs: number;
  readonly dayCount: number;
  private readonly offsetMs: number;
  private readonly firstLocalDay: number;
  /** Cumulative seasonal weight: seasonal[i] = sum of the weights of days before i. */
  private readonly seasonal: Float64Array;
  /** Same, times the shop's growth: new customers arrive faster as the shop grows. */
  private readonly growing: Float64Array;

  constructor(startMs: number, endMs: number, utcOffsetMinutes: number, growth = 2) {
    if (!(endMs > startMs)) throw new Error("the shop's history must end after it starts");
    this.startMs = startMs;
    this.endMs = endMs;
    this.offsetMs = utcOffsetMinutes * 60_000;
    this.firstLocalDay = Math.floor((startMs + this.offsetMs) / DAY_MS);
    const lastLocalDay = Math.floor((endMs + this.offsetMs) / DAY_MS);
    this.dayCount = lastLocalDay - this.firstLocalDay + 1;
    this.seasonal = new Float64Array(this.dayCount + 1);
    this.growing = new Float64Array(this.dayCount + 1);
    for (let i = 0; i < this.dayCount; i++) {
      const w = dayWeight((this.firstLocalDay + i) * DAY_MS);
      const g = 1 + (growth - 1) * (i / Math.max(1, this.dayCount - 1));
      this.seasonal[i + 1] = this.seasonal[i] + w;
      this.growing[i + 1] = this.growing[i] + w * g;
    }
  }

  /** Index of the local day containing `ms`. */
  dayOf(ms: number): number {
    return Math.floor((ms + this.offsetMs) / DAY_MS) - this.firstLocalDay;
  }

  /** A day in [fromDay, toDay] chosen by seasonal weight (growth-weighted when `growing`). */
  sampleDay(rng: Rng, fromDay: number, toDay: number, growing = false): number {
    const cum = growing ? this.growing : this.seasonal;
    const lo = Math.max(0, fromDay);
    const hi = Math.min(this.dayCount - 1, toDay);
    if (hi <= lo) return lo;
    const target = cum[lo] + rng.float() * (cum[hi + 1] - cum[lo]);
    let a = lo;
    let b = hi;
    while (a < b) {
      const mid = (a + b + 1) >> 1;
      if (cum[mid] <= target) a = mid;
      else b = mid - 1;
    }
    return a;
  }

  /** Seasonal weight of the days [fromDay, toDay]. */
  mass(fromDay: number, toDay: number): number {
    const lo = Math.max(0, fromDay);
    const hi = Math.min(this.dayCount - 1, toDay);
    return hi < lo ? 0 : this.seasonal[hi + 1] - this.seasonal[lo];
  }

  /** A moment on local day `day` following the hour-of-day curve, kept inside [notBefore, endMs]. */
  timeOnDay(rng: Rng, day: number, notBefore = this.startMs): number {
    const dayStart = (this.firstLocalDay + day) * DAY_MS - this.offsetMs;
    const lo = Math.max(notBefore, this.startMs, dayStart);
    const hi = Math.min(this.endMs, dayStart + DAY_MS - 1);
    if (hi <= lo) return Math.min(lo, this.endMs);
    for (let attempt = 0; attempt < 6; attempt++) {
      const t = dayStart + rng.weighted(HOUR_WEIGHT) * 3_600_000 + rng.int(0, 3_599_999);
      if (t >= lo && t <= hi) return t;
    }
    return lo + Math.floor(rng.float() * (hi - lo + 1));
  }
}

function dayWeight(localMidnightMs: number): number {
  const date = new Date(localMidnightMs);
  const month = date.getUTCMonth();
  const dayOfMonth = date.getUTCDate();
  let w = MONTH_WEIGHT[month] * WEEKDAY_WEIGHT[date.getUTCDay()];
  if (month === 10) {
    const blackFriday = blackFridayOf(date.getUTCFullYear());
    if (dayOfMonth >= blackFriday && dayOfMonth <= blackFriday + 3)
      w *= 3; // Black Friday → Cyber Monday
    else if (dayOfMonth >= blackFriday - 7 && dayOfMonth < blackFriday) w *= 1.4; // early deals
  } else if (month === 11) {
    if (dayOfMonth <= 18)
      w *= 1.2; // last shipping dates before the holidays
    else if (dayOfMonth >= 24 && dayOfMonth <= 26) w *= 0.6;
  }
  return w;
}

/** Day of November of Black Friday: the day after the fourth Thursday. */
export function blackFridayOf(year: number): number {
  const novFirstWeekday = new Date(Date.UTC(year, 10, 1)).getUTCDay();
  const firstThursday = 1 + ((4 - novFirstWeekday + 7) % 7);
  return firstThursday + 21 + 1;
}

/** True when `ms` (UTC) falls between Black Friday and Cyber Monday in the shop's local time. */
export function isBlackFridayWeekend(ms: number, utcOffsetMinutes: number): boolean {
  const date = new Date(ms + utcOffsetMinutes * 60_000);
  if (date.getUTCMonth() !== 10) return false;
  const bf = blackFridayOf(date.getUTCFullYear());
  return date.getUTCDate() >= bf && date.getUTCDate() <= bf + 3;
}

/** `endMs` minus whole calendar years (29 February falls back to 28). */
export function yearsBefore(endMs: number, years: number): number {
  const end = new Date(endMs);
  const start = new Date(endMs);
  start.setUTCFullYear(end.getUTCFullYear() - years);
  if (start.getUTCDate() !== end.getUTCDate()) start.setUTCDate(0);
  return start.getTime();
}

// ISO-8601 with milliseconds, as Date#toISOString writes it, but faster: the date part is cached per day (a shop's
// history has a few thousand days at most) and the time part is built from lookup tables.
const TWO = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, "0"));
const THREE = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, "0"));
const datePrefixes = new Map<number, string>();

export function isoTimestamp(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  let prefix = datePrefixes.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * DAY_MS).toISOString().slice(0, 11); // "2024-03-01T"
    if (datePrefixes.size > 50_000) datePrefixes.clear();
    datePrefixes.set(day, prefix);
  }
  let rest = ms - day * DAY_MS;
  const millis = rest % 1000;
  rest = (rest - millis) / 1000;
  const seconds = rest % 60;
  rest = (rest - seconds) / 60;
  const minutes = rest % 60;
  const hours = (rest - minutes) / 60;
  return `${prefix}${TWO[hours]}:${TWO[minutes]}:${TWO[seconds]}.${THREE[millis]}Z`;
}

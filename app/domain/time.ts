// Instants and calendar years for the domain: epoch milliseconds in, epoch milliseconds out, no clock.

/** One day as a duration. Day counts in the domain are durations (24 h), never calendar days. */
export const DAY_MS = 86_400_000;

/** The next 00:00 UTC strictly after `now`: when the daily recompute runs. */
export function nextMidnightUtc(now: number): number {
  return Math.floor(now / DAY_MS) * DAY_MS + DAY_MS;
}

/** Throws unless `t` is an integer epoch-millisecond instant a Date can hold. */
export function assertInstant(t: number, what: string): void {
  if (!Number.isSafeInteger(t) || Math.abs(t) > 8.64e15)
    throw new RangeError(`${what} must be an epoch-millisecond integer, got ${t}`);
}

/** True when Intl knows this IANA time zone ("Asia/Bangkok", "UTC"). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    yearFormatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

// Formatters are costly to build and yearStart is asked for the same (zone, year) once per customer: both are
// memoised. Memoising a pure function keeps the domain pure.
const formatters = new Map<string, Intl.DateTimeFormat>();
const yearStarts = new Map<string, number>();

function yearFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    // The Gregorian calendar explicitly: a shop in Bangkok still has its calendar year start on 1 January.
    formatter = new Intl.DateTimeFormat("en-US-u-ca-gregory", { timeZone, year: "numeric", era: "short" });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The Gregorian year of instant `t` on the wall clock of `timeZone` (UTC when omitted). */
export function yearAt(t: number, timeZone?: string): number {
  if (timeZone === undefined || timeZone === "UTC") return new Date(t).getUTCFullYear();
  let year = 0;
  let bc = false;
  for (const part of yearFormatter(timeZone).formatToParts(t)) {
    if (part.type === "year") year = Number(part.value);
    else if (part.type === "era") bc = part.value.startsWith("B");
  }
  return bc ? 1 - year : year;
}

/**
 * The first instant of 1 January `year`, 00:00 on the wall clock of `timeZone` (UTC when omitted).
 * Found by bisection on "the local year at t is at least `year`", so it needs nothing but Intl and is right even in
 * zones whose offset changed around a new year; zone offsets lie within ±15 h of UTC, which bounds the search.
 */
export function yearStart(year: number, timeZone?: string): number {
  const utcStart = new Date(0).setUTCFullYear(year, 0, 1); // Date.UTC would read years 0..99 as 1900..1999
  if (timeZone === undefined || timeZone === "UTC") return utcStart;
  const cacheKey = `${timeZone}|${year}`;
  const cached = yearStarts.get(cacheKey);
  if (cached !== undefined) return cached;
  let lo = utcStart - 15 * 3_600_000; // local year < `year` here
  let hi = utcStart + 15 * 3_600_000; // local year ≥ `year` here
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (yearAt(mid, timeZone) >= year) hi = mid;
    else lo = mid;
  }
  yearStarts.set(cacheKey, hi);
  return hi;
}

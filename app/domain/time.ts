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

// ---- Calendar days on a zone's wall clock (points expire on a day of the shop's calendar) ------------------------

/** A day of the Gregorian calendar: month 1–12, day 1–31. */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

const dayFormatters = new Map<string, Intl.DateTimeFormat>();
const dayStarts = new Map<string, number>();

function dayFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = dayFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US-u-ca-gregory", {
      timeZone,
      year: "numeric",
      month: "numeric",
      day: "numeric",
      era: "short",
    });
    dayFormatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The calendar day of instant `t` on the wall clock of `timeZone` (UTC when omitted). */
export function localDateAt(t: number, timeZone?: string): LocalDate {
  if (timeZone === undefined || timeZone === "UTC") {
    const d = new Date(t);
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
  }
  let year = 0;
  let month = 0;
  let day = 0;
  let bc = false;
  for (const part of dayFormatter(timeZone).formatToParts(t)) {
    if (part.type === "year") year = Number(part.value);
    else if (part.type === "month") month = Number(part.value);
    else if (part.type === "day") day = Number(part.value);
    else if (part.type === "era") bc = part.value.startsWith("B");
  }
  return { year: bc ? 1 - year : year, month, day };
}

/** Days compare as one number: later days are larger. */
const ordinal = (d: LocalDate) => (d.year * 12 + (d.month - 1)) * 31 + (d.day - 1);

/**
 * The first instant of `date` on the wall clock of `timeZone` (UTC when omitted): 00:00, or the first instant that
 * exists on that day where a zone skips midnight. Found by bisection like yearStart (offsets lie within ±15 h).
 */
export function localDayStart(date: LocalDate, timeZone?: string): number {
  const utcStart = new Date(0).setUTCFullYear(date.year, date.month - 1, date.day);
  if (timeZone === undefined || timeZone === "UTC") return utcStart;
  const cacheKey = `${timeZone}|${date.year}-${date.month}-${date.day}`;
  const cached = dayStarts.get(cacheKey);
  if (cached !== undefined) return cached;
  const target = ordinal(date);
  let lo = utcStart - 15 * 3_600_000; // the local day is earlier here
  let hi = utcStart + 15 * 3_600_000; // the local day is `date` or later here
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (ordinal(localDateAt(mid, timeZone)) >= target) hi = mid;
    else lo = mid;
  }
  dayStarts.set(cacheKey, hi);
  return hi;
}

/** `date` plus whole calendar months; a day the target month lacks becomes its last day (31 Jan + 1 → 28/29 Feb). */
export function addCalendarMonths(date: LocalDate, months: number): LocalDate {
  const index = date.year * 12 + (date.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = index - year * 12 + 1;
  const lastDay = new Date(Date.UTC(2000, month, 0)).getUTCDate(); // a leap year: 29 for February
  const daysInMonth = month === 2 && !isLeapYear(year) ? 28 : lastDay;
  return { year, month, day: Math.min(date.day, daysInMonth) };
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

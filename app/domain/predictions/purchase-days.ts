// From the ledger's qualifying orders to the models' inputs (docs/predictions.md#pipeline). Pure: no I/O, no clock.
//
// A transaction is a purchase DAY on the shop's wall clock: one calendar day's qualifying orders of a customer are one
// transaction, their values summed. Days are counted as civil day numbers (days since 1970-01-01 of the local
// calendar), so a day is a day whatever the zone's offset or daylight-saving change that day: a week is 7 calendar
// days. For a customer, as of the local day `asOfDay`:
//   x   = purchase days after the first,
//   t_x = (last purchase day − first purchase day) / 7 weeks,
//   T   = (asOfDay − first purchase day) / 7 weeks,
//   m   = the mean value (minor units) of the repeat purchase days (the first day left out), when x > 0.
import { localDateAt } from "../time";

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** The civil day number of a calendar day: days since 1970-01-01 (negative before). */
export function civilDayNumber(year: number, month: number, day: number): number {
  return Math.round(new Date(0).setUTCFullYear(year, month - 1, day) / DAY_MS);
}

/**
 * A function from an instant (epoch ms) to its civil day number on the wall clock of `timeZone`. Memoised per hour:
 * an hour whose first and last millisecond fall on the same local day lies entirely on it (wall-clock dates only move
 * forward, and zone offsets change on whole quarter hours, never twice within one hour), so a year of orders costs
 * at most a few thousand Intl calls, not one per order.
 */
export function dayIndexer(timeZone: string): (t: number) => number {
  const byHour = new Map<number, number>();
  const exact = (t: number) => {
    const d = localDateAt(t, timeZone);
    return civilDayNumber(d.year, d.month, d.day);
  };
  if (timeZone === "UTC") return (t) => Math.floor(t / DAY_MS);
  return (t: number) => {
    const hour = Math.floor(t / HOUR_MS);
    const cached = byHour.get(hour);
    if (cached !== undefined) return cached;
    const first = exact(hour * HOUR_MS);
    const last = exact(hour * HOUR_MS + HOUR_MS - 1);
    if (first === last) {
      byHour.set(hour, first);
      return first;
    }
    return exact(t); // the hour holds a local midnight: no memo, each instant on its own
  };
}

/** A customer's purchase days as the models see them, as of a day. */
export interface CustomerSummary {
  customerId: string;
  firstDay: number;
  lastDay: number;
  /** Repeat purchase days. */
  x: number;
  /** Weeks. */
  tx: number;
  /** Weeks. */
  T: number;
  /** Mean value of the repeat purchase days in minor units (x > 0), else null. */
  m: number | null;
  /** Total value of all purchase days in minor units. */
  totalMinor: number;
}

/**
 * Summarises one customer's qualifying orders, given as (day, value) pairs in any order, as of `asOfDay`: orders after
 * that day are ignored; null when none is left (a back-test summarises the same orders as of an earlier day).
 */
export function summariseCustomer(
  customerId: string,
  days: readonly number[],
  values: readonly number[],
  asOfDay: number,
): CustomerSummary | null {
  if (days.length !== values.length) throw new RangeError("summariseCustomer: days and values differ in length");
  const byDay = new Map<number, number>();
  for (let i = 0; i < days.length; i++) {
    const day = days[i];
    if (day > asOfDay) continue;
    const value = values[i];
    if (!Number.isSafeInteger(value) || value <= 0)
      throw new RangeError(`summariseCustomer: order values must be positive whole minor units, got ${value}`);
    byDay.set(day, (byDay.get(day) ?? 0) + value);
  }
  if (byDay.size === 0) return null;
  let firstDay = Number.POSITIVE_INFINITY;
  let lastDay = Number.NEGATIVE_INFINITY;
  let total = 0;
  for (const [day, value] of byDay) {
    if (day < firstDay) firstDay = day;
    if (day > lastDay) lastDay = day;
    total += value;
  }
  const x = byDay.size - 1;
  const firstValue = byDay.get(firstDay)!;
  return {
    customerId,
    firstDay,
    lastDay,
    x,
    tx: (lastDay - firstDay) / 7,
    T: (asOfDay - firstDay) / 7,
    m: x > 0 ? (total - firstValue) / x : null,
    totalMinor: total,
  };
}

/** Purchase days strictly after `fromDay` and at or before `toDay` (a back-test's holdout purchases). */
export function purchaseDaysBetween(days: readonly number[], fromDay: number, toDay: number): number {
  const seen = new Set<number>();
  for (const day of days) if (day > fromDay && day <= toDay) seen.add(day);
  return seen.size;
}

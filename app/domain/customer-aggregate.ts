// A customer's maintained aggregate (docs/decisions/0009-recompute-from-maintained-aggregates.md): every qualifying
// order of theirs as one compact text "time value,time value,…" in time order, kept current by the ledger's write
// path. Everything a full recompute needs of a customer at any asOf is derived from it here — the RFM values inside
// the window, the last order ever, the orders a tier programme looks at — with the same rules as the SQL of the one
// pass (qualifying-orders, scoring-sqlite): orders after asOf do not count; the window is (windowStart, asOf]; tiers
// look at [tierFrom, asOf]. Pure: no I/O, no clock.
import type { TierOrder } from "./tiers";

/** A customer's qualifying orders, parsed: times (epoch ms) ascending, values (minor units) alongside. */
export interface OrderList {
  times: Float64Array;
  values: Float64Array;
}

/** What the RFM part of a computation needs of one customer as of asOf. */
export interface AggregateValues {
  /** Last qualifying order at or before asOf, over all history; null: none (the customer has no order yet). */
  lastOrderAtEver: number | null;
  /** Inside the RFM window (all history when there is none): count, sum, last time (null: none in the window). */
  frequency: number;
  monetary: number;
  lastOrderAt: number | null;
}

const zero = 48; // "0"

function digits(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - zero;
    if (d < 0 || d > 9) throw new RangeError(`not a time in an order list: ${text.slice(from, to)}`);
    n = n * 10 + d;
  }
  return n;
}

/**
 * A time as the databases write a timestamp as text: SQLite's stored "2026-03-01T12:34:56.789+00:00", PostgreSQL's
 * TIMESTAMP(3) cast to text "2026-03-01 12:34:56.78" (fraction trimmed or absent). Always UTC: any zone other than
 * +00:00 / +00 / Z is refused. Parsed by hand: a full run reads a million of them.
 */
export function parseStamp(text: string, start = 0, end = text.length): number {
  if (end - start < 19 || text.charCodeAt(start + 4) !== 45 || text.charCodeAt(start + 7) !== 45)
    throw new RangeError(`not a time in an order list: ${text.slice(start, end)}`);
  const year = digits(text, start, start + 4);
  const month = digits(text, start + 5, start + 7);
  const day = digits(text, start + 8, start + 10);
  const hour = digits(text, start + 11, start + 13);
  const minute = digits(text, start + 14, start + 16);
  const second = digits(text, start + 17, start + 19);
  let i = start + 19;
  let ms = 0;
  if (i < end && text.charCodeAt(i) === 46) {
    let scale = 100;
    i++;
    while (i < end) {
      const d = text.charCodeAt(i) - zero;
      if (d < 0 || d > 9) break;
      ms += d * scale;
      scale /= 10;
      i++;
    }
    ms = Math.floor(ms);
  }
  const zone = text.slice(i, end);
  if (zone !== "" && zone !== "+00:00" && zone !== "+00" && zone !== "Z")
    throw new RangeError(`an order list time is not UTC: ${text.slice(start, end)}`);
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

/** Parses an order list ("time value,…" in time order, as the ledger writes it). Refuses anything else. */
export function parseOrderList(text: string): OrderList {
  let n = 1;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 44) n++;
  const times = new Float64Array(n);
  const values = new Float64Array(n);
  let start = 0;
  for (let k = 0; k < n; k++) {
    let end = text.indexOf(",", start);
    if (end === -1) end = text.length;
    const space = text.lastIndexOf(" ", end - 1);
    if (space < start) throw new RangeError(`not an order list entry: ${text.slice(start, end)}`);
    times[k] = parseStamp(text, start, space);
    const value = Number(text.slice(space + 1, end));
    if (!Number.isSafeInteger(value) || value <= 0)
      throw new RangeError(`not an order value in an order list: ${text.slice(space + 1, end)}`);
    values[k] = value;
    if (k > 0 && times[k] < times[k - 1]) throw new RangeError("an order list is not in time order");
    start = end + 1;
  }
  return { times, values };
}

/** Index of the first order with time > t (times ascending). */
function firstAfter(times: Float64Array, t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first order with time ≥ t. */
function firstAtOrAfter(times: Float64Array, t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The customer's RFM values as of asOf, counting orders in (windowStart, asOf] (windowStart null: all history). */
export function valuesAsOf(list: OrderList, asOf: number, windowStart: number | null): AggregateValues {
  const end = firstAfter(list.times, asOf); // orders [0, end) are at or before asOf
  if (end === 0) return { lastOrderAtEver: null, frequency: 0, monetary: 0, lastOrderAt: null };
  const from = windowStart === null ? 0 : firstAfter(list.times, windowStart);
  let monetary = 0;
  for (let i = from; i < end; i++) monetary += list.values[i];
  if (!Number.isSafeInteger(monetary)) throw new RangeError("a customer's monetary value is beyond exact integers");
  return {
    lastOrderAtEver: list.times[end - 1],
    frequency: Math.max(0, end - from),
    monetary,
    lastOrderAt: end > from ? list.times[end - 1] : null,
  };
}

/**
 * The orders a tier programme looks at as of asOf: those in [tierFrom, asOf] (tierFrom null: all up to asOf). Like
 * the one pass (services/recompute tierStatuses), a customer whose orders all lie before tierFrom is represented by
 * one order at their last order time: outside every window and retention the programme looks at, it changes nothing
 * but "has ordered". Empty: no order at or before asOf.
 */
export function tierOrdersAsOf(list: OrderList, asOf: number, tierFrom: number | null): TierOrder[] {
  const end = firstAfter(list.times, asOf);
  if (end === 0) return [];
  const from = tierFrom === null ? 0 : firstAtOrAfter(list.times, tierFrom);
  if (from >= end) return [{ time: list.times[end - 1], value: 1 }];
  const orders: TierOrder[] = new Array(end - from);
  for (let i = from; i < end; i++) orders[i - from] = { time: list.times[i], value: list.values[i] };
  return orders;
}

/**
 * tierOrdersAsOf(parseOrderList(text), asOf, tierFrom), reading the list from its end and stopping at the first order
 * before tierFrom: a daily run parses only the orders its tier programme looks at, not a customer's whole history.
 */
export function tierOrdersFromText(text: string, asOf: number, tierFrom: number | null): TierOrder[] {
  const orders: TierOrder[] = [];
  let end = text.length;
  let previous = Number.POSITIVE_INFINITY;
  while (end > 0) {
    const start = text.lastIndexOf(",", end - 1) + 1;
    const space = text.lastIndexOf(" ", end - 1);
    if (space < start) throw new RangeError(`not an order list entry: ${text.slice(start, end)}`);
    const time = parseStamp(text, start, space);
    if (time > previous) throw new RangeError("an order list is not in time order");
    previous = time;
    if (time <= asOf) {
      if (tierFrom !== null && time < tierFrom) {
        if (orders.length === 0) return [{ time, value: 1 }];
        break;
      }
      const value = Number(text.slice(space + 1, end));
      if (!Number.isSafeInteger(value) || value <= 0)
        throw new RangeError(`not an order value in an order list: ${text.slice(space + 1, end)}`);
      orders.push({ time, value });
    }
    end = start - 1;
  }
  return orders.reverse();
}

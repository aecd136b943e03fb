// Segment and tier history reconstructed from the ledger (docs/history.md): the moments the as-of recomputes run at,
// the sizes they give and the moves between two consecutive ones. Pure: no I/O, no clock.
import { DAY_MS } from "./time";

export const HISTORY_WEEKS = 52;
export const WEEK_MS = 7 * DAY_MS;

/** A customer's place at one moment: their segment and tier ("" for no tier). */
export interface Place {
  segment: string;
  tier: string;
}

export type HistoryKind = "segment" | "tier";

/**
 * The moments of a reconstruction anchored at `anchor` (the install's first computation), oldest first:
 * anchor − weeks·7 days, …, anchor − 7 days, anchor. Each is the end of a week; the first is only the starting point
 * the first week's moves are counted from.
 */
export function historyMoments(anchor: number, weeks = HISTORY_WEEKS): number[] {
  return Array.from({ length: weeks + 1 }, (_, i) => anchor - (weeks - i) * WEEK_MS);
}

/** Customers per segment and per tier at one moment. */
export function sizesOf(places: ReadonlyMap<string, Place>): Record<HistoryKind, Record<string, number>> {
  const segment: Record<string, number> = {};
  const tier: Record<string, number> = {};
  for (const p of places.values()) {
    segment[p.segment] = (segment[p.segment] ?? 0) + 1;
    tier[p.tier] = (tier[p.tier] ?? 0) + 1;
  }
  return { segment, tier };
}

export interface Move {
  kind: HistoryKind;
  /** "" : the customer was not there yet (or had no tier). */
  from: string;
  to: string;
  customers: number;
}

/**
 * The moves between two consecutive moments, counted per kind, from and to: a customer present in `after` whose
 * segment (or tier) differs from the one in `before` (absent from `before`: from ""; a customer with no tier before or
 * after is "" there). Customers that stay put are not moves; the ledger's customers never leave a later moment.
 */
export function movesBetween(before: ReadonlyMap<string, Place>, after: ReadonlyMap<string, Place>): Move[] {
  const counts = new Map<string, Move>();
  const add = (kind: HistoryKind, from: string, to: string) => {
    const key = `${kind}\u0000${from}\u0000${to}`;
    const move = counts.get(key);
    if (move) move.customers += 1;
    else counts.set(key, { kind, from, to, customers: 1 });
  };
  for (const [id, now] of after) {
    const was = before.get(id);
    const fromSegment = was?.segment ?? "";
    if (fromSegment !== now.segment) add("segment", fromSegment, now.segment);
    const fromTier = was?.tier ?? "";
    if (fromTier !== now.tier) add("tier", fromTier, now.tier);
  }
  return [...counts.values()];
}

/**
 * Which stored moment stands for `at`: the latest one at or before it (null: none, `at` is before the history).
 * `moments` ascending.
 */
export function momentAtOrBefore(moments: readonly number[], at: number): number | null {
  let found: number | null = null;
  for (const m of moments) {
    if (m > at) break;
    found = m;
  }
  return found;
}

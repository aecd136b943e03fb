// A customer's computed state (RFM scores, segment, tier and progress) as the domain sees it, and the history entry of
// a move: what recomputation produces and the models store. Pure: no I/O.
import type { SegmentKey } from "./segments";
import { DAY_MS } from "./time";

export interface HistoryEntry {
  customerId: string;
  kind: "segment" | "tier";
  from: string | null;
  to: string | null;
}

/** A customer's computed state, times as epoch ms and money as minor units (the model turns them into columns). */
export interface CustomerStateValues {
  customerId: string;
  segment: SegmentKey;
  r: number | null;
  f: number | null;
  m: number | null;
  fm: number | null;
  recencyDays: number | null;
  frequency: number | null;
  monetaryMinor: number | null;
  lastOrderAt: number | null;
  tier: string | null;
  spendInWindowMinor: number | null;
  ordersInWindow: number | null;
  nextTier: string | null;
  amountToNextMinor: number | null;
  ordersToNext: number | null;
  tierExpiresAt: number | null;
  windowChangesAt: number | null;
  /** The customer's RFM values in the last full run (see CustomerState in schema.prisma); null: not in it. */
  baseLastOrderAt: number | null;
  baseFrequency: number | null;
  baseMonetaryMinor: number | null;
}

/** Every stored value of a state (all but customerId), in the order of the row's digest. */
export const STATE_COLUMNS = [
  "segment",
  "r",
  "f",
  "m",
  "fm",
  "recencyDays",
  "frequency",
  "monetaryMinor",
  "lastOrderAt",
  "tier",
  "spendInWindowMinor",
  "ordersInWindow",
  "nextTier",
  "amountToNextMinor",
  "ordersToNext",
  "tierExpiresAt",
  "windowChangesAt",
  "baseLastOrderAt",
  "baseFrequency",
  "baseMonetaryMinor",
] as const satisfies readonly (keyof CustomerStateValues)[];

/**
 * The values a row stores: all but recencyDays, which would change for nearly every customer every day. A row
 * keeps lastOrderAt and the moment it was computed at; readers derive the days (derivedRecencyDays,
 * docs/decisions/0009-recompute-from-maintained-aggregates.md).
 */
export const STORED_STATE_COLUMNS = STATE_COLUMNS.filter(
  (c): c is Exclude<(typeof STATE_COLUMNS)[number], "recencyDays"> => c !== "recencyDays",
);

/**
 * A stored row's recency: whole days (24 h, floored) from its lastOrderAt to the moment its values hold for — the
 * later of the moment it was written (`computedAt`: an incremental update after the last full run) and the last
 * full run's asOf (`runAsOf`, null when the shop was never fully computed; a full run leaves no row computed after
 * its asOf). Null for a customer outside the RFM population (no lastOrderAt).
 */
export function derivedRecencyDays(
  lastOrderAt: number | null,
  computedAt: number,
  runAsOf: number | null,
): number | null {
  if (lastOrderAt === null) return null;
  const at = runAsOf === null ? computedAt : Math.max(computedAt, runAsOf);
  return Math.floor((at - lastOrderAt) / DAY_MS);
}

/**
 * Every stored value of a state in one text, the row's `digest`: two states are the same row exactly when their
 * digests are equal (null is empty; no value is an empty text, and tier keys and segment keys hold no "|").
 */
export function stateDigest(state: CustomerStateValues): string {
  let digest = "";
  for (const name of STORED_STATE_COLUMNS) {
    const value = state[name];
    digest += value === null ? "|" : `${value}|`;
  }
  return digest;
}

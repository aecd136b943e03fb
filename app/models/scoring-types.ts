// What the scoring reads and writes are made of, shared by both paths (Prisma, and the prepared statements on
// SQLite, docs/decisions/0003-recompute-on-sqlite.md): a ledger scan's per-customer aggregates and tier orders, and a stored customer
// state with its columns, digest and history entries.
import type { SegmentKey } from "../domain/segments";
import type { TierOrder } from "../domain/tiers";

/** One customer's qualifying orders summed up as of asOf: over all history, and inside the RFM window. */
export interface CustomerAggregate {
  customerId: string;
  /** Latest qualifying order time (epoch ms), over all history up to asOf. */
  lastOrderAtEver: number;
  /** Inside the RFM window (all history when there is none); frequency 0 when the window holds no order. */
  frequency: number;
  monetary: number;
  lastOrderAt: number | null;
}

/** Every customer's aggregate as of asOf, and their qualifying orders from `tierFrom` on (what tiers look at). */
export interface LedgerScan {
  aggregates: CustomerAggregate[];
  /** Every customer the ledger holds and has not deleted (with or without orders). */
  liveCustomerIds(): Promise<string[]>;
  /** Null: all history. */
  tierFrom: number | null;
  /** Qualifying orders in [tierFrom, asOf] of these customers; a customer with none there is absent. */
  tierOrders(customerIds: readonly string[]): Promise<Map<string, TierOrder[]>>;
}

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

export const STATE_COLUMNS = [
  "segment", "r", "f", "m", "fm", "recencyDays", "frequency", "monetaryMinor", "lastOrderAt", "tier",
  "spendInWindowMinor", "ordersInWindow", "nextTier", "amountToNextMinor", "ordersToNext", "tierExpiresAt",
  "windowChangesAt", "baseLastOrderAt", "baseFrequency", "baseMonetaryMinor",
] as const satisfies readonly (keyof CustomerStateValues)[];
export const TIME_COLUMNS = new Set<string>(["lastOrderAt", "tierExpiresAt", "windowChangesAt", "baseLastOrderAt"]);
export const MONEY_COLUMNS = new Set<string>(["monetaryMinor", "spendInWindowMinor", "amountToNextMinor", "baseMonetaryMinor"]);

/**
 * Every stored value of a state in one text, the row's `digest`: two states are the same row exactly when their
 * digests are equal (null is empty; no value is an empty text, and tier keys and segment keys hold no "|").
 */
export function stateDigest(state: CustomerStateValues): string {
  let digest = "";
  for (const name of STATE_COLUMNS) {
    const value = state[name];
    digest += value === null ? "|" : `${value}|`;
  }
  return digest;
}


// What the scoring reads and writes are made of, shared by both paths (Prisma, and the prepared statements on
// SQLite, docs/decisions/0003-recompute-on-sqlite.md): a ledger scan's per-customer aggregates and tier orders, and a stored customer
// state with its columns, digest and history entries.
import type { TierOrder } from "../domain/tiers";
import {
  STATE_COLUMNS,
  STORED_STATE_COLUMNS,
  stateDigest,
  type CustomerStateValues,
  type HistoryEntry,
} from "../domain/customer-state";

// The state itself is the domain's (app/domain/customer-state.ts); the storage columns of its values are here.
export { STATE_COLUMNS, STORED_STATE_COLUMNS, stateDigest, type CustomerStateValues, type HistoryEntry };

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

/** Stored as DateTime (epoch ms in the values) and as BigInt (minor units in the values). */
export const TIME_COLUMNS = new Set<string>(["lastOrderAt", "tierExpiresAt", "windowChangesAt", "baseLastOrderAt"]);
export const MONEY_COLUMNS = new Set<string>([
  "monetaryMinor",
  "spendInWindowMinor",
  "amountToNextMinor",
  "baseMonetaryMinor",
]);

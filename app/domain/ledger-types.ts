// The ledger's normalised rows — what webhooks (REST payloads) and backfill (bulk JSONL) both turn into — and the
// row-level rules every write path shares (newest version per row, same-second customer conflicts).

export interface LedgerOrder {
  id: string; // gid://shopify/Order/…
  customerId: string | null;
  name: string | null;
  processedAt: Date; // processed_at, falling back to created_at
  cancelledAt: Date | null;
  test: boolean;
  currencyCode: string; // shop currency
  currentTotalMinor: number;
  discountCodes: string[];
  /** Discounts applied to the order now (current_total_discounts_set.shop_money), minor units of the shop currency. */
  discountMinor: number;
  sourceUpdatedAt: Date;
}

export interface LedgerRefund {
  id: string; // gid://shopify/Refund/…
  orderId: string;
  createdAt: Date;
  /** Money refunded, in minor units of currencyCode; null (currencyCode "XXX") when it came in several currencies or
   * a transaction named none: such a refund never lowers the order's value, the order update that follows does. */
  amountMinor: number | null;
  /** Counts against the order only when it is the order's (shop) currency. */
  currencyCode: string;
}

export interface LedgerCustomer {
  id: string; // gid://shopify/Customer/…
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  locale: string | null;
  sourceCreatedAt: Date | null;
  sourceUpdatedAt: Date;
}

/** What one webhook does to the ledger: written, deduplicated and followed up in one transaction. */
export type LedgerChange =
  | { kind: "orders"; orders: LedgerOrder[]; refunds: LedgerRefund[] }
  | { kind: "refunds"; refunds: LedgerRefund[] }
  | { kind: "customers"; customers: LedgerCustomer[] }
  | { kind: "deleteOrder"; orderId: string; at: Date }
  | { kind: "deleteCustomer"; customerId: string; at: Date };

/** A customer row as held, next to an incoming version that did not replace it. */
export interface HeldCustomer {
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  locale: string | null;
  /** The held version has the incoming version's updated_at. */
  sameSecond: boolean;
  deleted: boolean;
}

/**
 * Two versions of one customer stamped with the same second (Shopify's updated_at has whole seconds) that differ: the
 * payloads cannot say which is newer, so the customer is re-read from Shopify (customer-refresh job). Orders have an
 * order of their own for this (cancelled, then lower total); customer fields have none.
 */
export function sameSecondConflict(held: HeldCustomer | undefined, incoming: LedgerCustomer): boolean {
  if (!held || held.deleted || !held.sameSecond) return false;
  return (
    held.email !== incoming.email ||
    held.firstName !== incoming.firstName ||
    held.lastName !== incoming.lastName ||
    (incoming.locale !== null && incoming.locale !== held.locale)
  );
}

/** Within one batch the same row may come twice (duplicates): its newest version only, each row once. */
export function newestVersions<T>(
  items: readonly T[],
  key: (item: T) => string,
  version: (item: T) => Date | null,
): T[] {
  const held = new Map<string, T>();
  for (const item of items) {
    const current = held.get(key(item));
    if (!current || (version(item)?.getTime() ?? 0) > (version(current)?.getTime() ?? 0)) held.set(key(item), item);
  }
  return [...held.values()];
}

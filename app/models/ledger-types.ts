// The ledger's normalised rows: what webhooks (REST payloads) and backfill (bulk JSONL) both turn into.

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
  /** Money refunded, in minor units of currencyCode; null when it came in several currencies. */
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

// The ledger's normalised rows — what webhooks (REST payloads) and backfill (bulk JSONL) both turn into — and the
// row-level rules every write path shares (newest version per row, same-second customer and product conflicts).

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
  /**
   * The order's line items as this version has them; they replace the held lines whole when the version wins.
   * Undefined when the source does not carry lines (a shop file from before line items): the held lines stay.
   */
  lines?: LedgerLine[];
}

/** A line item of an order (docs/rules.md#line-items-and-products). */
export interface LedgerLine {
  id: string; // gid://shopify/LineItem/…
  /** Null for a custom line, or a line whose product was deleted. */
  productId: string | null;
  variantId: string | null;
  title: string;
  variantTitle: string | null;
  vendor: string | null;
  sku: string | null;
  /** The quantity ordered (refunds are RefundLines; the net quantity is read, never stored). */
  quantity: number;
  /** quantity × unit price − the discounts allocated to the line, minor units of the shop currency. */
  amountMinor: number;
  giftCard: boolean;
}

/** A refunded quantity of one line, stored once by id with its refund. */
export interface LedgerRefundLine {
  id: string; // gid://shopify/RefundLineItem/…
  lineId: string; // gid://shopify/LineItem/…
  quantity: number;
  /** The subtotal refunded for the line in the shop currency; null when not given in it. */
  amountMinor: number | null;
}

/** A product of the shop's catalogue (products/* webhooks and the backfill's products phase). */
export interface LedgerProduct {
  id: string; // gid://shopify/Product/…
  title: string | null;
  handle: string | null;
  productType: string | null;
  vendor: string | null;
  /** ACTIVE | ARCHIVED | DRAFT (Shopify's ProductStatus). */
  status: string | null;
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
  /** The lines it refunded (none for a refund of shipping or an amount only). */
  lines?: LedgerRefundLine[];
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
  | { kind: "deleteCustomer"; customerId: string; at: Date }
  | { kind: "products"; products: LedgerProduct[] }
  | { kind: "deleteProduct"; productId: string; at: Date };

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

/** A product row as held, next to an incoming version that did not replace it. */
export interface HeldProduct {
  title: string | null;
  handle: string | null;
  productType: string | null;
  vendor: string | null;
  status: string | null;
  /** The held version has the incoming version's updated_at. */
  sameSecond: boolean;
  deleted: boolean;
}

/**
 * The same for a product: two versions stamped with one second that differ in what the ledger keeps (title, handle,
 * type, vendor, status) cannot be ordered from the payloads — a draft right after a rename would be lost — so the
 * product is re-read from Shopify (product-refresh job).
 */
export function productSameSecondConflict(held: HeldProduct | undefined, incoming: LedgerProduct): boolean {
  if (!held || held.deleted || !held.sameSecond) return false;
  return (
    held.title !== incoming.title ||
    held.handle !== incoming.handle ||
    held.productType !== incoming.productType ||
    held.vendor !== incoming.vendor ||
    held.status !== incoming.status
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

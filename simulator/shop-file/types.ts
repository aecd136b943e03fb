// A shop file: JSONL, one object a line, in the Admin GraphQL shape (docs/shop-file-format.md).
// The generator writes it, the simulator loads it as a shop, the app's `load` command reads it into the ledger.

export interface MoneyV2 {
  /** Decimal string, as the Admin API sends it: "12.50", "1200" (JPY has no decimals). */
  amount: string;
  currencyCode: string;
}

export interface MoneyBag {
  shopMoney: MoneyV2;
  presentmentMoney: MoneyV2;
}

export interface MailingAddress {
  address1: string | null;
  address2: string | null;
  city: string | null;
  province: string | null;
  provinceCode: string | null;
  country: string | null;
  countryCodeV2: string | null;
  zip: string | null;
  phone: string | null;
}

/** The first line of every shop file. */
export interface ShopRecord {
  __typename: "Shop";
  id: string; // gid://shopify/Shop/1
  name: string;
  myshopifyDomain: string; // demo.myshopify.com
  email: string;
  currencyCode: string; // shop currency; every shopMoney amount is in it
  ianaTimezone: string;
  primaryLocale: string;
  plan: "standard" | "advanced" | "plus";
  /**
   * The shop's "HTML without currency" money format, e.g. `฿{{amount}}` (what Liquid's `money` prints through); the
   * local Shopify's storefront uses it. Optional: without it the storefront uses the default for the currency
   * (simulator/storefront/money-format.ts). Readers of shop files drop it.
   */
  moneyFormat?: string;
  /** "HTML with currency", e.g. `฿{{amount}} THB` (`money_with_currency`); optional likewise. */
  moneyWithCurrencyFormat?: string;
}

export interface CustomerRecord {
  __typename: "Customer";
  id: string; // gid://shopify/Customer/123
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  locale: string;
  tags: string[];
  createdAt: string; // ISO-8601 UTC
  updatedAt: string;
  defaultAddress: MailingAddress | null;
  /** defaultEmailAddress.marketingState (CustomerEmailAddressMarketingState); absent: NOT_SUBSCRIBED. */
  emailMarketingState?: "INVALID" | "NOT_SUBSCRIBED" | "PENDING" | "SUBSCRIBED" | "UNSUBSCRIBED";
}

export interface OrderRecord {
  __typename: "Order";
  id: string; // gid://shopify/Order/123
  name: string; // "#1001"
  customer: { id: string } | null; // null for guest checkouts
  email: string | null;
  createdAt: string;
  updatedAt: string;
  processedAt: string;
  cancelledAt: string | null;
  cancelReason: string | null;
  test: boolean;
  currencyCode: string; // shop currency
  presentmentCurrencyCode: string;
  /** What the order was placed for. */
  totalPriceSet: MoneyBag;
  /** After edits, returns and refunds: what the ledger counts. */
  currentTotalPriceSet: MoneyBag;
  totalRefundedSet: MoneyBag;
  subtotalPriceSet: MoneyBag;
  totalDiscountsSet: MoneyBag;
  discountCodes: string[];
  /** True when the order was edited after it was placed (currentTotal differs for a reason other than refunds). */
  edited: boolean;
  /**
   * The order's line items (optional: files from before line items have none). Their amounts after discounts sum to
   * the line-items total after discounts (subtotalPriceSet) exactly.
   */
  lineItems?: LineItemRecord[];
}

/** A line item as Admin GraphQL's LineItem has it (the fields the app reads). */
export interface LineItemRecord {
  id: string; // gid://shopify/LineItem/123
  product: { id: string } | null; // null: a custom line, or a product deleted since
  variant: { id: string } | null;
  title: string;
  variantTitle: string | null;
  vendor: string | null;
  sku: string | null;
  quantity: number;
  isGiftCard: boolean;
  /** The unit price before discounts. */
  originalUnitPriceSet: MoneyBag;
  /** Discounts allocated to this line (line and order discounts), each in the shop currency. */
  discountAllocations: { allocatedAmountSet: MoneyBag }[];
}

/** A refunded quantity of a line item, as Admin GraphQL's RefundLineItem has it. */
export interface RefundLineItemRecord {
  id: string; // gid://shopify/RefundLineItem/123
  lineItem: { id: string };
  quantity: number;
  /** What was refunded for these units: their share of the line's amount after discounts. */
  subtotalSet: MoneyBag;
}

/** A product of the catalogue with its variants (docs/shop-file-format.md). */
export interface ProductFileRecord {
  __typename: "Product";
  id: string; // gid://shopify/Product/123
  title: string;
  handle: string;
  productType: string;
  vendor: string;
  status: "ACTIVE" | "ARCHIVED" | "DRAFT";
  createdAt: string;
  updatedAt: string;
  variants: ProductVariantFileRecord[];
}

export interface ProductVariantFileRecord {
  id: string; // gid://shopify/ProductVariant/123
  title: string;
  sku: string | null;
  /** Unit price in the shop currency, decimal. */
  price: string;
}

export interface RefundRecord {
  __typename: "Refund";
  id: string; // gid://shopify/Refund/123
  order: { id: string };
  createdAt: string;
  note: string | null;
  totalRefundedSet: MoneyBag;
  /** The lines it refunded (optional: none for an amount-only refund or a file from before line items). */
  refundLineItems?: RefundLineItemRecord[];
}

export type ShopFileRecord = ShopRecord | ProductFileRecord | CustomerRecord | OrderRecord | RefundRecord;

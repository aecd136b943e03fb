// Hand-built records in the shop-file shape, for tests of the webhook sender (not used by the simulator itself).
import type {
  CustomerRecord,
  MoneyBag,
  OrderRecord,
  ProductFileRecord,
  RefundRecord,
  ShopRecord,
} from "../shop-file/types";

export function moneyBag(
  amount: string,
  currencyCode: string,
  presentment?: { amount: string; currencyCode: string },
): MoneyBag {
  return { shopMoney: { amount, currencyCode }, presentmentMoney: presentment ?? { amount, currencyCode } };
}

export function shopRecord(overrides: Partial<ShopRecord> = {}): ShopRecord {
  return {
    __typename: "Shop",
    id: "gid://shopify/Shop/548380009",
    name: "Maple & Pine",
    myshopifyDomain: "maple-and-pine.myshopify.com",
    email: "owner@maple-and-pine.test",
    currencyCode: "USD",
    ianaTimezone: "America/New_York",
    primaryLocale: "en",
    plan: "standard",
    ...overrides,
  };
}

export function customerRecord(overrides: Partial<CustomerRecord> = {}): CustomerRecord {
  return {
    __typename: "Customer",
    id: "gid://shopify/Customer/7001",
    firstName: "Ada",
    lastName: "Lovelace",
    email: "ada@maple-and-pine.test",
    phone: null,
    locale: "en",
    tags: ["tier:gold"],
    createdAt: "2024-01-10T15:00:00Z",
    updatedAt: "2024-03-01T10:15:00Z",
    defaultAddress: {
      address1: "12 Analytical Row",
      address2: null,
      city: "Burlington",
      province: "Vermont",
      provinceCode: "VT",
      country: "United States",
      countryCodeV2: "US",
      zip: "05401",
      phone: null,
    },
    ...overrides,
  };
}

/** A paid USD order for customer 7001: $12.50 placed, nothing refunded. */
export function orderRecord(overrides: Partial<OrderRecord> = {}): OrderRecord {
  const currency = overrides.currencyCode ?? "USD";
  return {
    __typename: "Order",
    id: "gid://shopify/Order/9001",
    name: "#1001",
    customer: { id: "gid://shopify/Customer/7001" },
    email: "ada@maple-and-pine.test",
    createdAt: "2024-03-01T10:15:00Z",
    updatedAt: "2024-03-01T10:15:00Z",
    processedAt: "2024-03-01T10:15:00Z",
    cancelledAt: null,
    cancelReason: null,
    test: false,
    currencyCode: currency,
    presentmentCurrencyCode: currency,
    totalPriceSet: moneyBag("12.50", currency),
    currentTotalPriceSet: moneyBag("12.50", currency),
    totalRefundedSet: moneyBag("0.00", currency),
    subtotalPriceSet: moneyBag("12.50", currency),
    totalDiscountsSet: moneyBag("0.00", currency),
    discountCodes: [],
    edited: false,
    ...overrides,
  };
}

/** Two lines of order 9001: 2 × $5.00 with $1.25 of discount allocated, and a custom $3.75 line ($12.50 in all). */
export function lineItemRecords(currency = "USD"): NonNullable<OrderRecord["lineItems"]> {
  return [
    {
      id: "gid://shopify/LineItem/9101",
      product: { id: "gid://shopify/Product/8001" },
      variant: { id: "gid://shopify/ProductVariant/8101" },
      title: "Maple syrup",
      variantTitle: "250 ml",
      vendor: "Maple & Pine",
      sku: "MP-250",
      quantity: 2,
      isGiftCard: false,
      originalUnitPriceSet: moneyBag("5.00", currency),
      discountAllocations: [{ allocatedAmountSet: moneyBag("1.25", currency) }],
    },
    {
      id: "gid://shopify/LineItem/9102",
      product: null,
      variant: null,
      title: "Gift wrap",
      variantTitle: null,
      vendor: null,
      sku: null,
      quantity: 1,
      isGiftCard: false,
      originalUnitPriceSet: moneyBag("3.75", currency),
      discountAllocations: [],
    },
  ];
}

/** A product of the catalogue with one variant. */
export function productRecord(overrides: Partial<ProductFileRecord> = {}): ProductFileRecord {
  return {
    __typename: "Product",
    id: "gid://shopify/Product/8001",
    title: "Maple syrup",
    handle: "maple-syrup",
    productType: "Pantry",
    vendor: "Maple & Pine",
    status: "ACTIVE",
    createdAt: "2024-02-01T09:00:00Z",
    updatedAt: "2024-02-20T09:00:00Z",
    variants: [{ id: "gid://shopify/ProductVariant/8101", title: "250 ml", sku: "MP-250", price: "5.00" }],
    ...overrides,
  };
}

export function refundRecord(overrides: Partial<RefundRecord> = {}): RefundRecord {
  return {
    __typename: "Refund",
    id: "gid://shopify/Refund/5001",
    order: { id: "gid://shopify/Order/9001" },
    createdAt: "2024-03-05T14:00:00Z",
    note: null,
    totalRefundedSet: moneyBag("2.50", "USD"),
    ...overrides,
  };
}

// Hand-built records in the shop-file shape, for tests of the webhook sender (not used by the simulator itself).
import type { CustomerRecord, MoneyBag, OrderRecord, RefundRecord, ShopRecord } from "../shop-file/types";

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

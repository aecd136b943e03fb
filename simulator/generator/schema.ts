// Zod schemas of the shop file records: what a reader accepts. Kept identical to simulator/shop-file/types.ts by
// the compile-time checks at the bottom.
import { z } from "zod";
import type { CustomerRecord, OrderRecord, RefundRecord, ShopFileRecord, ShopRecord } from "../shop-file/types";

const timestamp = z.iso.datetime({ offset: true });
const gid = (resource: string) =>
  z.string().regex(new RegExp(`^gid://shopify/${resource}/\\d+$`), `must be gid://shopify/${resource}/<number>`);

const money = z.object({
  amount: z.string().regex(/^-?\d+(\.\d+)?$/, 'must be a decimal string such as "12.50" or "1200"'),
  currencyCode: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code"),
});
const moneyBag = z.object({ shopMoney: money, presentmentMoney: money });

const mailingAddress = z.object({
  address1: z.string().nullable(),
  address2: z.string().nullable(),
  city: z.string().nullable(),
  province: z.string().nullable(),
  provinceCode: z.string().nullable(),
  country: z.string().nullable(),
  countryCodeV2: z.string().nullable(),
  zip: z.string().nullable(),
  phone: z.string().nullable(),
});

export const shopRecordSchema = z.object({
  __typename: z.literal("Shop"),
  id: gid("Shop"),
  name: z.string(),
  myshopifyDomain: z.string().min(1),
  email: z.string(),
  currencyCode: z.string().regex(/^[A-Z]{3}$/),
  ianaTimezone: z.string().min(1),
  primaryLocale: z.string().min(1),
  plan: z.enum(["standard", "advanced", "plus"]),
});

export const customerRecordSchema = z.object({
  __typename: z.literal("Customer"),
  id: gid("Customer"),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  locale: z.string(),
  tags: z.array(z.string()),
  createdAt: timestamp,
  updatedAt: timestamp,
  defaultAddress: mailingAddress.nullable(),
});

export const orderRecordSchema = z.object({
  __typename: z.literal("Order"),
  id: gid("Order"),
  name: z.string(),
  customer: z.object({ id: gid("Customer") }).nullable(),
  email: z.string().nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
  processedAt: timestamp,
  cancelledAt: timestamp.nullable(),
  cancelReason: z.string().nullable(),
  test: z.boolean(),
  currencyCode: z.string().regex(/^[A-Z]{3}$/),
  presentmentCurrencyCode: z.string().regex(/^[A-Z]{3}$/),
  totalPriceSet: moneyBag,
  currentTotalPriceSet: moneyBag,
  totalRefundedSet: moneyBag,
  subtotalPriceSet: moneyBag,
  totalDiscountsSet: moneyBag,
  discountCodes: z.array(z.string()),
  edited: z.boolean(),
});

export const refundRecordSchema = z.object({
  __typename: z.literal("Refund"),
  id: gid("Refund"),
  order: z.object({ id: gid("Order") }),
  createdAt: timestamp,
  note: z.string().nullable(),
  totalRefundedSet: moneyBag,
});

export const RECORD_SCHEMAS = {
  Shop: shopRecordSchema,
  Customer: customerRecordSchema,
  Order: orderRecordSchema,
  Refund: refundRecordSchema,
} as const;

export const shopFileRecordSchema = z.discriminatedUnion("__typename", [
  shopRecordSchema,
  customerRecordSchema,
  orderRecordSchema,
  refundRecordSchema,
]);

// Compile-time: each schema's output is exactly the shared record type.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemasMatchTypes: [
  Same<z.infer<typeof shopRecordSchema>, ShopRecord>,
  Same<z.infer<typeof customerRecordSchema>, CustomerRecord>,
  Same<z.infer<typeof orderRecordSchema>, OrderRecord>,
  Same<z.infer<typeof refundRecordSchema>, RefundRecord>,
  Same<z.infer<typeof shopFileRecordSchema>, ShopFileRecord>,
] = [true, true, true, true, true];
void schemasMatchTypes;

// Zod schemas of the shop file records: what a reader accepts. Kept identical to simulator/shop-file/types.ts by
// the compile-time checks at the bottom.
import { z } from "zod";
import type {
  CustomerRecord,
  OrderRecord,
  ProductFileRecord,
  RefundRecord,
  ShopFileRecord,
  ShopRecord,
} from "../shop-file/types";

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

const lineItemSchema = z.object({
  id: gid("LineItem"),
  product: z.object({ id: gid("Product") }).nullable(),
  variant: z.object({ id: gid("ProductVariant") }).nullable(),
  title: z.string(),
  variantTitle: z.string().nullable(),
  vendor: z.string().nullable(),
  sku: z.string().nullable(),
  quantity: z.number().int().nonnegative(),
  isGiftCard: z.boolean(),
  originalUnitPriceSet: moneyBag,
  discountAllocations: z.array(z.object({ allocatedAmountSet: moneyBag })),
});

const refundLineItemSchema = z.object({
  id: gid("RefundLineItem"),
  lineItem: z.object({ id: gid("LineItem") }),
  quantity: z.number().int().positive(),
  subtotalSet: moneyBag,
});

export const productRecordSchema = z.object({
  __typename: z.literal("Product"),
  id: gid("Product"),
  title: z.string(),
  handle: z.string(),
  productType: z.string(),
  vendor: z.string(),
  status: z.enum(["ACTIVE", "ARCHIVED", "DRAFT"]),
  createdAt: timestamp,
  updatedAt: timestamp,
  variants: z.array(
    z.object({
      id: gid("ProductVariant"),
      title: z.string(),
      sku: z.string().nullable(),
      price: money.shape.amount,
    }),
  ),
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
  lineItems: z.array(lineItemSchema).optional(),
});

export const refundRecordSchema = z.object({
  __typename: z.literal("Refund"),
  id: gid("Refund"),
  order: z.object({ id: gid("Order") }),
  createdAt: timestamp,
  note: z.string().nullable(),
  totalRefundedSet: moneyBag,
  refundLineItems: z.array(refundLineItemSchema).optional(),
});

export const RECORD_SCHEMAS = {
  Shop: shopRecordSchema,
  Product: productRecordSchema,
  Customer: customerRecordSchema,
  Order: orderRecordSchema,
  Refund: refundRecordSchema,
} as const;

export const shopFileRecordSchema = z.discriminatedUnion("__typename", [
  shopRecordSchema,
  productRecordSchema,
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
  Same<z.infer<typeof productRecordSchema>, ProductFileRecord>,
  Same<z.infer<typeof shopFileRecordSchema>, ShopFileRecord>,
] = [true, true, true, true, true, true];
void schemasMatchTypes;

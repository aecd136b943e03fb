// The shapes the ledger needs from Shopify's REST webhook bodies (orders, refunds, customers), checked with zod and
// normalised into ledger rows. A body that is JSON but not what its topic promises is refused, never half-stored.
import { z } from "zod";
import { isKnownCurrency, toMinorUnits } from "../domain/money";
import type {
  LedgerCustomer,
  LedgerLine,
  LedgerOrder,
  LedgerProduct,
  LedgerRefund,
  LedgerRefundLine,
} from "../domain/ledger-types";

/** REST ids arrive as numbers, or as strings when they exceed 2^53 (see receive.server.ts). */
const restId = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]).transform(String);
const gidOf = (type: string) => z.string().regex(new RegExp(`^gid://shopify/${type}/\\d+$`), `must be a ${type} gid`);
const instant = z
  .string()
  .refine((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(s) && !Number.isNaN(Date.parse(s)), "must be an ISO-8601 time")
  .transform((s) => new Date(s));
const currency = z.string().refine(isKnownCurrency, "unknown currency");

/** A decimal amount, as toMinorUnits reads it: what any currency's amount must at least be. */
const DECIMAL_AMOUNT = /^-?\d+(?:\.\d+)?$/;

/**
 * An amount must convert to the currency's minor units exactly (e.g. no "12.505" USD, no "1200.5" JPY). Without a
 * currency (null) only its form can be checked: it must still be a decimal amount.
 */
function exactAmount<T>(amountOf: (v: T) => [string, string | null]) {
  return (value: T, ctx: z.RefinementCtx<T>) => {
    const [amount, code] = amountOf(value);
    if (code === null) {
      if (!DECIMAL_AMOUNT.test(amount.trim()))
        ctx.addIssue({ code: "custom", message: `"${amount}" is not a decimal amount`, path: ["amount"] });
      return;
    }
    if (!isKnownCurrency(code)) return; // reported by the currency field itself
    try {
      toMinorUnits(amount, code);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message, path: ["amount"] });
    }
  };
}

const money = z
  .looseObject({ amount: z.string(), currency_code: currency })
  .superRefine(exactAmount<{ amount: string; currency_code: string }>((m) => [m.amount, m.currency_code]));
const moneySet = z.looseObject({ shop_money: money });

const refundTransaction = z
  .looseObject({
    kind: z.string(),
    status: z.string().nullable().optional(),
    amount: z.string(),
    // Shopify's schema lets a transaction's currency be null (its published 2026-04 refunds/create example has
    // "currency": null): accepted, and the refund's amount is then unknown (refundFromBody).
    currency: currency.nullable(),
  })
  .superRefine(exactAmount<{ amount: string; currency: string | null }>((t) => [t.amount, t.currency]));

/** A refunded line (refund_line_items): which line, how many, and the subtotal refunded in the shop currency. */
const refundLineItem = z.looseObject({
  id: restId,
  line_item_id: restId,
  quantity: z.number().int().nonnegative(),
  subtotal_set: moneySet.nullable().optional(),
  line_item: z
    .looseObject({ admin_graphql_api_id: gidOf("LineItem").optional() })
    .nullable()
    .optional(),
});

export const refundBody = z.looseObject({
  id: restId,
  admin_graphql_api_id: gidOf("Refund").optional(),
  order_id: restId,
  created_at: instant,
  transactions: z.array(refundTransaction).default([]),
  refund_line_items: z.array(refundLineItem).default([]),
});

/**
 * A line item: the REST body has the unit price (price_set) and the discounts allocated to the line
 * (discount_allocations, order-level discounts included); its product type is not in it (the catalogue has it).
 */
const lineItem = z.looseObject({
  id: restId,
  admin_graphql_api_id: gidOf("LineItem").optional(),
  product_id: restId.nullable().optional(),
  variant_id: restId.nullable().optional(),
  title: z.string(),
  variant_title: z.string().nullable().optional(),
  vendor: z.string().nullable().optional(),
  sku: z.string().nullable().optional(),
  quantity: z.number().int().nonnegative(),
  gift_card: z.boolean().default(false),
  price_set: moneySet,
  discount_allocations: z.array(z.looseObject({ amount_set: moneySet })).default([]),
});

export const orderBody = z
  .looseObject({
    id: restId,
    admin_graphql_api_id: gidOf("Order"),
    name: z.string().nullable().optional(),
    created_at: instant,
    updated_at: instant,
    processed_at: instant.nullable().optional(),
    cancelled_at: instant.nullable().optional(),
    test: z.boolean(),
    current_total_price_set: moneySet,
    customer: z
      .looseObject({ id: restId, admin_graphql_api_id: gidOf("Customer").optional() })
      .nullable()
      .optional(),
    discount_codes: z.array(z.looseObject({ code: z.string() })).default([]),
    current_total_discounts_set: moneySet.optional(),
    refunds: z.array(refundBody).default([]),
    line_items: z.array(lineItem).default([]),
  })
  .superRefine((order, ctx) => {
    // A line's money must be in the order's shop currency, or its amount would be a number of the wrong minor units.
    const currency = order.current_total_price_set.shop_money.currency_code;
    order.line_items.forEach((line, i) => {
      const currencies = [line.price_set, ...line.discount_allocations.map((a) => a.amount_set)].map(
        (m) => m.shop_money.currency_code,
      );
      if (currencies.some((c) => c !== currency))
        ctx.addIssue({ code: "custom", message: `line money must be in ${currency}`, path: ["line_items", i] });
    });
  });

export const orderDeleteBody = z.looseObject({ id: restId });

export const customerBody = z.looseObject({
  id: restId,
  admin_graphql_api_id: gidOf("Customer").optional(),
  created_at: instant.nullable().optional(),
  updated_at: instant,
  email: z.string().nullable().optional(),
  first_name: z.string().nullable().optional(),
  last_name: z.string().nullable().optional(),
  locale: z.string().nullable().optional(),
});

export const customerDeleteBody = z.looseObject({ id: restId, admin_graphql_api_id: gidOf("Customer").optional() });

export type OrderBody = z.infer<typeof orderBody>;
export type RefundBody = z.infer<typeof refundBody>;
export type CustomerBody = z.infer<typeof customerBody>;

/** The order's discounts now, in the shop currency; 0 when the payload has none or another currency. */
function discountsOf(body: OrderBody): number {
  const discounts = body.current_total_discounts_set?.shop_money;
  const currency = body.current_total_price_set.shop_money.currency_code;
  return discounts && discounts.currency_code === currency ? toMinorUnits(discounts.amount, currency) : 0;
}

/** Money of an order in the shop currency, exact; an amount the currency cannot hold makes the body invalid. */
export function orderFromBody(body: OrderBody): LedgerOrder {
  const shopMoney = body.current_total_price_set.shop_money;
  return {
    id: body.admin_graphql_api_id,
    customerId: body.customer
      ? (body.customer.admin_graphql_api_id ?? `gid://shopify/Customer/${body.customer.id}`)
      : null,
    name: body.name ?? null,
    processedAt: body.processed_at ?? body.created_at,
    cancelledAt: body.cancelled_at ?? null,
    test: body.test,
    currencyCode: shopMoney.currency_code,
    currentTotalMinor: toMinorUnits(shopMoney.amount, shopMoney.currency_code),
    discountCodes: body.discount_codes.map((d) => d.code),
    discountMinor: discountsOf(body),
    sourceUpdatedAt: body.updated_at,
    lines: (body.line_items ?? []).map((line) => lineFromBody(line, shopMoney.currency_code)),
  };
}

type LineItemBody = z.infer<typeof lineItem>;

/** A line in the ledger's terms: amount = quantity × unit price − its discount allocations, exact minor units. */
export function lineFromBody(line: LineItemBody, currency: string): LedgerLine {
  const unit = toMinorUnits(line.price_set.shop_money.amount, currency);
  const discounts = line.discount_allocations.reduce(
    (sum, a) => sum + toMinorUnits(a.amount_set.shop_money.amount, currency),
    0,
  );
  return {
    id: line.admin_graphql_api_id ?? `gid://shopify/LineItem/${line.id}`,
    productId: line.product_id ? `gid://shopify/Product/${line.product_id}` : null,
    variantId: line.variant_id ? `gid://shopify/ProductVariant/${line.variant_id}` : null,
    title: line.title,
    variantTitle: line.variant_title ?? null,
    vendor: line.vendor || null,
    // A line without a SKU shows "" (Shopify's orders schema types it a string).
    sku: line.sku || null,
    quantity: line.quantity,
    amountMinor: line.quantity * unit - discounts,
    giftCard: line.gift_card,
  };
}

function refundLineFromBody(line: RefundBody["refund_line_items"][number]): LedgerRefundLine {
  const subtotal = line.subtotal_set?.shop_money;
  return {
    id: `gid://shopify/RefundLineItem/${line.id}`,
    lineId: line.line_item?.admin_graphql_api_id ?? `gid://shopify/LineItem/${line.line_item_id}`,
    quantity: line.quantity,
    amountMinor: subtotal ? toMinorUnits(subtotal.amount, subtotal.currency_code) : null,
  };
}

/**
 * The money a refund returned, from its successful refund transactions, in their own currency (REST transactions
 * carry the presentment currency). The ledger subtracts it from the order only when that is the order's shop
 * currency; otherwise the order update that follows every refund brings the exact current total. Deciding this at
 * read time, not here, means a refund arriving before its order is stored exactly as one arriving after.
 *
 * When the money cannot be stated in one named currency — transactions in several currencies, or any transaction
 * whose currency is null — the refund is recorded with an unknown amount (null, currency "XXX", ISO 4217's "no
 * currency") and never lowers the order's value: the order update that follows carries the exact current total
 * (current_total_price_set.shop_money). Guessing the currency instead (the order's shop currency, or the presentment
 * currency the refund's line items show) could subtract the wrong number of minor units; and the refund line items'
 * shop money is not what was refunded (shipping, adjustments and duties are not in it), so it is no fallback either.
 */
export function refundFromBody(body: RefundBody): LedgerRefund {
  const refunds = body.transactions.filter((t) => t.kind === "refund" && (t.status ?? "success") === "success");
  const currencies = new Set(refunds.map((t) => t.currency));
  const currency = currencies.size === 1 ? [...currencies][0] : null; // null also when that one currency is null
  return {
    id: body.admin_graphql_api_id ?? `gid://shopify/Refund/${body.id}`,
    orderId: `gid://shopify/Order/${body.order_id}`,
    createdAt: body.created_at,
    amountMinor: currency
      ? refunds.reduce((sum, t) => sum + toMinorUnits(t.amount, currency), 0)
      : refunds.length
        ? null
        : 0,
    currencyCode: currency ?? "XXX",
    lines: (body.refund_line_items ?? []).map(refundLineFromBody),
  };
}

export function customerFromBody(body: CustomerBody): LedgerCustomer {
  return {
    id: body.admin_graphql_api_id ?? `gid://shopify/Customer/${body.id}`,
    email: body.email ?? null,
    firstName: body.first_name ?? null,
    lastName: body.last_name ?? null,
    locale: body.locale ?? null,
    sourceCreatedAt: body.created_at ?? null,
    sourceUpdatedAt: body.updated_at,
  };
}

export const productBody = z.looseObject({
  id: restId,
  admin_graphql_api_id: gidOf("Product").optional(),
  title: z.string().nullable().optional(),
  handle: z.string().nullable().optional(),
  product_type: z.string().nullable().optional(),
  vendor: z.string().nullable().optional(),
  status: z.string().nullable().optional(),
  updated_at: instant,
});

export const productDeleteBody = z.looseObject({ id: restId });

export type ProductBody = z.infer<typeof productBody>;

/** REST's status is lower case (active); the catalogue keeps GraphQL's ProductStatus (ACTIVE). */
export function productFromBody(body: ProductBody): LedgerProduct {
  return {
    id: body.admin_graphql_api_id ?? `gid://shopify/Product/${body.id}`,
    title: body.title ?? null,
    handle: body.handle ?? null,
    productType: body.product_type || null,
    vendor: body.vendor || null,
    status: body.status ? body.status.toUpperCase() : null,
    sourceUpdatedAt: body.updated_at,
  };
}

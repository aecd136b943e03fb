// Pure: one line of the backfill's bulk JSONL (or one node of the customers page query) → ledger rows.
// Money becomes exact minor units of its currency; a currency Shopify does not know, or a shape we did not ask for,
// throws rather than writing a wrong row.
import { z } from "zod";
import { toMinorUnits } from "../domain/money";
import type {
  LedgerCustomer,
  LedgerLine,
  LedgerOrder,
  LedgerProduct,
  LedgerRefund,
  LedgerRefundLine,
} from "../domain/ledger-types";

export class BulkRecordError extends Error {
  override name = "BulkRecordError";
}

const gid = (type: string) =>
  z.string().regex(new RegExp(`^gid://shopify/${type}/\\d+$`), `a gid://shopify/${type}/… id`);
const dateTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "an ISO-8601 date-time");
const optionalText = z.string().nullish();
const shopMoney = z.object({ shopMoney: z.object({ amount: z.string(), currencyCode: z.string() }) });

const customerNode = z.object({
  id: gid("Customer"),
  firstName: optionalText,
  lastName: optionalText,
  defaultEmailAddress: z.object({ emailAddress: optionalText }).nullish(),
  locale: optionalText,
  createdAt: dateTime.nullish(),
  updatedAt: dateTime,
});

const refundNode = z.object({
  id: gid("Refund"),
  createdAt: dateTime.nullish(),
  processedAt: dateTime.nullish(),
  totalRefundedSet: shopMoney,
});

const orderNode = z.object({
  id: gid("Order"),
  name: optionalText,
  processedAt: dateTime.nullish(),
  createdAt: dateTime,
  updatedAt: dateTime,
  cancelledAt: dateTime.nullish(),
  test: z.boolean(),
  customer: z.object({ id: gid("Customer") }).nullish(),
  currentTotalPriceSet: shopMoney,
  discountCodes: z.array(z.string()),
  currentTotalDiscountsSet: shopMoney,
  refunds: z.array(refundNode),
});

const lineNode = z.object({
  id: gid("LineItem"),
  title: z.string(),
  variantTitle: optionalText,
  vendor: optionalText,
  sku: optionalText,
  quantity: z.number().int().nonnegative(),
  isGiftCard: z.boolean(),
  // Absent when read without read_products (BACKFILL_ORDERS_WITHOUT_PRODUCTS_BULK_QUERY); null for a custom line.
  product: z.object({ id: gid("Product") }).nullish(),
  variant: z.object({ id: gid("ProductVariant") }).nullish(),
  originalUnitPriceSet: shopMoney,
  discountAllocations: z.array(z.object({ allocatedAmountSet: shopMoney })),
  __parentId: gid("Order"),
});

const productNode = z.object({
  id: gid("Product"),
  title: optionalText,
  handle: optionalText,
  productType: optionalText,
  vendor: optionalText,
  status: optionalText,
  updatedAt: dateTime,
});

const refundLineNode = z.object({
  id: gid("RefundLineItem"),
  quantity: z.number().int().nonnegative(),
  lineItem: z.object({ id: gid("LineItem") }),
  subtotalSet: shopMoney.nullish(),
});

export type BulkRecord =
  | { kind: "customer"; customer: LedgerCustomer }
  | { kind: "order"; order: LedgerOrder; refunds: LedgerRefund[] }
  /** A line item of the order line before it (Shopify's JSONL puts a nested connection's nodes after their parent). */
  | { kind: "line"; orderId: string; line: LedgerLine; currencyCode: string }
  | { kind: "product"; product: LedgerProduct };

/** A line of either backfill query, told apart by its id. */
export function bulkRecord(value: unknown): BulkRecord {
  const id = value && typeof value === "object" ? (value as { id?: unknown }).id : undefined;
  if (typeof id === "string" && id.startsWith("gid://shopify/Customer/"))
    return { kind: "customer", customer: customerFromBulk(value) };
  if (typeof id === "string" && id.startsWith("gid://shopify/Order/"))
    return { kind: "order", ...orderFromBulk(value) };
  if (typeof id === "string" && id.startsWith("gid://shopify/LineItem/"))
    return { kind: "line", ...lineFromBulk(value) };
  if (typeof id === "string" && id.startsWith("gid://shopify/Product/"))
    return { kind: "product", product: productFromBulk(value) };
  throw new BulkRecordError(`not a customer, order, line item or product line (id ${JSON.stringify(id)})`);
}

export function customerFromBulk(value: unknown): LedgerCustomer {
  const c = parse(customerNode, value, "customer");
  return {
    id: c.id,
    email: c.defaultEmailAddress?.emailAddress ?? null,
    firstName: c.firstName ?? null,
    lastName: c.lastName ?? null,
    locale: c.locale ?? null,
    sourceCreatedAt: c.createdAt ? new Date(c.createdAt) : null,
    sourceUpdatedAt: new Date(c.updatedAt),
  };
}

export function orderFromBulk(value: unknown): { order: LedgerOrder; refunds: LedgerRefund[] } {
  const o = parse(orderNode, value, "order");
  const total = o.currentTotalPriceSet.shopMoney;
  const order: LedgerOrder = {
    id: o.id,
    customerId: o.customer?.id ?? null,
    name: o.name ?? null,
    processedAt: new Date(o.processedAt ?? o.createdAt),
    cancelledAt: o.cancelledAt ? new Date(o.cancelledAt) : null,
    test: o.test,
    currencyCode: total.currencyCode,
    currentTotalMinor: toMinorUnits(total.amount, total.currencyCode),
    discountCodes: o.discountCodes,
    discountMinor:
      o.currentTotalDiscountsSet.shopMoney.currencyCode === total.currencyCode
        ? toMinorUnits(o.currentTotalDiscountsSet.shopMoney.amount, total.currencyCode)
        : 0,
    sourceUpdatedAt: new Date(o.updatedAt),
  };
  const refunds = o.refunds.map((r): LedgerRefund => {
    // Refund.createdAt is nullable in 2026-04; processedAt is not, and is when the money went back.
    const at = r.createdAt ?? r.processedAt;
    if (!at) throw new BulkRecordError(`refund ${r.id} of ${o.id} has neither createdAt nor processedAt`);
    const money = r.totalRefundedSet.shopMoney;
    return {
      id: r.id,
      orderId: o.id,
      createdAt: new Date(at),
      amountMinor: toMinorUnits(money.amount, money.currencyCode),
      currencyCode: money.currencyCode,
    };
  });
  return { order, refunds };
}

/** A line item node (with its order as __parentId): amount = quantity × unit price − its discount allocations. */
export function lineFromBulk(value: unknown): { orderId: string; line: LedgerLine; currencyCode: string } {
  const l = parse(lineNode, value, "line item");
  const currency = l.originalUnitPriceSet.shopMoney.currencyCode;
  const discounts = l.discountAllocations.map((a) => a.allocatedAmountSet.shopMoney);
  const other = discounts.find((m) => m.currencyCode !== currency);
  if (other) throw new BulkRecordError(`line item ${l.id} has a discount in ${other.currencyCode}, not ${currency}`);
  const unit = toMinorUnits(l.originalUnitPriceSet.shopMoney.amount, currency);
  return {
    orderId: l.__parentId,
    currencyCode: currency,
    line: {
      id: l.id,
      productId: l.product?.id ?? null,
      variantId: l.variant?.id ?? null,
      title: l.title,
      variantTitle: l.variantTitle ?? null,
      vendor: l.vendor ?? null,
      sku: l.sku ?? null,
      quantity: l.quantity,
      amountMinor: l.quantity * unit - discounts.reduce((sum, m) => sum + toMinorUnits(m.amount, currency), 0),
      giftCard: l.isGiftCard,
    },
  };
}

export function productFromBulk(value: unknown): LedgerProduct {
  const p = parse(productNode, value, "product");
  return {
    id: p.id,
    title: p.title ?? null,
    handle: p.handle ?? null,
    productType: p.productType || null,
    vendor: p.vendor || null,
    status: p.status ?? null,
    sourceUpdatedAt: new Date(p.updatedAt),
  };
}

/** A refunded line node of REFUND_LINES_QUERY; its subtotal counts only in the shop currency. */
export function refundLineFromNode(value: unknown, shopCurrency: string): LedgerRefundLine {
  const r = parse(refundLineNode, value, "refund line item");
  const subtotal = r.subtotalSet?.shopMoney;
  return {
    id: r.id,
    lineId: r.lineItem.id,
    quantity: r.quantity,
    amountMinor:
      subtotal && subtotal.currencyCode === shopCurrency ? toMinorUnits(subtotal.amount, subtotal.currencyCode) : null,
  };
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success)
    throw new BulkRecordError(`${what} line has an unexpected shape: ${z.prettifyError(result.error)}`);
  return result.data;
}

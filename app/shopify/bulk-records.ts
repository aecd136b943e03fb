// Pure: one line of the backfill's bulk JSONL (or one node of the customers page query) → ledger rows.
// Money becomes exact minor units of its currency; a currency Shopify does not know, or a shape we did not ask for,
// throws rather than writing a wrong row.
import { z } from "zod";
import { toMinorUnits } from "../domain/money";
import type { LedgerCustomer, LedgerOrder, LedgerRefund } from "../domain/ledger-types";

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

export type BulkRecord =
  | { kind: "customer"; customer: LedgerCustomer }
  | { kind: "order"; order: LedgerOrder; refunds: LedgerRefund[] };

/** A line of either backfill query, told apart by its id. */
export function bulkRecord(value: unknown): BulkRecord {
  const id = value && typeof value === "object" ? (value as { id?: unknown }).id : undefined;
  if (typeof id === "string" && id.startsWith("gid://shopify/Customer/"))
    return { kind: "customer", customer: customerFromBulk(value) };
  if (typeof id === "string" && id.startsWith("gid://shopify/Order/"))
    return { kind: "order", ...orderFromBulk(value) };
  throw new BulkRecordError(`not a customer or order line (id ${JSON.stringify(id)})`);
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

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success)
    throw new BulkRecordError(`${what} line has an unexpected shape: ${z.prettifyError(result.error)}`);
  return result.data;
}

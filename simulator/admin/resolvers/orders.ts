// Orders: order/orders queries and the Order and Refund fields the app reads.
import type { LineItemRecord, OrderRecord, RefundLineItemRecord, RefundRecord } from "../../shop-file/types";
import type { ResolverMap } from "../context";
import { byIdThen, connectionObject, paginate, type ConnectionArgs } from "../connection";
import { numericId } from "../gid";
import { compareAmounts } from "../money";
import { searchFilter, type SearchSpec } from "../search-query";
import { notImplemented } from "../shopify-error";
import type { ShopState } from "../store";
import { hasMetafieldsResolvers } from "./metafields";

const orderSearch: SearchSpec<OrderRecord> = {
  resource: "orders",
  fields: {
    updated_at: { kind: "date", get: (o) => o.updatedAt },
    created_at: { kind: "date", get: (o) => o.createdAt },
    processed_at: { kind: "date", get: (o) => o.processedAt },
    email: { kind: "string", get: (o) => o.email },
    customer_id: { kind: "number", get: (o) => (o.customer ? numericId(o.customer.id) : null) },
    id: { kind: "number", get: (o) => numericId(o.id) },
    name: { kind: "string", get: (o) => o.name },
    test: { kind: "boolean", get: (o) => o.test },
    discount_code: { kind: "tags", get: (o) => o.discountCodes },
    status: { kind: "string", get: (o) => (o.cancelledAt ? "cancelled" : "open") },
  },
  freeText: (o, text) => o.name.includes(text) || (o.email ?? "").toLowerCase().includes(text.toLowerCase()),
};

const ORDER_SORT: Record<string, (o: OrderRecord) => number | string> = {
  ID: (o) => numericId(o.id),
  RELEVANCE: (o) => numericId(o.id),
  CREATED_AT: (o) => Date.parse(o.createdAt),
  UPDATED_AT: (o) => Date.parse(o.updatedAt),
  PROCESSED_AT: (o) => Date.parse(o.processedAt),
  ORDER_NUMBER: (o) => Number(o.name.replace(/\D/g, "")) || 0,
  TOTAL_PRICE: (o) => Number(o.totalPriceSet.shopMoney.amount),
  CURRENT_TOTAL_PRICE: (o) => Number(o.currentTotalPriceSet.shopMoney.amount),
};

/**
 * Orders sorted and filtered; a customer's orders come from the per-customer index, never a full scan. Without
 * read_all_orders only orders created in the last 60 days are there at all (access.ts). A `query` is answered by the
 * search index, which lags behind the records (search-index.ts): an order is matched by what the index last saw of it,
 * and one the index has not seen yet is not found.
 */
export function listOrders(shop: ShopState, sortKey: string, query: string | null | undefined, customerId?: string) {
  const value = ORDER_SORT[sortKey];
  if (!value) throw notImplemented(`orders(sortKey: ${sortKey})`);
  const now = shop.now();
  // Whole seconds, as Shopify stamps orders: the window's lists can then be cached for a second of a real clock.
  const windowStart = windowStartOf(shop, now);
  const inWindow = (o: OrderRecord) => windowStart === null || Date.parse(o.createdAt) >= windowStart;
  const filter = query ? searchFilter(orderSearch, query) : null;
  const lagging = filter !== null && shop.orderIndex.settle(now);
  const found = (o: OrderRecord): boolean => {
    if (!filter) return true;
    if (!lagging) return filter(o);
    const indexed = shop.orderIndex.view(o, now);
    return indexed !== null && filter(indexed);
  };
  let items: OrderRecord[];
  if (customerId) {
    items = shop
      .ordersOf(customerId)
      .sort(byIdThen(value))
      .filter((o) => inWindow(o) && found(o));
  } else {
    const sorted = shop.orders.view(`sort:${sortKey}`, (all) => all.sort(byIdThen(value)));
    const visible =
      windowStart === null
        ? sorted
        : shop.orders.view(`window:${sortKey}:${windowStart}`, () => sorted.filter(inWindow));
    if (!filter) items = visible;
    // Cached while nothing waits for the search index; otherwise each order is matched by what the index shows now.
    else if (!lagging)
      items = shop.orders.view(`query:${sortKey}:${windowStart}:${query}`, () => visible.filter(filter));
    else items = visible.filter(found);
  }
  return { items, value };
}

function windowStartOf(shop: ShopState, now: number): number | null {
  const start = shop.access.orderWindowStart(now);
  return start === null ? null : Math.floor(start / 1000) * 1000;
}

/** An order by id as a direct read sees it: current, but absent when outside the app's 60-day window. */
export function visibleOrder(shop: ShopState, id: string): OrderRecord | null {
  const order = shop.orders.get(id);
  if (!order) return null;
  const windowStart = windowStartOf(shop, shop.now());
  return windowStart === null || Date.parse(order.createdAt) >= windowStart ? order : null;
}

function financialStatus(o: OrderRecord): string {
  const refunded = o.totalRefundedSet.shopMoney.amount;
  if (compareAmounts(refunded, "0") <= 0) return "PAID";
  return compareAmounts(refunded, o.totalPriceSet.shopMoney.amount) >= 0 ? "REFUNDED" : "PARTIALLY_REFUNDED";
}

export const orderResolvers: ResolverMap = {
  "QueryRoot.order": (_s, args: { id: string }, ctx) => visibleOrder(ctx.shop, args.id),
  "QueryRoot.orders": (
    _s,
    args: ConnectionArgs & { query?: string | null; sortKey: string; savedSearchId?: string | null },
    ctx,
    info,
  ) => {
    if (args.savedSearchId) throw notImplemented("orders(savedSearchId:)");
    const { items, value } = listOrders(ctx.shop, args.sortKey, args.query);
    return connectionObject(paginate(items, args, value, ctx, info));
  },

  "Order.customer": (o: OrderRecord, _a, ctx) => (o.customer ? (ctx.shop.customers.get(o.customer.id) ?? null) : null),
  "Order.legacyResourceId": (o: OrderRecord) => String(numericId(o.id)),
  "Order.discountCode": (o: OrderRecord) => o.discountCodes[0] ?? null,
  // The simulator keeps no line items, so what the discounts take off now is what they took off when placed.
  "Order.currentTotalDiscountsSet": (o: OrderRecord) => o.totalDiscountsSet,
  "Order.displayFinancialStatus": (o: OrderRecord) => financialStatus(o),
  "Order.refunds": (o: OrderRecord, args: { first?: number | null }, ctx) => {
    const refunds = ctx.shop.refundsByOrder.get(o.id) ?? [];
    return args.first != null ? refunds.slice(0, args.first) : refunds;
  },
  ...hasMetafieldsResolvers("Order", (o: OrderRecord) => o.id),

  // In the order the lines were placed (their ids grow); a record from before line items has none.
  "Order.lineItems": (o: OrderRecord, args: ConnectionArgs, ctx, info) =>
    connectionObject(paginate(o.lineItems ?? [], args, (l) => numericId(l.id), ctx, info)),
  // Each refunded line carries its order along (not a schema field) for RefundLineItem.lineItem.
  "Refund.refundLineItems": (r: RefundRecord, args: ConnectionArgs, ctx, info) =>
    connectionObject(
      paginate(
        (r.refundLineItems ?? []).map((l) => ({ ...l, orderId: r.order.id })),
        args,
        (l) => numericId(l.id),
        ctx,
        info,
      ),
    ),
  "RefundLineItem.lineItem": (r: RefundLineItemRecord & { orderId: string }, _a, ctx) => {
    const line = ctx.shop.orders.get(r.orderId)?.lineItems?.find((l) => l.id === r.lineItem.id);
    if (!line) throw new Error(`refund line ${r.id}: its line item ${r.lineItem.id} is gone`);
    return line;
  },
  "RefundLineItem.restockType": () => "NO_RESTOCK",
  "RefundLineItem.restocked": () => false,
  // A product deleted since the order keeps its lines, without the product (null), as Shopify shows them.
  "LineItem.product": (l: LineItemRecord, _a, ctx) =>
    l.product ? (ctx.shop.products.get(l.product.id) ?? null) : null,
  "LineItem.variant": (l: LineItemRecord, _a, ctx) => {
    const variant = l.variant ? ctx.shop.productVariants.get(l.variant.id) : undefined;
    return variant ? { __typename: "ProductVariant", ...variant } : null;
  },
  "LineItem.name": (l: LineItemRecord) => (l.variantTitle ? `${l.title} - ${l.variantTitle}` : l.title),

  "Refund.order": (r: RefundRecord, _a, ctx) => visibleOrder(ctx.shop, r.order.id),
  "Refund.legacyResourceId": (r: RefundRecord) => String(numericId(r.id)),
  "Refund.processedAt": (r: RefundRecord) => r.createdAt,
  "Refund.updatedAt": (r: RefundRecord) => r.createdAt,
};

// Customers: customer/customers queries, the Customer fields the app reads, and tagsAdd/tagsRemove.
import type { CustomerRecord, OrderRecord } from "../../shop-file/types";
import { isoAt } from "../clock";
import type { ResolverContext, ResolverMap } from "../context";
import { byIdThen, connectionObject, paginate, type ConnectionArgs } from "../connection";
import { numericId, parseGid } from "../gid";
import { addAmounts } from "../money";
import { searchFilter, type SearchSpec } from "../search-query";
import { notImplemented } from "../shopify-error";
import type { ShopState } from "../store";
import { customerStatistics } from "./customer-statistics";
import { hasMetafieldsResolvers } from "./metafields";
import { listOrders, visibleOrder } from "./orders";

export const MAX_TAG_LENGTH = 255;
export const MAX_TAGS = 250;

const customerSearch: SearchSpec<CustomerRecord> = {
  resource: "customers",
  fields: {
    email: { kind: "string", get: (c) => c.email },
    tag: { kind: "tags", get: (c) => c.tags },
    updated_at: { kind: "date", get: (c) => c.updatedAt },
    created_at: { kind: "date", get: (c) => c.createdAt },
    id: { kind: "number", get: (c) => numericId(c.id) },
    first_name: { kind: "string", get: (c) => c.firstName },
    last_name: { kind: "string", get: (c) => c.lastName },
    phone: { kind: "string", get: (c) => c.phone },
  },
  freeText: (c, text) => {
    const t = text.toLowerCase();
    return [c.firstName, c.lastName, c.email].some((v) => v?.toLowerCase().includes(t));
  },
};

const CUSTOMER_SORT: Record<string, (c: CustomerRecord) => number | string> = {
  ID: (c) => numericId(c.id),
  RELEVANCE: (c) => numericId(c.id),
  CREATED_AT: (c) => Date.parse(c.createdAt),
  UPDATED_AT: (c) => Date.parse(c.updatedAt),
  NAME: (c) => `${c.firstName ?? ""} ${c.lastName ?? ""}`.trim().toLowerCase(),
};

/** Customers sorted; a `query` is answered by the lagging search index (search-index.ts), like orders'. */
export function listCustomers(shop: ShopState, sortKey: string, query: string | null | undefined) {
  const value = CUSTOMER_SORT[sortKey];
  if (!value) throw notImplemented(`customers(sortKey: ${sortKey})`);
  const sorted = shop.customers.view(`sort:${sortKey}`, (all) => all.sort(byIdThen(value)));
  if (!query) return { items: sorted, value };
  const filter = searchFilter(customerSearch, query);
  const now = shop.now();
  if (!shop.customerIndex.settle(now)) {
    return { items: shop.customers.view(`query:${sortKey}:${query}`, () => sorted.filter(filter)), value };
  }
  const items = sorted.filter((c) => {
    const indexed = shop.customerIndex.view(c, now);
    return indexed !== null && filter(indexed);
  });
  return { items, value };
}

/** Orders that count towards a customer's lifetime figures: not test, not cancelled. */
function countedOrders(shop: ShopState, customerId: string): OrderRecord[] {
  return shop.ordersOf(customerId).filter((o) => !o.test && !o.cancelledAt);
}

export function amountSpent(shop: ShopState, customerId: string) {
  const amounts = countedOrders(shop, customerId).map((o) => o.currentTotalPriceSet.shopMoney.amount);
  return { amount: addAmounts(amounts.length ? amounts : ["0.0"]), currencyCode: shop.record.currencyCode };
}

export function lastOrder(shop: ShopState, customerId: string): OrderRecord | null {
  let last: OrderRecord | null = null;
  for (const order of shop.ordersOf(customerId)) {
    if (
      !last ||
      order.createdAt > last.createdAt ||
      (order.createdAt === last.createdAt && numericId(order.id) > numericId(last.id))
    )
      last = order;
  }
  return last;
}

export function displayName(c: { firstName: string | null; lastName: string | null; email: string | null }): string {
  const name = [c.firstName, c.lastName].filter(Boolean).join(" ");
  return name || c.email || "";
}

type TagArgs = { id: string; tags: string[] | string };

/** Shopify accepts a list or a comma-separated string of tags. */
function normaliseTags(tags: string[] | string): string[] {
  const list = Array.isArray(tags) ? tags : [tags];
  return list
    .flatMap((t) => t.split(","))
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
}

function tagTarget(ctx: ResolverContext, id: string): CustomerRecord | null | "unsupported" {
  const parsed = parseGid(id);
  if (parsed?.type === "Customer") return ctx.shop.customers.get(id) ?? null;
  if (parsed && ["Order", "Product", "DraftOrder", "Article"].includes(parsed.type)) return "unsupported";
  return null;
}

function changeTags(ctx: ResolverContext, args: TagArgs, add: boolean) {
  const target = tagTarget(ctx, args.id);
  if (target === "unsupported") throw notImplemented(`${add ? "tagsAdd" : "tagsRemove"} on ${parseGid(args.id)?.type}`);
  if (!target) return { node: null, userErrors: [{ field: ["id"], message: "Resource does not exist" }] };
  const tags = normaliseTags(args.tags);
  const tooLong = tags.find((t) => t.length > MAX_TAG_LENGTH);
  if (tooLong !== undefined) {
    return {
      node: null,
      userErrors: [
        {
          field: ["tags"],
          message: `Tags is invalid. Tag '${tooLong}' exceeds the maximum length of ${MAX_TAG_LENGTH} characters.`,
        },
      ],
    };
  }
  const current = target.tags;
  const lower = new Set(current.map((t) => t.toLowerCase()));
  let next: string[];
  if (add) {
    next = [...current];
    for (const tag of tags) {
      if (!lower.has(tag.toLowerCase())) {
        next.push(tag);
        lower.add(tag.toLowerCase());
      }
    }
    if (next.length > MAX_TAGS) {
      return { node: null, userErrors: [{ field: ["tags"], message: `Tags cannot be more than ${MAX_TAGS}.` }] };
    }
  } else {
    const remove = new Set(tags.map((t) => t.toLowerCase()));
    next = current.filter((t) => !remove.has(t.toLowerCase()));
  }
  if (next.length !== current.length || next.some((t, i) => t !== current[i])) {
    ctx.shop.customerIndex.willChange(target.id, target, ctx.core.clock.now());
    target.tags = next;
    target.updatedAt = isoAt(ctx.core.clock);
    ctx.shop.customers.touch();
    ctx.shop.noteWrite({ kind: "tags", ownerId: target.id, key: null, value: next.join(", ") });
    ctx.core.events.emit({ shop: ctx.shop.domain, topic: "customers/update", resource: structuredClone(target) });
  }
  return { node: target, userErrors: [] };
}

export const customerResolvers: ResolverMap = {
  "QueryRoot.customer": (_s, args: { id: string }, ctx) => ctx.shop.customers.get(args.id) ?? null,
  "QueryRoot.customers": (_s, args: ConnectionArgs & { query?: string | null; sortKey: string }, ctx, info) => {
    const { items, value } = listCustomers(ctx.shop, args.sortKey, args.query);
    return connectionObject(paginate(items, args, value, ctx, info));
  },

  "Customer.legacyResourceId": (c: CustomerRecord) => String(numericId(c.id)),
  "Customer.displayName": (c: CustomerRecord) => displayName(c),
  "Customer.numberOfOrders": (c: CustomerRecord, _a, ctx) => String(countedOrders(ctx.shop, c.id).length),
  "Customer.amountSpent": (c: CustomerRecord, _a, ctx) => amountSpent(ctx.shop, c.id),
  // Shopify's own RFM group and spend tier: a documented stand-in for its black box (customer-statistics.ts).
  "Customer.statistics": (c: CustomerRecord, _a, ctx) => customerStatistics(ctx.shop, c.id),
  "Customer.lastOrder": (c: CustomerRecord, _a, ctx) => {
    const last = lastOrder(ctx.shop, c.id);
    return last ? visibleOrder(ctx.shop, last.id) : null;
  },
  "Customer.defaultEmailAddress": (c: CustomerRecord) =>
    c.email
      ? {
          emailAddress: c.email,
          // Shopify's consent of the address: never asked is NOT_SUBSCRIBED.
          marketingState: c.emailMarketingState ?? "NOT_SUBSCRIBED",
          marketingOptInLevel: c.emailMarketingState === "SUBSCRIBED" ? "SINGLE_OPT_IN" : null,
          marketingUpdatedAt: c.emailMarketingState ? c.updatedAt : null,
        }
      : null,
  "Customer.defaultPhoneNumber": (c: CustomerRecord) => (c.phone ? { phoneNumber: c.phone } : null),
  "Customer.orders": (
    c: CustomerRecord,
    args: ConnectionArgs & { query?: string | null; sortKey: string },
    ctx,
    info,
  ) => {
    const { items, value } = listOrders(ctx.shop, args.sortKey, args.query, c.id);
    return connectionObject(paginate(items, args, value, ctx, info));
  },
  ...hasMetafieldsResolvers("Customer", (c: CustomerRecord) => c.id),

  "Mutation.tagsAdd": (_s, args: TagArgs, ctx) => changeTags(ctx, args, true),
  "Mutation.tagsRemove": (_s, args: TagArgs, ctx) => changeTags(ctx, args, false),
};

// Automatic discounts (amount off and free shipping): create, update, activate, deactivate, delete, with Shopify's limit
// of 25 active at once; and the reads over every discount, code or automatic: discountNode(s), automaticDiscountNode(s),
// discountNodesCount, with the search syntax's title:, status:, method:, type:, code:, tag: … filters.
import type { GraphQLResolveInfo } from "graphql";
import { isoAt } from "../clock";
import type { ResolverContext, ResolverMap } from "../context";
import { connectionObject, paginate, type ConnectionArgs } from "../connection";
import { discountById, discountClassOf, discountStatusAt, nextDiscountId, type DiscountClass } from "../discount-rules";
import { numericId } from "../gid";
import type { DiscountRecord } from "../records";
import { searchFilter, type SearchSpec } from "../search-query";
import { notImplemented } from "../shopify-error";
import {
  activatedPeriod,
  activePeriodError,
  deactivate,
  readDiscountInput,
  refusedScope,
  userError,
  type DiscountInput,
  type InputKind,
} from "./discount-input";
import { anyDiscountNode, automaticDiscountNode } from "./discount-fields";

const BASIC: InputKind = { field: "automaticBasicDiscount", method: "automatic", value: "basic" };
const FREE_SHIPPING: InputKind = { field: "freeShippingAutomaticDiscount", method: "automatic", value: "freeShipping" };

const READ = "read_discounts";
const WRITE = "write_discounts";

const missing = () => ({
  automaticDiscountNode: null,
  userErrors: [userError(["id"], "Discount does not exist", "INVALID")],
});

function automatic(ctx: ResolverContext, id: string): DiscountRecord | undefined {
  return discountById(ctx.shop, id, { automatic: true });
}

function createAutomatic(ctx: ResolverContext, kind: InputKind, input: DiscountInput) {
  const { errors, settings } = readDiscountInput(ctx, kind, input, null);
  if (!settings) return { automaticDiscountNode: null, userErrors: errors };
  const overlap = activePeriodError(ctx, settings, null);
  if (overlap) return { automaticDiscountNode: null, userErrors: [overlap] };
  const now = isoAt(ctx.core.clock);
  const discount: DiscountRecord = {
    id: nextDiscountId(ctx.shop, "automatic"),
    method: "automatic",
    ...settings,
    codes: [],
    automaticUsageCount: 0,
    createdAt: now,
    updatedAt: now,
  };
  ctx.shop.discounts.set(discount);
  return { automaticDiscountNode: automaticDiscountNode(discount), userErrors: [] };
}

function updateAutomatic(ctx: ResolverContext, kind: InputKind, id: string, input: DiscountInput) {
  const discount = automatic(ctx, id);
  if (!discount) return missing();
  if ((discount.value.kind === "freeShipping") !== (kind.value === "freeShipping")) {
    const wanted = kind.value === "basic" ? "an amount off" : "a free shipping";
    return {
      automaticDiscountNode: null,
      userErrors: [userError(["id"], `Discount is not ${wanted} automatic discount`, "INVALID")],
    };
  }
  const { errors, settings } = readDiscountInput(ctx, kind, input, discount);
  if (!settings) return { automaticDiscountNode: null, userErrors: errors };
  const overlap = activePeriodError(ctx, settings, discount.id);
  if (overlap) return { automaticDiscountNode: null, userErrors: [overlap] };
  Object.assign(discount, settings);
  discount.updatedAt = isoAt(ctx.core.clock);
  ctx.shop.discounts.touch();
  return { automaticDiscountNode: automaticDiscountNode(discount), userErrors: [] };
}

// ---- reads ----------------------------------------------------------------------------------------------------------

/** discountNodes' `type` / `discount_type` values of a discount ("all" and "all_with_app" match every type). */
function typesOf(d: DiscountRecord): string[] {
  const own =
    d.value.kind === "percentage" ? "percentage" : d.value.kind === "amount" ? "fixed_amount" : "free_shipping";
  return [own, "all", "all_with_app"];
}

const CLASS_FILTER: Record<DiscountClass, string> = {
  ORDER: "order_discounts",
  SHIPPING: "shipping_discounts",
};

function searchSpec(now: number): SearchSpec<DiscountRecord> {
  return {
    resource: "discounts",
    fields: {
      title: { kind: "string", get: (d) => d.title },
      status: { kind: "string", get: (d) => discountStatusAt(d, now).toLowerCase() },
      method: { kind: "string", get: (d) => d.method },
      type: { kind: "tags", get: typesOf },
      discount_type: { kind: "tags", get: typesOf },
      discount_class: { kind: "string", get: (d) => discountClassOf(d).toLowerCase() },
      combines_with: {
        kind: "tags",
        get: (d) =>
          [
            d.combinesWith.orderDiscounts && CLASS_FILTER.ORDER,
            d.combinesWith.productDiscounts && "product_discounts",
            d.combinesWith.shippingDiscounts && CLASS_FILTER.SHIPPING,
          ].filter((x): x is string => !!x),
      },
      code: { kind: "tags", get: (d) => d.codes.map((c) => c.code) },
      tag: { kind: "tags", get: (d) => d.tags },
      id: { kind: "number", get: (d) => numericId(d.id) },
      times_used: {
        kind: "number",
        get: (d) =>
          d.method === "automatic" ? d.automaticUsageCount : d.codes.reduce((n, c) => n + c.asyncUsageCount, 0),
      },
      created_at: { kind: "date", get: (d) => d.createdAt },
      updated_at: { kind: "date", get: (d) => d.updatedAt },
      starts_at: { kind: "date", get: (d) => d.startsAt },
      ends_at: { kind: "date", get: (d) => d.endsAt },
    },
    // "Filter by a case-insensitive search of multiple fields": the title and the codes.
    freeText: (d, text) => {
      const t = text.toLowerCase();
      return d.title.toLowerCase().includes(t) || d.codes.some((c) => c.code.toLowerCase().includes(t));
    },
  };
}

const LIST_FIELDS = "status|method|type|discount_type|discount_class|combines_with|tag";

/** `status:active,scheduled` (several values of one filter, comma-separated) is `(status:active OR status:scheduled)`. */
export function expandValueLists(query: string): string {
  const pattern = new RegExp(`(^|[\\s(])(-?)(${LIST_FIELDS}):([^\\s()"',]+(?:,[^\\s()"',]+)+)`, "gi");
  return query.replace(pattern, (_m, before: string, not: string, field: string, values: string) => {
    const terms = values.split(",").map((v) => `${field}:${v}`);
    return `${before}${not ? "NOT " : ""}(${terms.join(" OR ")})`;
  });
}

type ListArgs = ConnectionArgs & { query?: string | null; sortKey?: string | null; savedSearchId?: string | null };

const SORT_VALUE: Record<string, (d: DiscountRecord) => number | string> = {
  ID: (d) => numericId(d.id),
  RELEVANCE: (d) => numericId(d.id),
  CREATED_AT: (d) => Date.parse(d.createdAt),
  UPDATED_AT: (d) => Date.parse(d.updatedAt),
  STARTS_AT: (d) => Date.parse(d.startsAt),
  // Without an end comes last.
  ENDS_AT: (d) => (d.endsAt === null ? Number.MAX_SAFE_INTEGER : Date.parse(d.endsAt)),
  TITLE: (d) => d.title.toLowerCase(),
};

function listDiscounts(
  ctx: ResolverContext,
  args: { query?: string | null; sortKey?: string | null; savedSearchId?: string | null },
  only: DiscountRecord["method"] | null,
): { items: DiscountRecord[]; value: (d: DiscountRecord) => number | string } {
  if (args.savedSearchId) throw notImplemented("discount lists' savedSearchId");
  const value = SORT_VALUE[args.sortKey ?? "ID"];
  if (!value) throw notImplemented(`discount sortKey ${args.sortKey}`);
  const matches = args.query?.trim()
    ? searchFilter(searchSpec(ctx.core.clock.now()), expandValueLists(args.query))
    : () => true;
  const items = [...ctx.shop.discounts.values()]
    .filter((d) => (only === null || d.method === only) && matches(d))
    .sort((a, b) => {
      const x = value(a);
      const y = value(b);
      return x < y ? -1 : x > y ? 1 : numericId(a.id) - numericId(b.id);
    });
  return { items, value };
}

const EMPTY_CONNECTION = {
  edges: [],
  nodes: [],
  pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
};

function nodeConnection<N>(
  ctx: ResolverContext,
  info: GraphQLResolveInfo,
  args: ListArgs,
  only: DiscountRecord["method"] | null,
  toNode: (d: DiscountRecord) => N,
) {
  const { items, value } = listDiscounts(ctx, args, only);
  const page = paginate(items, args, value, ctx, info);
  return connectionObject({
    ...page,
    edges: page.edges.map((e) => ({ cursor: e.cursor, node: toNode(e.node) })),
    nodes: page.nodes.map(toNode),
  } as never);
}

export const automaticDiscountResolvers: ResolverMap = {
  "QueryRoot.automaticDiscountNode": (_s, args: { id: string }, ctx, info) => {
    if (refusedScope(ctx, info, READ)) return null;
    const d = automatic(ctx, args.id);
    return d ? automaticDiscountNode(d) : null;
  },
  "QueryRoot.discountNode": (_s, args: { id: string }, ctx, info) => {
    if (refusedScope(ctx, info, READ)) return null;
    const d = discountById(ctx.shop, args.id, { code: true, automatic: true, discountNode: true });
    return d ? anyDiscountNode(d) : null;
  },
  "QueryRoot.discountNodes": (_s, args: ListArgs, ctx, info) =>
    refusedScope(ctx, info, READ) ? EMPTY_CONNECTION : nodeConnection(ctx, info, args, null, anyDiscountNode),
  "QueryRoot.automaticDiscountNodes": (_s, args: ListArgs, ctx, info) =>
    refusedScope(ctx, info, READ)
      ? EMPTY_CONNECTION
      : nodeConnection(ctx, info, args, "automatic", automaticDiscountNode),
  "QueryRoot.discountNodesCount": (
    _s,
    args: { limit?: number | null; query?: string | null; savedSearchId?: string | null },
    ctx,
    info,
  ) => {
    if (refusedScope(ctx, info, READ)) return null;
    const count = listDiscounts(ctx, args, null).items.length;
    const limit = args.limit ?? null;
    return limit !== null && count > limit ? { count: limit, precision: "AT_LEAST" } : { count, precision: "EXACT" };
  },

  "Mutation.discountAutomaticBasicCreate": (_s, args: { automaticBasicDiscount: DiscountInput }, ctx, info) =>
    refusedScope(ctx, info, WRITE) ? null : createAutomatic(ctx, BASIC, args.automaticBasicDiscount),
  "Mutation.discountAutomaticBasicUpdate": (
    _s,
    args: { id: string; automaticBasicDiscount: DiscountInput },
    ctx,
    info,
  ) => (refusedScope(ctx, info, WRITE) ? null : updateAutomatic(ctx, BASIC, args.id, args.automaticBasicDiscount)),
  "Mutation.discountAutomaticFreeShippingCreate": (
    _s,
    args: { freeShippingAutomaticDiscount: DiscountInput },
    ctx,
    info,
  ) =>
    refusedScope(ctx, info, WRITE) ? null : createAutomatic(ctx, FREE_SHIPPING, args.freeShippingAutomaticDiscount),
  "Mutation.discountAutomaticFreeShippingUpdate": (
    _s,
    args: { id: string; freeShippingAutomaticDiscount: DiscountInput },
    ctx,
    info,
  ) =>
    refusedScope(ctx, info, WRITE)
      ? null
      : updateAutomatic(ctx, FREE_SHIPPING, args.id, args.freeShippingAutomaticDiscount),

  "Mutation.discountAutomaticDeactivate": (_s, args: { id: string }, ctx, info) => {
    if (refusedScope(ctx, info, WRITE)) return null;
    const d = automatic(ctx, args.id);
    if (!d) return missing();
    deactivate(ctx, d);
    return { automaticDiscountNode: automaticDiscountNode(d), userErrors: [] };
  },
  "Mutation.discountAutomaticActivate": (_s, args: { id: string }, ctx, info) => {
    if (refusedScope(ctx, info, WRITE)) return null;
    const d = automatic(ctx, args.id);
    if (!d) return missing();
    const period = activatedPeriod(ctx, d);
    const overlap = activePeriodError(ctx, period, d.id);
    if (overlap) return { automaticDiscountNode: null, userErrors: [overlap] };
    Object.assign(d, period);
    d.updatedAt = isoAt(ctx.core.clock);
    ctx.shop.discounts.touch();
    return { automaticDiscountNode: automaticDiscountNode(d), userErrors: [] };
  },
  "Mutation.discountAutomaticDelete": (_s, args: { id: string }, ctx, info) => {
    if (refusedScope(ctx, info, WRITE)) return null;
    const d = automatic(ctx, args.id);
    if (!d)
      return {
        deletedAutomaticDiscountId: null,
        userErrors: [userError(["id"], "Discount does not exist", "INVALID")],
      };
    ctx.shop.discounts.delete(d.id);
    return { deletedAutomaticDiscountId: d.id, userErrors: [] };
  },
};

// The fields a client reads on the four discount objects the simulator models (DiscountCodeBasic,
// DiscountCodeFreeShipping, DiscountAutomaticBasic, DiscountAutomaticFreeShipping), and the nodes that hold them
// (DiscountCodeNode, DiscountAutomaticNode, DiscountNode). Fields not listed here fail loudly (resolvers/index.ts).
import type { ResolverContext, ResolverMap } from "../context";
import { byIdThen, connectionObject, paginate, type ConnectionArgs } from "../connection";
import { discountClassOf, discountNodeId, discountStatusAt, discountTypename } from "../discount-rules";
import { numericId } from "../gid";
import type { DiscountRecord } from "../records";
import { notImplemented } from "../shopify-error";

/** A union member as graphql-js resolves it: its type name and the record behind it. */
export type DiscountObject = { __typename: string; discount: DiscountRecord };

export function discountObject(d: DiscountRecord): DiscountObject {
  return { __typename: discountTypename(d), discount: d };
}

/** The DiscountCodeNode object; `codeDiscount` is DiscountCodeBasic or DiscountCodeFreeShipping. */
export function codeDiscountNode(d: DiscountRecord) {
  return { __typename: "DiscountCodeNode", id: d.id, discount: d, codeDiscount: discountObject(d) };
}

/** The DiscountAutomaticNode object; `automaticDiscount` is DiscountAutomaticBasic or DiscountAutomaticFreeShipping. */
export function automaticDiscountNode(d: DiscountRecord) {
  return { __typename: "DiscountAutomaticNode", id: d.id, automaticDiscount: discountObject(d) };
}

/** The DiscountNode object (discountNode, discountNodes): id DiscountNode/N whatever the method. */
export function anyDiscountNode(d: DiscountRecord) {
  return { __typename: "DiscountNode", id: discountNodeId(d), discount: discountObject(d) };
}

const common: ResolverMap = {
  title: (o: DiscountObject) => o.discount.title,
  status: (o: DiscountObject, _a, ctx: ResolverContext) => discountStatusAt(o.discount, ctx.core.clock.now()),
  startsAt: (o: DiscountObject) => o.discount.startsAt,
  endsAt: (o: DiscountObject) => o.discount.endsAt,
  createdAt: (o: DiscountObject) => o.discount.createdAt,
  updatedAt: (o: DiscountObject) => o.discount.updatedAt,
  tags: (o: DiscountObject) => o.discount.tags,
  discountClasses: (o: DiscountObject) => [discountClassOf(o.discount)],
  // The deprecated single class: MerchandiseDiscountClass (ORDER) or ShippingDiscountClass (SHIPPING).
  discountClass: (o: DiscountObject) => discountClassOf(o.discount),
  asyncUsageCount: (o: DiscountObject) =>
    o.discount.method === "automatic"
      ? o.discount.automaticUsageCount
      : o.discount.codes.reduce((n, c) => n + c.asyncUsageCount, 0),
  combinesWith: (o: DiscountObject) => ({ ...o.discount.combinesWith, productDiscountsWithTagsOnSameCartLine: null }),
  minimumRequirement: (o: DiscountObject) => {
    const d = o.discount;
    if (d.minimumSubtotal)
      return { __typename: "DiscountMinimumSubtotal", greaterThanOrEqualToSubtotal: d.minimumSubtotal };
    if (d.minimumQuantity)
      return { __typename: "DiscountMinimumQuantity", greaterThanOrEqualToQuantity: d.minimumQuantity };
    return null;
  },
  context: (o: DiscountObject, _a, ctx: ResolverContext) => {
    const buyers = o.discount.buyers;
    if (buyers.kind === "all") return { __typename: "DiscountBuyerSelectionAll", all: "ALL" };
    if (buyers.kind === "customers") {
      return {
        __typename: "DiscountCustomers",
        customers: buyers.ids.map((id) => ctx.shop.customers.get(id)).filter(Boolean),
      };
    }
    return {
      __typename: "DiscountCustomerSegments",
      segments: buyers.ids.map((id) => ctx.shop.segments.get(id)).filter(Boolean),
    };
  },
};

const codeOnly: ResolverMap = {
  usageLimit: (o: DiscountObject) => o.discount.usageLimit,
  appliesOncePerCustomer: (o: DiscountObject) => o.discount.appliesOncePerCustomer,
  codesCount: (o: DiscountObject) => ({ count: o.discount.codes.length, precision: "EXACT" }),
  codes: (o: DiscountObject, args: ConnectionArgs & { query?: string | null }, ctx, info) => {
    if (args.query) throw notImplemented(`${o.__typename}.codes(query:)`);
    const items = [...o.discount.codes].sort(byIdThen((c) => numericId(c.id)));
    return connectionObject(paginate(items, args, (c) => numericId(c.id), ctx, info));
  },
};

const basicOnly: ResolverMap = {
  customerGets: (o: DiscountObject) => {
    const v = o.discount.value;
    if (v.kind === "freeShipping") throw new Error(`${o.discount.id} is not an amount off discount`);
    return {
      appliesOnOneTimePurchase: o.discount.appliesOnOneTimePurchase,
      appliesOnSubscription: o.discount.appliesOnSubscription,
      items: { __typename: "AllDiscountItems", allItems: true },
      value:
        v.kind === "percentage"
          ? { __typename: "DiscountPercentage", percentage: v.percentage }
          : { __typename: "DiscountAmount", amount: v.amount, appliesOnEachItem: v.appliesOnEachItem },
    };
  },
};

const freeShippingOnly: ResolverMap = {
  maximumShippingPrice: (o: DiscountObject) =>
    o.discount.value.kind === "freeShipping" ? o.discount.value.maximumShippingPrice : null,
  destinationSelection: () => ({ __typename: "DiscountCountryAll", allCountries: true }),
  appliesOnOneTimePurchase: (o: DiscountObject) => o.discount.appliesOnOneTimePurchase,
  appliesOnSubscription: (o: DiscountObject) => o.discount.appliesOnSubscription,
};

function fieldsOf(type: string, ...groups: ResolverMap[]): ResolverMap {
  const out: ResolverMap = {};
  for (const group of groups) for (const [field, resolver] of Object.entries(group)) out[`${type}.${field}`] = resolver;
  return out;
}

export const discountFieldResolvers: ResolverMap = {
  ...fieldsOf("DiscountCodeBasic", common, codeOnly, basicOnly),
  ...fieldsOf("DiscountCodeFreeShipping", common, codeOnly, freeShippingOnly),
  ...fieldsOf("DiscountAutomaticBasic", common, basicOnly),
  ...fieldsOf("DiscountAutomaticFreeShipping", common, freeShippingOnly),
};

// Basic code discounts: create/update with buyer context, activate/deactivate, redeem code bulk add, lookup by code.
import { isoAt } from "../clock";
import type { ResolverContext, ResolverMap } from "../context";
import { byIdThen, connectionObject, paginate, type ConnectionArgs } from "../connection";
import { numericId, parseGid } from "../gid";
import type { DiscountBuyers, DiscountRecord, DiscountValue, RedeemCodeBulkCreationRecord } from "../records";
import { notImplemented } from "../shopify-error";

export const REDEEM_CODES_PER_CALL = 250;
const CODE_MAX_LENGTH = 255;

type UserError = { field: string[] | null; message: string; code: string | null; extraInfo: string | null };

function userError(field: string[] | null, message: string, code: string | null): UserError {
  return { field, message, code, extraInfo: null };
}

/** The DiscountCodeNode object graphql-js resolves; `codeDiscount` is the union member DiscountCodeBasic. */
export function discountNode(d: DiscountRecord) {
  return {
    __typename: "DiscountCodeNode",
    id: d.id,
    discount: d,
    codeDiscount: { __typename: "DiscountCodeBasic", discount: d },
  };
}

type Basic = { __typename: "DiscountCodeBasic"; discount: DiscountRecord };

function status(d: DiscountRecord, ctx: ResolverContext): string {
  const now = ctx.core.clock.now();
  if (Date.parse(d.startsAt) > now) return "SCHEDULED";
  if (d.endsAt && Date.parse(d.endsAt) <= now) return "EXPIRED";
  return "ACTIVE";
}

interface BasicInput {
  title?: string | null;
  code?: string | null;
  startsAt?: string | null;
  endsAt?: string | null;
  usageLimit?: number | null;
  appliesOncePerCustomer?: boolean | null;
  context?: {
    all?: string | null;
    customers?: { add?: string[] | null; remove?: string[] | null } | null;
    customerSegments?: { add?: string[] | null; remove?: string[] | null } | null;
  } | null;
  customerGets?: {
    value?: {
      percentage?: number | null;
      discountAmount?: { amount?: string | number | null; appliesOnEachItem?: boolean | null } | null;
      discountOnQuantity?: unknown;
    } | null;
    items?: { all?: boolean | null; products?: unknown; collections?: unknown } | null;
  } | null;
  combinesWith?: {
    orderDiscounts?: boolean | null;
    productDiscounts?: boolean | null;
    shippingDiscounts?: boolean | null;
  } | null;
  minimumRequirement?: {
    subtotal?: { greaterThanOrEqualToSubtotal?: string | number | null } | null;
    quantity?: unknown;
  } | null;
  tags?: string[] | null;
  recurringCycleLimit?: number | null;
}

const FIELD = "basicCodeDiscount";

function checkCode(
  ctx: ResolverContext,
  code: string,
  exceptDiscountId: string | null,
  field: string[],
): UserError | null {
  if (!code.trim()) return userError(field, "Code can't be blank", "BLANK");
  if (code.length > CODE_MAX_LENGTH)
    return userError(field, `Code is too long (maximum is ${CODE_MAX_LENGTH} characters)`, "TOO_LONG");
  if (/[\r\n]/.test(code)) return userError(field, "Code cannot contain newline characters.", "INVALID");
  const owner = ctx.shop.discountCodes.get(code.toLowerCase());
  if (owner && owner !== exceptDiscountId)
    return userError(field, "Code must be unique. Please try a different code.", "TAKEN");
  return null;
}

function buyersFrom(
  ctx: ResolverContext,
  input: BasicInput,
  current: DiscountBuyers | null,
): { buyers?: DiscountBuyers; error?: UserError } {
  const context = input.context;
  if (!context) return { buyers: current ?? { kind: "all" } };
  const given = [context.all != null, context.customers != null, context.customerSegments != null].filter(
    Boolean,
  ).length;
  if (given > 1)
    return {
      error: userError(
        [FIELD, "context"],
        "Only one of all, customers or customerSegments can be specified.",
        "INVALID",
      ),
    };
  if (context.all != null) return { buyers: { kind: "all" } };
  const pick = context.customers ? ("customers" as const) : ("segments" as const);
  const change = context.customers ?? context.customerSegments!;
  const type = pick === "customers" ? "Customer" : "Segment";
  for (const id of change.add ?? []) {
    const exists = pick === "customers" ? ctx.shop.customers.get(id) : ctx.shop.segments.get(id);
    if (parseGid(id)?.type !== type || !exists) {
      const name = pick === "customers" ? "customers" : "customerSegments";
      return { error: userError([FIELD, "context", name, "add"], `${type} with id ${id} does not exist.`, "INVALID") };
    }
  }
  const base = current && current.kind === pick ? current.ids : [];
  const remove = new Set(change.remove ?? []);
  const ids = [...new Set([...base, ...(change.add ?? [])])].filter((id) => !remove.has(id));
  return { buyers: { kind: pick, ids } };
}

function valueFrom(
  input: BasicInput,
  current: DiscountValue | null,
  currency: string,
): { value?: DiscountValue; error?: UserError } {
  const value = input.customerGets?.value;
  const items = input.customerGets?.items;
  if (items && (items.products || items.collections))
    throw notImplemented("discountCodeBasic customerGets.items products/collections");
  if (!value)
    return current
      ? { value: current }
      : { error: userError([FIELD, "customerGets"], "Customer gets can't be blank", "BLANK") };
  if (value.discountOnQuantity) throw notImplemented("discountCodeBasic customerGets.value.discountOnQuantity");
  if (value.percentage != null) {
    if (value.percentage <= 0 || value.percentage > 1) {
      return {
        error: userError(
          [FIELD, "customerGets", "value", "percentage"],
          "Value must be between 0.0 and 1.0",
          "VALUE_OUTSIDE_RANGE",
        ),
      };
    }
    return { value: { kind: "percentage", percentage: value.percentage } };
  }
  if (value.discountAmount?.amount != null) {
    return {
      value: {
        kind: "amount",
        amount: { amount: String(value.discountAmount.amount), currencyCode: currency },
        appliesOnEachItem: !!value.discountAmount.appliesOnEachItem,
      },
    };
  }
  return { error: userError([FIELD, "customerGets", "value"], "Value can't be blank", "BLANK") };
}

function setCodes(ctx: ResolverContext, d: DiscountRecord) {
  for (const c of d.codes) ctx.shop.discountCodes.set(c.code.toLowerCase(), d.id);
}

export const discountResolvers: ResolverMap = {
  "QueryRoot.codeDiscountNodeByCode": (_s, args: { code: string }, ctx) => {
    const id = ctx.shop.discountCodes.get(args.code.toLowerCase());
    const d = id ? ctx.shop.discounts.get(id) : undefined;
    return d ? discountNode(d) : null;
  },
  "QueryRoot.codeDiscountNode": (_s, args: { id: string }, ctx) => {
    const d = ctx.shop.discounts.get(args.id);
    return d ? discountNode(d) : null;
  },

  "DiscountCodeBasic.title": (b: Basic) => b.discount.title,
  "DiscountCodeBasic.status": (b: Basic, _a, ctx) => status(b.discount, ctx),
  "DiscountCodeBasic.startsAt": (b: Basic) => b.discount.startsAt,
  "DiscountCodeBasic.endsAt": (b: Basic) => b.discount.endsAt,
  "DiscountCodeBasic.createdAt": (b: Basic) => b.discount.createdAt,
  "DiscountCodeBasic.updatedAt": (b: Basic) => b.discount.updatedAt,
  "DiscountCodeBasic.usageLimit": (b: Basic) => b.discount.usageLimit,
  "DiscountCodeBasic.appliesOncePerCustomer": (b: Basic) => b.discount.appliesOncePerCustomer,
  "DiscountCodeBasic.asyncUsageCount": (b: Basic) => b.discount.codes.reduce((n, c) => n + c.asyncUsageCount, 0),
  "DiscountCodeBasic.tags": (b: Basic) => b.discount.tags,
  "DiscountCodeBasic.discountClasses": () => ["ORDER"],
  "DiscountCodeBasic.codesCount": (b: Basic) => ({ count: b.discount.codes.length, precision: "EXACT" }),
  "DiscountCodeBasic.codes": (b: Basic, args: ConnectionArgs & { query?: string | null }, ctx, info) => {
    if (args.query) throw notImplemented("DiscountCodeBasic.codes(query:)");
    const items = [...b.discount.codes].sort(byIdThen((c) => numericId(c.id)));
    return connectionObject(paginate(items, args, (c) => numericId(c.id), ctx, info));
  },
  "DiscountCodeBasic.combinesWith": (b: Basic) => b.discount.combinesWith,
  "DiscountCodeBasic.minimumRequirement": (b: Basic) =>
    b.discount.minimumSubtotal
      ? { __typename: "DiscountMinimumSubtotal", greaterThanOrEqualToSubtotal: b.discount.minimumSubtotal }
      : null,
  "DiscountCodeBasic.context": (b: Basic, _a, ctx) => {
    const buyers = b.discount.buyers;
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
  "DiscountCodeBasic.customerGets": (b: Basic) => {
    const v = b.discount.value;
    return {
      appliesOnOneTimePurchase: true,
      appliesOnSubscription: false,
      items: { __typename: "AllDiscountItems", allItems: true },
      value:
        v.kind === "percentage"
          ? { __typename: "DiscountPercentage", percentage: v.percentage }
          : { __typename: "DiscountAmount", amount: v.amount, appliesOnEachItem: v.appliesOnEachItem },
    };
  },

  // Deactivating ends the discount now (Shopify shows it expired); activating removes the end again.
  "Mutation.discountCodeDeactivate": (_s, args: { id: string }, ctx) => {
    const d = ctx.shop.discounts.get(args.id);
    if (!d) return { codeDiscountNode: null, userErrors: [userError(["id"], "Discount does not exist", "INVALID")] };
    const now = isoAt(ctx.core.clock);
    if (d.endsAt === null || Date.parse(d.endsAt) > Date.parse(now)) d.endsAt = now;
    d.updatedAt = now;
    ctx.shop.discounts.touch();
    return { codeDiscountNode: discountNode(d), userErrors: [] };
  },
  "Mutation.discountCodeActivate": (_s, args: { id: string }, ctx) => {
    const d = ctx.shop.discounts.get(args.id);
    if (!d) return { codeDiscountNode: null, userErrors: [userError(["id"], "Discount does not exist", "INVALID")] };
    const now = isoAt(ctx.core.clock);
    d.endsAt = null;
    if (Date.parse(d.startsAt) > Date.parse(now)) d.startsAt = now;
    d.updatedAt = now;
    ctx.shop.discounts.touch();
    return { codeDiscountNode: discountNode(d), userErrors: [] };
  },

  "Mutation.discountCodeBasicCreate": (_s, args: { basicCodeDiscount: BasicInput }, ctx) => {
    const input = args.basicCodeDiscount;
    const errors: UserError[] = [];
    if (!input.title?.trim()) errors.push(userError([FIELD, "title"], "Title can't be blank", "BLANK"));
    if (input.code == null) errors.push(userError([FIELD, "code"], "Code can't be blank", "BLANK"));
    else {
      const codeError = checkCode(ctx, input.code, null, [FIELD, "code"]);
      if (codeError) errors.push(codeError);
    }
    if (!input.startsAt) errors.push(userError([FIELD, "startsAt"], "Starts at can't be blank", "BLANK"));
    if (input.startsAt && input.endsAt && Date.parse(input.endsAt) <= Date.parse(input.startsAt)) {
      errors.push(userError([FIELD, "endsAt"], "Ends at needs to be after starts_at", "END_DATE_BEFORE_START_DATE"));
    }
    const { buyers, error: buyersError } = buyersFrom(ctx, input, null);
    if (buyersError) errors.push(buyersError);
    const { value, error: valueError } = valueFrom(input, null, ctx.shop.record.currencyCode);
    if (valueError) errors.push(valueError);
    if (errors.length) return { codeDiscountNode: null, userErrors: errors };
    const now = isoAt(ctx.core.clock);
    const discount: DiscountRecord = {
      id: ctx.shop.nextId("DiscountCodeNode"),
      title: input.title!,
      codes: [{ id: ctx.shop.nextId("DiscountRedeemCode"), code: input.code!, asyncUsageCount: 0 }],
      startsAt: input.startsAt!,
      endsAt: input.endsAt ?? null,
      usageLimit: input.usageLimit ?? null,
      appliesOncePerCustomer: !!input.appliesOncePerCustomer,
      value: value!,
      buyers: buyers!,
      combinesWith: {
        orderDiscounts: !!input.combinesWith?.orderDiscounts,
        productDiscounts: !!input.combinesWith?.productDiscounts,
        shippingDiscounts: !!input.combinesWith?.shippingDiscounts,
      },
      minimumSubtotal:
        input.minimumRequirement?.subtotal?.greaterThanOrEqualToSubtotal != null
          ? {
              amount: String(input.minimumRequirement.subtotal.greaterThanOrEqualToSubtotal),
              currencyCode: ctx.shop.record.currencyCode,
            }
          : null,
      tags: input.tags ?? [],
      createdAt: now,
      updatedAt: now,
    };
    ctx.shop.discounts.set(discount);
    setCodes(ctx, discount);
    return { codeDiscountNode: discountNode(discount), userErrors: [] };
  },

  "Mutation.discountCodeBasicUpdate": (_s, args: { id: string; basicCodeDiscount: BasicInput }, ctx) => {
    const discount = ctx.shop.discounts.get(args.id);
    if (!discount)
      return { codeDiscountNode: null, userErrors: [userError(["id"], "Discount does not exist", "INVALID")] };
    const input = args.basicCodeDiscount;
    const errors: UserError[] = [];
    if (input.title != null && !input.title.trim())
      errors.push(userError([FIELD, "title"], "Title can't be blank", "BLANK"));
    if (input.code != null) {
      if (discount.codes.length > 1)
        errors.push(userError([FIELD, "code"], "Code can't be updated on a discount with multiple codes.", "INVALID"));
      const codeError = checkCode(ctx, input.code, discount.id, [FIELD, "code"]);
      if (codeError) errors.push(codeError);
    }
    const startsAt = input.startsAt ?? discount.startsAt;
    const endsAt = input.endsAt !== undefined ? input.endsAt : discount.endsAt;
    if (endsAt && Date.parse(endsAt) <= Date.parse(startsAt)) {
      errors.push(userError([FIELD, "endsAt"], "Ends at needs to be after starts_at", "END_DATE_BEFORE_START_DATE"));
    }
    const { buyers, error: buyersError } = buyersFrom(ctx, input, discount.buyers);
    if (buyersError) errors.push(buyersError);
    const { value, error: valueError } = valueFrom(input, discount.value, ctx.shop.record.currencyCode);
    if (valueError) errors.push(valueError);
    if (errors.length) return { codeDiscountNode: null, userErrors: errors };
    if (input.title != null) discount.title = input.title;
    if (input.code != null) {
      ctx.shop.discountCodes.delete(discount.codes[0].code.toLowerCase());
      discount.codes[0].code = input.code;
    }
    discount.startsAt = startsAt;
    discount.endsAt = endsAt ?? null;
    if (input.usageLimit !== undefined) discount.usageLimit = input.usageLimit;
    if (input.appliesOncePerCustomer != null) discount.appliesOncePerCustomer = input.appliesOncePerCustomer;
    if (input.tags != null) discount.tags = input.tags;
    discount.buyers = buyers!;
    discount.value = value!;
    discount.updatedAt = isoAt(ctx.core.clock);
    ctx.shop.discounts.touch();
    setCodes(ctx, discount);
    return { codeDiscountNode: discountNode(discount), userErrors: [] };
  },

  "Mutation.discountRedeemCodeBulkAdd": (_s, args: { discountId: string; codes: { code: string }[] }, ctx) => {
    const discount = ctx.shop.discounts.get(args.discountId);
    if (!discount)
      return {
        bulkCreation: null,
        userErrors: [userError(["discountId"], "Code discount does not exist.", "INVALID")],
      };
    if (args.codes.length > REDEEM_CODES_PER_CALL) {
      return {
        bulkCreation: null,
        userErrors: [
          userError(["codes"], `Codes can't exceed ${REDEEM_CODES_PER_CALL} codes per request.`, "TOO_LONG"),
        ],
      };
    }
    // Shopify creates the codes asynchronously and reports per-code failures on the bulk creation object.
    const creation: RedeemCodeBulkCreationRecord = {
      id: ctx.shop.nextId("DiscountRedeemCodeBulkCreation"),
      discountId: discount.id,
      createdAt: isoAt(ctx.core.clock),
      done: false,
      results: [],
    };
    const seen = new Set<string>();
    for (const { code } of args.codes) {
      const error = seen.has(code.toLowerCase())
        ? userError(["code"], "Code must be unique. Please try a different code.", "TAKEN")
        : checkCode(ctx, code, null, ["code"]);
      seen.add(code.toLowerCase());
      if (error) {
        creation.results.push({
          code,
          redeemCodeId: null,
          errors: [{ field: error.field, message: error.message, code: error.code }],
        });
        continue;
      }
      const redeem = { id: ctx.shop.nextId("DiscountRedeemCode"), code, asyncUsageCount: 0 };
      discount.codes.push(redeem);
      ctx.shop.discountCodes.set(code.toLowerCase(), discount.id);
      creation.results.push({ code, redeemCodeId: redeem.id, errors: [] });
    }
    discount.updatedAt = isoAt(ctx.core.clock);
    ctx.shop.discounts.touch();
    ctx.shop.redeemCodeBulkCreations.set(creation.id, creation);
    return { bulkCreation: { ...creation }, userErrors: [] };
  },
  "QueryRoot.discountRedeemCodeBulkCreation": (_s, args: { id: string }, ctx) => {
    const creation = ctx.shop.redeemCodeBulkCreations.get(args.id);
    if (!creation) return null;
    creation.done = true;
    return creation;
  },

  "DiscountRedeemCodeBulkCreation.codesCount": (c: RedeemCodeBulkCreationRecord) => c.results.length,
  "DiscountRedeemCodeBulkCreation.importedCount": (c: RedeemCodeBulkCreationRecord) =>
    c.results.filter((r) => r.redeemCodeId).length,
  "DiscountRedeemCodeBulkCreation.failedCount": (c: RedeemCodeBulkCreationRecord) =>
    c.results.filter((r) => !r.redeemCodeId).length,
  "DiscountRedeemCodeBulkCreation.done": (c: RedeemCodeBulkCreationRecord) => c.done,
  "DiscountRedeemCodeBulkCreation.discountCode": (c: RedeemCodeBulkCreationRecord, _a, ctx) => {
    const d = ctx.shop.discounts.get(c.discountId);
    return d ? discountNode(d) : null;
  },
  "DiscountRedeemCodeBulkCreation.codes": (c: RedeemCodeBulkCreationRecord, args: ConnectionArgs, ctx, info) => {
    const discount = ctx.shop.discounts.get(c.discountId);
    const items = c.results.map((r, i) => ({
      id: `gid://shopify/DiscountRedeemCodeBulkCreationCode/${i + 1}`,
      code: r.code,
      discountRedeemCode: r.redeemCodeId ? (discount?.codes.find((x) => x.id === r.redeemCodeId) ?? null) : null,
      errors: r.errors.map((e) => ({ ...e, extraInfo: null })),
    }));
    const page = paginate(items, args, (x) => numericId(x.id), ctx, info);
    const strip = ({ id: _id, ...rest }: (typeof items)[number]) => rest;
    return {
      edges: page.edges.map((e) => ({ cursor: e.cursor, node: strip(e.node) })),
      nodes: page.nodes.map(strip),
      pageInfo: page.pageInfo,
    };
  },
};

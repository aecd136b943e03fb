// The input every discount mutation takes (DiscountCodeBasicInput, DiscountCodeFreeShippingInput,
// DiscountAutomaticBasicInput, DiscountAutomaticFreeShippingInput in the 2026-04 schema), checked as Shopify checks it
// and read into what a DiscountRecord holds. Codes are the code resolvers' own business (discounts.ts).
import type { GraphQLResolveInfo } from "graphql";
import { accessDenied } from "../access";
import type { ResolverContext } from "../context";
import { isoAt } from "../clock";
import { parseGid } from "../gid";
import type { DiscountBuyers, DiscountRecord, DiscountValue } from "../records";
import { notImplemented } from "../shopify-error";
import { automaticOverlap, MAX_ACTIVE_AUTOMATIC_DISCOUNTS } from "../discount-rules";

export type UserError = { field: string[] | null; message: string; code: string | null; extraInfo: string | null };

export function userError(field: string[] | null, message: string, code: string | null): UserError {
  return { field, message, code, extraInfo: null };
}

type Decimal = string | number;

interface IdChange {
  add?: string[] | null;
  remove?: string[] | null;
}

/** The union of the four input objects' fields; the schema has already refused fields an input does not have. */
export interface DiscountInput {
  title?: string | null;
  code?: string | null;
  startsAt?: string | null;
  endsAt?: string | null;
  usageLimit?: number | null;
  appliesOncePerCustomer?: boolean | null;
  appliesOnOneTimePurchase?: boolean | null;
  appliesOnSubscription?: boolean | null;
  context?: { all?: string | null; customers?: IdChange | null; customerSegments?: IdChange | null } | null;
  customerSelection?: unknown;
  customerGets?: {
    appliesOnOneTimePurchase?: boolean | null;
    appliesOnSubscription?: boolean | null;
    value?: {
      percentage?: number | null;
      discountAmount?: { amount?: Decimal | null; appliesOnEachItem?: boolean | null } | null;
      discountOnQuantity?: unknown;
    } | null;
    items?: { all?: boolean | null; products?: unknown; collections?: unknown } | null;
  } | null;
  combinesWith?: {
    orderDiscounts?: boolean | null;
    productDiscounts?: boolean | null;
    shippingDiscounts?: boolean | null;
    productDiscountsWithTagsOnSameCartLine?: unknown;
  } | null;
  minimumRequirement?: {
    subtotal?: { greaterThanOrEqualToSubtotal?: Decimal | null } | null;
    quantity?: { greaterThanOrEqualToQuantity?: string | number | null } | null;
  } | null;
  maximumShippingPrice?: Decimal | null;
  destination?: { all?: boolean | null; countries?: unknown } | null;
  tags?: string[] | null;
  recurringCycleLimit?: number | null;
}

/** Which mutation reads the input: its argument name (the first element of every error's field) and what it makes. */
export interface InputKind {
  field: string;
  method: DiscountRecord["method"];
  value: "basic" | "freeShipping";
}

/** What an input decides of a discount, beyond its id, codes, usage and timestamps. */
export type DiscountSettings = Omit<
  DiscountRecord,
  "id" | "method" | "codes" | "automaticUsageCount" | "createdAt" | "updatedAt"
>;

const NOT_SIMULATED = "(not simulated)";

function buyersFrom(
  ctx: ResolverContext,
  kind: InputKind,
  input: DiscountInput,
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
        [kind.field, "context"],
        "Only one of all, customers or customerSegments can be specified.",
        "INVALID",
      ),
    };
  if (context.all != null || given === 0) return { buyers: { kind: "all" } };
  const pick = context.customers ? ("customers" as const) : ("segments" as const);
  const change = context.customers ?? context.customerSegments!;
  const type = pick === "customers" ? "Customer" : "Segment";
  for (const id of change.add ?? []) {
    const exists = pick === "customers" ? ctx.shop.customers.get(id) : ctx.shop.segments.get(id);
    if (parseGid(id)?.type !== type || !exists) {
      const name = pick === "customers" ? "customers" : "customerSegments";
      return {
        error: userError([kind.field, "context", name, "add"], `${type} with id ${id} does not exist.`, "INVALID"),
      };
    }
  }
  const base = current && current.kind === pick ? current.ids : [];
  const remove = new Set(change.remove ?? []);
  const ids = [...new Set([...base, ...(change.add ?? [])])].filter((id) => !remove.has(id));
  return { buyers: { kind: pick, ids } };
}

function amountOff(
  kind: InputKind,
  input: DiscountInput,
  current: DiscountValue | null,
  currency: string,
): { value?: DiscountValue; error?: UserError } {
  const value = input.customerGets?.value;
  const items = input.customerGets?.items;
  if (items && (items.products || items.collections))
    throw notImplemented(`${kind.field} customerGets.items products/collections (product discounts)`);
  if (!value)
    return current
      ? { value: current }
      : { error: userError([kind.field, "customerGets"], "Customer gets can't be blank", "BLANK") };
  if (value.discountOnQuantity) throw notImplemented(`${kind.field} customerGets.value.discountOnQuantity`);
  if (value.percentage != null) {
    if (value.percentage <= 0 || value.percentage > 1) {
      return {
        error: userError(
          [kind.field, "customerGets", "value", "percentage"],
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
  return { error: userError([kind.field, "customerGets", "value"], "Value can't be blank", "BLANK") };
}

function freeShipping(
  kind: InputKind,
  input: DiscountInput,
  current: DiscountValue | null,
  currency: string,
): { value: DiscountValue } {
  const destination = input.destination;
  if (destination && (destination.countries != null || destination.all !== true))
    throw notImplemented(`${kind.field} destination other than { all: true } ${NOT_SIMULATED}`);
  const previous = current?.kind === "freeShipping" ? current.maximumShippingPrice : null;
  const max = input.maximumShippingPrice;
  return {
    value: {
      kind: "freeShipping",
      maximumShippingPrice:
        max === undefined ? previous : max === null ? null : { amount: String(max), currencyCode: currency },
    },
  };
}

/**
 * Reads `input` over `current` (null when creating): the discount's next settings, or Shopify's userErrors. Errors come
 * in the order Shopify's validation meets them: title, then `afterTitle` (the code), dates, buyers, value, requirements.
 */
export function readDiscountInput(
  ctx: ResolverContext,
  kind: InputKind,
  input: DiscountInput,
  current: DiscountRecord | null,
  afterTitle: UserError | null = null,
): { errors: UserError[]; settings: DiscountSettings | null } {
  const F = kind.field;
  const currency = ctx.shop.record.currencyCode;
  const errors: UserError[] = [];
  if (input.customerSelection != null) throw notImplemented(`${F}.customerSelection (deprecated; use context)`);
  if (input.recurringCycleLimit != null) throw notImplemented(`${F}.recurringCycleLimit ${NOT_SIMULATED}`);
  if (input.combinesWith?.productDiscountsWithTagsOnSameCartLine != null)
    throw notImplemented(`${F}.combinesWith.productDiscountsWithTagsOnSameCartLine`);

  const title = input.title ?? current?.title;
  if (current ? input.title != null && !input.title.trim() : !input.title?.trim())
    errors.push(userError([F, "title"], "Title can't be blank", "BLANK"));
  if (afterTitle) errors.push(afterTitle);

  const startsAt = input.startsAt ?? current?.startsAt;
  if (!startsAt) errors.push(userError([F, "startsAt"], "Starts at can't be blank", "BLANK"));
  const endsAt = input.endsAt !== undefined ? input.endsAt : (current?.endsAt ?? null);
  if (startsAt && endsAt && Date.parse(endsAt) <= Date.parse(startsAt)) {
    errors.push(userError([F, "endsAt"], "Ends at needs to be after starts_at", "END_DATE_BEFORE_START_DATE"));
  }

  const { buyers, error: buyersError } = buyersFrom(ctx, kind, input, current?.buyers ?? null);
  if (buyersError) errors.push(buyersError);

  let value: DiscountValue | undefined;
  if (kind.value === "basic") {
    const read = amountOff(kind, input, current?.value ?? null, currency);
    if (read.error) errors.push(read.error);
    value = read.value;
  } else {
    value = freeShipping(kind, input, current?.value ?? null, currency).value;
  }

  let minimumSubtotal = current?.minimumSubtotal ?? null;
  let minimumQuantity = current?.minimumQuantity ?? null;
  const minimum = input.minimumRequirement;
  if (minimum !== undefined) {
    const subtotal = minimum?.subtotal?.greaterThanOrEqualToSubtotal ?? null;
    const quantity = minimum?.quantity?.greaterThanOrEqualToQuantity ?? null;
    if (subtotal !== null && quantity !== null) {
      errors.push(
        userError(
          [F, "minimumRequirement"],
          "Specify a minimum subtotal or a quantity, but not both.",
          "MINIMUM_SUBTOTAL_AND_QUANTITY_RANGE_BOTH_PRESENT",
        ),
      );
    }
    minimumSubtotal = subtotal === null ? null : { amount: String(subtotal), currencyCode: currency };
    minimumQuantity = quantity === null ? null : String(quantity);
  }

  const gets = kind.value === "basic" ? input.customerGets : input;
  const oneTime = gets?.appliesOnOneTimePurchase ?? current?.appliesOnOneTimePurchase ?? true;
  const subscription = gets?.appliesOnSubscription ?? current?.appliesOnSubscription ?? false;
  if (!oneTime && !subscription) {
    const path = kind.value === "basic" ? [F, "customerGets", "appliesOnSubscription"] : [F, "appliesOnSubscription"];
    errors.push(
      userError(
        path,
        "A discount cannot have both appliesOnOneTimePurchase and appliesOnSubscription set to false.",
        "APPLIES_ON_NOTHING",
      ),
    );
  }

  if (errors.length) return { errors, settings: null };
  const combines = input.combinesWith;
  return {
    errors,
    settings: {
      title: title!,
      startsAt: startsAt!,
      endsAt,
      usageLimit: input.usageLimit !== undefined ? input.usageLimit : (current?.usageLimit ?? null),
      appliesOncePerCustomer: input.appliesOncePerCustomer ?? current?.appliesOncePerCustomer ?? false,
      value: value!,
      buyers: buyers!,
      // DiscountCombinesWithInput's fields default to false: a given combinesWith replaces the whole setting.
      combinesWith: combines
        ? {
            orderDiscounts: !!combines.orderDiscounts,
            productDiscounts: !!combines.productDiscounts,
            shippingDiscounts: !!combines.shippingDiscounts,
          }
        : (current?.combinesWith ?? { orderDiscounts: false, productDiscounts: false, shippingDiscounts: false }),
      minimumSubtotal,
      minimumQuantity,
      appliesOnOneTimePurchase: oneTime,
      appliesOnSubscription: subscription,
      tags: input.tags ?? current?.tags ?? [],
    },
  };
}

/**
 * Shopify refuses an automatic discount whose active period would make more than 25 automatic discounts active at
 * once (ACTIVE_PERIOD_OVERLAP); the message is the schema's description of that code.
 */
export function activePeriodError(
  ctx: ResolverContext,
  period: { startsAt: string; endsAt: string | null },
  exceptId: string | null,
): UserError | null {
  if (automaticOverlap(ctx.shop, period, exceptId, ctx.core.clock.now()) < MAX_ACTIVE_AUTOMATIC_DISCOUNTS) return null;
  return userError(
    null,
    `The active period overlaps with other automatic discounts. At any given time, only ${MAX_ACTIVE_AUTOMATIC_DISCOUNTS} automatic discounts can be active.`,
    "ACTIVE_PERIOD_OVERLAP",
  );
}

/** Deactivating ends the discount now (Shopify then shows it expired); activating removes the end again. */
export function deactivate(ctx: ResolverContext, d: DiscountRecord): void {
  const now = isoAt(ctx.core.clock);
  if (d.endsAt === null || Date.parse(d.endsAt) > Date.parse(now)) d.endsAt = now;
  d.updatedAt = now;
  ctx.shop.discounts.touch();
}

/** The period an activation gives: from now (or its start, if later) without end. */
export function activatedPeriod(ctx: ResolverContext, d: DiscountRecord): { startsAt: string; endsAt: null } {
  const now = isoAt(ctx.core.clock);
  return { startsAt: Date.parse(d.startsAt) > Date.parse(now) ? now : d.startsAt, endsAt: null };
}

/**
 * The scope check resolvers/index.ts makes from access.ts's table, for the discount fields that table does not list
 * yet: refused as Shopify refuses (ACCESS_DENIED), or, inside a bulk query, noted so the operation fails as a whole
 * (answer `true`: the caller returns an empty value).
 */
export function refusedScope(ctx: ResolverContext, info: GraphQLResolveInfo, scope: string): boolean {
  if (ctx.shop.access.has(scope)) return false;
  if (ctx.bulk) {
    if (ctx.accessProbe) ctx.accessProbe.denied = true;
    return true;
  }
  throw accessDenied(info.fieldName, scope);
}

// Code discounts: amount off (basic) and free shipping, create/update with buyer context, activate/deactivate, delete,
// redeem code bulk add, lookup by code. Automatic discounts and the discount lists are in discounts-automatic.ts.
import type { GraphQLResolveInfo } from "graphql";
import { isoAt } from "../clock";
import type { ResolverContext, ResolverMap } from "../context";
import { discountById, nextDiscountId } from "../discount-rules";
import type { DiscountRecord, RedeemCodeBulkCreationRecord } from "../records";
import { numericId } from "../gid";
import { paginate, type ConnectionArgs } from "../connection";
import {
  activatedPeriod,
  deactivate,
  readDiscountInput,
  refusedScope,
  userError,
  type DiscountInput,
  type InputKind,
  type UserError,
} from "./discount-input";
import { codeDiscountNode, discountFieldResolvers } from "./discount-fields";
import { automaticDiscountResolvers } from "./discounts-automatic";

export const REDEEM_CODES_PER_CALL = 250;
const CODE_MAX_LENGTH = 255;

/** The DiscountCodeNode object graphql-js resolves (node(id:) in shop.ts reads it too). */
export const discountNode = codeDiscountNode;

const BASIC: InputKind = { field: "basicCodeDiscount", method: "code", value: "basic" };
const FREE_SHIPPING: InputKind = { field: "freeShippingCodeDiscount", method: "code", value: "freeShipping" };

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

function setCodes(ctx: ResolverContext, d: DiscountRecord) {
  for (const c of d.codes) ctx.shop.discountCodes.set(c.code.toLowerCase(), d.id);
}

const missing = () => ({
  codeDiscountNode: null,
  userErrors: [userError(["id"], "Discount does not exist", "INVALID")],
});

/** A code discount by its DiscountCodeNode id (an automatic discount's id finds nothing). */
function codeDiscount(ctx: ResolverContext, id: string): DiscountRecord | undefined {
  return discountById(ctx.shop, id, { code: true });
}

function createCode(ctx: ResolverContext, kind: InputKind, input: DiscountInput) {
  const codeError =
    input.code == null
      ? userError([kind.field, "code"], "Code can't be blank", "BLANK")
      : checkCode(ctx, input.code, null, [kind.field, "code"]);
  const { errors, settings } = readDiscountInput(ctx, kind, input, null, codeError);
  if (!settings) return { codeDiscountNode: null, userErrors: errors };
  const now = isoAt(ctx.core.clock);
  const discount: DiscountRecord = {
    id: nextDiscountId(ctx.shop, "code"),
    method: "code",
    ...settings,
    codes: [{ id: ctx.shop.nextId("DiscountRedeemCode"), code: input.code!, asyncUsageCount: 0 }],
    automaticUsageCount: 0,
    createdAt: now,
    updatedAt: now,
  };
  ctx.shop.discounts.set(discount);
  setCodes(ctx, discount);
  return { codeDiscountNode: codeDiscountNode(discount), userErrors: [] };
}

function updateCode(ctx: ResolverContext, kind: InputKind, id: string, input: DiscountInput) {
  const discount = codeDiscount(ctx, id);
  const wanted = kind.value === "basic" ? "amount off" : "free shipping";
  const isKind = (d: DiscountRecord) => (d.value.kind === "freeShipping") === (kind.value === "freeShipping");
  if (!discount) return missing();
  if (!isKind(discount))
    return {
      codeDiscountNode: null,
      userErrors: [userError(["id"], `Discount is not a ${wanted} code discount`, "INVALID")],
    };
  let codeError: UserError | null = null;
  if (input.code != null) {
    codeError =
      discount.codes.length > 1
        ? userError([kind.field, "code"], "Code can't be updated on a discount with multiple codes.", "INVALID")
        : checkCode(ctx, input.code, discount.id, [kind.field, "code"]);
  }
  const { errors, settings } = readDiscountInput(ctx, kind, input, discount, codeError);
  if (!settings) return { codeDiscountNode: null, userErrors: errors };
  Object.assign(discount, settings);
  if (input.code != null) {
    ctx.shop.discountCodes.delete(discount.codes[0].code.toLowerCase());
    discount.codes[0].code = input.code;
  }
  discount.updatedAt = isoAt(ctx.core.clock);
  ctx.shop.discounts.touch();
  setCodes(ctx, discount);
  return { codeDiscountNode: codeDiscountNode(discount), userErrors: [] };
}

const WRITE = "write_discounts";
const refused = (ctx: ResolverContext, info: GraphQLResolveInfo) => refusedScope(ctx, info, WRITE);

export const discountResolvers: ResolverMap = {
  ...discountFieldResolvers,
  ...automaticDiscountResolvers,

  "QueryRoot.codeDiscountNodeByCode": (_s, args: { code: string }, ctx) => {
    const id = ctx.shop.discountCodes.get(args.code.toLowerCase());
    const d = id ? ctx.shop.discounts.get(id) : undefined;
    return d ? codeDiscountNode(d) : null;
  },
  "QueryRoot.codeDiscountNode": (_s, args: { id: string }, ctx) => {
    const d = codeDiscount(ctx, args.id);
    return d ? codeDiscountNode(d) : null;
  },

  "Mutation.discountCodeDeactivate": (_s, args: { id: string }, ctx) => {
    const d = codeDiscount(ctx, args.id);
    if (!d) return missing();
    deactivate(ctx, d);
    return { codeDiscountNode: codeDiscountNode(d), userErrors: [] };
  },
  "Mutation.discountCodeActivate": (_s, args: { id: string }, ctx) => {
    const d = codeDiscount(ctx, args.id);
    if (!d) return missing();
    Object.assign(d, activatedPeriod(ctx, d));
    d.updatedAt = isoAt(ctx.core.clock);
    ctx.shop.discounts.touch();
    return { codeDiscountNode: codeDiscountNode(d), userErrors: [] };
  },

  "Mutation.discountCodeBasicCreate": (_s, args: { basicCodeDiscount: DiscountInput }, ctx) =>
    createCode(ctx, BASIC, args.basicCodeDiscount),
  "Mutation.discountCodeBasicUpdate": (_s, args: { id: string; basicCodeDiscount: DiscountInput }, ctx) =>
    updateCode(ctx, BASIC, args.id, args.basicCodeDiscount),
  "Mutation.discountCodeFreeShippingCreate": (_s, args: { freeShippingCodeDiscount: DiscountInput }, ctx, info) =>
    refused(ctx, info) ? null : createCode(ctx, FREE_SHIPPING, args.freeShippingCodeDiscount),
  "Mutation.discountCodeFreeShippingUpdate": (
    _s,
    args: { id: string; freeShippingCodeDiscount: DiscountInput },
    ctx,
    info,
  ) => (refused(ctx, info) ? null : updateCode(ctx, FREE_SHIPPING, args.id, args.freeShippingCodeDiscount)),

  // Deleting frees the discount's codes: a new discount may take them, and checkout no longer knows them.
  "Mutation.discountCodeDelete": (_s, args: { id: string }, ctx, info) => {
    if (refused(ctx, info)) return null;
    const d = codeDiscount(ctx, args.id);
    if (!d)
      return { deletedCodeDiscountId: null, userErrors: [userError(["id"], "Discount does not exist", "INVALID")] };
    for (const c of d.codes) {
      if (ctx.shop.discountCodes.get(c.code.toLowerCase()) === d.id)
        ctx.shop.discountCodes.delete(c.code.toLowerCase());
    }
    ctx.shop.discounts.delete(d.id);
    return { deletedCodeDiscountId: d.id, userErrors: [] };
  },

  "Mutation.discountRedeemCodeBulkAdd": (_s, args: { discountId: string; codes: { code: string }[] }, ctx) => {
    const discount = codeDiscount(ctx, args.discountId);
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
    return d ? codeDiscountNode(d) : null;
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

// One field resolver for the whole schema: explicit resolvers first, then a record's own property, else a loud error.
// Every field passes the installation's access first (access.ts): a scope the app lacks, customer data it is not
// approved for, a protected field it is not approved for — each refused the way Shopify refuses it.
import {
  type GraphQLError,
  getNamedType,
  isLeafType,
  isNonNullType,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
} from "graphql";
import {
  accessDenied,
  fieldNotApproved,
  objectNotApproved,
  PROTECTED_FIELD_OF,
  PROTECTED_TYPES,
  readScopeOfId,
  REQUIRED_SCOPE,
  writeScopeOfId,
} from "../access";
import type { ResolverContext, ResolverMap } from "../context";
import { isConnectionType } from "../cost";
import { parseGid } from "../gid";
import { notImplemented } from "../shopify-error";
import { bulkOperationResolvers } from "./bulk-operations";
import { customerResolvers } from "./customers";
import { discountResolvers } from "./discounts";
import { flowResolvers } from "./flow";
import { giftCardResolvers } from "./gift-cards";
import { metafieldResolvers } from "./metafields";
import { orderResolvers } from "./orders";
import { productResolvers } from "./products";
import { segmentResolvers } from "./segments";
import { shopResolvers } from "./shop";
import { stagedUploadResolvers } from "./staged-uploads";
import { storeCreditResolvers } from "./store-credit";

const RESOLVERS: ResolverMap = {
  ...shopResolvers,
  ...customerResolvers,
  ...orderResolvers,
  ...productResolvers,
  ...metafieldResolvers,
  ...segmentResolvers,
  ...discountResolvers,
  ...flowResolvers,
  ...bulkOperationResolvers,
  ...stagedUploadResolvers,
  ...storeCreditResolvers,
  ...giftCardResolvers,
};

const hasOwn = Object.prototype.hasOwnProperty;

function dispatch(key: string, source: unknown, args: any, ctx: ResolverContext, info: GraphQLResolveInfo): unknown {
  const resolver = RESOLVERS[key];
  if (resolver) return resolver(source, args, ctx, info);
  if (source !== null && typeof source === "object" && hasOwn.call(source, info.fieldName)) {
    return (source as Record<string, unknown>)[info.fieldName];
  }
  throw notImplemented(key);
}

type Refusal = { error: GraphQLError; redaction: boolean };

/** Ids a mutation changes, whose type decides the scope it needs (tags and metafields on any owner). */
function targetsOf(key: string, args: any): string[] {
  switch (key) {
    case "Mutation.tagsAdd":
    case "Mutation.tagsRemove":
      return typeof args.id === "string" ? [args.id] : [];
    case "Mutation.metafieldsSet":
    case "Mutation.metafieldsDelete":
      return Array.isArray(args.metafields)
        ? args.metafields
            .map((m: { ownerId?: unknown }) => m?.ownerId)
            .filter((id: unknown): id is string => typeof id === "string")
        : [];
    case "Mutation.giftCardCreate": {
      // customerId and recipientAttributes.id: "Requires `write_customers` access_scope" (GiftCardCreateInput).
      const input = args.input ?? {};
      return [input.customerId, input.recipientAttributes?.id].filter(
        (id: unknown): id is string => typeof id === "string",
      );
    }
    default:
      return [];
  }
}

/** Why this field may not be resolved for this app, or null. Scopes first, then customer data, then its fields. */
function refusalOf(key: string, args: any, ctx: ResolverContext, info: GraphQLResolveInfo): Refusal | null {
  const access = ctx.shop.access;
  const scope = REQUIRED_SCOPE[key];
  if (scope && !access.has(scope)) return { error: accessDenied(info.fieldName, scope), redaction: false };
  if (key === "QueryRoot.node" && typeof args.id === "string") {
    const needed = readScopeOfId(args.id);
    if (needed && !access.has(needed)) return { error: accessDenied(info.fieldName, needed), redaction: false };
  }
  const targets = targetsOf(key, args);
  for (const id of targets) {
    const needed = writeScopeOfId(id);
    if (needed && !access.has(needed)) return { error: accessDenied(info.fieldName, needed), redaction: false };
  }
  if (!access.customerData) {
    const object = PROTECTED_TYPES[getNamedType(info.returnType).name];
    if (object) return { error: objectNotApproved(object), redaction: false };
    if (targets.some((id) => parseGid(id)?.type === "Customer"))
      return { error: objectNotApproved("Customer"), redaction: false };
    if (targets.some((id) => parseGid(id)?.type === "Order"))
      return { error: objectNotApproved("Order"), redaction: false };
  }
  const field = PROTECTED_FIELD_OF[key];
  if (field && !access.field(field)) return { error: fieldNotApproved(info.fieldName), redaction: true };
  return null;
}

const EMPTY_CONNECTION = {
  edges: [],
  nodes: [],
  pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
};

/**
 * A refusal inside a bulk query is not an error in the result: protected fields come back redacted (null), and
 * anything the scopes or the customer-data approval refuse ends the operation FAILED with errorCode ACCESS_DENIED
 * ("The provided operation `query` returned access denied due to missing access scopes", BulkOperationErrorCode in
 * the 2026-04 schema); the placeholder keeps the walk going until then.
 */
function refuseInBulk(refusal: Refusal, ctx: ResolverContext, info: GraphQLResolveInfo): unknown {
  if (!refusal.redaction && ctx.accessProbe) ctx.accessProbe.denied = true;
  const named = getNamedType(info.returnType);
  if (isConnectionType(named)) return EMPTY_CONNECTION;
  if (!isNonNullType(info.returnType)) return null;
  if (isLeafType(named))
    return named.name === "Boolean" ? false : named.name === "Int" || named.name === "Float" ? 0 : "";
  return null;
}

/** Node results are checked by what they turn out to be: a Customer or Order needs customer data approval. */
function protectedNode(value: unknown): string | null {
  if (!value || typeof value !== "object") return null;
  const type = (value as { __typename?: unknown }).__typename;
  return typeof type === "string" ? (PROTECTED_TYPES[type] ?? null) : null;
}

function guardResult(key: string, result: unknown, args: any, ctx: ResolverContext, info: GraphQLResolveInfo): unknown {
  const access = ctx.shop.access;
  if (key === "QueryRoot.nodes" && Array.isArray(result)) {
    // Each id is read on its own: one the app may not read is an error at its index, the others are answered.
    return result.map((item, i) => {
      const needed = readScopeOfId(String(args.ids?.[i] ?? ""));
      if (needed && !access.has(needed)) return accessDenied(info.fieldName, needed);
      const object = access.customerData ? null : protectedNode(item);
      return object ? objectNotApproved(object) : item;
    });
  }
  if (
    !access.customerData &&
    (key === "QueryRoot.node" || key === "TagsAddPayload.node" || key === "TagsRemovePayload.node")
  ) {
    const object = protectedNode(result);
    if (object) throw objectNotApproved(object);
  }
  return result;
}

export const fieldResolver: GraphQLFieldResolver<unknown, ResolverContext> = (source, args, ctx, info) => {
  const key = `${info.parentType.name}.${info.fieldName}`;
  const refusal = refusalOf(key, args, ctx, info);
  if (refusal) {
    if (ctx.bulk) return refuseInBulk(refusal, ctx, info);
    throw refusal.error;
  }
  if (key === "Mutation.bulkOperationRunQuery") {
    // The query runs later, in the background: a refusal while it runs is noted here and fails the operation.
    const probe = { denied: false };
    const result = dispatch(key, source, args, { ...ctx, accessProbe: probe }, info) as {
      bulkOperation?: { id: string } | null;
    };
    if (result?.bulkOperation) ctx.core.bulkAccess.set(result.bulkOperation.id, probe);
    return result;
  }
  return guardResult(key, dispatch(key, source, args, ctx, info), args, ctx, info);
};

// One field resolver for the whole schema: explicit resolvers first, then a record's own property, else a loud error.
import type { GraphQLFieldResolver } from "graphql";
import type { ResolverContext, ResolverMap } from "../context";
import { notImplemented } from "../shopify-error";
import { bulkOperationResolvers } from "./bulk-operations";
import { customerResolvers } from "./customers";
import { discountResolvers } from "./discounts";
import { flowResolvers } from "./flow";
import { metafieldResolvers } from "./metafields";
import { orderResolvers } from "./orders";
import { segmentResolvers } from "./segments";
import { shopResolvers } from "./shop";
import { stagedUploadResolvers } from "./staged-uploads";

const RESOLVERS: ResolverMap = {
  ...shopResolvers,
  ...customerResolvers,
  ...orderResolvers,
  ...metafieldResolvers,
  ...segmentResolvers,
  ...discountResolvers,
  ...flowResolvers,
  ...bulkOperationResolvers,
  ...stagedUploadResolvers,
};

const hasOwn = Object.prototype.hasOwnProperty;

export const fieldResolver: GraphQLFieldResolver<unknown, ResolverContext> = (source, args, ctx, info) => {
  const key = `${info.parentType.name}.${info.fieldName}`;
  const resolver = RESOLVERS[key];
  if (resolver) return resolver(source, args, ctx, info);
  if (source !== null && typeof source === "object" && hasOwn.call(source, info.fieldName)) {
    return (source as Record<string, unknown>)[info.fieldName];
  }
  throw notImplemented(key);
};

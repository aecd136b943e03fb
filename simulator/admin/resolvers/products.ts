// Products: product/products queries and the Product and ProductVariant fields the app reads (read_products).
import type { ResolverMap } from "../context";
import { byIdThen, connectionObject, paginate, type ConnectionArgs } from "../connection";
import { numericId } from "../gid";
import type { ProductRecord } from "../records";
import { notImplemented } from "../shopify-error";

const PRODUCT_SORT: Record<string, (p: ProductRecord) => number | string> = {
  ID: (p) => numericId(p.id),
  TITLE: (p) => p.title,
  PRODUCT_TYPE: (p) => p.productType,
  VENDOR: (p) => p.vendor,
  UPDATED_AT: (p) => Date.parse(p.updatedAt),
  CREATED_AT: (p) => Date.parse(p.createdAt),
};

export const productResolvers: ResolverMap = {
  "QueryRoot.product": (_s, args: { id: string }, ctx) => ctx.shop.products.get(args.id) ?? null,
  "QueryRoot.products": (_s, args: ConnectionArgs & { query?: string | null; sortKey?: string | null }, ctx, info) => {
    if (args.query) throw notImplemented("products(query:)");
    const sortKey = args.sortKey ?? "ID";
    const value = PRODUCT_SORT[sortKey];
    if (!value) throw notImplemented(`products(sortKey: ${sortKey})`);
    const items = ctx.shop.products.view(`sort:${sortKey}`, (all) => all.sort(byIdThen(value)));
    return connectionObject(paginate(items, args, value, ctx, info));
  },
  "QueryRoot.productVariant": (_s, args: { id: string }, ctx) => {
    const variant = ctx.shop.productVariants.get(args.id);
    return variant ? { __typename: "ProductVariant", ...variant } : null;
  },
  "Product.legacyResourceId": (p: ProductRecord) => String(numericId(p.id)),
  "Product.variants": (p: ProductRecord, args: ConnectionArgs, ctx, info) =>
    connectionObject(
      paginate(
        [...ctx.shop.productVariants.values()]
          .filter((v) => v.productId === p.id)
          .map((v) => ({ __typename: "ProductVariant", ...v })),
        args,
        (v) => numericId(v.id),
        ctx,
        info,
      ),
    ),
  "ProductVariant.product": (v: { productId: string }, _a, ctx) => ctx.shop.products.get(v.productId) ?? null,
  "ProductVariant.legacyResourceId": (v: { id: string }) => String(numericId(v.id)),
  "ProductVariant.displayName": (v: { productId: string; title: string }, _a, ctx) =>
    `${ctx.shop.products.get(v.productId)?.title ?? ""} - ${v.title}`,
};

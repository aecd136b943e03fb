// The Shop object and Node lookups by global id.
import type { ShopRecord } from "../../shop-file/types";
import type { ResolverContext, ResolverMap } from "../context";
import { parseGid } from "../gid";
import { notImplemented } from "../shopify-error";
import { hasMetafieldsResolvers } from "./metafields";
import { discountNode } from "./discounts";
import { giftCardById } from "./gift-cards";
import { storeCreditAccountById, storeCreditTransactionById } from "./store-credit";
import { visibleOrder } from "./orders";

const PLAN_NAMES: Record<ShopRecord["plan"], string> = {
  standard: "Basic",
  advanced: "Advanced",
  plus: "Shopify Plus",
};

/** Any Node the simulator models, by gid; other types fail loudly rather than look missing. */
export function nodeById(ctx: ResolverContext, id: string): unknown {
  const parsed = parseGid(id);
  if (!parsed) return null;
  const shop = ctx.shop;
  switch (parsed.type) {
    case "Customer":
      return shop.customers.get(id) ?? null;
    case "Order":
      // A direct read is current (no search lag) but sees only the orders the app's scopes reach.
      return visibleOrder(shop, id);
    case "Refund": {
      const refund = shop.refundsById.get(id);
      // Seen only where its order is (the app's 60-day window without read_all_orders).
      return refund && visibleOrder(shop, refund.order.id) ? refund : null;
    }
    case "Product":
      return shop.products.get(id) ?? null;
    case "Shop":
      return id === shop.record.id ? shop.record : null;
    case "Segment":
      return shop.segments.get(id) ?? null;
    case "Metafield":
      return shop.metafieldsById.get(id) ?? null;
    case "MetafieldDefinition":
      return shop.metafieldDefinitions.get(id) ?? null;
    case "BulkOperation":
      return shop.bulkOperations.get(id) ?? null;
    case "DiscountCodeNode": {
      const discount = shop.discounts.get(id);
      return discount ? discountNode(discount) : null;
    }
    case "StoreCreditAccount":
      return storeCreditAccountById(ctx, id);
    case "StoreCreditAccountCreditTransaction":
    case "StoreCreditAccountDebitTransaction": {
      const transaction = storeCreditTransactionById(ctx, id);
      return transaction?.__typename === parsed.type ? transaction : null;
    }
    case "GiftCard":
      return giftCardById(ctx, id);
    default:
      throw notImplemented(`node lookup for ${parsed.type}`);
  }
}

export const shopResolvers: ResolverMap = {
  "QueryRoot.shop": (_s, _a, ctx) => ctx.shop.record,
  "QueryRoot.node": (_s, args: { id: string }, ctx) => nodeById(ctx, args.id),
  "QueryRoot.nodes": (_s, args: { ids: string[] }, ctx) => args.ids.map((id) => nodeById(ctx, id)),
  "Shop.plan": (s: ShopRecord) => ({
    displayName: PLAN_NAMES[s.plan],
    publicDisplayName: PLAN_NAMES[s.plan],
    partnerDevelopment: false,
    shopifyPlus: s.plan === "plus",
  }),
  "Shop.url": (s: ShopRecord) => `https://${s.myshopifyDomain}`,
  // The online store's primary domain is the myshopify one; its default language is the shop's primary locale.
  "Shop.primaryDomain": (s: ShopRecord) => ({
    id: s.id.replace("/Shop/", "/Domain/"),
    host: s.myshopifyDomain,
    url: `https://${s.myshopifyDomain}`,
    sslEnabled: true,
    localization: { defaultLocale: s.primaryLocale, alternateLocales: [], country: "*" },
  }),
  "Shop.contactEmail": (s: ShopRecord) => s.email,
  ...hasMetafieldsResolvers("Shop", (s: ShopRecord) => s.id),
};

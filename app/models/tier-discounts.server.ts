// What the app made in Shopify for each tier perk (TierDiscount): one discount per tier and kind, its method, what it
// holds (spec), the create sent whose answer was not recorded, and what Shopify last refused. Written by the sync's
// tier-discount step (services/tier-discounts.server.ts).
import { prisma } from "../db.server";

/** The columns a write may set (the rest keep their values). */
export interface TierDiscountValues {
  discountId?: string | null;
  method?: string | null;
  spec?: string | null;
  segmentId?: string | null;
  pendingSpec?: string | null;
  failure?: string | null;
}

/** Every row of the shop, sorted by tier key then kind. */
export function tierDiscounts(shop: string) {
  return prisma.tierDiscount.findMany({ where: { shop }, orderBy: [{ tierKey: "asc" }, { kind: "asc" }] });
}

export type TierDiscountRow = Awaited<ReturnType<typeof tierDiscounts>>[number];

export function saveTierDiscount(shop: string, tierKey: string, kind: string, values: TierDiscountValues) {
  return prisma.tierDiscount.upsert({
    where: { shop_tierKey_kind: { shop, tierKey, kind } },
    create: { shop, tierKey, kind, ...values },
    update: values,
  });
}

/** Forgets a row whose discount is gone from Shopify (deleted, or never made). */
export function dropTierDiscount(shop: string, tierKey: string, kind: string) {
  return prisma.tierDiscount.deleteMany({ where: { shop, tierKey, kind } });
}

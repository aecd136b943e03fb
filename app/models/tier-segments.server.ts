// What the app last made in Shopify for each tier (TierSegment): its customer segment, and what Shopify last refused. Written by the sync's tier-segment step (services/tier-segments.server.ts).
import { prisma } from "../db.server";

/** The columns a write may set (the rest keep their values). */
export interface TierSegmentValues {
  segmentId?: string | null;
  segmentName?: string | null;
  segmentQuery?: string | null;
  failure?: string | null;
}

/** Every tier's row, by tier key, sorted by tier key. */
export function tierSegments(shop: string) {
  return prisma.tierSegment.findMany({ where: { shop }, orderBy: { tierKey: "asc" } });
}

export type TierSegmentRow = Awaited<ReturnType<typeof tierSegments>>[number];

export function saveTierSegment(shop: string, tierKey: string, values: TierSegmentValues) {
  return prisma.tierSegment.upsert({
    where: { shop_tierKey: { shop, tierKey } },
    create: { shop, tierKey, ...values },
    update: values,
  });
}

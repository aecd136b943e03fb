// A/B tests of campaigns (prisma CampaignVariant, Campaign.testEndedAt / testWinner): the variants of a campaign and
// the state of its test. Every function takes the shop first; no query reaches another shop's rows.
import { prisma } from "../db.server";
import type { CampaignDefinition, CampaignOffer } from "../domain/campaigns";
import { campaignColumns } from "./campaigns.server";
import { VARIANT_KEYS, type AbTestState, type CampaignVariant, type VariantKey } from "../domain/campaign-variants";

type Row = { key: string; offerKind: string; offerValue: number; minimumSubtotalMinor: bigint | null; weight: number };

function fromRow(row: Row, expiryDays: number): CampaignVariant {
  return {
    key: row.key as VariantKey,
    weight: row.weight,
    offer: {
      kind: row.offerKind as CampaignOffer["kind"],
      value: row.offerValue,
      minimumSubtotalMinor: row.minimumSubtotalMinor === null ? null : Number(row.minimumSubtotalMinor),
      expiryDays,
    },
  };
}

const variantRows = (shop: string, campaignId: string, variants: readonly CampaignVariant[]) =>
  variants.map((v) => ({
    shop,
    campaignId,
    key: v.key,
    offerKind: v.offer.kind,
    offerValue: v.offer.value,
    minimumSubtotalMinor: v.offer.minimumSubtotalMinor === null ? null : BigInt(v.offer.minimumSubtotalMinor),
    weight: v.weight,
  }));

/** Records a campaign's variants (A: the campaign's own offer, B: the alternative). */
export async function saveVariants(shop: string, campaignId: string, variants: readonly CampaignVariant[]) {
  if (variants.length === 0) return;
  await prisma.campaignVariant.createMany({ data: variantRows(shop, campaignId, variants) });
}

/**
 * A new campaign and its variants in one transaction, so no run (and no crash) can see the campaign without its test.
 * Returns the campaign's id.
 */
export async function createCampaignWithVariants(
  shop: string,
  c: CampaignDefinition,
  variants: readonly CampaignVariant[],
  now: Date,
): Promise<string> {
  return prisma.$transaction(async (tx) => {
    const row = await tx.campaign.create({ data: { shop, ...campaignColumns(c), startedAt: now, createdAt: now } });
    await tx.campaignVariant.createMany({ data: variantRows(shop, row.id, variants) });
    return row.id;
  });
}

export interface AbTest {
  variants: CampaignVariant[];
  test: AbTestState;
}

/**
 * A campaign's variants and test state; null when the shop has no such campaign. Variant A always carries the
 * campaign's current offer (what the campaign's own columns hold); B its stored one; both share the campaign's expiry.
 */
export async function campaignAbTest(shop: string, campaignId: string): Promise<AbTest | null> {
  const [campaign, rows] = await Promise.all([
    prisma.campaign.findFirst({
      where: { shop, id: campaignId },
      select: {
        offerKind: true,
        offerValue: true,
        minimumSubtotalMinor: true,
        expiryDays: true,
        testEndedAt: true,
        testWinner: true,
      },
    }),
    prisma.campaignVariant.findMany({ where: { shop, campaignId }, orderBy: { key: "asc" } }),
  ]);
  if (!campaign) return null;
  const variants = rows
    .filter((r) => (VARIANT_KEYS as readonly string[]).includes(r.key))
    .map((r) =>
      r.key === "A"
        ? fromRow({ ...campaign, key: "A", weight: r.weight }, campaign.expiryDays)
        : fromRow(r, campaign.expiryDays),
    );
  return {
    variants,
    test: { endedAt: campaign.testEndedAt, winner: (campaign.testWinner as VariantKey | null) ?? null },
  };
}

/**
 * Ends the test with `winner`, once: the update only matches a campaign of this shop whose test is still running,
 * so two concurrent "end" clicks cannot both win. False when nothing changed.
 */
export async function endAbTest(shop: string, campaignId: string, winner: VariantKey, at: Date): Promise<boolean> {
  const { count } = await prisma.campaign.updateMany({
    where: { shop, id: campaignId, testEndedAt: null },
    data: { testEndedAt: at, testWinner: winner },
  });
  return count > 0;
}

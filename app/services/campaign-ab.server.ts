// A/B tests of campaign offers (issue #24 item 3; docs/campaigns.md "A/B tests"): variant B checked and saved with a
// new campaign, each new recipient's variant (stable hash; the winner once the test ended), the offer each code
// carries, the test's report with always-valid intervals, and the merchant's "end the test and send the winner".
import type { CampaignDefinition, CampaignFormInput, CampaignIssue, CampaignOffer } from "../domain/campaigns";
import {
  campaignVariants,
  endTestRefusal,
  offerOfVariant,
  validateVariantB,
  variantForRecipient,
  type CampaignVariant,
  type VariantFormInput,
  type VariantKey,
  type VariantValidation,
} from "../domain/campaign-variants";
import { abTestStats, type AbMember, type AbTestReport } from "../domain/campaign-ab-stats";
import type { MemberOrder } from "../domain/campaign-stats";
import { campaignAbTest, createCampaignWithVariants, endAbTest, type AbTest } from "../models/campaign-variants.server";
import { createCampaign, getCampaign, type Campaign } from "../models/campaigns.server";
import { getActiveTierProgram } from "../models/tier-program.server";
import { shopCurrency } from "../models/shop-currency.server";
import { enqueueCampaigns } from "../jobs/contracts";
import type { JobQueue } from "../jobs/queue";

/** The variant fields of the campaign form. */
export function variantFormInput(form: FormData): VariantFormInput {
  const get = (k: string) => form.get(k) ?? undefined;
  return {
    variantB: get("variantB"),
    variantBOfferKind: get("variantBOfferKind"),
    variantBOfferValue: get("variantBOfferValue"),
    variantBMinimumSubtotal: get("variantBMinimumSubtotal"),
  };
}

/** Variant B as entered, checked like the main offer (`baseOffer`: the main offer when it is valid). */
export async function validateAbInput(
  shop: string,
  input: CampaignFormInput & VariantFormInput,
  baseOffer: CampaignOffer | null,
): Promise<VariantValidation> {
  const [currency, { program }] = await Promise.all([shopCurrency(shop), getActiveTierProgram(shop)]);
  return validateVariantB(input, baseOffer, { currency, tierKeys: program.tiers.map((t) => t.key) });
}

/** Creates a campaign, with its A/B test when there is a variant B (campaign and variants in one transaction). */
export async function createCampaignWithTest(
  shop: string,
  definition: CampaignDefinition,
  variantB: Extract<VariantValidation, { ok: true }>["variantB"],
  now: Date,
): Promise<Campaign> {
  if (!variantB) return createCampaign(shop, definition, now);
  const id = await createCampaignWithVariants(shop, definition, campaignVariants(definition.offer, variantB), now);
  return (await getCampaign(shop, id))!;
}

/** Who gets which variant in this run: null for a campaign without a test. */
export async function variantAssigner(
  shop: string,
  campaign: Campaign,
): Promise<(customerId: string) => VariantKey | null> {
  const ab = await campaignAbTest(shop, campaign.id);
  const variants = ab?.variants ?? [];
  const test = ab?.test ?? { endedAt: null, winner: null };
  return (customerId) => variantForRecipient(campaign.id, customerId, variants, test);
}

/** The offer a recipient's code carries (the variant's, or the campaign's), reading each campaign's variants once. */
export function offerResolver(shop: string) {
  const cache = new Map<string, Promise<CampaignVariant[]>>();
  return async (campaign: Campaign, variant: string | null): Promise<CampaignOffer> => {
    if (variant === null) return campaign.offer;
    if (!cache.has(campaign.id))
      cache.set(
        campaign.id,
        campaignAbTest(shop, campaign.id).then((ab) => ab?.variants ?? []),
      );
    return offerOfVariant(campaign.offer, await cache.get(campaign.id)!, variant);
  };
}

export type { AbTestReport };

/** The test's report; null for a campaign without variants. `members` are the observed ones (holdout, issued codes). */
export async function abTestReport(
  shop: string,
  campaign: Campaign,
  members: readonly (AbMember & { holdout: boolean })[],
  orders: readonly MemberOrder[],
  now = new Date(),
): Promise<AbTestReport | null> {
  const ab: AbTest | null = await campaignAbTest(shop, campaign.id);
  if (!ab || ab.variants.length === 0) return null;
  const stats = abTestStats(members, orders, {
    windowDays: campaign.offer.expiryDays,
    variants: ab.variants,
    holdoutPercent: campaign.holdoutPercent,
    now: now.getTime(),
    endedAt: ab.test.endedAt?.getTime() ?? null,
  });
  return {
    ...stats,
    variants: ab.variants.map((v) => ({ key: v.key, offer: v.offer, weight: v.weight })),
    endedAt: ab.test.endedAt?.toISOString() ?? null,
    winner: ab.test.winner,
  };
}

export type EndTestResult =
  | { ok: true; intent: string; id: string }
  | { ok: false; intent: string; issues: CampaignIssue[] };

const REFUSALS = {
  not_a_test: "This campaign has no A/B test.",
  test_already_ended: "This test has already ended.",
  unknown_variant: "Choose variant A or B.",
} as const;

/**
 * Ends the campaign's test with the merchant's chosen winner: from now on every new recipient gets the winner's offer
 * (the holdout stays), and the test's figures stay as they were at this moment. Null when the shop has no such
 * campaign; a clear refusal (and no change) for a campaign without a test, a test already ended, or an unknown
 * variant. A run is queued so the rest of the audience is reached within seconds.
 */
export async function endCampaignTest(
  shop: string,
  id: string,
  winner: unknown,
  { queue, now = new Date() }: { queue: JobQueue; now?: Date },
): Promise<EndTestResult | null> {
  const intent = "end_test";
  const ab = await campaignAbTest(shop, id);
  if (!ab) return null;
  const refusal = endTestRefusal(ab.variants, ab.test, winner);
  const refuse = (key: keyof typeof REFUSALS): EndTestResult => ({
    ok: false,
    intent,
    issues: [{ path: ["winner"], key, message: REFUSALS[key] }],
  });
  if (refusal) return refuse(refusal);
  if (!(await endAbTest(shop, id, winner as VariantKey, now))) return refuse("test_already_ended");
  await enqueueCampaigns(queue, shop, "manual");
  return { ok: true, intent, id };
}

/**
 * An edit of a campaign with an A/B test may not change the offer or its validity: A's offer is the campaign's own, and
 * changing it (or the observation window) mid-test would mix two experiments in one report, or after the end rewrite
 * the frozen figures. Issues on the fields concerned; none for a campaign without a test or an unchanged offer.
 */
export async function fixedOfferIssues(
  shop: string,
  campaign: Campaign,
  next: CampaignOffer,
): Promise<CampaignIssue[]> {
  const ab = await campaignAbTest(shop, campaign.id);
  if (!ab || ab.variants.length === 0) return [];
  const before = campaign.offer;
  const changed: (keyof CampaignOffer)[] = (["kind", "value", "minimumSubtotalMinor", "expiryDays"] as const).filter(
    (k) => before[k] !== next[k],
  );
  const field = {
    kind: "offerKind",
    value: "offerValue",
    minimumSubtotalMinor: "minimumSubtotal",
    expiryDays: "expiryDays",
  };
  return changed.map((k) => ({
    path: [field[k]],
    key: "offer_fixed_in_test",
    message: "This campaign is an A/B test: its offers and their validity cannot change.",
  }));
}

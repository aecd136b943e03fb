// A/B tests of campaign offers (issue #24 item 3; docs/campaigns.md "A/B tests"), as pure rules: a campaign's
// variants (A is the campaign's own offer, B an alternative), the stable assignment of a recipient to a variant, the
// validation of variant B as the merchant entered it, and what ending a test means. The statistics live in
// app/domain/sequential-stats.ts.
import {
  holdoutBucket,
  validateCampaign,
  type CampaignFormInput,
  type CampaignIssue,
  type CampaignOffer,
} from "./campaigns";

export const VARIANT_KEYS = ["A", "B"] as const;
export type VariantKey = (typeof VARIANT_KEYS)[number];

/** One arm of a test: its offer (the expiry is the campaign's, so every arm is observed for the same window). */
export interface CampaignVariant {
  key: VariantKey;
  offer: CampaignOffer;
  /** Relative share of the recipients (not of the holdout) this variant gets. */
  weight: number;
}

/** An A/B test's state: running until the merchant ends it and names the winner. */
export interface AbTestState {
  endedAt: Date | null;
  winner: VariantKey | null;
}

/** The default split between A and B: even. */
export const DEFAULT_VARIANT_WEIGHT = 50;

/** The variants of a campaign: none without a variant B; else A (the campaign's offer) and B. */
export function campaignVariants(
  offer: CampaignOffer,
  variantB: { offer: Omit<CampaignOffer, "expiryDays">; weightA: number; weightB: number } | null,
): CampaignVariant[] {
  if (!variantB) return [];
  return [
    { key: "A", offer, weight: variantB.weightA },
    { key: "B", offer: { ...variantB.offer, expiryDays: offer.expiryDays }, weight: variantB.weightB },
  ];
}

/**
 * Which variant a recipient gets: a hash of (campaign, customer) different from the holdout's (a "variant" salt), so
 * the same customer always gets the same variant of a campaign, on every rerun and in every process, independently of
 * whether they were held out; shares converge on the weights.
 */
export function pickVariant(
  campaignId: string,
  customerId: string,
  variants: readonly { key: VariantKey; weight: number }[],
): VariantKey {
  const total = variants.reduce((a, v) => a + v.weight, 0);
  if (variants.length === 0 || !(total > 0)) throw new Error("a test needs variants with positive weights");
  const u = holdoutBucket(`variant\u0000${campaignId}\u0000${customerId}`) * total;
  let acc = 0;
  for (const v of variants) {
    acc += v.weight;
    if (u < acc) return v.key;
  }
  return variants[variants.length - 1].key;
}

/**
 * The variant of a new recipient: null for a campaign without variants; the winner once the test ended (everyone
 * new gets the winning offer; the holdout is decided before this and stays); otherwise the stable pick.
 */
export function variantForRecipient(
  campaignId: string,
  customerId: string,
  variants: readonly CampaignVariant[],
  test: AbTestState,
): VariantKey | null {
  if (variants.length === 0) return null;
  if (test.endedAt !== null && test.winner !== null) return test.winner;
  return pickVariant(campaignId, customerId, variants);
}

/** The offer a recipient's code carries. */
export function offerOfVariant(
  offer: CampaignOffer,
  variants: readonly CampaignVariant[],
  key: string | null,
): CampaignOffer {
  if (key === null) return offer;
  return variants.find((v) => v.key === key)?.offer ?? offer;
}

/**
 * Probability, by design, that a unit of the comparison "treated vs control" is in the treated arm. Recipients are
 * first split off from the holdout (holdoutPercent), then among variants by weight; so among {variant v, holdout}
 * a unit is v with probability (1 − h)·w_v / ((1 − h)·w_v + h), and among {B, A} it is B with w_B / (w_A + w_B).
 */
export function propensity(
  treated: { weight: number } | "holdout",
  control: { weight: number } | "holdout",
  { holdoutPercent, totalWeight }: { holdoutPercent: number; totalWeight: number },
): number {
  const h = holdoutPercent / 100;
  const mass = (arm: { weight: number } | "holdout") => (arm === "holdout" ? h : ((1 - h) * arm.weight) / totalWeight);
  return mass(treated) / (mass(treated) + mass(control));
}

// ---- The merchant's input ----------------------------------------------------------------------------------------

export interface VariantFormInput {
  /** "on" when the merchant added a variant B. */
  variantB?: unknown;
  variantBOfferKind?: unknown;
  variantBOfferValue?: unknown;
  variantBMinimumSubtotal?: unknown;
}

const VARIANT_FIELDS = {
  offerKind: "variantBOfferKind",
  offerValue: "variantBOfferValue",
  minimumSubtotal: "variantBMinimumSubtotal",
} as const;

export type VariantValidation =
  | { ok: true; variantB: { offer: Omit<CampaignOffer, "expiryDays">; weightA: number; weightB: number } | null }
  | { ok: false; issues: CampaignIssue[] };

/**
 * Variant B's offer, checked exactly like the campaign's own offer (the same rules and messages, reported on the B
 * fields), and refused when it is the same offer as A (a test of an offer against itself decides nothing).
 */
export function validateVariantB(
  input: CampaignFormInput & VariantFormInput,
  base: CampaignOffer | null,
  context: { currency: string; tierKeys: readonly string[] },
): VariantValidation {
  const on = input.variantB === "on" || input.variantB === "true" || input.variantB === true;
  if (!on) return { ok: true, variantB: null };
  const checked = validateCampaign(
    {
      ...input,
      offerKind: input.variantBOfferKind,
      offerValue: input.variantBOfferValue,
      minimumSubtotal: input.variantBMinimumSubtotal,
    },
    context,
  );
  const fields = Object.keys(VARIANT_FIELDS) as (keyof typeof VARIANT_FIELDS)[];
  if (!checked.ok) {
    const mine = checked.issues
      .filter((i) => (fields as string[]).includes(i.path[0]))
      .map((i) => ({ ...i, path: [VARIANT_FIELDS[i.path[0] as keyof typeof VARIANT_FIELDS]] }));
    // Issues elsewhere in the form are the campaign's own (reported once, by validateCampaign on the real input).
    if (mine.length) return { ok: false, issues: mine };
    return { ok: true, variantB: null };
  }
  const { kind, value, minimumSubtotalMinor } = checked.campaign.offer;
  if (base && base.kind === kind && base.value === value && base.minimumSubtotalMinor === minimumSubtotalMinor)
    return {
      ok: false,
      issues: [
        {
          path: ["variantBOfferValue"],
          key: "variant_same_offer",
          message: "Variant B must differ from the main offer (kind, value or minimum).",
        },
      ],
    };
  return {
    ok: true,
    variantB: {
      offer: { kind, value, minimumSubtotalMinor },
      weightA: DEFAULT_VARIANT_WEIGHT,
      weightB: DEFAULT_VARIANT_WEIGHT,
    },
  };
}

/** Why a test cannot be ended with this winner (an i18n key under campaigns.rules), or null when it can. */
export function endTestRefusal(
  variants: readonly CampaignVariant[],
  test: AbTestState,
  winner: unknown,
): "not_a_test" | "test_already_ended" | "unknown_variant" | null {
  if (variants.length === 0) return "not_a_test";
  if (test.endedAt !== null) return "test_already_ended";
  if (typeof winner !== "string" || !variants.some((v) => v.key === winner)) return "unknown_variant";
  return null;
}

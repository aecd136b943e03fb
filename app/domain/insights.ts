// Insight segments (issue #22 item 5, docs/insights.md), as pure rules: which insights there are, how one is chosen
// (a campaign audience, the customer list's filter) and checked, and which of them a customer carries as tags. The
// SQL that selects the customers is app/models/insights.server.ts; it implements exactly these definitions.

/** RFM segments that "look fine": a customer in one of these who the model says has probably left is "likely lost". */
export const LOOKS_FINE_SEGMENTS = ["champions", "loyal", "potential_loyalist", "new", "promising"] as const;

/** Predicted 12-month CLV bands (CustomerPrediction.band). */
export const CLV_BANDS = ["high", "medium", "low"] as const;
export type ClvBand = (typeof CLV_BANDS)[number];

/**
 * "Promotion-only buyers": at least `minOrders` qualifying orders, and strictly more than `share` of them used a
 * discount (an amount taken off, or a discount code). Lifetime, over every qualifying order in the ledger.
 */
export const PROMOTION_ONLY = { minOrders: 2, share: 0.5 } as const;

/** Every insight, as chosen in a form or a URL. */
export const INSIGHT_KEYS = [
  "clv_high",
  "clv_medium",
  "clv_low",
  "likely_lost",
  "promotion_only",
  "product",
  "product_type",
] as const;
export type InsightKey = (typeof INSIGHT_KEYS)[number];

/** Insights a customer can carry as a tag (per product would be hundreds of tags: not tagged). */
export const TAGGED_INSIGHTS = ["clv_high", "clv_medium", "clv_low", "likely_lost", "promotion_only"] as const;
export type TaggedInsight = (typeof TAGGED_INSIGHTS)[number];

export type Insight =
  | { key: TaggedInsight }
  | { key: "product"; productId: string }
  | { key: "product_type"; productType: string };

/** Insights that need the shop's predictive fit (empty, with the reason shown, while there is none). */
export function needsPredictions(insight: Insight): boolean {
  return (
    insight.key === "clv_high" ||
    insight.key === "clv_medium" ||
    insight.key === "clv_low" ||
    insight.key === "likely_lost"
  );
}

export function clvBandOf(insight: Insight): ClvBand | null {
  return insight.key === "clv_high"
    ? "high"
    : insight.key === "clv_medium"
      ? "medium"
      : insight.key === "clv_low"
        ? "low"
        : null;
}

export const PRODUCT_GID_PATTERN = /^gid:\/\/shopify\/Product\/[1-9]\d{0,19}$/;
export const PRODUCT_TYPE_MAX_LENGTH = 255;

export interface InsightIssue {
  path: string[];
  key: string;
  message: string;
  params?: Record<string, string | number>;
}

/** The raw choice: the insight key, and the product (gid) or product type it needs. */
export interface InsightInput {
  insight?: unknown;
  product?: unknown;
  productType?: unknown;
}

const text = (v: unknown) => (typeof v === "string" ? v.trim() : "");

/**
 * Checks an insight as chosen; issues on the fields `insight`, `insightProduct`, `insightProductType` (keys are i18n
 * keys under campaigns.rules, shared with the customer list).
 */
export function validateInsight(
  input: InsightInput,
): { ok: true; insight: Insight } | { ok: false; issues: InsightIssue[] } {
  const key = text(input.insight);
  if (!(INSIGHT_KEYS as readonly string[]).includes(key))
    return { ok: false, issues: [{ path: ["insight"], key: "choose_insight", message: "Choose an insight." }] };
  if (key === "product") {
    const productId = text(input.product);
    if (!PRODUCT_GID_PATTERN.test(productId))
      return {
        ok: false,
        issues: [{ path: ["insightProduct"], key: "insight_product", message: "Choose a product." }],
      };
    return { ok: true, insight: { key, productId } };
  }
  if (key === "product_type") {
    const productType = text(input.productType);
    if (productType === "" || Array.from(productType).length > PRODUCT_TYPE_MAX_LENGTH)
      return {
        ok: false,
        issues: [
          {
            path: ["insightProductType"],
            key: "insight_product_type",
            message: `Enter a product type of 1 to ${PRODUCT_TYPE_MAX_LENGTH} characters.`,
            params: { max: PRODUCT_TYPE_MAX_LENGTH },
          },
        ],
      };
    return { ok: true, insight: { key, productType } };
  }
  return { ok: true, insight: { key: key as TaggedInsight } };
}

/** An insight read back from stored JSON (a campaign's audience); throws on anything else. */
export function parseStoredInsight(value: unknown): Insight {
  const v = value as Record<string, unknown> | null;
  const checked = validateInsight({ insight: v?.key, product: v?.productId, productType: v?.productType });
  if (!checked.ok) throw new Error(`invalid insight ${JSON.stringify(value)}`);
  return checked.insight;
}

/** What the model knows of one customer, for the tags. */
export interface InsightFacts {
  segment: string;
  /** CustomerPrediction.band; null: not predicted. */
  band: string | null;
  /** CustomerPrediction.pAlive; null: not predicted. */
  pAlive: number | null;
  qualifyingOrders: number;
  discountedOrders: number;
}

export function isPromotionOnly(qualifyingOrders: number, discountedOrders: number): boolean {
  return qualifyingOrders >= PROMOTION_ONLY.minOrders && discountedOrders > PROMOTION_ONLY.share * qualifyingOrders;
}

/** Likely lost: P(active) below the merchant's threshold while the RFM segment still looks fine. */
export function isLikelyLost(segment: string, pAlive: number | null, threshold: number | null): boolean {
  return (
    pAlive !== null &&
    threshold !== null &&
    pAlive < threshold &&
    (LOOKS_FINE_SEGMENTS as readonly string[]).includes(segment)
  );
}

/**
 * The tagged insights a customer has. `threshold` is the shop's churn threshold, null when the shop has no fit (then
 * no prediction-based insight applies, whatever rows remain).
 */
export function customerInsights(facts: InsightFacts, threshold: number | null): TaggedInsight[] {
  const out: TaggedInsight[] = [];
  if (threshold !== null && facts.band !== null && (CLV_BANDS as readonly string[]).includes(facts.band))
    out.push(`clv_${facts.band as ClvBand}`);
  if (isLikelyLost(facts.segment, facts.pAlive, threshold)) out.push("likely_lost");
  if (isPromotionOnly(facts.qualifyingOrders, facts.discountedOrders)) out.push("promotion_only");
  return out;
}

/** The tags for a customer's insights under the prefix ("insight:" → "insight:promotion_only"). */
export function insightTags(insights: readonly TaggedInsight[], prefix: string | null): string[] {
  return prefix === null ? [] : insights.map((k) => `${prefix}${k}`);
}

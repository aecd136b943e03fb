// Insight rules (app/domain/insights.ts) and the campaign audience that carries one (app/domain/campaigns.ts), on
// hand-made inputs: the definitions of docs/insights.md, the validation of a choice, the tags.
import { describe, expect, it } from "vitest";
import {
  customerInsights,
  insightTags,
  isLikelyLost,
  isPromotionOnly,
  parseStoredInsight,
  validateInsight,
  type InsightFacts,
} from "../../app/domain/insights";
import { campaignFormValues, parseAudience, validateCampaign } from "../../app/domain/campaigns";
import { DEFAULT_SYNC_SETTINGS, desiredTags, tagChange, validateSyncSettings } from "../../app/domain/sync";

describe("promotion-only buyers", () => {
  it("needs at least two qualifying orders and strictly more than half of them discounted", () => {
    expect(isPromotionOnly(0, 0)).toBe(false);
    expect(isPromotionOnly(1, 1)).toBe(false); // one order is not a habit
    expect(isPromotionOnly(2, 1)).toBe(false); // half is not most
    expect(isPromotionOnly(2, 2)).toBe(true);
    expect(isPromotionOnly(3, 2)).toBe(true);
    expect(isPromotionOnly(4, 2)).toBe(false);
    expect(isPromotionOnly(5, 3)).toBe(true);
  });
});

describe("likely lost", () => {
  it("is P(active) below the threshold while the RFM segment looks fine", () => {
    expect(isLikelyLost("champions", 0.2, 0.5)).toBe(true);
    expect(isLikelyLost("loyal", 0.49, 0.5)).toBe(true);
    expect(isLikelyLost("promising", 0.5, 0.5)).toBe(false); // at the threshold is not below it
    expect(isLikelyLost("new", 0.1, 0.3)).toBe(true);
    expect(isLikelyLost("potential_loyalist", 0.1, 0.3)).toBe(true);
    // Segments that already say the customer is slipping are the RFM's own news, not the model's.
    for (const segment of ["need_attention", "about_to_sleep", "at_risk", "cant_lose", "hibernating", "prospect"])
      expect(isLikelyLost(segment, 0.01, 0.5)).toBe(false);
    expect(isLikelyLost("champions", null, 0.5)).toBe(false); // not predicted
    expect(isLikelyLost("champions", 0.1, null)).toBe(false); // no fit
  });
});

describe("a customer's tagged insights", () => {
  const facts = (over: Partial<InsightFacts>): InsightFacts => ({
    segment: "loyal",
    band: null,
    pAlive: null,
    qualifyingOrders: 1,
    discountedOrders: 0,
    ...over,
  });
  it("lists band, likely lost and promotion-only in that order", () => {
    expect(
      customerInsights(facts({ band: "high", pAlive: 0.2, qualifyingOrders: 3, discountedOrders: 2 }), 0.5),
    ).toEqual(["clv_high", "likely_lost", "promotion_only"]);
    expect(customerInsights(facts({ band: "low", pAlive: 0.9 }), 0.5)).toEqual(["clv_low"]);
  });
  it("drops the prediction-based ones when the shop has no fit (threshold null), whatever rows remain", () => {
    expect(
      customerInsights(facts({ band: "high", pAlive: 0.1, qualifyingOrders: 2, discountedOrders: 2 }), null),
    ).toEqual(["promotion_only"]);
  });
  it("ignores a band it does not know", () => {
    expect(customerInsights(facts({ band: "extreme" }), 0.5)).toEqual([]);
  });
  it("tags under the prefix, none without one", () => {
    expect(insightTags(["clv_high", "promotion_only"], "insight:")).toEqual([
      "insight:clv_high",
      "insight:promotion_only",
    ]);
    expect(insightTags(["clv_high"], null)).toEqual([]);
  });
});

describe("choosing an insight", () => {
  it("accepts each key, a product gid and a product type", () => {
    for (const key of ["clv_high", "clv_medium", "clv_low", "likely_lost", "promotion_only"])
      expect(validateInsight({ insight: key })).toEqual({ ok: true, insight: { key } });
    expect(validateInsight({ insight: "product", product: " gid://shopify/Product/42 " })).toEqual({
      ok: true,
      insight: { key: "product", productId: "gid://shopify/Product/42" },
    });
    expect(validateInsight({ insight: "product_type", productType: " Shoes " })).toEqual({
      ok: true,
      insight: { key: "product_type", productType: "Shoes" },
    });
  });
  it("refuses anything else, with the field and the message key", () => {
    const fail = (input: Parameters<typeof validateInsight>[0]) => {
      const r = validateInsight(input);
      if (r.ok) throw new Error(`accepted ${JSON.stringify(input)}`);
      return r.issues.map((i) => [i.path[0], i.key]);
    };
    expect(fail({})).toEqual([["insight", "choose_insight"]]);
    expect(fail({ insight: "clv_huge" })).toEqual([["insight", "choose_insight"]]);
    expect(fail({ insight: ["clv_high"] })).toEqual([["insight", "choose_insight"]]);
    expect(fail({ insight: "product" })).toEqual([["insightProduct", "insight_product"]]);
    expect(fail({ insight: "product", product: "gid://shopify/Customer/1" })).toEqual([
      ["insightProduct", "insight_product"],
    ]);
    expect(fail({ insight: "product", product: "gid://shopify/Product/0" })).toEqual([
      ["insightProduct", "insight_product"],
    ]);
    expect(fail({ insight: "product", product: "42" })).toEqual([["insightProduct", "insight_product"]]);
    expect(fail({ insight: "product_type", productType: "   " })).toEqual([
      ["insightProductType", "insight_product_type"],
    ]);
    expect(fail({ insight: "product_type", productType: "x".repeat(256) })).toEqual([
      ["insightProductType", "insight_product_type"],
    ]);
  });
  it("reads back only what validation accepts", () => {
    expect(parseStoredInsight({ key: "likely_lost" })).toEqual({ key: "likely_lost" });
    expect(() => parseStoredInsight({ key: "product", productId: "nope" })).toThrow();
    expect(() => parseStoredInsight(null)).toThrow();
  });
});

describe("the insight campaign audience", () => {
  const base = {
    name: "Promo lovers",
    template: "custom",
    audienceKind: "insight",
    schedule: "daily",
    offerKind: "percentage",
    offerValue: "10",
    minimumSubtotal: "",
    expiryDays: "30",
    holdoutPercent: "10",
    cooldownDays: "90",
    codePrefix: "PROMO-",
  };
  const opts = { currency: "USD", tierKeys: [] };
  it("validates, stores as JSON and reads back, and fills the form again", () => {
    const r = validateCampaign({ ...base, insight: "product", insightProduct: "gid://shopify/Product/7" }, opts);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.campaign.audience).toEqual({
      kind: "insight",
      insight: { key: "product", productId: "gid://shopify/Product/7" },
    });
    expect(parseAudience(JSON.stringify(r.campaign.audience))).toEqual(r.campaign.audience);
    const values = campaignFormValues(r.campaign, "USD");
    expect(values).toMatchObject({
      audienceKind: "insight",
      insight: "product",
      insightProduct: "gid://shopify/Product/7",
    });
    const again = validateCampaign({ ...values, audienceKind: "insight" }, opts);
    expect(again.ok && again.campaign.audience).toEqual(r.campaign.audience);
  });
  it("reports a bad insight on its field", () => {
    const r = validateCampaign({ ...base, insight: "product_type", insightProductType: "" }, opts);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.path[0])).toEqual(["insightProductType"]);
  });
  it("refuses a stored insight audience that is not valid", () => {
    expect(() => parseAudience(JSON.stringify({ kind: "insight", insight: { key: "nope" } }))).toThrow();
  });
});

describe("insight tags in the sync rules", () => {
  const settings = { ...DEFAULT_SYNC_SETTINGS, insightPrefix: "insight:" };
  it("asks for one tag per insight under the prefix, none when the prefix is off", () => {
    const state = { segment: "loyal", tier: "gold", insights: ["clv_high", "promotion_only"] };
    expect(desiredTags(state, settings)).toEqual([
      "rfm:loyal",
      "tier:gold",
      "insight:clv_high",
      "insight:promotion_only",
    ]);
    expect(desiredTags(state, DEFAULT_SYNC_SETTINGS)).toEqual(["rfm:loyal", "tier:gold"]);
    expect(desiredTags({ segment: "loyal", tier: null }, settings)).toEqual(["rfm:loyal"]);
  });
  it("removes an insight the customer lost, never the merchant's own tags under the prefix", () => {
    const change = tagChange(
      desiredTags({ segment: "loyal", tier: null, insights: ["clv_low"] }, settings),
      ["rfm:loyal", "insight:clv_high", "insight:promotion_only"],
      ["insight:vip"],
    );
    expect(change).toEqual({ add: ["insight:clv_low"], remove: ["insight:clv_high", "insight:promotion_only"] });
  });
  it("validates the prefix like the others and refuses one that overlaps them", () => {
    const ok = validateSyncSettings({ rfmPrefix: "rfm:", tierPrefix: "tier:", insightPrefix: "insight:" });
    expect(ok.ok && ok.settings.insightPrefix).toBe("insight:");
    const off = validateSyncSettings({ rfmPrefix: "rfm:", tierPrefix: "tier:", insightPrefix: "  " });
    expect(off.ok && off.settings.insightPrefix).toBeNull();
    const keys = (input: Record<string, unknown>) => {
      const r = validateSyncSettings({ rfmPrefix: "rfm:", tierPrefix: "tier:", ...input });
      return r.ok ? [] : r.issues.map((i) => `${i.path[0]}:${i.key}`);
    };
    expect(keys({ insightPrefix: "rfm:" })).toEqual(["insightPrefix:sync.prefix.insight_overlap"]);
    expect(keys({ insightPrefix: "rfm:x" })).toEqual(["insightPrefix:sync.prefix.insight_overlap"]);
    expect(keys({ insightPrefix: "TIER" })).toEqual(["insightPrefix:sync.prefix.insight_overlap"]);
    expect(keys({ insightPrefix: "in,sight" })).toEqual(["insightPrefix:sync.prefix.comma"]);
    expect(keys({ insightPrefix: " insight:" })).toEqual(["insightPrefix:sync.prefix.spaces"]);
    expect(keys({ insightPrefix: 7 })).toEqual(["insightPrefix:field.invalid_type"]);
    expect(keys({ insightPrefix: "x".repeat(41) })).toEqual(["insightPrefix:sync.prefix.too_long"]);
  });
});

// Campaign rules and attribution arithmetic on hand-computed data (app/domain/campaigns.ts, campaign-stats.ts).
import { describe, expect, it } from "vitest";
import {
  campaignCode,
  campaignFormValues,
  campaignTemplate,
  cooledDown,
  dueToday,
  holdoutBucket,
  inHoldout,
  isTierUp,
  offerExpiresAt,
  offerText,
  validateCampaign,
} from "../../app/domain/campaigns";
import {
  campaignStats,
  proportionDifferenceInterval,
  wilsonInterval,
  type CampaignMember,
  type MemberOrder,
} from "../../app/domain/campaign-stats";

const DAY = 86_400_000;
const TIERS = ["member", "silver", "gold"];

describe("attribution", () => {
  // Three recipients (codes A, B, C) and two holdout customers, all assigned at 0, observed for 10 days.
  const members: CampaignMember[] = [
    { customerId: "t1", holdout: false, assignedAt: 0, code: "A" },
    { customerId: "t2", holdout: false, assignedAt: 0, code: "B" },
    { customerId: "t3", holdout: false, assignedAt: 0, code: "C" },
    { customerId: "h1", holdout: true, assignedAt: 0, code: null },
    { customerId: "h2", holdout: true, assignedAt: 0, code: null },
  ];
  const order = (
    customerId: string,
    day: number,
    valueMinor: number,
    codes: string[] = [],
    discountMinor = 0,
  ): MemberOrder => ({
    customerId,
    processedAt: day * DAY,
    valueMinor,
    discountMinor,
    discountCodes: codes,
  });
  const orders = [
    order("t1", 1, 100, ["a"], 20), // redeems A (codes compare without case)
    order("t1", 3, 50),
    order("t2", 10, 80, ["B"], 15), // exactly at the window's end: outside
    order("h1", 2, 60),
    order("x", 1, 999, ["C"], 5), // not a member
  ];
  const stats = campaignStats(members, orders, { windowDays: 10, codes: new Set(["A", "B", "C"]) });

  it("counts redemptions, their revenue and the discounts they cost", () => {
    expect(stats).toMatchObject({
      recipients: 3,
      holdout: 2,
      redemptions: 1,
      redeemedRevenueMinor: 100,
      discountCostMinor: 20,
    });
    expect(stats.redemptionRate).toBeCloseTo(1 / 3, 12);
  });

  it("compares conversion of recipients and holdout with a 95 % interval", () => {
    // 1 of 3 recipients ordered, 1 of 2 holdout customers: lift −1/6. Newcombe's hybrid score interval: Wilson 1/3 →
    // [0.061492, 0.792347], 1/2 → [0.094531, 0.905469]; −1/6 − √(0.271841² + 0.405469²), −1/6 + √(0.459014² + 0.405469²)
    expect(stats.conversionRecipients).toBeCloseTo(1 / 3, 12);
    expect(stats.conversionHoldout).toBeCloseTo(0.5, 12);
    expect(stats.conversionLift).toBeCloseTo(-1 / 6, 12);
    expect(stats.conversionLiftInterval!.low).toBeCloseTo(-0.6548292253357504, 12);
    expect(stats.conversionLiftInterval!.high).toBeCloseTo(0.44578123286192456, 12);
  });

  it("gives Newcombe's published intervals for a difference of proportions (method 10, Table II)", () => {
    // Newcombe (1998), Statistics in Medicine 17:873–890, examples (a)–(h), method 10, to the paper's 4 decimals.
    const cases: [number, number, number, number, number, number][] = [
      [56, 70, 48, 80, 0.0524, 0.3339],
      [9, 10, 3, 10, 0.1705, 0.809],
      [6, 7, 2, 7, 0.0582, 0.8062],
      [5, 56, 0, 29, -0.0381, 0.1926],
      [0, 10, 0, 20, -0.1611, 0.2775],
      [0, 10, 0, 10, -0.2775, 0.2775],
      [10, 10, 0, 20, 0.6791, 1],
      [10, 10, 0, 10, 0.6075, 1],
    ];
    for (const [x1, n1, x2, n2, low, high] of cases) {
      const interval = proportionDifferenceInterval(x1, n1, x2, n2);
      expect(interval.low).toBeCloseTo(low, 4);
      expect(interval.high).toBeCloseTo(high, 4);
    }
    // Wilson's interval never leaves [0, 1] and is not empty at 0 %.
    expect(wilsonInterval(0, 10).low).toBe(0);
    expect(wilsonInterval(0, 10).high).toBeCloseTo(0.2775, 4);
  });

  it("gives incremental revenue with Welch's interval, and ROI against the discount cost", () => {
    // Recipients' revenue 150, 0, 0: mean 50, variance 7500. Holdout 60, 0: mean 30, variance 1800.
    // Lift (50 − 30) × 3 = 60; se = √(7500/3 + 1800/2) × 3 = 174.9286; 95 %: 60 ± 342.853
    expect(stats.revenuePerRecipientMinor).toBe(50);
    expect(stats.revenuePerHoldoutMinor).toBe(30);
    expect(stats.incrementalRevenueMinor).toBeCloseTo(60, 9);
    expect(stats.incrementalRevenueInterval!.low).toBeCloseTo(-282.853, 2);
    expect(stats.incrementalRevenueInterval!.high).toBeCloseTo(402.853, 2);
    // (60 − 20) / 20
    expect(stats.roi).toBeCloseTo(2, 12);
  });

  it("has no comparison without a holdout, and no rates without members", () => {
    const noHoldout = campaignStats(
      members.filter((m) => !m.holdout),
      orders,
      { windowDays: 10, codes: new Set(["A"]) },
    );
    expect(noHoldout).toMatchObject({
      holdout: 0,
      conversionHoldout: null,
      conversionLift: null,
      incrementalRevenueMinor: null,
      roi: null,
    });
    expect(campaignStats([], [], { windowDays: 10, codes: new Set() })).toMatchObject({
      recipients: 0,
      redemptionRate: null,
      conversionRecipients: null,
    });
  });

  it("counts an order once even when it carries two of the campaign's codes", () => {
    const both = campaignStats([members[0], members[1]], [order("t1", 1, 100, ["A", "B"], 30)], {
      windowDays: 10,
      codes: new Set(["A", "B"]),
    });
    expect(both).toMatchObject({ redemptions: 1, redeemedRevenueMinor: 100, discountCostMinor: 30 });
  });
});

describe("holdout", () => {
  it("is the same for a customer every time and converges on the share asked for", () => {
    expect(inHoldout("c1", "gid://shopify/Customer/1", 10)).toBe(inHoldout("c1", "gid://shopify/Customer/1", 10));
    const ids = Array.from({ length: 20_000 }, (_, i) => `gid://shopify/Customer/${i + 1}`);
    const share = ids.filter((id) => inHoldout("campaign-a", id, 10)).length / ids.length;
    expect(share).toBeGreaterThan(0.09);
    expect(share).toBeLessThan(0.11);
    // Another campaign holds out other customers
    const overlap =
      ids.filter((id) => inHoldout("campaign-a", id, 10) && inHoldout("campaign-b", id, 10)).length / ids.length;
    expect(overlap).toBeGreaterThan(0.005);
    expect(overlap).toBeLessThan(0.015);
    expect(ids.some((id) => inHoldout("campaign-a", id, 0))).toBe(false);
  });

  it("buckets uniformly in [0, 1)", () => {
    const buckets = new Array(10).fill(0);
    for (let i = 0; i < 10_000; i++) buckets[Math.floor(holdoutBucket(`k${i}`) * 10)]++;
    for (const b of buckets) expect(Math.abs(b - 1000)).toBeLessThan(120);
  });
});

describe("rules", () => {
  it("makes codes from the prefix and 10 unambiguous characters", () => {
    const code = campaignCode("WB-", (n) => Uint8Array.from({ length: n }, (_, i) => i * 7));
    expect(code).toMatch(/^WB-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{10}$/);
  });

  it("expires the offer its days after issue and reads it for the shopper", () => {
    const offer = campaignTemplate("win_back", "USD").offer;
    expect(offerExpiresAt(offer, new Date("2026-11-01T00:00:00Z")).toISOString()).toBe("2026-12-01T00:00:00.000Z");
    expect(offerText(offer, "USD")).toBe("10.00 USD");
    expect(offerText({ ...offer, kind: "percentage", value: 15 }, "USD")).toBe("15%");
    expect(offerText(campaignTemplate("win_back", "JPY").offer, "JPY")).toBe("10 JPY");
  });

  it("waits out the cooldown and runs a daily campaign once per UTC day", () => {
    const now = new Date("2026-11-20T10:00:00Z");
    expect(cooledDown(null, 90, now)).toBe(true);
    expect(cooledDown(new Date(now.getTime() - 89 * DAY), 90, now)).toBe(false);
    expect(cooledDown(new Date(now.getTime() - 90 * DAY), 90, now)).toBe(true);
    expect(dueToday("daily", new Date("2026-11-20T00:00:01Z"), now)).toBe(false);
    expect(dueToday("daily", new Date("2026-11-19T23:59:59Z"), now)).toBe(true);
    expect(dueToday("entry", now, now)).toBe(true);
  });

  it("counts tier moves up, not joining the lowest tier or going down", () => {
    const any = { kind: "tier_up" as const, tiers: [] };
    expect(isTierUp(any, TIERS, "member", "silver")).toBe(true);
    expect(isTierUp(any, TIERS, null, "gold")).toBe(true);
    expect(isTierUp(any, TIERS, null, "member")).toBe(false);
    expect(isTierUp(any, TIERS, "gold", "silver")).toBe(false);
    expect(isTierUp(any, TIERS, "gold", null)).toBe(false);
    expect(isTierUp({ kind: "tier_up", tiers: ["gold"] }, TIERS, "member", "silver")).toBe(false);
  });
});

describe("validation", () => {
  const ok = { ...campaignFormValues(campaignTemplate("win_back", "USD"), "USD") };
  const check = (patch: Record<string, unknown>) =>
    validateCampaign({ ...ok, ...patch }, { currency: "USD", tierKeys: TIERS });

  it("accepts every template as its form gives it back", () => {
    for (const t of ["welcome", "thank_you", "win_back", "vip_reward"] as const) {
      const def = campaignTemplate(t, "THB");
      const result = validateCampaign(campaignFormValues(def, "THB"), { currency: "THB", tierKeys: TIERS });
      expect(result).toEqual({ ok: true, campaign: def });
    }
  });

  it("says what is wrong with each field", () => {
    const result = check({
      name: " ",
      segments: [],
      offerValue: "10.005",
      expiryDays: "0",
      holdoutPercent: "80",
      cooldownDays: "x",
      codePrefix: "win back",
    });
    expect(result.ok).toBe(false);
    const issues = result.ok ? [] : result.issues.map((i) => `${i.path[0]}:${i.key}`);
    expect(issues).toEqual([
      "name:required",
      "segments:choose_segment",
      "offerValue:amount",
      "expiryDays:range",
      "holdoutPercent:range",
      "cooldownDays:whole_number",
      "codePrefix:code_prefix",
    ]);
  });

  it("refuses segments and tiers that do not exist, and percentages over 100", () => {
    const codes = (r: ReturnType<typeof check>) => (r.ok ? [] : r.issues.map((i) => i.key));
    expect(codes(check({ segments: ["prospect"] }))).toEqual(["unknown_segment"]);
    expect(codes(check({ audienceKind: "tier_up", tiers: ["platinum"] }))).toEqual(["unknown_tier"]);
    expect(codes(check({ offerKind: "percentage", offerValue: "120" }))).toEqual(["range"]);
    expect(codes(check({ audienceKind: "nobody" }))).toEqual(["choose"]);
  });
});

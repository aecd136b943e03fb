// The campaign report by segment and tier, "first order within N days of sign-up" and the first-order-only rule,
// against cases worked by hand (docs/campaigns.md).
import { describe, expect, it } from "vitest";
import {
  campaignGroups,
  firstOrderCameWithout,
  firstOrderWithin,
  type GroupedMember,
} from "../../app/domain/campaign-groups";
import { validateCampaign, campaignTemplate, parseAudience, campaignFormValues } from "../../app/domain/campaigns";
import type { MemberOrder } from "../../app/domain/campaign-stats";

const DAY = 86_400_000;

const member = (
  customerId: string,
  holdout: boolean,
  segment: string | null,
  tier: string | null,
  code: string | null = null,
): GroupedMember => ({ customerId, holdout, assignedAt: 0, code, segment, tier });
const order = (customerId: string, day: number, valueMinor: number, codes: string[] = []): MemberOrder => ({
  customerId,
  processedAt: day * DAY,
  valueMinor,
  discountMinor: codes.length ? 1000 : 0,
  discountCodes: codes,
});

// Champions: recipients A (ordered 100.00 with their code) and B (nothing in the window), holdout H1 (50.00).
// At risk: recipients C (nothing) and D (30.00 without a code), holdout H2 and H3 (nothing).
// Tiers: A, B, H1 gold; D, H3 silver; C, H2 none.
const members = [
  member("A", false, "champions", "gold", "WELCOME-AAAA"),
  member("B", false, "champions", "gold", "WELCOME-BBBB"),
  member("H1", true, "champions", "gold"),
  member("C", false, "at_risk", null, "WELCOME-CCCC"),
  member("D", false, "at_risk", "silver", "WELCOME-DDDD"),
  member("H2", true, "at_risk", null),
  member("H3", true, "at_risk", "silver"),
];
const orders = [
  order("A", 3, 10_000, ["welcome-aaaa"]),
  order("B", 31, 9_000), // after B's 30-day window: not counted
  order("H1", 10, 5_000),
  order("D", 12, 3_000),
];
const options = { windowDays: 30, codes: new Set(members.flatMap((m) => (m.code ? [m.code] : []))) };

describe("the campaign report by group", () => {
  it("splits members by the segment recorded when chosen, largest group first", () => {
    const rows = campaignGroups(members, orders, "segment", options);
    expect(rows.map((r) => r.key)).toEqual(["at_risk", "champions"]);
    const [atRisk, champions] = rows;
    // Champions: 1 of 2 recipients converted, 1 of 1 held out: lift −50 points; Newcombe's interval from the Wilson
    // intervals 1/2 → [0.094531, 0.905469] and 1/1 → [0.206549, 1]: −0.5 − √(0.405469² + 0²), −0.5 + √(0.405469² + 0.793451²)
    expect(champions).toMatchObject({
      recipients: 2,
      holdout: 1,
      conversionRecipients: 0.5,
      conversionHoldout: 1,
      conversionLift: -0.5,
      revenuePerRecipientMinor: 5_000, // (10,000 + 0) / 2
      redemptions: 1,
    });
    expect(champions.conversionLiftInterval!.low).toBeCloseTo(-0.9054687942657693, 12);
    expect(champions.conversionLiftInterval!.high).toBeCloseTo(0.39104934410983583, 12);
    // At risk: 1 of 2 recipients (D, without the code), 0 of 2 held out: +50 points; 0/2 → Wilson [0, 0.657628]
    expect(atRisk).toMatchObject({
      recipients: 2,
      holdout: 2,
      conversionRecipients: 0.5,
      conversionHoldout: 0,
      conversionLift: 0.5,
      revenuePerRecipientMinor: 1_500,
      redemptions: 0,
    });
    expect(atRisk.conversionLiftInterval!.low).toBeCloseTo(-0.2725727851131815, 12);
    expect(atRisk.conversionLiftInterval!.high).toBeCloseTo(0.9054687942657693, 12);
  });

  it("splits by tier, members without a tier in a group of their own listed last", () => {
    const rows = campaignGroups(members, orders, "tier", options);
    expect(rows.map((r) => r.key)).toEqual(["gold", "silver", null]);
    expect(rows[1]).toMatchObject({
      recipients: 1,
      holdout: 1,
      conversionRecipients: 1,
      conversionHoldout: 0,
      conversionLift: 1,
      revenuePerRecipientMinor: 3_000,
    });
    // One customer in each arm says little: 1/1 against 0/1 is not "certainly +100 points" (Newcombe, not Wald).
    expect(rows[1].conversionLiftInterval!.low).toBeCloseTo(-0.12210872068194178, 12);
    expect(rows[1].conversionLiftInterval!.high).toBeCloseTo(1, 12);
    expect(rows[2]).toMatchObject({ recipients: 1, holdout: 1, conversionLift: 0, revenuePerRecipientMinor: 0 });
    // The groups add up to the whole campaign
    expect(rows.reduce((a, r) => a + r.recipients, 0)).toBe(4);
    expect(rows.reduce((a, r) => a + r.holdout, 0)).toBe(3);
  });

  it("has no rows without members", () => {
    expect(campaignGroups([], orders, "segment", options)).toEqual([]);
  });
});

describe("first order within N days of sign-up", () => {
  it("counts a member once their N days are over or they ordered; unknown sign-ups are left out", () => {
    const m = (customerId: string, holdout: boolean, signedUp: number | null, firstOrder: number | null) => ({
      customerId,
      holdout,
      signedUpAt: signedUp === null ? null : signedUp * DAY,
      firstOrderAt: firstOrder === null ? null : firstOrder * DAY,
    });
    const result = firstOrderWithin(
      [
        m("R1", false, 0, 10), // within
        m("R2", false, 0, 40), // after 30 days: no
        m("R3", false, 80, null), // 20 days so far: not decided yet
        m("R4", false, 90, 95), // within, decided by ordering
        m("R5", false, null, 5), // sign-up unknown
        m("H1", true, 0, null), // no
        m("H2", true, 0, 29.9), // within
      ],
      30,
      100 * DAY,
    );
    // Recipients 2 of 3, holdout 1 of 2: lift 1/6, Newcombe's interval (campaign-stats.ts)
    expect(result).toMatchObject({ days: 30, recipients: 3, holdout: 2, rateRecipients: 2 / 3, rateHoldout: 0.5 });
    expect(result.lift).toBeCloseTo(1 / 6, 12);
    expect(result.liftInterval!.low).toBeCloseTo(-0.4457812328619246, 12);
    expect(result.liftInterval!.high).toBeCloseTo(0.6548292253357504, 12);
  });

  it("has no lift without a holdout", () => {
    const r = firstOrderWithin([{ customerId: "R", holdout: false, signedUpAt: 0, firstOrderAt: DAY }], 7, 10 * DAY);
    expect(r).toMatchObject({ recipients: 1, holdout: 0, rateRecipients: 1, rateHoldout: null, lift: null });
  });
});

describe("first order only", () => {
  it("withdraws a code when an order came without it, not before any order nor after it was used", () => {
    expect(firstOrderCameWithout("WELCOME-X", [])).toBe(false);
    expect(firstOrderCameWithout("WELCOME-X", [{ discountCodes: [] }])).toBe(true);
    expect(firstOrderCameWithout("WELCOME-X", [{ discountCodes: ["OTHER"] }])).toBe(true);
    expect(firstOrderCameWithout("WELCOME-X", [{ discountCodes: ["welcome-x"] }])).toBe(false);
  });
});

describe("the sign-up audience", () => {
  it("is a valid audience kind, stored and read back, and the welcome template's", () => {
    const welcome = campaignTemplate("welcome", "USD");
    expect(welcome.audience).toEqual({ kind: "signup", marketingOnly: false });
    const checked = validateCampaign(
      { ...campaignFormValues(welcome, "USD"), includeExisting: "on" },
      { currency: "USD", tierKeys: [] },
    );
    expect(checked.ok && checked.campaign.audience).toEqual({ kind: "signup", marketingOnly: false });
    expect(checked.ok && checked.campaign.includeExisting).toBe(true);
    // Subscribers only: the form's checkbox, and back into the form
    const subscribers = validateCampaign(
      { ...campaignFormValues(welcome, "USD"), signupMarketingOnly: "on" },
      { currency: "USD", tierKeys: [] },
    );
    expect(subscribers.ok && subscribers.campaign.audience).toEqual({ kind: "signup", marketingOnly: true });
    expect(subscribers.ok && campaignFormValues(subscribers.campaign, "USD").signupMarketingOnly).toBe(true);
    expect(parseAudience(JSON.stringify({ kind: "signup", marketingOnly: true }))).toEqual({
      kind: "signup",
      marketingOnly: true,
    });
    // Stored before the option existed: everyone
    expect(parseAudience(JSON.stringify({ kind: "signup" }))).toEqual({ kind: "signup", marketingOnly: false });
    // Campaigns saved from the old welcome template (segment "new") still read as they were
    expect(parseAudience(JSON.stringify({ kind: "segment", segments: ["new"] }))).toEqual({
      kind: "segment",
      segments: ["new"],
    });
  });
});

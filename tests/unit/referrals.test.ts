// The referral rules (app/domain/referrals.ts, docs/referrals.md): settings checks, codes, the identities the
// self-referral guard compares, the claim guards, completion (window, refusals, caps) and the claw back.
import { describe, expect, it } from "vitest";
import {
  addressIdentity,
  claimRefusal,
  clawbackPoints,
  completionDecision,
  DEFAULT_REFERRAL_SETTINGS,
  emailIdentity,
  friendDiscountCode,
  funnelRates,
  isMemberCode,
  memberReferralCode,
  normalizeEmail,
  parseAmountMinor,
  phoneIdentity,
  sharedIdentity,
  validateReferralSettings,
  type CompletionFacts,
} from "../../app/domain/referrals";

const DAY = 86_400_000;
const FORM = {
  enabled: "true",
  offerKind: "percentage",
  offerValue: "10",
  minimumSubtotal: "",
  offerValidityDays: "30",
  rewardPoints: "500",
  returnWindowDays: "30",
  capPerPeriod: "5",
  capPeriodDays: "30",
  capTotal: "50",
};

describe("settings", () => {
  it("accepts a complete form, amounts in minor units of the shop currency", () => {
    expect(validateReferralSettings(FORM, 2)).toEqual({
      ok: true,
      settings: { ...DEFAULT_REFERRAL_SETTINGS, enabled: true },
    });
    const fixed = validateReferralSettings(
      { ...FORM, offerKind: "fixed_amount", offerValue: "5.50", minimumSubtotal: "20" },
      2,
    );
    expect(fixed).toMatchObject({ ok: true, settings: { offerValue: 550, minimumSubtotalMinor: 2000 } });
    // A currency without decimals (JPY): "500" is 500, "5.5" is refused
    expect(validateReferralSettings({ ...FORM, offerKind: "fixed_amount", offerValue: "500" }, 0)).toMatchObject({
      ok: true,
      settings: { offerValue: 500 },
    });
    expect(validateReferralSettings({ ...FORM, offerKind: "fixed_amount", offerValue: "5.5" }, 0).ok).toBe(false);
    // Empty caps: none
    expect(validateReferralSettings({ ...FORM, capPerPeriod: "", capTotal: " " }, 2)).toMatchObject({
      ok: true,
      settings: { capPerPeriod: null, capTotal: null },
    });
  });

  it("names every bad field and accepts nothing of a bad form", () => {
    const result = validateReferralSettings(
      {
        ...FORM,
        offerKind: "percentage",
        offerValue: "101",
        minimumSubtotal: "abc",
        offerValidityDays: "0",
        rewardPoints: "-5",
        returnWindowDays: "366",
        capPerPeriod: "10",
        capTotal: "3",
      },
      2,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => [i.field, i.key])).toEqual([
      ["offerValue", "percent"],
      ["minimumSubtotalMinor", "minimum"],
      ["offerValidityDays", "days"],
      ["rewardPoints", "points"],
      ["returnWindowDays", "days"],
      ["capPerPeriod", "capOverTotal"],
    ]);
    expect(validateReferralSettings({ ...FORM, offerKind: "gift" }, 2)).toMatchObject({
      ok: false,
      issues: [{ field: "offerKind" }],
    });
    // A fixed amount above the minimum order
    expect(
      validateReferralSettings({ ...FORM, offerKind: "fixed_amount", offerValue: "30", minimumSubtotal: "20" }, 2),
    ).toMatchObject({ ok: false, issues: [{ field: "offerValue", key: "amountOverMinimum" }] });
    expect(parseAmountMinor("1.234", 2)).toBeNull();
    expect(parseAmountMinor("12.3", 2)).toBe(1230);
  });
});

describe("codes", () => {
  const bytes = (values: number[]) => {
    let i = 0;
    return (n: number) => Uint8Array.from({ length: n }, () => values[i++ % values.length]);
  };
  it("draws every symbol of the alphabet evenly (bytes 248-255 are skipped) and never an ambiguous one", () => {
    const code = memberReferralCode(bytes([0, 30, 248, 255, 31, 61]));
    expect(code).toBe("2Z2Z2Z2Z2Z");
    expect(isMemberCode(code)).toBe(true);
    const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
    for (let i = 0; i < 200; i++) {
      const c = memberReferralCode(random);
      expect(c).toMatch(/^[2-9A-HJ-NP-Z]{10}$/);
      expect(friendDiscountCode(random)).toMatch(/^REF-[2-9A-HJ-NP-Z]{12}$/);
    }
    expect(isMemberCode("OOOOOOOOOO")).toBe(false);
    expect(isMemberCode("<script>xx")).toBe(false);
  });
});

describe("identities", () => {
  it("folds emails, aliases and Gmail dots; phones by their national digits; addresses by line, postcode, country", () => {
    expect(normalizeEmail("  Ann@Example.COM ")).toBe("ann@example.com");
    expect(normalizeEmail("not an email")).toBeNull();
    expect(normalizeEmail("a@b")).toBeNull();
    expect(emailIdentity("ann+shop@example.com")).toBe("ann@example.com");
    expect(emailIdentity("a.n.n+x@googlemail.com")).toBe("ann@gmail.com");
    expect(emailIdentity("a.n.n@example.com")).toBe("a.n.n@example.com");
    expect(phoneIdentity("+66 81 234 5678")).toBe(phoneIdentity("081-234-5678"));
    expect(phoneIdentity("123")).toBeNull();
    const home = { address1: "1 Main St.", zip: "10110", countryCodeV2: "TH" };
    expect(addressIdentity(home)).toBe(addressIdentity({ address1: "1 main st", zip: "10 110", countryCodeV2: "th" }));
    expect(addressIdentity({ ...home, address1: null })).toBeNull();
  });

  it("finds what the friend shares with the referrer, customer first", () => {
    const rita = {
      customerId: "c1",
      email: "rita@example.com",
      phone: "+1 415 555 0101",
      address: { address1: "1 Main", zip: "1", countryCodeV2: "US" },
    };
    const stranger = { customerId: "c2", email: "x@example.com", phone: null, address: null };
    expect(sharedIdentity(rita, stranger)).toBeNull();
    expect(sharedIdentity(rita, { ...stranger, customerId: "c1" })).toBe("customer");
    expect(sharedIdentity(rita, { ...stranger, email: "RITA+2@example.com" })).toBe("email");
    expect(sharedIdentity(rita, { ...stranger, phone: "(415) 555-0101" })).toBe("phone");
    expect(sharedIdentity(rita, { ...stranger, address: { address1: "1 MAIN", zip: "1", countryCodeV2: "us" } })).toBe(
      "address",
    );
  });
});

describe("claiming an offer", () => {
  const base = {
    enabled: true,
    referrerId: "r",
    email: "friend@example.com",
    referrerEmail: "rita@example.com",
    customerWithOrders: false,
    claimedBy: null,
  };
  it("refuses off, unknown code, bad email, own email (aliases too), existing customer, another referrer's friend", () => {
    expect(claimRefusal(base)).toBeNull();
    expect(claimRefusal({ ...base, claimedBy: "r" })).toBeNull(); // the same referrer again: the same referral
    expect(claimRefusal({ ...base, enabled: false })).toBe("disabled");
    expect(claimRefusal({ ...base, referrerId: null })).toBe("unknown_code");
    expect(claimRefusal({ ...base, email: null })).toBe("email_invalid");
    expect(claimRefusal({ ...base, email: "rita+1@example.com" })).toBe("own_email");
    expect(claimRefusal({ ...base, customerWithOrders: true })).toBe("existing_customer");
    expect(claimRefusal({ ...base, claimedBy: "other" })).toBe("already_referred");
  });
});

describe("completion", () => {
  const at = Date.UTC(2026, 0, 1);
  const facts = (over: Partial<CompletionFacts> = {}): CompletionFacts => ({
    now: at + 31 * DAY,
    settings: { returnWindowDays: 30, capPerPeriod: 2, capPeriodDays: 30, capTotal: 3, minimumSubtotalMinor: 2000 },
    order: { processedAt: at, cancelled: false, valueMinor: 4500 },
    earlierQualifyingOrder: false,
    shared: null,
    rewardedAt: [],
    ...over,
  });

  it("waits until the return window has passed, then rewards", () => {
    expect(completionDecision(facts({ now: at + 29 * DAY }))).toEqual({ kind: "wait", until: at + 30 * DAY });
    // Even a cancelled order waits (the decision is made once, after the window)
    expect(
      completionDecision(facts({ now: at + DAY, order: { processedAt: at, cancelled: true, valueMinor: 0 } })).kind,
    ).toBe("wait");
    expect(completionDecision(facts({ now: at + 30 * DAY }))).toEqual({ kind: "reward" });
  });

  it("refuses self-referral, a repeat customer, a cancelled order, one refunded below the minimum or to nothing", () => {
    expect(completionDecision(facts({ shared: "phone" }))).toEqual({ kind: "refuse", reason: "self_referral_phone" });
    expect(completionDecision(facts({ earlierQualifyingOrder: true }))).toEqual({
      kind: "refuse",
      reason: "not_first_order",
    });
    expect(completionDecision(facts({ order: { processedAt: at, cancelled: true, valueMinor: 4500 } }))).toEqual({
      kind: "refuse",
      reason: "cancelled",
    });
    expect(completionDecision(facts({ order: { processedAt: at, cancelled: false, valueMinor: 1999 } }))).toEqual({
      kind: "refuse",
      reason: "below_minimum",
    });
    const noMinimum = { ...facts().settings, minimumSubtotalMinor: null };
    expect(
      completionDecision(facts({ settings: noMinimum, order: { processedAt: at, cancelled: false, valueMinor: 0 } })),
    ).toEqual({ kind: "refuse", reason: "below_minimum" });
  });

  it("caps per rolling period and in total", () => {
    const now = at + 31 * DAY;
    // Two within the last 30 days: the period cap
    expect(completionDecision(facts({ rewardedAt: [now - DAY, now - 2 * DAY] }))).toEqual({
      kind: "refuse",
      reason: "cap_period",
    });
    // One of them older than the period: allowed
    expect(completionDecision(facts({ rewardedAt: [now - DAY, now - 31 * DAY] }))).toEqual({ kind: "reward" });
    // Three in all: the total cap, whenever they were
    expect(completionDecision(facts({ rewardedAt: [now - 100 * DAY, now - 200 * DAY, now - 300 * DAY] }))).toEqual({
      kind: "refuse",
      reason: "cap_total",
    });
    const uncapped = { ...facts().settings, capPerPeriod: null, capTotal: null };
    expect(completionDecision(facts({ settings: uncapped, rewardedAt: Array(50).fill(now - DAY) }))).toEqual({
      kind: "reward",
    });
  });
});

describe("claw back", () => {
  const order = { cancelled: false, valueMinor: 4500, deleted: false };
  it("takes the reward back when the order is cancelled, deleted or refunded below the minimum, never below 0", () => {
    expect(clawbackPoints({ order, minimumSubtotalMinor: 2000, rewardPoints: 500, available: 800 })).toBeNull();
    expect(
      clawbackPoints({
        order: { ...order, cancelled: true },
        minimumSubtotalMinor: null,
        rewardPoints: 500,
        available: 800,
      }),
    ).toBe(500);
    expect(
      clawbackPoints({
        order: { ...order, valueMinor: 1000 },
        minimumSubtotalMinor: 2000,
        rewardPoints: 500,
        available: 800,
      }),
    ).toBe(500);
    // Spent meanwhile: only what is available
    expect(
      clawbackPoints({
        order: { ...order, deleted: true },
        minimumSubtotalMinor: null,
        rewardPoints: 500,
        available: 120,
      }),
    ).toBe(120);
    expect(
      clawbackPoints({
        order: { ...order, valueMinor: 0 },
        minimumSubtotalMinor: null,
        rewardPoints: 500,
        available: -3,
      }),
    ).toBe(0);
  });
});

describe("funnel", () => {
  it("each step over the one before, null after an empty step", () => {
    expect(
      funnelRates({
        linksFollowed: 10,
        codesIssued: 4,
        firstOrders: 2,
        rewarded: 1,
        discountCostMinor: 0,
        rewardPoints: 0,
      }),
    ).toEqual({ issuedPerVisit: 0.4, orderedPerIssued: 0.5, rewardedPerOrdered: 0.5 });
    expect(
      funnelRates({
        linksFollowed: 0,
        codesIssued: 0,
        firstOrders: 0,
        rewarded: 0,
        discountCostMinor: 0,
        rewardPoints: 0,
      }),
    ).toEqual({ issuedPerVisit: null, orderedPerIssued: null, rewardedPerOrdered: null });
  });
});

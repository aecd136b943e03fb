// A/B tests of campaign offers (issue #24 item 3): the always-valid interval on a hand-worked example, its guarantee
// under repeated peeking by seeded simulation (and a naive z-test failing the same check), the stable variant
// assignment, variant B's validation and the rules of ending a test.
import { describe, expect, it } from "vitest";
import {
  compareArms,
  mixtureRho2,
  naiveZTestRejects,
  SequentialDifference,
  sequenceRadius,
} from "../../app/domain/sequential-stats";
import {
  campaignVariants,
  endTestRefusal,
  offerOfVariant,
  pickVariant,
  propensity,
  validateVariantB,
  variantForRecipient,
  type CampaignVariant,
} from "../../app/domain/campaign-variants";
import { inHoldout, type CampaignOffer } from "../../app/domain/campaigns";
import { abTestStats, decide, type AbMember } from "../../app/domain/campaign-ab-stats";

/** mulberry32: a small seeded generator, so every run of the simulation draws the same numbers. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("always-valid interval (Waudby-Smith et al. 2021, Theorem 2.2)", () => {
  it("matches a hand-worked example", () => {
    // α = 0.05, tuned for t* = 10:  −2 ln α = 5.991465, ln(5.991465 + 1) = 1.944690,
    // ρ² = (5.991465 + 1.944690) / 10 = 0.7936155.
    const options = { alpha: 0.05, tuningN: 10 };
    expect(mixtureRho2(options)).toBeCloseTo(0.7936155, 6);
    // Ten units, each B with probability π = 0.5. B: converted 1,1,0,1,0 (3 of 5); A: 0,1,0,0,0 (1 of 5).
    // φ = y·(T/0.5 − (1−T)/0.5): B's are 2,2,0,2,0 and A's 0,−2,0,0,0. Σφ = 4, mean 0.4 (= 3/5 − 1/5 exactly).
    // Σφ² = 4·4 = 16; sample variance (16 − 10·0.4²) / 9 = 1.6; sd = 1.2649111.
    // tρ² + 1 = 8.936155; 2(tρ² + 1)/(t²ρ²) = 17.872309 / 79.36155 = 0.2252011;
    // ln(√8.936155 / 0.05) = ln(59.78681) = 4.0907850; radius = 1.2649111 · √(0.2252011 · 4.0907850) = 1.2140836.
    const seq = new SequentialDifference(0.5, options);
    const units: [boolean, number][] = [
      [true, 1],
      [false, 0],
      [true, 1],
      [false, 1],
      [true, 0],
      [false, 0],
      [true, 1],
      [false, 0],
      [true, 0],
      [false, 0],
    ];
    for (const [treated, y] of units) seq.add(treated, y);
    const iv = seq.interval()!;
    expect(iv.centre).toBeCloseTo(0.4, 12);
    expect(iv.low).toBeCloseTo(0.4 - 1.2140836, 6);
    expect(iv.high).toBeCloseTo(0.4 + 1.2140836, 6);
    expect(sequenceRadius(10, Math.sqrt(1.6), options)).toBeCloseTo(1.2140836, 6);
    // Unequal design: π = 0.8 weighs an A unit by 1/0.2 = 5 and a B unit by 1/0.8 = 1.25.
    const unequal = new SequentialDifference(0.8, options);
    unequal.add(true, 4);
    unequal.add(false, 1);
    // φ = 4·1.25 = 5 and −1·5 = −5: mean 0, variance (50 − 0)/1 = 50.
    expect(unequal.interval()!.centre).toBeCloseTo(0, 12);
    expect(unequal.interval()!.high).toBeCloseTo(sequenceRadius(2, Math.sqrt(50), options), 12);
  });

  it("narrows like √(log t / t) and is tightest relative to a fixed z-interval near the tuning size", () => {
    const r = (t: number) => sequenceRadius(t, 1);
    expect(r(4000)).toBeLessThan(r(1000));
    expect(r(1000)).toBeLessThan(r(100));
    // Always wider than the one-look 95 % z-interval 1.96/√t (the price of looking at any time)...
    for (const t of [100, 1000, 10_000]) expect(r(t)).toBeGreaterThan(1.959964 / Math.sqrt(t));
    // ...by a factor of 1.549 at the tuning size 1000 (hand: ρ² = 0.0079362, tρ² + 1 = 8.936155,
    // √(2 · 8.936155 / (1000² · 0.0079362) · ln(√8.936155 / 0.05)) = √(0.0022520 · 4.0907850) = 0.0959817,
    // against 1.959964 / √1000 = 0.0619795: 1.5486).
    expect(r(1000) / (1.959964 / Math.sqrt(1000))).toBeCloseTo(1.5486, 3);
  });

  it("says not enough data below the minimum sample, whatever the interval", () => {
    const units = [
      ...Array.from({ length: 50 }, () => ({ treated: true, y: 1 })),
      ...Array.from({ length: 50 }, () => ({ treated: false, y: 0 })),
    ];
    const small = compareArms(units, 0.5);
    expect(small.interval!.low).toBeGreaterThan(0);
    expect(small.verdict).toBe("not_enough_data");
    expect(compareArms(units, 0.5, { minPerArm: 50 }).verdict).toBe("treated_better");
    expect(compareArms([], 0.5).interval).toBeNull();
  });

  // Many simulated tests where A and B convert alike, the merchant peeking after every batch of 100 units and
  // stopping at the first "B is better" or "A is better". Peeking at a fixed-sample test inflates its error; the
  // always-valid interval must keep the share of tests that ever declare a difference at or below α = 5 %.
  function simulate({
    tests,
    units,
    every,
    pA,
    pB,
    pi,
    seed,
  }: {
    tests: number;
    units: number;
    every: number;
    pA: number;
    pB: number;
    pi: number;
    seed: number;
  }) {
    const random = rng(seed);
    let sequentialDecided = 0;
    let sequentialWrong = 0;
    let naiveDecided = 0;
    for (let k = 0; k < tests; k++) {
      const seq = new SequentialDifference(pi);
      const arm = { B: { n: 0, conversions: 0 }, A: { n: 0, conversions: 0 } };
      let seqDone = false;
      let naiveDone = false;
      for (let i = 1; i <= units; i++) {
        const treated = random() < pi;
        const y = random() < (treated ? pB : pA) ? 1 : 0;
        seq.add(treated, y);
        const a = treated ? arm.B : arm.A;
        a.n += 1;
        a.conversions += y;
        if (i % every !== 0) continue;
        if (!seqDone && arm.A.n >= 100 && arm.B.n >= 100) {
          const iv = seq.interval()!;
          if (iv.low > 0 || iv.high < 0) {
            seqDone = true;
            sequentialDecided += 1;
            if (iv.high < 0) sequentialWrong += 1;
          }
        }
        if (!naiveDone && naiveZTestRejects(arm.B, arm.A)) {
          naiveDone = true;
          naiveDecided += 1;
        }
      }
    }
    const rates = {
      sequential: sequentialDecided / tests,
      wrong: sequentialWrong / tests,
      naive: naiveDecided / tests,
    };
    if (process.env.AB_SIMULATION_REPORT) console.log(JSON.stringify({ pA, pB, pi, ...rates }));
    return rates;
  }

  it("keeps the false-positive rate ≤ α under continuous peeking on simulated A = B tests (a naive z-test does not)", () => {
    // 400 tests × 3,000 recipients, 30 looks each, 50/50 split, both converting 5 %.
    const even = simulate({ tests: 400, units: 3000, every: 100, pA: 0.05, pB: 0.05, pi: 0.5, seed: 20261206 });
    expect(even.sequential).toBeLessThanOrEqual(0.05);
    // The check can fail: the same peeking with the one-look z-test declares a difference far more often than 5 %.
    expect(even.naive).toBeGreaterThan(0.1);
    // Variant against the holdout (10 % holdout, two variants): π = 0.45 / (0.45 + 0.10) = 0.818, 8 % conversion.
    const holdout = simulate({ tests: 400, units: 3000, every: 100, pA: 0.08, pB: 0.08, pi: 0.45 / 0.55, seed: 7 });
    expect(holdout.sequential).toBeLessThanOrEqual(0.05);
  });

  it("decides when B is truly better, and in B's favour", () => {
    const better = simulate({ tests: 200, units: 4000, every: 100, pA: 0.05, pB: 0.1, pi: 0.5, seed: 99 });
    expect(better.sequential).toBeGreaterThan(0.9);
    expect(better.wrong).toBe(0);
  });
});

describe("variant assignment", () => {
  const offerA: CampaignOffer = { kind: "percentage", value: 10, minimumSubtotalMinor: null, expiryDays: 30 };
  const variants = campaignVariants(offerA, {
    offer: { kind: "fixed_amount", value: 500, minimumSubtotalMinor: 2500 },
    weightA: 50,
    weightB: 50,
  });

  it("is the same on every call and converges on the weights", () => {
    expect(variants.map((v) => v.key)).toEqual(["A", "B"]);
    expect(variants[1].offer.expiryDays).toBe(30);
    const ids = Array.from({ length: 20_000 }, (_, i) => `gid://shopify/Customer/${i + 1}`);
    const first = ids.map((id) => pickVariant("camp-1", id, variants));
    expect(ids.map((id) => pickVariant("camp-1", id, variants))).toEqual(first);
    const shareB = first.filter((k) => k === "B").length / ids.length;
    expect(shareB).toBeGreaterThan(0.48);
    expect(shareB).toBeLessThan(0.52);
    // 80 / 20 weights
    const skewed = ids.filter(
      (id) =>
        pickVariant("camp-1", id, [
          { key: "A", weight: 80 },
          { key: "B", weight: 20 },
        ]) === "B",
    );
    expect(skewed.length / ids.length).toBeGreaterThan(0.19);
    expect(skewed.length / ids.length).toBeLessThan(0.21);
    // Another campaign splits other customers; and the variant is independent of the holdout hash.
    const other = ids.map((id) => pickVariant("camp-2", id, variants));
    const same = other.filter((k, i) => k === first[i]).length / ids.length;
    expect(same).toBeGreaterThan(0.48);
    expect(same).toBeLessThan(0.52);
    const held = ids.filter((id) => inHoldout("camp-1", id, 10));
    const heldB = held.filter((id) => pickVariant("camp-1", id, variants) === "B").length / held.length;
    expect(heldB).toBeGreaterThan(0.45);
    expect(heldB).toBeLessThan(0.55);
  });

  it("gives the winner to everyone new once the test ended, and nothing without variants", () => {
    const running = { endedAt: null, winner: null };
    const ended = { endedAt: new Date(0), winner: "B" as const };
    const ids = Array.from({ length: 200 }, (_, i) => `c${i}`);
    expect(new Set(ids.map((id) => variantForRecipient("x", id, variants, running)))).toEqual(new Set(["A", "B"]));
    expect(new Set(ids.map((id) => variantForRecipient("x", id, variants, ended)))).toEqual(new Set(["B"]));
    expect(variantForRecipient("x", "c1", [], running)).toBeNull();
    expect(offerOfVariant(offerA, variants, "B")).toEqual({
      kind: "fixed_amount",
      value: 500,
      minimumSubtotalMinor: 2500,
      expiryDays: 30,
    });
    expect(offerOfVariant(offerA, variants, null)).toBe(offerA);
  });

  it("computes the design's propensities", () => {
    const total = 100;
    const a = { weight: 50 };
    const b = { weight: 50 };
    expect(propensity(b, a, { holdoutPercent: 10, totalWeight: total })).toBeCloseTo(0.5, 12);
    // 0.9·0.5 = 0.45 for the variant, 0.10 for the holdout: 0.45 / 0.55.
    expect(propensity(b, "holdout", { holdoutPercent: 10, totalWeight: total })).toBeCloseTo(0.45 / 0.55, 12);
  });

  it("refuses to end a test twice, with an unknown variant, or a campaign without variants", () => {
    const running = { endedAt: null, winner: null };
    expect(endTestRefusal(variants, running, "B")).toBeNull();
    expect(endTestRefusal(variants, running, "C")).toBe("unknown_variant");
    expect(endTestRefusal(variants, running, undefined)).toBe("unknown_variant");
    expect(endTestRefusal(variants, { endedAt: new Date(), winner: "A" }, "B")).toBe("test_already_ended");
    expect(endTestRefusal([] as CampaignVariant[], running, "A")).toBe("not_a_test");
  });
});

describe("variant B in the form", () => {
  const context = { currency: "USD", tierKeys: [] };
  const base = {
    name: "Win-back",
    audienceKind: "first_order",
    schedule: "daily",
    offerKind: "percentage",
    offerValue: "10",
    minimumSubtotal: "",
    expiryDays: "30",
    holdoutPercent: "10",
    cooldownDays: "90",
    codePrefix: "WB-",
  };
  const offerA: CampaignOffer = { kind: "percentage", value: 10, minimumSubtotalMinor: null, expiryDays: 30 };

  it("is optional, and validated like the main offer with errors on B's own fields", () => {
    expect(validateVariantB(base, offerA, context)).toEqual({ ok: true, variantB: null });
    const ok = validateVariantB(
      {
        ...base,
        variantB: "on",
        variantBOfferKind: "fixed_amount",
        variantBOfferValue: "5",
        variantBMinimumSubtotal: "25.50",
      },
      offerA,
      context,
    );
    expect(ok).toEqual({
      ok: true,
      variantB: {
        offer: { kind: "fixed_amount", value: 500, minimumSubtotalMinor: 2550 },
        weightA: 50,
        weightB: 50,
      },
    });
    const bad = validateVariantB(
      {
        ...base,
        variantB: "on",
        variantBOfferKind: "percentage",
        variantBOfferValue: "120",
        variantBMinimumSubtotal: "x",
      },
      offerA,
      context,
    );
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.issues.map((i) => [i.path[0], i.key]).sort()).toEqual([
        ["variantBMinimumSubtotal", "amount"],
        ["variantBOfferValue", "range"],
      ]);
    const none = validateVariantB({ ...base, variantB: "on" }, offerA, context);
    expect(none.ok === false && none.issues[0].path[0]).toBe("variantBOfferKind");
  });

  it("refuses a variant B identical to A", () => {
    const same = validateVariantB(
      { ...base, variantB: "on", variantBOfferKind: "percentage", variantBOfferValue: "10" },
      offerA,
      context,
    );
    expect(same).toMatchObject({ ok: false, issues: [{ path: ["variantBOfferValue"], key: "variant_same_offer" }] });
    // A different minimum is a different offer
    expect(
      validateVariantB(
        {
          ...base,
          variantB: "on",
          variantBOfferKind: "percentage",
          variantBOfferValue: "10",
          variantBMinimumSubtotal: "40",
        },
        offerA,
        context,
      ).ok,
    ).toBe(true);
  });
});

describe("the test's report (hand-computed)", () => {
  const DAY = 86_400_000;
  const offerA: CampaignOffer = { kind: "percentage", value: 10, minimumSubtotalMinor: null, expiryDays: 10 };
  const variants = campaignVariants(offerA, {
    offer: { kind: "fixed_amount", value: 500, minimumSubtotalMinor: null },
    weightA: 50,
    weightB: 50,
  });
  const m = (customerId: string, variant: string | null, day: number, code: string | null): AbMember => ({
    customerId,
    holdout: variant === null,
    variant,
    assignedAt: day * DAY,
    code,
  });
  const o = (customerId: string, day: number, valueMinor: number, codes: string[] = [], discountMinor = 0) => ({
    customerId,
    processedAt: day * DAY,
    valueMinor,
    discountMinor,
    discountCodes: codes,
  });
  const members = [
    m("a1", "A", 0, "CA1"),
    m("a2", "A", 0, "CA2"),
    m("b1", "B", 0, "CB1"),
    m("b2", "B", 0, "CB2"),
    m("h1", null, 0, null),
    m("h2", null, 0, null),
    m("a3", "A", 95, "CA3"), // still in its 10-day window on day 100
  ];
  const orders = [
    o("a1", 2, 5000, ["ca1"], 500), // A: converted, 50.00, redeemed (codes compare without case), cost 5.00
    o("b1", 1, 4000, ["CB1"], 500), // B: redeemed, cost 5.00
    o("b1", 5, 3000), // B: a second order in the window: revenue 70.00 in all
    o("b2", 20, 1000), // outside b2's window (days 0–10): does not count
    o("h1", 3, 2000), // holdout: 20.00
  ];
  const options = { windowDays: 10, variants, holdoutPercent: 20, now: 100 * DAY, endedAt: null };

  it("computes each arm's figures, ROI against the holdout and the comparisons", () => {
    const r = abTestStats(members, orders, options);
    const arm = (k: string) => r.arms.find((a) => a.key === k)!;
    // A: 2 units (a3 waits), 1 of 2 converted, (5000 + 0) / 2 = 2500 per unit, 1 redemption, cost 500.
    expect(arm("A")).toMatchObject({ units: 2, inWindow: 1, conversion: 0.5, revenuePerUnitMinor: 2500 });
    expect(arm("A")).toMatchObject({ redemptions: 1, discountCostMinor: 500 });
    // ROI(A) = ((2500 − 1000) · 2 − 500) / 500 = 5; ROI(B) = ((3500 − 1000) · 2 − 500) / 500 = 9.
    expect(arm("A").roi).toBeCloseTo(5, 12);
    expect(arm("B")).toMatchObject({ units: 2, conversion: 0.5, revenuePerUnitMinor: 3500, discountCostMinor: 500 });
    expect(arm("B").roi).toBeCloseTo(9, 12);
    expect(arm("holdout")).toMatchObject({ units: 2, conversion: 0.5, revenuePerUnitMinor: 1000, roi: null });
    // B vs A revenue: φ = 7000/0.5, 0, −5000/0.5, 0 → centre (14000 − 10000)/4 = 1000 = 3500 − 2500.
    expect(r.bVsA.revenue.difference).toBe(1000);
    const iv = r.bVsA.revenue.interval!;
    expect((iv.low + iv.high) / 2).toBeCloseTo(1000, 9);
    // The ROI interval is the revenue interval (per unit, vs holdout) taken through the ROI formula.
    const vsB = r.vsHoldout.find((x) => x.key === "B")!.revenue.interval!;
    expect(arm("B").roiInterval!.low).toBeCloseTo((vsB.low * 2 - 500) / 500, 9);
    // Each interval at α / 2 (two measures decide); below 100 units per arm: no decision.
    expect(r.alphaPerInterval).toBe(0.025);
    expect(r.verdict).toEqual({ kind: "not_enough_data" });
    expect(r.afterEnd).toBe(0);
  });

  it("freezes an ended test's figures: later recipients (the winner's) are not part of it", () => {
    const ended = abTestStats([...members, m("late", "B", 60, "CB9")], [...orders, o("late", 61, 99_999, ["CB9"])], {
      ...options,
      endedAt: 50 * DAY,
    });
    const before = abTestStats(members, orders, { ...options, now: 50 * DAY });
    expect(ended.arms).toEqual(before.arms.map((a) => (a.key === "A" ? { ...a, inWindow: 0 } : a)));
    expect(ended.afterEnd).toBe(2); // a3 (day 95) and "late" (day 60) came after the end
  });

  it("decides on the two B-vs-A measures together", () => {
    const c = (verdict: string) => ({ verdict }) as never;
    expect(decide({ conversion: c("treated_better"), revenue: c("no_difference_yet") })).toEqual({
      kind: "winner",
      key: "B",
    });
    expect(decide({ conversion: c("control_better"), revenue: c("control_better") })).toEqual({
      kind: "winner",
      key: "A",
    });
    expect(decide({ conversion: c("treated_better"), revenue: c("control_better") })).toEqual({ kind: "conflicting" });
    expect(decide({ conversion: c("no_difference_yet"), revenue: c("no_difference_yet") })).toEqual({
      kind: "no_difference_yet",
    });
    expect(decide({ conversion: c("treated_better"), revenue: c("not_enough_data") })).toEqual({
      kind: "not_enough_data",
    });
  });
});

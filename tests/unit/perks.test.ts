// Tier perks as Shopify discounts (docs/rules.md#perks): which discounts a tier asks for, how they combine, what a
// programme change does to them (the tier editor's preview), and their titles in the shop's language.
import { describe, expect, it } from "vitest";
import { perkDiscountChanges, programPerkDiscounts, tierPerkDiscounts } from "../../app/domain/perks";
import { DEFAULT_SYNC_SETTINGS } from "../../app/domain/sync";
import { defaultTierProgram } from "../../app/domain/tier-rules";
import type { TierPerks, TierProgram } from "../../app/domain/tiers";

const base = defaultTierProgram("USD");
const withPerks = (perks: Record<string, Partial<TierPerks>>): TierProgram => ({
  ...base,
  tiers: base.tiers.map((t) => (perks[t.key] ? { ...t, perks: { ...t.perks, ...perks[t.key] } } : t)),
});
const gold = (perks: Partial<TierPerks>) => withPerks({ gold: perks }).tiers[2];

describe("tier perk discounts", () => {
  it("a percentage and free shipping are two automatic discounts that combine with each other", () => {
    const [percent, shipping] = tierPerkDiscounts(
      gold({ discountPercent: 10, freeShipping: true, freeShippingMaxPriceMinor: 2000, minimumSubtotalMinor: 5000 }),
      DEFAULT_SYNC_SETTINGS,
    );
    expect(percent).toEqual({
      tierKey: "gold",
      kind: "percent",
      method: "automatic",
      title: "Loyalty tier: Gold — 10% off",
      code: null,
      percent: 10,
      maxShippingMinor: null,
      minimumSubtotalMinor: 5000,
      combinesWith: { orderDiscounts: false, productDiscounts: false, shippingDiscounts: true },
    });
    expect(shipping).toEqual({
      tierKey: "gold",
      kind: "shipping",
      method: "automatic",
      title: "Loyalty tier: Gold — free shipping",
      code: null,
      percent: null,
      maxShippingMinor: 2000,
      minimumSubtotalMinor: 5000,
      combinesWith: { orderDiscounts: true, productDiscounts: false, shippingDiscounts: false },
    });
  });

  it("follow the merchant's combinations, except that a shipping discount never combines with another", () => {
    const [percent, shipping] = tierPerkDiscounts(
      gold({
        discountPercent: 5,
        freeShipping: true,
        combinesWith: { orderDiscounts: true, productDiscounts: true, shippingDiscounts: false },
      }),
      DEFAULT_SYNC_SETTINGS,
    );
    expect(percent.combinesWith).toEqual({ orderDiscounts: true, productDiscounts: true, shippingDiscounts: true });
    expect(shipping.combinesWith).toEqual({ orderDiscounts: true, productDiscounts: true, shippingDiscounts: false });
    // Alone, the percentage combines with shipping discounts only when the merchant says so
    const [alone] = tierPerkDiscounts(
      gold({
        discountPercent: 5,
        combinesWith: { orderDiscounts: false, productDiscounts: false, shippingDiscounts: false },
      }),
      DEFAULT_SYNC_SETTINGS,
    );
    expect(alone.combinesWith.shippingDiscounts).toBe(false);
  });

  it("as codes: KEY-percent and KEY-SHIP under the code prefix; titles in Thai for a Thai shop", () => {
    const discounts = tierPerkDiscounts(gold({ discountPercent: 15, freeShipping: true, delivery: "code" }), {
      ...DEFAULT_SYNC_SETTINGS,
      codePrefix: "VIP-",
      segmentNamePrefix: "ระดับสมาชิก: ",
      locale: "th",
    });
    expect(discounts.map((d) => [d.method, d.code, d.title])).toEqual([
      ["code", "VIP-GOLD-15", "ระดับสมาชิก: Gold — ลด 15%"],
      ["code", "VIP-GOLD-SHIP", "ระดับสมาชิก: Gold — จัดส่งฟรี"],
    ]);
  });

  it("none when tier discounts, segments or tier tags are off, or the tier has no discount perk", () => {
    const program = withPerks({ gold: { discountPercent: 10 }, platinum: { customText: "Early access" } });
    expect(programPerkDiscounts(program, DEFAULT_SYNC_SETTINGS).map((d) => d.tierKey)).toEqual(["gold"]);
    expect(programPerkDiscounts(program, { ...DEFAULT_SYNC_SETTINGS, codes: false })).toEqual([]);
    expect(programPerkDiscounts(program, { ...DEFAULT_SYNC_SETTINGS, segments: false })).toEqual([]);
    expect(programPerkDiscounts(program, { ...DEFAULT_SYNC_SETTINGS, tierPrefix: null })).toEqual([]);
  });
});

describe("what a programme change does to the discounts", () => {
  it("creates, updates in place, replaces (automatic ⇄ code) and removes, in tier order", () => {
    const before = withPerks({
      silver: { discountPercent: 5 },
      gold: { discountPercent: 10, freeShipping: true },
      platinum: { discountPercent: 15 },
    });
    const after = withPerks({
      member: { freeShipping: true },
      gold: { discountPercent: 12, freeShipping: true, delivery: "code" },
      platinum: { discountPercent: 15, minimumSubtotalMinor: 10_000 },
    });
    const changes = perkDiscountChanges(before, after, DEFAULT_SYNC_SETTINGS);
    expect(changes.map((c) => [c.tierKey, c.kind, c.action])).toEqual([
      ["member", "shipping", "create"],
      ["gold", "percent", "replace"],
      ["gold", "shipping", "replace"],
      ["platinum", "percent", "update"],
      ["silver", "percent", "remove"],
    ]);
    expect(changes[1].after!.code).toBe("GOLD-12");
    expect(perkDiscountChanges(after, after, DEFAULT_SYNC_SETTINGS)).toEqual([]);
  });

  it("a tier renamed changes its discounts' titles; removing a tier removes its discounts", () => {
    const before = withPerks({ gold: { discountPercent: 10 } });
    const renamed = { ...before, tiers: before.tiers.map((t) => (t.key === "gold" ? { ...t, name: "VIP" } : t)) };
    const [update] = perkDiscountChanges(before, renamed, DEFAULT_SYNC_SETTINGS);
    expect(update).toMatchObject({ action: "update", after: { title: "Loyalty tier: VIP — 10% off" } });
    const removed = { ...before, tiers: before.tiers.filter((t) => t.key !== "gold") };
    expect(perkDiscountChanges(before, removed, DEFAULT_SYNC_SETTINGS).map((c) => c.action)).toEqual(["remove"]);
  });
});

// The rules of what is written back to Shopify (app/domain/sync.ts): the app's tags under its prefixes, the
// difference to what it wrote, the merchant's tags never removed, the storefront's status JSON, settings validation.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_SYNC_SETTINGS,
  defaultSyncSettings,
  desiredTags,
  metafieldsDigest,
  tagChange,
  tagsAfter,
  tierMetafields,
  validateSyncSettings,
  type SyncState,
} from "../../app/domain/sync";
import { defaultTierProgram } from "../../app/domain/tier-rules";

const state = (overrides: Partial<SyncState> = {}): SyncState => ({
  customerId: "gid://shopify/Customer/1",
  segment: "champions",
  tier: "gold",
  spendInWindowMinor: 123456,
  nextTier: "platinum",
  amountToNextMinor: 76544,
  tierExpiresAt: Date.parse("2027-03-01T00:00:00.000Z"),
  ...overrides,
});

describe("desired tags", () => {
  it("are one per enabled prefix; no tier, no tier tag", () => {
    expect(desiredTags(state(), DEFAULT_SYNC_SETTINGS)).toEqual(["rfm:champions", "tier:gold"]);
    expect(desiredTags(state({ tier: null, segment: "prospect" }), DEFAULT_SYNC_SETTINGS)).toEqual(["rfm:prospect"]);
    expect(desiredTags(state(), { ...DEFAULT_SYNC_SETTINGS, rfmPrefix: null })).toEqual(["tier:gold"]);
    expect(desiredTags(state(), { ...DEFAULT_SYNC_SETTINGS, tierPrefix: "Loyalty-" })).toEqual([
      "rfm:champions",
      "Loyalty-gold",
    ]);
  });
});

describe("tag changes", () => {
  it("add what is missing and remove only the app's own tags that are no longer wanted", () => {
    expect(tagChange(["rfm:loyal", "tier:gold"], ["rfm:champions", "tier:gold"], [])).toEqual({
      add: ["rfm:loyal"],
      remove: ["rfm:champions"],
    });
    expect(tagChange(["rfm:loyal"], [], [])).toEqual({ add: ["rfm:loyal"], remove: [] });
    expect(tagChange([], ["rfm:loyal", "tier:gold"], [])).toEqual({ add: [], remove: ["rfm:loyal", "tier:gold"] });
  });

  it("never add or remove a tag the merchant had, whatever its case", () => {
    // The merchant tagged the customer TIER:GOLD before the app: it is theirs, not re-added, never removed
    expect(tagChange(["tier:gold"], [], ["TIER:GOLD"])).toEqual({ add: [], remove: [] });
    expect(tagChange([], [], ["TIER:GOLD"])).toEqual({ add: [], remove: [] });
  });

  it("compare without regard to case, as Shopify does", () => {
    expect(tagChange(["rfm:Loyal"], ["RFM:loyal"], [])).toEqual({ add: [], remove: [] });
    // Sent but never confirmed (the answer lost): Shopify may hold them, so the app removes them when no longer
    // wanted and adds them again when still wanted; never the merchant's.
    expect(tagChange(["rfm:at_risk"], ["rfm:loyal"], [], ["rfm:champions"])).toEqual({
      add: ["rfm:at_risk"],
      remove: ["rfm:loyal", "rfm:champions"],
    });
    expect(tagChange(["rfm:champions"], ["rfm:loyal"], [], ["rfm:champions"])).toEqual({
      add: ["rfm:champions"],
      remove: ["rfm:loyal"],
    });
    expect(tagChange([], [], ["TIER:GOLD"], ["tier:gold", "RFM:x", "rfm:X"])).toEqual({ add: [], remove: ["RFM:x"] });
  });

  it("leave the app holding exactly the desired tags it owns, from any start (property)", () => {
    const tag = fc.constantFrom("rfm:a", "rfm:b", "tier:x", "tier:y", "TIER:X");
    fc.assert(
      fc.property(fc.uniqueArray(tag), fc.uniqueArray(tag), fc.uniqueArray(tag), (desired, synced, foreign) => {
        const lower = (l: string[]) => new Set(l.map((t) => t.toLowerCase()));
        const syncedOnly = synced.filter((t) => !lower(foreign).has(t.toLowerCase()));
        const change = tagChange(desired, syncedOnly, foreign);
        const after = lower(tagsAfter(syncedOnly, change));
        // Every desired tag is held, by the app or the merchant; the app holds nothing else
        for (const t of desired) expect(after.has(t.toLowerCase()) || lower(foreign).has(t.toLowerCase())).toBe(true);
        for (const t of after) expect(lower(desired).has(t)).toBe(true);
        // And nothing the merchant had is ever removed
        for (const t of change.remove) expect(lower(foreign).has(t.toLowerCase())).toBe(false);
      }),
    );
  });
});

/** The perks of a tier without any, as the storefront reads them. */
const NONE = {
  discount_percent: null,
  free_shipping: false,
  free_shipping_max_price: null,
  minimum_purchase: null,
  automatic: false,
  codes: [],
  text: null,
  summary: "",
};

describe("tier metafields", () => {
  it("hold the tier key and the storefront's status JSON in the shop currency", () => {
    const values = tierMetafields(state(), defaultTierProgram("USD"), "USD")!;
    expect(values.tier).toBe("gold");
    expect(JSON.parse(values.status)).toEqual({
      tier: "gold",
      tier_name: "Gold",
      spend_in_window: "1234.56",
      next_tier: "platinum",
      next_tier_name: "Platinum",
      amount_to_next: "765.44",
      expires_at: "2027-03-01T00:00:00.000Z",
      currency: "USD",
      perks: NONE,
      next_perks: NONE,
    });
    expect(
      JSON.parse(tierMetafields(state({ spendInWindowMinor: 5000 }), defaultTierProgram("JPY"), "JPY")!.status)
        .spend_in_window,
    ).toBe("5000");
  });

  it("are absent without a tier, and their digest changes with any value", () => {
    expect(tierMetafields(state({ tier: null }), defaultTierProgram("USD"), "USD")).toBeNull();
    expect(metafieldsDigest(null)).toBeNull();
    const a = metafieldsDigest(tierMetafields(state(), defaultTierProgram("USD"), "USD"));
    const b = metafieldsDigest(tierMetafields(state({ amountToNextMinor: 1 }), defaultTierProgram("USD"), "USD"));
    expect(a).not.toBe(b);
  });
});

describe("sync settings", () => {
  it("accept prefixes, blank ones turning tags off", () => {
    expect(
      validateSyncSettings({ rfmPrefix: "seg-", tierPrefix: " ", metafields: false, segments: false, codes: false }),
    ).toEqual({
      ok: true,
      settings: {
        rfmPrefix: "seg-",
        tierPrefix: null,
        insightPrefix: null,
        metafields: false,
        segments: false,
        codes: false,
        segmentNamePrefix: "Loyalty tier: ",
        codePrefix: "",
      },
    });
  });

  it.each([
    [{ rfmPrefix: "a,b" }, "sync.prefix.comma"],
    [{ rfmPrefix: " rfm:" }, "sync.prefix.spaces"],
    [{ rfmPrefix: "x".repeat(41) }, "sync.prefix.too_long"],
    [{ rfmPrefix: "tier:", tierPrefix: "tier:" }, "sync.prefix.overlap"],
    [{ rfmPrefix: "t", tierPrefix: "tier:" }, "sync.prefix.overlap"],
    [{ rfmPrefix: 3 }, "field.invalid_type"],
    [{ metafields: "yes" }, "field.invalid_type"],
    [{ tierPrefix: "it's:" }, "sync.prefix.quote"],
    [{ codePrefix: "vip-" }, "sync.code_prefix.invalid"],
    [{ segmentNamePrefix: "x".repeat(61) }, "sync.segment_name_prefix.too_long"],
    [{ tierPrefix: "", segments: true }, "sync.segments.need_tier_tags"],
    [{ segments: false, codes: true }, "sync.codes.need_segments"],
  ])("refuse %o with %s", (input, key) => {
    const result = validateSyncSettings(input);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues.map((i) => i.key)).toContain(key);
  });
});

describe("tier perks in the status metafield", () => {
  const program = () => {
    const base = defaultTierProgram("THB");
    return {
      ...base,
      tiers: base.tiers.map((t) =>
        t.key === "gold"
          ? {
              ...t,
              perks: {
                ...t.perks,
                discountPercent: 10,
                freeShipping: true,
                freeShippingMaxPriceMinor: 10_000,
                customText: "Early access <b>sales</b>",
              },
            }
          : t.key === "platinum"
            ? {
                ...t,
                perks: { ...t.perks, discountPercent: 15, delivery: "code" as const, minimumSubtotalMinor: 50_000 },
              }
            : t,
      ),
    };
  };

  it("carry the tier's and the next tier's perks, automatic without codes, codes when the tier gives codes", () => {
    const status = JSON.parse(tierMetafields(state(), program(), "THB")!.status);
    expect(status.perks).toEqual({
      discount_percent: 10,
      free_shipping: true,
      free_shipping_max_price: "100.00",
      minimum_purchase: null,
      automatic: true,
      codes: [],
      text: "Early access <b>sales</b>",
      summary: "10% off every order · Free shipping on rates up to THB\u00a0100.00 · Early access <b>sales</b>",
    });
    expect(status.next_perks).toMatchObject({
      discount_percent: 15,
      free_shipping: false,
      minimum_purchase: "500.00",
      automatic: false,
      codes: ["PLATINUM-15"],
      summary: "15% off every order (on orders from THB\u00a0500.00)",
    });
  });

  it("are in the shop's language, and follow the code prefix", () => {
    const status = JSON.parse(
      tierMetafields(state(), program(), "THB", {
        locale: "th-TH",
        settings: { ...DEFAULT_SYNC_SETTINGS, codePrefix: "VIP-" },
      })!.status,
    );
    expect(status.perks.summary).toBe(
      "ลด 10% ทุกคำสั่งซื้อ · จัดส่งฟรี สำหรับค่าส่งไม่เกิน ฿100.00 · Early access <b>sales</b>",
    );
    expect(status.next_perks.codes).toEqual(["VIP-PLATINUM-15"]);
  });

  it("promise no discount when tier discounts are off in the settings (only the merchant's text remains)", () => {
    const status = JSON.parse(
      tierMetafields(state(), program(), "THB", { settings: { ...DEFAULT_SYNC_SETTINGS, codes: false } })!.status,
    );
    expect(status.perks).toMatchObject({ discount_percent: null, free_shipping: false, codes: [] });
    expect(status.perks.summary).toBe("Early access <b>sales</b>");
  });
});

describe("default sync settings", () => {
  it("name a Thai shop's tier segments in Thai", () => {
    expect(defaultSyncSettings("th").segmentNamePrefix).toBe("ระดับสมาชิก: ");
    expect(defaultSyncSettings("en")).toEqual(DEFAULT_SYNC_SETTINGS);
    expect(defaultSyncSettings(null)).toEqual(DEFAULT_SYNC_SETTINGS);
  });
});

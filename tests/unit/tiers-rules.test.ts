// Tier programme validation (merchant-readable, translatable issues) and the default programme per currency.
import { describe, expect, it } from "vitest";
import { SHOPIFY_CURRENCIES } from "../../app/domain/money";
import {
  DEFAULT_THRESHOLDS_MAJOR,
  defaultTierProgram,
  validateTierProgram,
  type TierRuleIssue,
} from "../../app/domain/tier-rules";

/** A valid USD programme as the admin would submit it; tests break one thing at a time. */
function input() {
  return {
    tiers: [
      { key: "member", name: "Member", threshold: 0 },
      { key: "silver", name: "Silver", threshold: 25_000, perks: { discountPercent: 5 } },
      {
        key: "gold",
        name: "Gold",
        threshold: 75_000,
        minOrders: 3,
        perks: { discountPercent: 10, freeShipping: true },
      },
    ] as Record<string, unknown>[],
    window: { kind: "rolling", days: 365 } as Record<string, unknown>,
    retentionDays: 365 as unknown,
  };
}

function issuesOf(value: unknown, currency = "USD"): TierRuleIssue[] {
  const result = validateTierProgram(value, { currency });
  return result.ok ? [] : result.issues;
}

describe("tier programme validation", () => {
  it("accepts a valid programme and fills in the defaults", () => {
    // Given a programme without perks on Member, and no time zone
    const result = validateTierProgram(input());
    // Then it is valid, with perks and time zone defaulted
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.program.tiers[0].perks).toEqual({
      discountPercent: null,
      freeShipping: false,
      freeShippingMaxPriceMinor: null,
      minimumSubtotalMinor: null,
      delivery: "automatic",
      combinesWith: { orderDiscounts: false, productDiscounts: false, shippingDiscounts: true },
      customText: null,
    });
    expect(result.program.tiers[2]).toMatchObject({ minOrders: 3, perks: { discountPercent: 10, freeShipping: true } });
    expect(result.program.timeZone).toBeNull();
  });

  it("defaults to a rolling 365-day window and 365 days of retention", () => {
    // Given only tiers / Then the window and retention are the defaults of docs/rules.md#tiers-programme
    const result = validateTierProgram({ tiers: input().tiers });
    expect(result.ok && result.program).toMatchObject({ window: { kind: "rolling", days: 365 }, retentionDays: 365 });
  });

  it("requires thresholds to increase, naming both tiers and the amount in the shop currency", () => {
    // Given Gold at the same threshold as Silver
    const value = input();
    value.tiers[2].threshold = 25_000;
    // Then the issue points at Gold's threshold
    expect(issuesOf(value)).toEqual([
      {
        path: ["tiers", 2, "threshold"],
        key: "tier.threshold.not_increasing",
        message: '"Gold" must need more spend than "Silver" (more than 250.00 USD).',
        params: { tier: "Gold", previous: "Silver", previousThreshold: "250.00 USD" },
      },
    ]);
  });

  it("requires the lowest tier to start at 0", () => {
    const value = input();
    value.tiers[0].threshold = 100;
    expect(issuesOf(value).map((i) => [i.path, i.key])).toEqual([
      [["tiers", 0, "threshold"], "tier.threshold.lowest_not_zero"],
    ]);
  });

  it("refuses negative thresholds and minimum order counts", () => {
    const value = input();
    value.tiers[1].threshold = -5;
    value.tiers[2].minOrders = -1;
    expect(issuesOf(value).map((i) => i.key)).toEqual(["tier.threshold.negative", "tier.min_orders.negative"]);
  });

  it("refuses a threshold that is not whole minor units", () => {
    const value = input();
    value.tiers[1].threshold = 250.5;
    expect(issuesOf(value).map((i) => i.key)).toEqual(["tier.threshold.not_exact"]);
  });

  it("refuses a minimum order count above one on the lowest tier", () => {
    const value = input();
    value.tiers[0].minOrders = 2;
    expect(issuesOf(value).map((i) => [i.path, i.key])).toEqual([
      [["tiers", 0, "minOrders"], "tier.min_orders.lowest"],
    ]);
  });

  it("refuses keys that cannot be tags", () => {
    // Given keys with capitals, a leading dash, a space and 33 characters
    for (const key of ["Gold", "-gold", "gold tier", "g".repeat(33), ""]) {
      const value = input();
      value.tiers[2].key = key;
      // Then each is refused on the key field
      expect(issuesOf(value).map((i) => [i.path, i.key])).toEqual([[["tiers", 2, "key"], "tier.key.invalid"]]);
    }
  });

  it("accepts keys of up to 32 lowercase letters, digits, dashes and underscores", () => {
    const value = input();
    value.tiers[2].key = `9${"a_-".repeat(10)}z`;
    expect(issuesOf(value)).toEqual([]);
  });

  it("refuses duplicate keys", () => {
    const value = input();
    value.tiers[2].key = "silver";
    expect(issuesOf(value)).toMatchObject([
      { path: ["tiers", 2, "key"], key: "tier.key.duplicate", params: { value: "silver", other: 2 } },
    ]);
  });

  it("refuses duplicate names, ignoring case and surrounding spaces", () => {
    const value = input();
    value.tiers[2].name = "  silver ";
    expect(issuesOf(value)).toMatchObject([{ path: ["tiers", 2, "name"], key: "tier.name.duplicate" }]);
  });

  it("requires a name of at most 40 characters", () => {
    const blank = input();
    blank.tiers[1].name = "   ";
    const long = input();
    long.tiers[1].name = "x".repeat(41);
    expect(issuesOf(blank).map((i) => i.key)).toEqual(["tier.name.required"]);
    expect(issuesOf(long).map((i) => i.key)).toEqual(["tier.name.too_long"]);
  });

  it("requires a discount of 1 to 100 whole percent, or none", () => {
    for (const discountPercent of [0, 101, 12.5, -10]) {
      const value = input();
      value.tiers[1].perks = { discountPercent };
      expect(issuesOf(value).map((i) => [i.path, i.key])).toEqual([
        [["tiers", 1, "perks", "discountPercent"], "tier.perks.discount_out_of_range"],
      ]);
    }
    const none = input();
    none.tiers[1].perks = { discountPercent: null };
    expect(issuesOf(none)).toEqual([]);
  });

  it("limits a rolling window to 30..1095 days", () => {
    for (const days of [29, 1096, 90.5]) {
      const value = input();
      value.window = { kind: "rolling", days };
      expect(issuesOf(value).map((i) => [i.path, i.key])).toEqual([[["window", "days"], "window.days.out_of_range"]]);
    }
    for (const days of [30, 1095]) {
      const value = input();
      value.window = { kind: "rolling", days };
      expect(issuesOf(value)).toEqual([]);
    }
  });

  it("limits retention to 0..1095 days", () => {
    for (const retentionDays of [-1, 1096]) {
      const value = input();
      value.retentionDays = retentionDays;
      expect(issuesOf(value).map((i) => [i.path, i.key])).toEqual([[["retentionDays"], "retention.out_of_range"]]);
    }
    const none = input();
    none.retentionDays = 0;
    expect(issuesOf(none)).toEqual([]);
  });

  it("requires between 1 and 10 tiers", () => {
    const empty = { ...input(), tiers: [] };
    const eleven = {
      ...input(),
      tiers: Array.from({ length: 11 }, (_, i) => ({ key: `t${i}`, name: `Tier ${i}`, threshold: i * 100 })),
    };
    expect(issuesOf(empty).map((i) => i.key)).toEqual(["tiers.too_few"]);
    expect(issuesOf(eleven).map((i) => i.key)).toEqual(["tiers.too_many"]);
  });

  it("refuses an unknown time zone and accepts an IANA one", () => {
    expect(issuesOf({ ...input(), timeZone: "Mars/Olympus" }).map((i) => [i.path, i.key])).toEqual([
      [["timeZone"], "time_zone.invalid"],
    ]);
    expect(issuesOf({ ...input(), timeZone: "Asia/Bangkok" })).toEqual([]);
  });

  it("reports wrong types and unknown window kinds with a field path", () => {
    // Given a threshold sent as text and a weekly window
    const value = input();
    value.tiers[1].threshold = "250";
    value.window = { kind: "weekly" };
    // Then both are reported where they are, with a translatable key
    expect(issuesOf(value)).toEqual([
      {
        path: ["tiers", 1, "threshold"],
        key: "field.invalid_type",
        message: "This field must be a number.",
        params: { expected: "number" },
      },
      {
        path: ["window", "kind"],
        key: "field.invalid_option",
        message: "Choose one of: rolling, calendar_year, lifetime.",
        params: { options: "rolling, calendar_year, lifetime" },
      },
    ]);
  });
});

describe("a tier's own colour", () => {
  const withColour = (colour: unknown, at = 1) => {
    const value = input();
    value.tiers[at] = { ...value.tiers[at], colour };
    return value;
  };

  it("is optional: absent, null or empty leaves no colour key, so older programmes validate to the same JSON", () => {
    for (const colour of [undefined, null, "", "  "]) {
      const result = validateTierProgram(withColour(colour));
      expect(result.ok).toBe(true);
      if (result.ok) expect("colour" in result.program.tiers[1]).toBe(false);
    }
    // a programme saved before colours existed: validated and serialised again, byte for byte the same
    const saved = validateTierProgram(input());
    if (!saved.ok) throw new Error("valid");
    const again = validateTierProgram(JSON.parse(JSON.stringify(saved.program)));
    expect(again.ok && JSON.stringify(again.program)).toBe(JSON.stringify(saved.program));
  });

  it("is kept as # and six hex digits in upper case", () => {
    const result = validateTierProgram(withColour(" #7a1f5c "));
    expect(result.ok && result.program.tiers[1].colour).toBe("#7A1F5C");
  });

  it("refuses what is not #RRGGBB, on the tier's colour field", () => {
    for (const colour of ["red", "#FFF", "7A1F5C", "#7A1F5CFF", "#GG0000", "rgb(1,2,3)"]) {
      expect(issuesOf(withColour(colour))).toEqual([
        expect.objectContaining({
          path: ["tiers", 1, "colour"],
          key: "tier.colour.invalid",
          params: { value: colour.trim() },
        }),
      ]);
    }
    expect(issuesOf(withColour(12))).toEqual([
      expect.objectContaining({ path: ["tiers", 1, "colour"], key: "field.invalid_type" }),
    ]);
  });

  it("refuses a colour too light for white text (below 4.5:1), saying its contrast rounded down", () => {
    // #777777 is 4.48:1 — just short: it must read 4.4, never 4.5
    expect(issuesOf(withColour("#777777"))).toEqual([
      {
        path: ["tiers", 1, "colour"],
        key: "tier.colour.too_light",
        message: expect.stringContaining("4.4:1, below the 4.5:1"),
        params: { value: "#777777", contrast: "4.4", min: 4.5 },
      },
    ]);
    expect(issuesOf(withColour("#FFD700", 2))).toEqual([
      expect.objectContaining({
        path: ["tiers", 2, "colour"],
        key: "tier.colour.too_light",
        params: expect.objectContaining({ contrast: "1.4" }),
      }),
    ]);
    // the lightest grey that passes, and a dark brand gold
    expect(issuesOf(withColour("#767676"))).toEqual([]);
    expect(issuesOf(withColour("#8A6D00"))).toEqual([]);
  });
});

describe("default tier programme", () => {
  it("is Member 0, Silver 250, Gold 750, Platinum 2000 in USD", () => {
    const program = defaultTierProgram("USD");
    expect(program.tiers.map((t) => [t.key, t.name, t.threshold])).toEqual([
      ["member", "Member", 0],
      ["silver", "Silver", 25_000],
      ["gold", "Gold", 75_000],
      ["platinum", "Platinum", 200_000],
    ]);
    expect(program).toMatchObject({ window: { kind: "rolling", days: 365 }, retentionDays: 365, timeZone: null });
  });

  it("uses round local amounts for JPY (no decimals), THB, EUR and GBP", () => {
    const thresholds = (currency: string) => defaultTierProgram(currency).tiers.map((t) => t.threshold);
    expect(thresholds("JPY")).toEqual([0, 35_000, 100_000, 300_000]);
    expect(thresholds("THB")).toEqual([0, 800_000, 2_500_000, 7_000_000]);
    expect(thresholds("EUR")).toEqual([0, 25_000, 70_000, 180_000]);
    expect(thresholds("GBP")).toEqual([0, 20_000, 60_000, 150_000]);
  });

  it("uses the USD figures in whole units of a currency outside the table, by its decimals", () => {
    // Given KWD (3 decimals) and ISK (0 decimals), not in the table
    expect(DEFAULT_THRESHOLDS_MAJOR.KWD).toBeUndefined();
    // Then 250 / 750 / 2000 whole units
    expect(defaultTierProgram("KWD").tiers.map((t) => t.threshold)).toEqual([0, 250_000, 750_000, 2_000_000]);
    expect(defaultTierProgram("ISK").tiers.map((t) => t.threshold)).toEqual([0, 250, 750, 2000]);
  });

  it("passes validation for every Shopify currency", () => {
    for (const currency of SHOPIFY_CURRENCIES)
      expect(validateTierProgram(defaultTierProgram(currency), { currency })).toMatchObject({ ok: true });
  });

  it("lists only Shopify currencies, with increasing thresholds", () => {
    for (const [currency, [silver, gold, platinum]] of Object.entries(DEFAULT_THRESHOLDS_MAJOR)) {
      expect(SHOPIFY_CURRENCIES).toContain(currency);
      expect(0 < silver && silver < gold && gold < platinum).toBe(true);
    }
  });

  it("refuses a currency Shopify does not know", () => {
    expect(() => defaultTierProgram("XYZ")).toThrow(/unknown currency/);
  });
});

describe("the default programme in the shop's language", () => {
  it("names the tiers in Thai for a Thai storefront, in English otherwise; keys stay the same", () => {
    const thai = defaultTierProgram("THB", "th");
    expect(thai.tiers.map((t) => [t.key, t.name])).toEqual([
      ["member", "สมาชิก"],
      ["silver", "ซิลเวอร์"],
      ["gold", "โกลด์"],
      ["platinum", "แพลทินัม"],
    ]);
    expect(validateTierProgram(thai, { currency: "THB" }).ok).toBe(true);
    expect(defaultTierProgram("THB", "en-US").tiers[1].name).toBe("Silver");
    expect(defaultTierProgram("THB").tiers.map((t) => t.threshold)).toEqual(thai.tiers.map((t) => t.threshold));
  });
});

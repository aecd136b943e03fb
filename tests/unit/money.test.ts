// Money rules: exact minor units per currency, never floats, never silent rounding.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { currencyDecimals, fromMinorUnits, MoneyError, SHOPIFY_CURRENCIES, toMinorUnits } from "../../app/domain/money";

describe("money", () => {
  it("converts Shopify decimal strings to minor units per currency", () => {
    expect(toMinorUnits("12.50", "USD")).toBe(1250);
    expect(toMinorUnits("0.10", "USD")).toBe(10);
    expect(toMinorUnits("1200", "JPY")).toBe(1200);
    expect(toMinorUnits("1200.00", "JPY")).toBe(1200);
    expect(toMinorUnits("1.234", "KWD")).toBe(1234);
    expect(toMinorUnits("19.9", "THB")).toBe(1990);
    expect(toMinorUnits("-5.00", "EUR")).toBe(-500);
  });

  it("refuses precision the currency cannot hold, and non-numbers", () => {
    expect(() => toMinorUnits("12.505", "USD")).toThrow(MoneyError);
    expect(() => toMinorUnits("1200.5", "JPY")).toThrow(MoneyError);
    expect(() => toMinorUnits("12,50", "USD")).toThrow(MoneyError);
    expect(() => toMinorUnits("1e3", "USD")).toThrow(MoneyError);
    expect(() => toMinorUnits("", "USD")).toThrow(MoneyError);
  });

  it("refuses a currency Shopify does not know", () => {
    expect(() => currencyDecimals("ABC")).toThrow(/unknown currency/);
    expect(() => toMinorUnits("1.00", "usd")).toThrow(/unknown currency/);
  });

  it("round-trips every amount exactly", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e12, max: 1e12 }),
        fc.constantFrom("USD", "JPY", "KWD", "THB"),
        (minor, currency) => {
          expect(toMinorUnits(fromMinorUnits(minor, currency), currency)).toBe(minor);
        },
      ),
    );
  });

  it("knows exactly Shopify's currency codes (Admin API 2026-04 schema)", () => {
    const introspection = JSON.parse(gunzipSync(readFileSync("simulator/schema/admin_2026-04.json.gz")).toString());
    const schema = introspection.data?.__schema ?? introspection.__schema;
    const codes = schema.types
      .find((t: { name: string }) => t.name === "CurrencyCode")
      .enumValues.map((e: { name: string }) => e.name);
    expect([...SHOPIFY_CURRENCIES].sort()).toEqual([...codes].sort());
  });
});

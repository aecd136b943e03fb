// The maintained aggregate's order list (app/domain/customer-aggregate.ts): both databases' timestamp texts parse to
// the same instant, anything else is refused, and the values and tier orders derived from a list are those the
// definitions give (the integration test compares whole recomputes; these pin the edges).
import { describe, expect, it } from "vitest";
import {
  parseOrderList,
  parseStamp,
  tierOrdersAsOf,
  tierOrdersFromText,
  valuesAsOf,
} from "../../app/domain/customer-aggregate";

const T = (iso: string) => Date.parse(iso);

describe("order list times", () => {
  it("reads SQLite's stored text and PostgreSQL's timestamp text alike, fractions trimmed or absent", () => {
    const ms = T("2025-03-01T12:34:56.780Z");
    expect(parseStamp("2025-03-01T12:34:56.780+00:00")).toBe(ms);
    expect(parseStamp("2025-03-01 12:34:56.78")).toBe(ms);
    expect(parseStamp("2025-03-01 12:34:56")).toBe(T("2025-03-01T12:34:56Z"));
    expect(parseStamp("2025-03-01T12:34:56.001Z")).toBe(T("2025-03-01T12:34:56.001Z"));
  });

  it("refuses a zone other than UTC, and text that is not a time", () => {
    expect(() => parseStamp("2025-03-01T12:34:56.000+07:00")).toThrow(/not UTC/);
    expect(() => parseStamp("2025-03-01")).toThrow(/not a time/);
    expect(() => parseStamp("2025-0x-01 12:34:56")).toThrow(/not a time/);
    expect(() => parseOrderList("2025-03-01 12:00:00 -5")).toThrow(/order value/);
    expect(() => parseOrderList("2025-03-02 12:00:00 5,2025-03-01 12:00:00 5")).toThrow(/time order/);
    expect(() =>
      tierOrdersFromText("2025-03-02 12:00:00 5,2025-03-01 12:00:00 5", T("2026-01-01T00:00:00Z"), null),
    ).toThrow(/time order/);
  });
});

describe("values and tier orders from a list", () => {
  const list = "2024-01-10 00:00:00 100,2024-06-01 00:00:00 200,2025-01-01 00:00:00 300,2025-02-01 00:00:00 400";
  const parsed = parseOrderList(list);

  it("counts orders at or before asOf, inside (windowStart, asOf]", () => {
    const asOf = T("2025-01-01T00:00:00Z");
    expect(valuesAsOf(parsed, asOf, null)).toEqual({
      lastOrderAtEver: asOf,
      frequency: 3,
      monetary: 600,
      lastOrderAt: asOf,
    });
    // An order exactly at the window's start is outside it
    expect(valuesAsOf(parsed, asOf, T("2024-06-01T00:00:00Z"))).toMatchObject({ frequency: 1, monetary: 300 });
    // No order in the window: not in the RFM population, but has ordered
    expect(valuesAsOf(parsed, T("2024-12-31T00:00:00Z"), T("2024-07-01T00:00:00Z"))).toEqual({
      lastOrderAtEver: T("2024-06-01T00:00:00Z"),
      frequency: 0,
      monetary: 0,
      lastOrderAt: null,
    });
    expect(valuesAsOf(parsed, T("2023-01-01T00:00:00Z"), null).lastOrderAtEver).toBeNull();
  });

  it("gives tier orders in [tierFrom, asOf], one stand-in order when all are older, the same read from either end", () => {
    const cases: [string, number, number | null][] = [
      ["all history", T("2025-06-01T00:00:00Z"), null],
      ["from an order's own time", T("2025-06-01T00:00:00Z"), T("2024-06-01T00:00:00Z")],
      ["orders after asOf left out", T("2025-01-15T00:00:00Z"), T("2024-02-01T00:00:00Z")],
      ["all before the horizon", T("2025-06-01T00:00:00Z"), T("2025-03-01T00:00:00Z")],
      ["none by asOf", T("2023-06-01T00:00:00Z"), null],
    ];
    for (const [name, asOf, from] of cases)
      expect(tierOrdersFromText(list, asOf, from), name).toEqual(tierOrdersAsOf(parsed, asOf, from));
    expect(tierOrdersAsOf(parsed, T("2025-06-01T00:00:00Z"), T("2025-03-01T00:00:00Z"))).toEqual([
      { time: T("2025-02-01T00:00:00Z"), value: 1 },
    ]);
    expect(tierOrdersAsOf(parsed, T("2025-01-15T00:00:00Z"), T("2024-02-01T00:00:00Z"))).toEqual([
      { time: T("2024-06-01T00:00:00Z"), value: 200 },
      { time: T("2025-01-01T00:00:00Z"), value: 300 },
    ]);
  });
});

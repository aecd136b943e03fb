// A webhook body parsed with every number exact: JSON.parse where no integer can exceed 2^53 (no run of 16 digits),
// the lossless parser otherwise — the same values either way (issue #23 item 1).
import { isSafeNumber, parse as parseLossless } from "lossless-json";
import { describe, expect, it } from "vitest";
import { parseExact } from "../../app/webhooks/exact-json";
import { exampleBody } from "../support/shopify-examples";

/** What the webhook path did before, on every body: the lossless parser. */
const reference = (text: string) =>
  parseLossless(text, undefined, (t) => (isSafeNumber(t) || !/^-?\d+$/.test(t) ? Number(t) : t));

describe("parseExact", () => {
  it("keeps an id beyond 2^53 as its exact digits", () => {
    expect(parseExact('{"id": 9007199254740993, "n": -12345678901234567890, "s": 4124792521800540}')).toEqual({
      id: "9007199254740993",
      n: "-12345678901234567890",
      s: 4124792521800540,
    });
  });

  it("answers what the lossless parser answers for Shopify's example payloads and for edge numbers", () => {
    const bodies = [
      ...["orders/create", "orders/updated", "refunds/create", "customers/update", "products/update"].map((topic) =>
        JSON.stringify(exampleBody(topic)),
      ),
      '{"a": 999999999999999, "b": -999999999999999, "c": 1e21, "d": -0, "e": 0.1, "f": 1.5e-7, "g": [1, 2.25]}',
      '{"a": 1000000000000000, "b": 9007199254740991, "c": 9007199254740992, "d": -9007199254740993}',
      '{"a": 4124792521800540, "b": 99999999999999999, "c": 12345678901234567890.5, "d": "0000000000000000001"}',
      '{"note": "card 1234567890123456 and 1.23456789012345678", "x": 12345}',
      '{"__proto__": {"polluted": true}, "k": 1}',
    ];
    for (const body of bodies) expect(parseExact(body)).toEqual(reference(body));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("refuses what is not JSON", () => {
    expect(() => parseExact("{")).toThrow(SyntaxError);
    expect(() => parseExact("[1, 2,]")).toThrow(SyntaxError);
  });
});

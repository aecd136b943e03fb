// The pure parts of the reconstructed history (app/domain/history.ts) and of Shopify's own view
// (app/domain/shopify-stats.ts), by hand-worked cases.
import { describe, expect, it } from "vitest";
import { historyMoments, momentAtOrBefore, movesBetween, sizesOf, WEEK_MS, type Place } from "../../app/domain/history";
import { agreement, countMatrix, SHOPIFY_RFM_GROUPS, statsFromLine } from "../../app/domain/shopify-stats";

const places = (entries: [string, string, string][]) =>
  new Map<string, Place>(entries.map(([id, segment, tier]) => [id, { segment, tier }]));

describe("history moments, sizes and moves", () => {
  it("ends 52 weeks at the anchor, oldest first, 53 moments", () => {
    const anchor = Date.parse("2026-06-01T00:00:00Z");
    const moments = historyMoments(anchor);
    expect(moments).toHaveLength(53);
    expect(moments[0]).toBe(anchor - 52 * WEEK_MS);
    expect(moments[52]).toBe(anchor);
    expect(historyMoments(anchor, 2)).toEqual([anchor - 2 * WEEK_MS, anchor - WEEK_MS, anchor]);
  });

  it("counts customers per segment and per tier", () => {
    expect(
      sizesOf(
        places([
          ["a", "loyal", "gold"],
          ["b", "loyal", ""],
          ["c", "prospect", ""],
        ]),
      ),
    ).toEqual({
      segment: { loyal: 2, prospect: 1 },
      tier: { gold: 1, "": 2 },
    });
  });

  it("counts moves per kind, from and to; newcomers come from nothing; who stays is no move", () => {
    const before = places([
      ["a", "new", "member"],
      ["b", "loyal", "gold"],
      ["c", "loyal", "gold"],
    ]);
    const after = places([
      ["a", "promising", "member"], // segment only
      ["b", "at_risk", "silver"], // both
      ["c", "at_risk", "silver"], // both
      ["d", "prospect", ""], // new, no tier: a segment move from nothing only
      ["e", "new", "member"], // new with a tier
    ]);
    const moves = Object.fromEntries(
      movesBetween(before, after).map((m) => [`${m.kind} ${m.from || "-"} > ${m.to || "-"}`, m.customers]),
    );
    expect(moves).toEqual({
      "segment - > new": 1,
      "segment - > prospect": 1,
      "segment loyal > at_risk": 2,
      "segment new > promising": 1,
      "tier - > member": 1,
      "tier gold > silver": 2,
    });
    expect(movesBetween(after, after)).toEqual([]);
  });

  it("stands a time for the latest moment at or before it", () => {
    expect(momentAtOrBefore([10, 20, 30], 5)).toBeNull();
    expect(momentAtOrBefore([10, 20, 30], 10)).toBe(10);
    expect(momentAtOrBefore([10, 20, 30], 29)).toBe(20);
    expect(momentAtOrBefore([10, 20, 30], 99)).toBe(30);
  });
});

describe("Shopify's statistics as read", () => {
  it("keeps a customer's values of the schema and nothing else", () => {
    const id = "gid://shopify/Customer/7";
    expect(statsFromLine({ id, statistics: { rfmGroup: "LOYAL", predictedSpendTier: "HIGH" } })).toEqual({
      customerId: id,
      rfmGroup: "LOYAL",
      predictedSpendTier: "HIGH",
    });
    // A value a newer API version might add is unknown, not guessed; a missing statistics object too
    expect(statsFromLine({ id, statistics: { rfmGroup: "WHALES", predictedSpendTier: null } })).toEqual({
      customerId: id,
      rfmGroup: null,
      predictedSpendTier: null,
    });
    expect(statsFromLine({ id })).toEqual({ customerId: id, rfmGroup: null, predictedSpendTier: null });
    // Not a customer line
    expect(statsFromLine({ id: "gid://shopify/Order/7", statistics: {} })).toBeNull();
    expect(statsFromLine(null)).toBeNull();
    expect(statsFromLine("x")).toBeNull();
    expect(SHOPIFY_RFM_GROUPS).toHaveLength(11);
  });

  it("builds a matrix in the given orders, appends unknown keys, totals every way, counts agreement", () => {
    const matrix = countMatrix(
      [
        { row: "champions", column: "CHAMPIONS", customers: 3 },
        { row: "champions", column: "LOYAL", customers: 1 },
        { row: "hibernating", column: "DORMANT", customers: 5 },
        { row: "hibernating", column: "", customers: 2 },
      ],
      ["champions", "loyal", "hibernating"],
      ["CHAMPIONS", "LOYAL", "DORMANT"],
    );
    expect(matrix.rows).toEqual(["champions", "loyal", "hibernating"]);
    expect(matrix.columns).toEqual(["CHAMPIONS", "LOYAL", "DORMANT", ""]);
    expect(matrix.cells).toEqual([
      [3, 1, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 5, 2],
    ]);
    expect(matrix.rowTotals).toEqual([4, 0, 7]);
    expect(matrix.columnTotals).toEqual([3, 1, 5, 2]);
    expect(matrix.total).toBe(11);
    expect(agreement(matrix)).toBe(8); // champions × CHAMPIONS and hibernating × DORMANT
  });
});

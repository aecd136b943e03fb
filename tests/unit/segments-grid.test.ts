// Segment keys, the (R, FM) grid of docs/rules.md#rfm-segments and display names.
import { describe, expect, it } from "vitest";
import {
  DEFAULT_SEGMENT_NAMES,
  fmScore,
  GRID_SEGMENT_KEYS,
  SEGMENT_GRID,
  SEGMENT_KEYS,
  segmentDisplayName,
  segmentDisplayNames,
  segmentFor,
  type Score,
} from "../../app/domain/segments";

// The table as written in docs/rules.md#rfm-segments, row by row (R = 5 first), columns FM = 1..5.
const DESIGN_TABLE = `
| 5 | new | potential_loyalist | potential_loyalist | champions | champions |
| 4 | promising | potential_loyalist | potential_loyalist | loyal | loyal |
| 3 | about_to_sleep | about_to_sleep | need_attention | loyal | loyal |
| 2 | hibernating | hibernating | at_risk | at_risk | cant_lose |
| 1 | hibernating | hibernating | at_risk | at_risk | cant_lose |
`;
const SCORES: Score[] = [1, 2, 3, 4, 5];

describe("segment grid", () => {
  it("maps every (R, FM) cell exactly as the docs/rules.md table", () => {
    // Given the table copied from docs/rules.md
    const rows = DESIGN_TABLE.trim()
      .split("\n")
      .map((line) =>
        line
          .split("|")
          .map((c) => c.trim())
          .filter(Boolean),
      );
    for (const [r, ...cells] of rows) {
      for (const fm of SCORES) {
        // When the segment of (R, FM) is looked up / Then it is the table's cell
        expect(segmentFor(Number(r) as Score, fm)).toBe(cells[fm - 1]);
      }
    }
  });

  it("uses exactly ten distinct keys, and eleven with prospect", () => {
    // Given every cell of the grid
    const used = new Set(SCORES.flatMap((r) => SEGMENT_GRID[r]));
    // Then the distinct keys are the grid keys, and prospect is the only key outside it
    expect([...used].sort()).toEqual([...GRID_SEGMENT_KEYS].sort());
    expect(used.size).toBe(10);
    expect(SEGMENT_KEYS).toHaveLength(11);
    expect(SEGMENT_KEYS.filter((k) => !used.has(k as never))).toEqual(["prospect"]);
  });

  it("refuses scores outside 1..5", () => {
    expect(() => segmentFor(0 as Score, 3)).toThrow(RangeError);
    expect(() => segmentFor(3, 6 as Score)).toThrow(RangeError);
  });

  it("rounds FM up when F + M is odd", () => {
    // Given F = 4 and M = 1 / When FM is computed / Then it is ceil(5 / 2) = 3
    expect(fmScore(4, 1)).toBe(3);
    expect(fmScore(5, 5)).toBe(5);
    expect(fmScore(1, 2)).toBe(2);
    expect(fmScore(1, 1)).toBe(1);
  });
});

describe("segment display names", () => {
  it("has a non-empty English default for every key", () => {
    for (const key of SEGMENT_KEYS) expect(DEFAULT_SEGMENT_NAMES[key].length).toBeGreaterThan(0);
  });

  it("prefers the shop's name, then the translation, then the English default", () => {
    // Given a shop that renamed champions, and a Thai translation for champions and loyal
    const shop = { champions: "VIPs" };
    const thai = { champions: "แชมเปี้ยน", loyal: "ลูกค้าประจำ" };
    // When the names are resolved
    const names = segmentDisplayNames(shop, thai);
    // Then each key takes the first name available in that order
    expect(names.champions).toBe("VIPs");
    expect(names.loyal).toBe("ลูกค้าประจำ");
    expect(names.at_risk).toBe("At risk");
    expect(segmentDisplayName("champions", shop, thai)).toBe("VIPs");
  });

  it("ignores blank overrides and unknown keys, trims and caps names at 40 characters", () => {
    // Given overrides that are blank, unknown, padded or too long
    const names = segmentDisplayNames({ loyal: "   ", bogus: "x", new: "  First-timers ", at_risk: "a".repeat(50) });
    // Then blanks fall back, unknown keys are not added, and names are cleaned
    expect(names.loyal).toBe("Loyal");
    expect(Object.keys(names).sort()).toEqual([...SEGMENT_KEYS].sort());
    expect(names.new).toBe("First-timers");
    expect(names.at_risk).toBe("a".repeat(40));
  });
});

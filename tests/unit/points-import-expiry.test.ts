// An import row's expiry (docs/points-import.md#expiry-dates): a local date is its first instant in the shop's zone, an
// ISO instant is itself; the entries applying a row appends carry it, and a changed date reverses and re-adds.
import { describe, expect, it } from "vitest";
import { importEntries, importExpiry } from "../../app/domain/points-import-plan";

const at = (iso: string) => new Date(iso).getTime();
const NOW = at("2026-06-01T10:00:00Z");
const note = "imported from f.csv";

describe("importExpiry", () => {
  it("a local date: 00:00 of that day in the shop's zone (UTC without one); an instant as is; none: null", () => {
    expect(importExpiry("2026-07-15", "Asia/Bangkok")).toBe(at("2026-07-14T17:00:00Z"));
    expect(importExpiry("2026-07-15", "America/New_York")).toBe(at("2026-07-15T04:00:00Z"));
    expect(importExpiry("2026-07-15")).toBe(at("2026-07-15T00:00:00Z"));
    expect(importExpiry("2026-07-15T12:30:00.000Z", "Asia/Bangkok")).toBe(at("2026-07-15T12:30:00Z"));
    expect(importExpiry(null, "Asia/Bangkok")).toBeNull();
    expect(() => importExpiry("15/07/2026")).toThrow(RangeError);
  });
});

describe("importEntries with an expiry", () => {
  const expiresAt = at("2026-07-14T17:00:00Z");

  it("the first import carries the date; the same balance and date again appends nothing", () => {
    const first = importEntries([], { sourceKey: "import:generic", points: 300, at: NOW, note, expiresAt });
    expect(first).toEqual([
      expect.objectContaining({ sourceKey: "import:generic", points: 300, effectiveAt: NOW, expiresAt }),
    ]);
    expect(importEntries(first, { sourceKey: "import:generic", points: 300, at: NOW + 1, note, expiresAt })).toEqual(
      [],
    );
    // Without a date: no field (the shop's rules decide), as before
    expect(importEntries([], { sourceKey: "import:generic", points: 5, at: NOW, note })[0]).not.toHaveProperty(
      "expiresAt",
    );
  });

  it("another balance, same date: the difference; another date: the held points reversed and the balance re-added", () => {
    const first = importEntries([], { sourceKey: "import:generic", points: 300, at: NOW, note, expiresAt });
    const less = importEntries(first, { sourceKey: "import:generic", points: 250, at: NOW + 1, note, expiresAt });
    expect(less.map((e) => [e.sourceKey, e.points, e.effectiveAt, e.expiresAt])).toEqual([
      ["import:generic~1", -50, NOW, expiresAt],
    ]);
    const moved = at("2026-08-30T17:00:00Z");
    const redated = importEntries(first, {
      sourceKey: "import:generic",
      points: 300,
      at: NOW + 1,
      note,
      expiresAt: moved,
    });
    expect(redated.map((e) => [e.sourceKey, e.points, e.effectiveAt, e.expiresAt])).toEqual([
      ["import:generic~1", -300, NOW, expiresAt],
      ["import:generic~2", 300, NOW, moved],
    ]);
    // A date dropped from the file: the dated points reversed, the balance re-added for the rules to expire
    const undated = importEntries(first, { sourceKey: "import:generic", points: 300, at: NOW + 1, note });
    expect(undated.map((e) => [e.points, e.expiresAt ?? null])).toEqual([
      [-300, expiresAt],
      [300, null],
    ]);
  });
});

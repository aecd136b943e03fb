// The pure rules of recomputation: state from RFM + tier results, what counts as a change, the tier horizon, the
// CSV record, RFM settings validation and the daily schedule.
import { describe, expect, it } from "vitest";
import { defaultTierProgram } from "../../app/domain/tier-rules";
import { evaluateTier, type TierProgram } from "../../app/domain/tiers";
import {
  changesBetween,
  csvRecord,
  sameState,
  stateOf,
  tierHorizon,
  validateRfmSettings,
} from "../../app/domain/recompute";
import { nextMidnightUtc } from "../../app/domain/time";

const DAY = 86_400_000;
const asOf = Date.parse("2025-06-01T00:00:00.000Z");
const program = defaultTierProgram("USD");

const scored = {
  customerId: "gid://shopify/Customer/1",
  segment: "loyal",
  recencyDays: 12,
  frequency: 4,
  monetary: 81_050,
  r: 4,
  f: 4,
  m: 5,
  fm: 5,
} as const;
const tierOf = (orders: { time: number; value: number }[]) => evaluateTier(program, orders, asOf);

describe("stateOf", () => {
  it("keeps a scored customer's values, their tier progress and the base for incremental updates", () => {
    // Given a scored customer with 810.50 spent in the window
    const tier = tierOf([{ time: asOf - 12 * DAY, value: 81_050 }]);
    // When their state is built
    const state = stateOf(scored, asOf - 12 * DAY, tier, {
      lastOrderAt: asOf - 12 * DAY,
      frequency: 4,
      monetary: 81_050,
    });
    // Then it holds scores, gold with 1189.50 to platinum, and the base values
    expect(state).toMatchObject({
      segment: "loyal",
      r: 4,
      f: 4,
      m: 5,
      fm: 5,
      recencyDays: 12,
      frequency: 4,
      monetaryMinor: 81_050,
      lastOrderAt: asOf - 12 * DAY,
      tier: "gold",
      spendInWindowMinor: 81_050,
      nextTier: "platinum",
      amountToNextMinor: 118_950,
      tierExpiresAt: asOf - 12 * DAY + 365 * DAY + 1,
      baseFrequency: 4,
    });
  });

  it("leaves a prospect's scores and a customer without orders' tier cells empty", () => {
    // When a customer without any order is a prospect
    const state = stateOf({ customerId: "c", segment: "prospect" }, null, null, null);
    // Then nothing but the segment is set
    expect(Object.entries(state).filter(([k, v]) => v !== null && k !== "customerId")).toEqual([
      ["segment", "prospect"],
    ]);
  });
});

describe("changes", () => {
  const a = stateOf(scored, asOf, tierOf([{ time: asOf, value: 81_050 }]), null);

  it("sameState ignores nothing but identity: one changed field is a change", () => {
    expect(sameState(a, { ...a })).toBe(true);
    expect(sameState(a, { ...a, recencyDays: 13 })).toBe(false);
    expect(sameState(a, { ...a, baseMonetaryMinor: 1 })).toBe(false);
  });

  it("history only for segment and tier moves, from null the first time", () => {
    // Given the same customer with only recency changed, then with segment and tier changed
    expect(changesBetween(a, { ...a, recencyDays: 40 })).toEqual([]);
    expect(changesBetween(a, { ...a, segment: "at_risk", tier: "silver" })).toEqual([
      { customerId: a.customerId, kind: "segment", from: "loyal", to: "at_risk" },
      { customerId: a.customerId, kind: "tier", from: "gold", to: "silver" },
    ]);
    expect(changesBetween(null, a).map((c) => [c.kind, c.from, c.to])).toEqual([
      ["segment", null, "loyal"],
      ["tier", null, "gold"],
    ]);
  });
});

describe("tierHorizon", () => {
  it("rolling: retention plus window before asOf", () => {
    expect(tierHorizon(program, asOf)).toBe(asOf - (365 + 365) * DAY);
  });

  it("calendar year: 1 January of the year retention reaches back to, in the programme's zone", () => {
    const calendar: TierProgram = {
      ...program,
      window: { kind: "calendar_year" },
      retentionDays: 200,
      timeZone: "Asia/Bangkok",
    };
    // 200 days before 2025-06-01 is in November 2024: 1 January 2024 00:00 in Bangkok is 2023-12-31T17:00Z
    expect(new Date(tierHorizon(calendar, asOf)!).toISOString()).toBe("2023-12-31T17:00:00.000Z");
  });

  it("lifetime: every order counts", () => {
    expect(tierHorizon({ ...program, window: { kind: "lifetime" } }, asOf)).toBeNull();
  });

  it("orders before the horizon change nothing but having ordered (stand-in order gives the same status)", () => {
    // Given a customer with a big old order before the horizon and a small one inside the window
    const horizon = tierHorizon(program, asOf)!;
    const full = tierOf([
      { time: horizon - DAY, value: 900_000 },
      { time: asOf - 30 * DAY, value: 5_000 },
    ]);
    // Then dropping the old order gives the same status; with only old orders, one stand-in order does
    expect(tierOf([{ time: asOf - 30 * DAY, value: 5_000 }])).toEqual(full);
    expect(tierOf([{ time: horizon - 10 * DAY, value: 1 }])).toEqual(
      tierOf([
        { time: horizon - 400 * DAY, value: 900_000 },
        { time: horizon - 10 * DAY, value: 7 },
      ]),
    );
  });
});

describe("csvRecord", () => {
  it("money as decimals of the currency, times ISO-8601 UTC, empty cells for nothing", () => {
    const state = stateOf(scored, asOf, tierOf([{ time: asOf - DAY, value: 81_050 }]), null);
    expect(csvRecord(state, "USD")).toEqual([
      "gid://shopify/Customer/1",
      "12",
      "4",
      "810.50",
      "4",
      "4",
      "5",
      "5",
      "loyal",
      "gold",
      "810.50",
      "platinum",
      "1189.50",
      "2026-05-31T00:00:00.001Z",
    ]);
    expect(csvRecord(stateOf({ customerId: "c", segment: "prospect" }, null, null, null), "JPY")).toEqual([
      "c",
      "",
      "",
      "",
      "",
      "",
      "",
      "",
      "prospect",
      "",
      "",
      "",
      "",
      "",
    ]);
  });
});

describe("validateRfmSettings", () => {
  it("accepts all history or a window of 30..3650 days, trims names and drops blank ones", () => {
    expect(validateRfmSettings({ windowDays: null, segmentNames: { champions: "  Stars ", loyal: " " } })).toEqual({
      ok: true,
      settings: { windowDays: null, segmentNames: { champions: "Stars" } },
    });
    expect(validateRfmSettings({ windowDays: 365 })).toMatchObject({ ok: true, settings: { windowDays: 365 } });
  });

  it("reports each problem with its field", () => {
    const result = validateRfmSettings({
      windowDays: 12.5,
      segmentNames: { vip: "x", loyal: 3, champions: "x".repeat(41) },
    });
    expect(result.ok ? [] : result.issues.map((i) => [i.path, i.key])).toEqual([
      [["windowDays"], "rfm.window_days.out_of_range"],
      [["segmentNames", "vip"], "rfm.segment_name.unknown_segment"],
      [["segmentNames", "loyal"], "field.invalid_type"],
      [["segmentNames", "champions"], "rfm.segment_name.too_long"],
    ]);
    expect(validateRfmSettings("365")).toMatchObject({ ok: false, issues: [{ key: "field.invalid_type" }] });
  });
});

describe("nextMidnightUtc", () => {
  it("is the next 00:00 UTC strictly after now", () => {
    expect(new Date(nextMidnightUtc(Date.parse("2025-06-01T15:30:00Z"))).toISOString()).toBe(
      "2025-06-02T00:00:00.000Z",
    );
    expect(new Date(nextMidnightUtc(Date.parse("2025-06-01T00:00:00Z"))).toISOString()).toBe(
      "2025-06-02T00:00:00.000Z",
    );
  });
});

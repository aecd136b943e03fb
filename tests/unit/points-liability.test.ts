// The liability report's figures, computed by hand (docs/rules.md#liability-and-breakage).
import { describe, expect, it } from "vitest";
import {
  BREAKAGE_MIN_SETTLED_POINTS,
  bestRate,
  breakage,
  expectedCostMinor,
  liabilityCsv,
  liabilityReport,
  monthsBetween,
  pointsValueMinor,
  type RewardRate,
} from "../../app/domain/points-liability";
import { fromMinorUnits } from "../../app/domain/money";

const at = (iso: string) => Date.parse(iso);

describe("monthsBetween", () => {
  it("cuts calendar months on the shop's wall clock", () => {
    // 2026-01-31 18:00 UTC is 1 February 01:00 in Bangkok (UTC+7): the first month is February
    expect(monthsBetween(at("2026-01-31T18:00:00Z"), at("2026-03-10T00:00:00Z"), "Asia/Bangkok")).toEqual([
      { month: "2026-02", start: at("2026-01-31T17:00:00Z"), end: at("2026-02-28T17:00:00Z") },
      { month: "2026-03", start: at("2026-02-28T17:00:00Z"), end: at("2026-03-31T17:00:00Z") },
    ]);
    expect(monthsBetween(at("2025-12-31T23:59:59.999Z"), at("2026-01-01T00:00:00Z")).map((m) => m.month)).toEqual([
      "2025-12",
      "2026-01",
    ]);
    // New York's spring change: March starts at 05:00 UTC, April at 04:00 UTC
    expect(monthsBetween(at("2026-03-15T00:00:00Z"), at("2026-03-16T00:00:00Z"), "America/New_York")).toEqual([
      { month: "2026-03", start: at("2026-03-01T05:00:00Z"), end: at("2026-04-01T04:00:00Z") },
    ]);
    expect(monthsBetween(10, 5)).toEqual([]);
  });
});

const rewards: RewardRate[] = [
  { rewardId: "a", title: "5 off", pointsPrice: 100, valueMinor: 500 }, // 5 a point
  { rewardId: "b", title: "15 credit", pointsPrice: 250, valueMinor: 1500 }, // 6 a point
  { rewardId: "c", title: "3 off", pointsPrice: 50, valueMinor: 300 }, // 6 a point, cheaper
];

describe("value and breakage", () => {
  it("values points at the active reward giving the most money per point (ties: the cheaper reward)", () => {
    expect(bestRate(rewards)?.rewardId).toBe("c");
    expect(bestRate(rewards.slice(0, 2))?.rewardId).toBe("b");
    expect(bestRate([{ rewardId: "x", title: "free", pointsPrice: 100, valueMinor: 0 }])).toBeNull();
    expect(bestRate([])).toBeNull();
    // 1234 points at 300 for 50: 1234 × 300 / 50 = 7404
    expect(pointsValueMinor(1234, rewards[2])).toBe(7404);
    // 7 points at 500 for 100 = 35; 3 points at 1500 for 250 = 18 (18.0), 1 point = 6
    expect(pointsValueMinor(7, rewards[0])).toBe(35);
    expect(pointsValueMinor(1, rewards[1])).toBe(6);
    expect(pointsValueMinor(0, rewards[1])).toBe(0);
    // floor: 1 point at 100 for 3 = 33.33… → 33
    expect(pointsValueMinor(1, { rewardId: "d", title: "", pointsPrice: 3, valueMinor: 100 })).toBe(33);
  });
  it("estimates breakage as expired ÷ (expired + redeemed) once enough points are settled", () => {
    expect(BREAKAGE_MIN_SETTLED_POINTS).toBe(1000);
    expect(breakage(300, 900)).toEqual({ settled: 1200, basisPoints: 2500 });
    expect(breakage(1, 2999)).toEqual({ settled: 3000, basisPoints: 3 }); // 3.33 bp → 3
    expect(breakage(400, 599)).toEqual({ settled: 999, basisPoints: null });
    expect(breakage(1000, 0)).toEqual({ settled: 1000, basisPoints: 10000 });
    // 7404 × (10000 − 2500) / 10000 = 5553
    expect(expectedCostMinor(7404, 2500)).toBe(5553);
    expect(expectedCostMinor(7404, null)).toBe(7404);
    expect(expectedCostMinor(999, 3)).toBe(998); // 999 × 9997 / 10000 = 998.7 → 998
  });
});

describe("liabilityReport and its CSV", () => {
  const months = monthsBetween(at("2026-01-05T00:00:00Z"), at("2026-03-01T12:00:00Z"));
  const report = liabilityReport({
    asOf: at("2026-03-01T12:00:00Z"),
    timeZone: "UTC",
    currency: "THB",
    available: 1000,
    pending: 234,
    months,
    rewards,
    monthSums: [
      { month: "2026-01", kind: "order", points: 2000 },
      { month: "2026-01", kind: "bonus", points: 100 },
      { month: "2026-01", kind: "refund", points: -150 },
      { month: "2026-01", kind: "loss", points: -20 },
      { month: "2026-02", kind: "redemption", points: -950 }, // 1000 reserved, 50 released
      { month: "2026-02", kind: "cancellation", points: -50 },
      { month: "2026-02", kind: "adjustment", points: -16 },
      { month: "2026-02", kind: "import", points: 500 },
      { month: "2026-03", kind: "expiry", points: -250 },
      { month: "2026-03", kind: "order", points: 50 },
    ],
  });
  it("adds the kinds up per month and in total", () => {
    expect(report.months).toEqual([
      { month: "2026-01", earned: 2100, redeemed: 0, expired: 0, clawedBack: 150, lost: 20, adjusted: 0, imported: 0 },
      { month: "2026-02", earned: 0, redeemed: 950, expired: 0, clawedBack: 50, lost: 0, adjusted: -16, imported: 500 },
      { month: "2026-03", earned: 50, redeemed: 0, expired: 250, clawedBack: 0, lost: 0, adjusted: 0, imported: 0 },
    ]);
    expect(report.totals).toEqual({
      earned: 2150,
      redeemed: 950,
      expired: 250,
      clawedBack: 200,
      lost: 20,
      adjusted: -16,
      imported: 500,
    });
    // what is held is what came in less what went out: 2150 − 950 − 250 − 200 − 16 + 500 = 1234
    expect(report.outstanding).toEqual({ available: 1000, pending: 234, total: 1234 });
    expect(report.rate?.rewardId).toBe("c");
    expect(report.valueMinor).toBe(7404);
    // settled 250 + 950 = 1200: 250 / 1200 = 20.83 % → 2083 bp; 7404 × 7917 / 10000 = 5861.7 → 5861
    expect(report.breakage).toEqual({ settled: 1200, basisPoints: 2083, minSettled: 1000 });
    expect(report.expectedCostMinor).toBe(5861);
  });
  it("writes the CSV: months, total, summary", () => {
    const csv = liabilityCsv(report, (minor) => fromMinorUnits(minor, "THB"));
    expect(csv.split("\n")).toEqual([
      "month,earned,redeemed,expired,clawed_back,lost,adjusted,imported",
      "2026-01,2100,0,0,150,20,0,0",
      "2026-02,0,950,0,50,0,-16,500",
      "2026-03,50,0,250,0,0,0,0",
      "total,2150,950,250,200,20,-16,500",
      "",
      "summary,value",
      "as_of,2026-03-01T12:00:00.000Z",
      "time_zone,UTC",
      "currency,THB",
      "available_points,1000",
      "pending_points,234",
      "outstanding_points,1234",
      "rate_reward,3 off",
      "rate_points,50",
      "rate_value,3.00",
      "outstanding_value,74.04",
      "settled_points,1200",
      "breakage_percent,20.83",
      "expected_cost,58.61",
      "",
    ]);
  });
  it("neutralises a reward title a spreadsheet would run", () => {
    const hostile = liabilityReport({
      ...{ asOf: 0, timeZone: "UTC", currency: "USD", available: 1, pending: 0, months: [], monthSums: [] },
      rewards: [{ rewardId: "h", title: '=HYPERLINK("x")', pointsPrice: 1, valueMinor: 1 }],
    });
    expect(liabilityCsv(hostile, String)).toContain(`rate_reward,"'=HYPERLINK(""x"")"`);
  });
});

// The liability report's aggregate queries on the test's database (SQLite, or PostgreSQL with
// TEST_DATABASE=postgresql): months cut in the shop's zone, sums per kind, outstanding points as of a moment, the
// rate from the active rewards, and nothing of another shop counted.
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { pointsLiability, pointsLiabilityCsv } from "../../app/services/points-liability.server";
import { createReward, setRewardActive } from "../../app/models/rewards.server";

const A = "liability-a.myshopify.com";
const B = "liability-b.myshopify.com";
const at = (iso: string) => new Date(iso);
let n = 0;

async function entry(shop: string, kind: string, points: number, effective: string, available = effective) {
  await prisma.pointsEntry.create({
    data: {
      shop,
      customerId: `gid://shopify/Customer/${(n % 3) + 1}`,
      kind,
      points: BigInt(points),
      sourceKey: `test:${n++}`,
      ruleVersion: 0,
      effectiveAt: at(effective),
      availableAt: at(available),
    },
  });
}

beforeAll(async () => {
  await prisma.shop.create({ data: { shop: A, timezone: "Asia/Bangkok", currencyCode: "THB" } });
  await prisma.shop.create({ data: { shop: B, timezone: "UTC", currencyCode: "USD" } });
  // 2026-01-31 20:00 UTC is 1 February 03:00 in Bangkok: February's
  await entry(A, "order", 1000, "2026-01-31T20:00:00Z");
  await entry(A, "order", 300, "2026-01-10T00:00:00Z");
  await entry(A, "refund", -100, "2026-01-20T00:00:00Z");
  await entry(A, "loss", -7, "2026-01-20T00:00:00Z");
  await entry(A, "redemption", -500, "2026-02-10T00:00:00Z");
  await entry(A, "redemption", 100, "2026-02-11T00:00:00Z"); // released
  await entry(A, "adjustment", -50, "2026-02-12T00:00:00Z");
  await entry(A, "bonus", 25, "2026-02-12T00:00:00Z");
  await entry(A, "import", 600, "2026-02-28T16:59:59.999Z"); // 23:59:59.999 on 28 Feb in Bangkok
  await entry(A, "expiry", -200, "2026-02-28T17:00:00Z"); // 1 March 00:00 in Bangkok
  await entry(A, "order", 80, "2026-03-05T00:00:00Z", "2026-04-04T00:00:00Z"); // pending on 10 March
  await entry(A, "order", 999, "2026-03-20T00:00:00Z"); // after the report's moment: not counted
  // Another shop's entries in the same months
  await entry(B, "order", 123_456, "2026-02-01T00:00:00Z");
  await entry(B, "expiry", -5_000, "2026-02-02T00:00:00Z");
  await createReward(A, {
    kind: "amount_off",
    title: "฿50 off",
    pointsPrice: 500,
    valueMinor: 5000,
    expiryDays: null,
    limits: { perCustomer: null, total: null },
  });
  const better = await createReward(A, {
    kind: "store_credit",
    title: "฿100 credit",
    pointsPrice: 500,
    valueMinor: 10_000,
    expiryDays: null,
    limits: { perCustomer: null, total: null },
  });
  await setRewardActive(A, better.id, false); // inactive: not the rate
  await createReward(B, {
    kind: "amount_off",
    title: "$1000 off",
    pointsPrice: 1,
    valueMinor: 100_000,
    expiryDays: null,
    limits: { perCustomer: null, total: null },
  });
});

describe("pointsLiability", () => {
  it("sums the shop's journal per month in its zone, as of the moment", async () => {
    const report = await pointsLiability(A, { now: () => at("2026-03-10T00:00:00Z") });
    expect(report.timeZone).toBe("Asia/Bangkok");
    expect(report.currency).toBe("THB");
    expect(report.months).toEqual([
      { month: "2026-01", earned: 300, redeemed: 0, expired: 0, clawedBack: 100, lost: 7, adjusted: 0, imported: 0 },
      {
        month: "2026-02",
        earned: 1025,
        redeemed: 400,
        expired: 0,
        clawedBack: 0,
        lost: 0,
        adjusted: -50,
        imported: 600,
      },
      { month: "2026-03", earned: 80, redeemed: 0, expired: 200, clawedBack: 0, lost: 0, adjusted: 0, imported: 0 },
    ]);
    // 300 + 1000 − 100 − 400 − 50 + 25 + 600 − 200 = 1175 available; 80 pending
    expect(report.outstanding).toEqual({ available: 1175, pending: 80, total: 1255 });
    expect(report.rate).toMatchObject({ title: "฿50 off", pointsPrice: 500, valueMinor: 5000 });
    // 1255 × 5000 / 500 = 12550 satang
    expect(report.valueMinor).toBe(12_550);
    // settled 200 + 400 = 600 < 1000: not enough history
    expect(report.breakage).toEqual({ settled: 600, basisPoints: null, minSettled: 1000 });
    expect(report.expectedCostMinor).toBe(12_550);
  });

  it("gives a shop without a journal an empty report, and the CSV its figures", async () => {
    const empty = await pointsLiability("liability-none.myshopify.com", { now: () => at("2026-03-10T00:00:00Z") });
    expect(empty.months).toEqual([]);
    expect(empty.outstanding).toEqual({ available: 0, pending: 0, total: 0 });
    const { name, csv } = await pointsLiabilityCsv(A, { now: () => at("2026-03-10T00:00:00Z") });
    expect(name).toBe("points-liability-2026-03-10.csv");
    expect(csv).toContain("2026-02,1025,400,0,0,0,-50,600\n");
    expect(csv).toContain("outstanding_value,125.50\n");
  });
});

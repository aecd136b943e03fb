// The points Flow triggers' payloads carry exactly the fields their extensions declare (what Shopify's
// flowTriggerReceive accepts), with keys Shopify allows (letters and spaces).
import { describe, expect, it } from "vitest";
import {
  expiringAnnouncement,
  pointsEarnedTrigger,
  pointsExpiringTrigger,
  rewardRedeemedTrigger,
  POINTS_EARNED_TRIGGER,
  POINTS_EXPIRING_TRIGGER,
  REWARD_REDEEMED_TRIGGER,
} from "../../app/domain/points-flow";
import { declaredFlowTriggers } from "../../simulator/local-shopify";

const declared = declaredFlowTriggers("extensions");
const keysOf = (handle: string) =>
  declared[handle].map((f) => (f.type === "customer_reference" ? "customer_id" : f.key!)).sort();

describe("points Flow trigger payloads", () => {
  it("Points earned", () => {
    const t = pointsEarnedTrigger({
      customerId: "gid://shopify/Customer/77",
      points: 150,
      reason: "Review",
      source: "flow",
      availablePoints: 1200,
    });
    expect(t).toEqual({
      handle: POINTS_EARNED_TRIGGER,
      payload: { customer_id: 77, points: "150", reason: "Review", source: "flow", "available points": "1200" },
    });
    expect(Object.keys(t.payload).sort()).toEqual(keysOf(t.handle));
  });
  it("Reward redeemed", () => {
    const t = rewardRedeemedTrigger({
      customerId: "gid://shopify/Customer/8",
      reward: "฿50 off",
      kind: "store_credit",
      points: 500,
      code: null,
    });
    expect(t.payload).toEqual({
      customer_id: 8,
      reward: "฿50 off",
      "reward kind": "store_credit",
      points: "500",
      code: "",
    });
    expect(t.handle).toBe(REWARD_REDEEMED_TRIGGER);
    expect(Object.keys(t.payload).sort()).toEqual(keysOf(t.handle));
  });
  it("Points expiring", () => {
    const t = pointsExpiringTrigger({
      customerId: "gid://shopify/Customer/9",
      points: 40,
      at: Date.UTC(2027, 0, 1, 17),
    });
    expect(t.payload).toEqual({ customer_id: 9, points: "40", "expires at": "2027-01-01T17:00:00.000Z" });
    expect(t.handle).toBe(POINTS_EXPIRING_TRIGGER);
    expect(Object.keys(t.payload).sort()).toEqual(keysOf(t.handle));
  });
  it("refuses what is not a customer id", () => {
    expect(() => pointsExpiringTrigger({ customerId: "gid://shopify/Customer/x", points: 1, at: 0 })).toThrow();
  });
});

describe("expiringAnnouncement (the sync's Points expiring)", () => {
  const digest = (expiring: { points: number; at: string } | null, tier: string | null = "gold\nstatus") =>
    `${tier ?? ""}\npoints\n${JSON.stringify({ available: 100, pending: 0, next_available: null, expiring })}`;
  const soon = { points: 60, at: "2027-01-01T17:00:00.000Z" };
  it("announces an expiry instant the written text has and the text before did not", () => {
    const want = { handle: POINTS_EXPIRING_TRIGGER, payload: { customer_id: 5, points: "60", "expires at": soon.at } };
    expect(expiringAnnouncement("gid://shopify/Customer/5", null, digest(soon))).toEqual(want);
    expect(expiringAnnouncement("gid://shopify/Customer/5", digest(null), digest(soon))).toEqual(want);
    expect(expiringAnnouncement("gid://shopify/Customer/5", "gold\nstatus", digest(soon, null))).toEqual(want);
    // another instant is another expiry
    const before = digest({ points: 10, at: "2026-12-01T17:00:00.000Z" });
    expect(expiringAnnouncement("gid://shopify/Customer/5", before, digest(soon))).toEqual(want);
  });
  it("announces nothing twice, nor without an expiry", () => {
    expect(expiringAnnouncement("gid://shopify/Customer/5", digest(soon), digest(soon))).toBeNull();
    // more points expiring at the same instant: the same expiry, already announced
    expect(expiringAnnouncement("gid://shopify/Customer/5", digest(soon), digest({ ...soon, points: 90 }))).toBeNull();
    expect(expiringAnnouncement("gid://shopify/Customer/5", digest(soon), digest(null))).toBeNull();
    expect(expiringAnnouncement("gid://shopify/Customer/5", digest(soon), null)).toBeNull();
    expect(expiringAnnouncement("gid://shopify/Customer/5", null, "gold\nstatus")).toBeNull();
  });
});

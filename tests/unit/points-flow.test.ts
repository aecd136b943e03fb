// The points Flow triggers' payloads carry exactly the fields their extensions declare (what Shopify's
// flowTriggerReceive accepts), with keys Shopify allows (letters and spaces).
import { describe, expect, it } from "vitest";
import {
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

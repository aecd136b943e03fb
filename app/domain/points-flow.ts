// The points Flow triggers' payloads (extensions/flow-points-earned, flow-reward-redeemed, flow-points-expiring;
// docs/rules.md#flow-triggers): exactly the fields each extension declares, keys of letters and spaces, the customer
// as `customer_id` (its numeric id), whole numbers as text. Pure.
import { splitStorefrontDigest, type PointsStatusJson } from "./sync";
export const POINTS_EARNED_TRIGGER = "points-earned";
export const REWARD_REDEEMED_TRIGGER = "reward-redeemed";
export const POINTS_EXPIRING_TRIGGER = "points-expiring";

export interface FlowTriggerCall {
  handle: string;
  payload: Record<string, unknown>;
}

const customerNumber = (customerId: string) => {
  const n = Number(customerId.split("/").pop());
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`not a customer id: ${customerId}`);
  return n;
};

export function pointsEarnedTrigger(input: {
  customerId: string;
  points: number;
  reason: string;
  source: "adjustment" | "bonus" | "flow";
  availablePoints: number;
}): FlowTriggerCall {
  return {
    handle: POINTS_EARNED_TRIGGER,
    payload: {
      customer_id: customerNumber(input.customerId),
      points: String(input.points),
      reason: input.reason,
      source: input.source,
      "available points": String(input.availablePoints),
    },
  };
}

export function rewardRedeemedTrigger(input: {
  customerId: string;
  reward: string;
  kind: string;
  points: number;
  code: string | null;
}): FlowTriggerCall {
  return {
    handle: REWARD_REDEEMED_TRIGGER,
    payload: {
      customer_id: customerNumber(input.customerId),
      reward: input.reward,
      "reward kind": input.kind,
      points: String(input.points),
      code: input.code ?? "",
    },
  };
}

export function pointsExpiringTrigger(input: { customerId: string; points: number; at: number }): FlowTriggerCall {
  return {
    handle: POINTS_EXPIRING_TRIGGER,
    payload: {
      customer_id: customerNumber(input.customerId),
      points: String(input.points),
      "expires at": new Date(input.at).toISOString(),
    },
  };
}

/**
 * The "Points expiring" announcement a sync's write makes, from the customer's metafields digest before and after it
 * (CustomerSync.metafields; the points JSON's `expiring`, points expiring within the warning window): one when the
 * written text has an `expiring` whose instant the text before did not have (none before, or another instant). The
 * digest is the record: the same expiry is never announced twice, and an unwritten text (Shopify refused it) is not
 * announced until it is written. Null: nothing to announce.
 */
export function expiringAnnouncement(
  customerId: string,
  beforeDigest: string | null,
  afterDigest: string | null,
): FlowTriggerCall | null {
  const expiring = (digest: string | null) => {
    const text = splitStorefrontDigest(digest).points;
    if (text === null) return null;
    try {
      return (JSON.parse(text) as PointsStatusJson).expiring ?? null;
    } catch {
      return null;
    }
  };
  const after = expiring(afterDigest);
  if (after === null || after.points <= 0) return null;
  const before = expiring(beforeDigest);
  if (before !== null && before.at === after.at) return null;
  return pointsExpiringTrigger({ customerId, points: after.points, at: Date.parse(after.at) });
}

// The points Flow triggers' payloads (extensions/flow-points-earned, flow-reward-redeemed, flow-points-expiring;
// docs/rules.md#flow-triggers): exactly the fields each extension declares, keys of letters and spaces, the customer
// as `customer_id` (its numeric id), whole numbers as text. Pure.
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

// The rewards catalogue's writes and counts for the merchant's screen (docs/rules.md#rewards-catalogue): editing a
// reward in place (its redemptions keep the price, kind and value they were made at) and the redemptions of every
// reward by state. Rewards are never deleted here: a reward with redemptions is part of their history, and a reward is
// taken off the shoppers' page by deactivating it (models/rewards.server.ts setRewardActive). Scoped by shop.
import { prisma } from "../db.server";
import type { RewardDefinition } from "../domain/rewards";

/** Replaces a reward's definition; false when the shop has no reward with that id. */
export async function updateReward(shop: string, id: string, reward: RewardDefinition): Promise<boolean> {
  const { count } = await prisma.reward.updateMany({
    where: { shop, id },
    data: {
      kind: reward.kind,
      title: reward.title,
      pointsPrice: reward.pointsPrice,
      valueMinor: reward.valueMinor === null ? null : BigInt(reward.valueMinor),
      expiryDays: reward.expiryDays,
      limitPerCustomer: reward.limits.perCustomer?.count ?? null,
      limitPeriodDays: reward.limits.perCustomer?.periodDays ?? null,
      limitTotal: reward.limits.total,
    },
  });
  return count === 1;
}

/** Sets a reward active or not; false when the shop has no reward with that id. */
export async function setRewardActiveIn(shop: string, id: string, active: boolean): Promise<boolean> {
  const { count } = await prisma.reward.updateMany({ where: { shop, id }, data: { active } });
  return count === 1;
}

export interface RewardRedemptionCounts {
  reserved: number;
  confirmed: number;
  released: number;
}

/** The shop's redemptions per reward and state. */
export async function redemptionsByReward(shop: string): Promise<Map<string, RewardRedemptionCounts>> {
  const rows = await prisma.redemption.groupBy({
    by: ["rewardId", "state"],
    where: { shop },
    _count: { _all: true },
  });
  const out = new Map<string, RewardRedemptionCounts>();
  for (const r of rows) {
    const counts = out.get(r.rewardId) ?? { reserved: 0, confirmed: 0, released: 0 };
    if (r.state === "reserved" || r.state === "confirmed" || r.state === "released") counts[r.state] = r._count._all;
    out.set(r.rewardId, counts);
  }
  return out;
}

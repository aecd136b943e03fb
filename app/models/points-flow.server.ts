// What "Points earned" announced (docs/rules.md#flow-triggers): one PointsFlowTrigger row per customer, announced
// source and trigger. The row is written (pending) before the send and its key is the once; a send is claimed by
// advancing the row's attempts from the count the sender read, so two passes racing on one row send it once.
import { prisma } from "../db.server";
import type { AnnouncementRecord, AnnouncementState } from "../domain/points-flow";
import { ORDER_IDS_PER_QUERY } from "./points.server";

/**
 * The customers the points pass looks at: those with an order or derived bonus entry adding points that became
 * available in (since, now], and those with a pending record (a send to try again). Scoped to `customerIds` when
 * given (the points-customer job). Sorted by id.
 */
export async function earnedCandidateCustomers(
  shop: string,
  topic: string,
  { since, now, customerIds }: { since: Date; now: Date; customerIds?: readonly string[] },
): Promise<string[]> {
  const scope = customerIds ? { customerId: { in: [...customerIds] } } : {};
  const [entries, pending] = await Promise.all([
    prisma.pointsEntry.findMany({
      where: {
        shop,
        ...scope,
        kind: { in: ["order", "bonus"] },
        points: { gt: 0 },
        availableAt: { gt: since, lte: now },
        OR: [{ sourceKey: { startsWith: "order:" } }, { sourceKey: { startsWith: "bonus:" } }],
      },
      select: { customerId: true },
      distinct: ["customerId"],
    }),
    prisma.pointsFlowTrigger.findMany({
      where: { shop, topic, state: "pending", ...scope },
      select: { customerId: true },
      distinct: ["customerId"],
    }),
  ]);
  const ids = new Set([...entries, ...pending].map((r) => r.customerId));
  return [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The records held for these customers and trigger. */
export async function announcementRecords(
  shop: string,
  topic: string,
  customerIds: readonly string[],
): Promise<AnnouncementRecord[]> {
  if (customerIds.length === 0) return [];
  const rows = await prisma.pointsFlowTrigger.findMany({
    where: { shop, topic, customerId: { in: [...customerIds] } },
  });
  return rows.map((r) => ({
    customerId: r.customerId,
    sourceKey: r.sourceKey,
    state: r.state as AnnouncementState,
    attempts: r.attempts,
  }));
}

/**
 * The names of these orders of the shop (an order without one is left out). Read ORDER_IDS_PER_QUERY at a time: the
 * journals of 500 customers may name any number of orders (Prisma's 999 bound parameters on SQLite, P2029).
 */
export async function orderNames(shop: string, orderIds: readonly string[]): Promise<Map<string, string>> {
  const ids = [...new Set(orderIds)];
  const out = new Map<string, string>();
  for (let i = 0; i < ids.length; i += ORDER_IDS_PER_QUERY) {
    const rows = await prisma.order.findMany({
      where: { shop, id: { in: ids.slice(i, i + ORDER_IDS_PER_QUERY) } },
      select: { id: true, name: true },
    });
    for (const r of rows) if (r.name) out.set(r.id, r.name);
  }
  return out;
}

/**
 * The "Reward redeemed" (`topic`) records still pending (a refused or failed send, or one under way) of the shop's
 * redemptions confirmed between `since` and `now`, with their attempts and confirmation time. Oldest first.
 */
export async function pendingRedemptionAnnouncements(
  shop: string,
  topic: string,
  { since, now }: { since: Date; now: Date },
): Promise<{ redemptionId: string; attempts: number; confirmedAt: Date }[]> {
  const records = await prisma.pointsFlowTrigger.findMany({
    where: { shop, topic, state: "pending", sourceKey: { startsWith: "redeem:" } },
    select: { sourceKey: true, attempts: true },
  });
  const attempts = new Map(records.map((r) => [r.sourceKey.slice("redeem:".length), r.attempts]));
  const ids = [...attempts.keys()];
  const out: { redemptionId: string; attempts: number; confirmedAt: Date }[] = [];
  for (let i = 0; i < ids.length; i += ORDER_IDS_PER_QUERY) {
    const rows = await prisma.redemption.findMany({
      where: {
        shop,
        id: { in: ids.slice(i, i + ORDER_IDS_PER_QUERY) },
        state: "confirmed",
        confirmedAt: { gte: since, lte: now },
      },
      select: { id: true, confirmedAt: true },
    });
    for (const r of rows) out.push({ redemptionId: r.id, attempts: attempts.get(r.id)!, confirmedAt: r.confirmedAt! });
  }
  return out.sort(
    (a, b) => a.confirmedAt.getTime() - b.confirmedAt.getTime() || (a.redemptionId < b.redemptionId ? -1 : 1),
  );
}

type Key = { shop: string; customerId: string; sourceKey: string; topic: string };

/**
 * Claims one send of an announcement: writes its record (pending, one attempt) when `attempts` is 0, else advances a
 * pending record from `attempts`. False: another sender wrote or advanced it first (it sends, not this one), or the
 * record is no longer pending.
 */
export async function claimAnnouncement(key: Key, points: number, attempts: number): Promise<boolean> {
  if (attempts === 0) {
    try {
      await prisma.pointsFlowTrigger.create({
        data: { ...key, state: "pending", attempts: 1, points: BigInt(points) },
      });
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === "P2002") return false;
      throw error;
    }
  }
  const { count } = await prisma.pointsFlowTrigger.updateMany({
    where: { ...key, state: "pending", attempts },
    data: { attempts: attempts + 1, points: BigInt(points) },
  });
  return count === 1;
}

/** Records a claimed send's outcome: sent; or, refused/failed, pending again unless it was the last attempt. */
export async function recordAnnouncement(
  key: Key,
  outcome: { sent: true; at: Date } | { sent: false; lastAttempt: boolean },
): Promise<void> {
  await prisma.pointsFlowTrigger.updateMany({
    where: { ...key, state: "pending" },
    data: outcome.sent ? { state: "sent", sentAt: outcome.at } : { state: outcome.lastAttempt ? "refused" : "pending" },
  });
}

/** Closes a record whose source holds no points any more (nothing to announce): refused, without a send. */
export async function closeAnnouncement(key: Key): Promise<void> {
  await prisma.pointsFlowTrigger.updateMany({ where: { ...key, state: "pending" }, data: { state: "refused" } });
}

// Adjustments and Flow awards in the points journal (docs/rules.md#adjustments-and-the-audit-trail), and the reads
// of one customer's journal the admin's points card explains. Appending an adjustment takes the customer's points
// lock (lockCustomersPoints, models/rewards.server.ts: a redemption's reservation and the journal's derive take it
// too): on PostgreSQL the transaction-scoped advisory lock on (shop, customer); on SQLite a write as the
// transaction's first statement. So a removal and a redemption cannot both spend the same available points.
import { prisma } from "../db.server";
import { lockCustomersPoints } from "./rewards.server";
import { spendableAt, type PointsEntryValues, type PointsKind } from "../domain/points";

/** Whether the shop's ledger has this customer (not deleted): what an adjustment or award may name. */
export async function isLiveCustomer(shop: string, customerId: string): Promise<boolean> {
  const row = await prisma.customer.findUnique({
    where: { shop_id: { shop, id: customerId } },
    select: { deletedAt: true },
  });
  return row !== null && row.deletedAt === null;
}

export type AppendAdjustmentResult =
  | { outcome: "appended"; available: number }
  /** The source key is already held: this is a repeat (double submit, retried request), nothing written. */
  | { outcome: "existing"; entry: { points: number; kind: string; note: string | null; actor: string | null } }
  | { outcome: "insufficient"; available: number };

/**
 * Appends one adjustment entry for a customer under the per-customer lock: a repeat of its source key returns the
 * entry held; a removal beyond the available balance as of `at` writes nothing.
 */
export async function appendAdjustment(
  shop: string,
  customerId: string,
  entry: PointsEntryValues,
  actor: string,
  at: Date,
): Promise<AppendAdjustmentResult> {
  return prisma.$transaction(
    async (tx) => {
      // The lock a redemption's reservation and the journal's derive take (models/rewards.server.ts).
      await lockCustomersPoints(tx, shop, [customerId]);
      const same = await tx.pointsEntry.findUnique({
        where: { shop_customerId_sourceKey: { shop, customerId, sourceKey: entry.sourceKey } },
        select: { points: true, kind: true, note: true, actor: true },
      });
      if (same) return { outcome: "existing", entry: { ...same, points: Number(same.points) } } as const;
      const rows = await tx.pointsEntry.findMany({
        where: { shop, customerId },
        select: { kind: true, points: true, effectiveAt: true, availableAt: true },
      });
      const available = spendableAt(
        rows.map((e) => ({
          kind: e.kind as PointsKind,
          points: Number(e.points),
          effectiveAt: e.effectiveAt.getTime(),
          availableAt: e.availableAt.getTime(),
        })),
        at.getTime(),
      );
      if (entry.points < 0 && available + entry.points < 0) return { outcome: "insufficient", available } as const;
      await tx.pointsEntry.create({
        data: {
          shop,
          customerId,
          kind: entry.kind,
          points: BigInt(entry.points),
          sourceKey: entry.sourceKey,
          ruleVersion: entry.ruleVersion,
          effectiveAt: new Date(entry.effectiveAt),
          availableAt: new Date(entry.availableAt),
          orderId: entry.orderId,
          refundId: entry.refundId,
          note: entry.note,
          actor,
        },
      });
      return { outcome: "appended", available: available + entry.points } as const;
    },
    { maxWait: 10_000, timeout: 20_000 },
  );
}

/** One held entry with what the admin shows of it. */
export interface JournalRow extends PointsEntryValues {
  id: number;
  actor: string | null;
  createdAt: number;
}

/** A customer's journal, newest movement first (effectiveAt, then the order written). */
export async function customerJournal(shop: string, customerId: string): Promise<JournalRow[]> {
  const rows = await prisma.pointsEntry.findMany({
    where: { shop, customerId },
    orderBy: [{ effectiveAt: "desc" }, { id: "desc" }],
  });
  return rows.map((r) => ({
    id: r.id,
    sourceKey: r.sourceKey,
    kind: r.kind as PointsKind,
    points: Number(r.points),
    ruleVersion: r.ruleVersion,
    effectiveAt: r.effectiveAt.getTime(),
    availableAt: r.availableAt.getTime(),
    orderId: r.orderId,
    refundId: r.refundId,
    note: r.note,
    // An import's own expiry (the rules read it for what expires soon); absent on every other entry
    ...(r.expiresAt ? { expiresAt: r.expiresAt.getTime() } : {}),
    actor: r.actor,
    createdAt: r.createdAt.getTime(),
  }));
}

/** The names (#1001) of the shop's orders named. */
export async function orderNames(shop: string, orderIds: readonly string[]): Promise<Map<string, string | null>> {
  if (orderIds.length === 0) return new Map();
  const rows = await prisma.order.findMany({
    where: { shop, id: { in: [...new Set(orderIds)] } },
    select: { id: true, name: true },
  });
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** The reward titles of the shop's redemptions named (redemption id → title; a deleted reward has none). */
export async function redemptionTitles(
  shop: string,
  redemptionIds: readonly string[],
): Promise<Map<string, string | null>> {
  if (redemptionIds.length === 0) return new Map();
  const redemptions = await prisma.redemption.findMany({
    where: { shop, id: { in: [...new Set(redemptionIds)] } },
    select: { id: true, rewardId: true },
  });
  const rewards = await prisma.reward.findMany({
    where: { shop, id: { in: [...new Set(redemptions.map((r) => r.rewardId))] } },
    select: { id: true, title: true },
  });
  const title = new Map(rewards.map((r) => [r.id, r.title]));
  return new Map(redemptions.map((r) => [r.id, title.get(r.rewardId) ?? null]));
}

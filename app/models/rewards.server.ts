// Rewards and redemptions (docs/rules.md#points-redemption): the merchant's rewards, and a redemption's life —
// reserved (its points taken in the journal, in the same transaction that checks the balance and limits), then
// confirmed or released (the points given back by a `release:` entry). Every state change is conditional on the state
// it leaves, so two writers (the request and the recovery pass) cannot both confirm, or both release, one redemption.
//
// Reserving is serialised per customer, so that the available balance read is the one the reservation is taken from:
// on PostgreSQL a transaction-scoped advisory lock on (shop, customer), then the reward's row (locked by a no-op
// update, which serialises redemptions of one reward for its total limit); on SQLite the transaction's first
// statement is a write (lockCustomersPoints), so it holds the database's write lock before it reads anything.
import { randomUUID } from "node:crypto";
import { databaseKind, prisma } from "../db.server";
import type { Prisma } from "../generated/prisma/client";
import { balancesAt, spendableAt, type PointsKind } from "../domain/points";
import {
  periodStart,
  redemptionRefusal,
  releaseEntry,
  reservationEntry,
  type RedemptionRefusal,
  type RedemptionState,
  type RewardDefinition,
  type RewardKind,
} from "../domain/rewards";

export interface Reward extends RewardDefinition {
  id: string;
  active: boolean;
  createdAt: Date;
}

type RewardRow = Prisma.RewardGetPayload<object>;

const rewardFrom = (r: RewardRow): Reward => ({
  id: r.id,
  kind: r.kind as RewardKind,
  title: r.title,
  pointsPrice: r.pointsPrice,
  valueMinor: r.valueMinor === null ? null : Number(r.valueMinor),
  expiryDays: r.expiryDays,
  limits: {
    perCustomer:
      r.limitPerCustomer !== null && r.limitPeriodDays !== null
        ? { count: r.limitPerCustomer, periodDays: r.limitPeriodDays }
        : null,
    total: r.limitTotal,
  },
  active: r.active,
  createdAt: r.createdAt,
});

/** Saves a new reward (validated by domain/rewards.ts validateReward first). */
export async function createReward(shop: string, reward: RewardDefinition, { id = randomUUID() } = {}) {
  const row = await prisma.reward.create({
    data: {
      shop,
      id,
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
  return rewardFrom(row);
}

export async function getReward(shop: string, id: string): Promise<Reward | null> {
  const row = await prisma.reward.findUnique({ where: { shop_id: { shop, id } } });
  return row && rewardFrom(row);
}

export async function listRewards(shop: string, { activeOnly = false } = {}): Promise<Reward[]> {
  const rows = await prisma.reward.findMany({
    where: { shop, ...(activeOnly ? { active: true } : {}) },
    orderBy: [{ pointsPrice: "asc" }, { createdAt: "asc" }],
  });
  return rows.map(rewardFrom);
}

export async function setRewardActive(shop: string, id: string, active: boolean) {
  await prisma.reward.update({ where: { shop_id: { shop, id } }, data: { active } });
}

export interface Redemption {
  id: string;
  customerId: string;
  rewardId: string;
  token: string;
  points: number;
  kind: RewardKind;
  valueMinor: number | null;
  currencyCode: string;
  expiresAt: Date | null;
  state: RedemptionState;
  code: string | null;
  shopifyId: string | null;
  attempts: number;
  attemptedAt: Date | null;
  notifiedAt: Date | null;
  failure: string | null;
  createdAt: Date;
  confirmedAt: Date | null;
  releasedAt: Date | null;
}

type RedemptionRow = Prisma.RedemptionGetPayload<object>;

const redemptionFrom = (r: RedemptionRow): Redemption => ({
  id: r.id,
  customerId: r.customerId,
  rewardId: r.rewardId,
  token: r.token,
  points: r.points,
  kind: r.kind as RewardKind,
  valueMinor: r.valueMinor === null ? null : Number(r.valueMinor),
  currencyCode: r.currencyCode,
  expiresAt: r.expiresAt,
  state: r.state as RedemptionState,
  code: r.code,
  shopifyId: r.shopifyId,
  attempts: r.attempts,
  attemptedAt: r.attemptedAt,
  notifiedAt: r.notifiedAt,
  failure: r.failure,
  createdAt: r.createdAt,
  confirmedAt: r.confirmedAt,
  releasedAt: r.releasedAt,
});

export type ReserveResult =
  | { outcome: "reserved"; redemption: Redemption }
  /** The same token was already used by this customer: that redemption, whatever its state. */
  | { outcome: "existing"; redemption: Redemption }
  | { outcome: "refused"; refusal: RedemptionRefusal | { reason: "reward_unknown" } };

export interface ReserveInput {
  customerId: string;
  rewardId: string;
  token: string;
  now: Date;
  currencyCode: string;
  /** The code to create the discount or gift card with (null for store credit). */
  code: string | null;
  expiresAt: Date | null;
  id?: string;
}

const LIVE_STATES = ["reserved", "confirmed"];

/**
 * Serialises, until the end of the transaction `tx`, every writer of these customers' points that reads their
 * balance first (a reservation here; any journal writer that decides from the available balance, such as a
 * clawback, should take it too): on PostgreSQL a transaction-scoped advisory lock per (shop, customer), taken in
 * sorted order so that two writers of overlapping customers cannot deadlock; on SQLite a write statement (one that
 * changes no row), so the transaction holds the database's write lock before it reads anything.
 */
export async function lockCustomersPoints(tx: Prisma.TransactionClient, shop: string, customerIds: readonly string[]) {
  if (databaseKind === "postgresql") {
    for (const customerId of [...new Set(customerIds)].sort())
      await tx.$queryRaw`SELECT 1 AS "ok" FROM (SELECT pg_advisory_xact_lock(hashtext(${shop}::text), hashtext(${customerId}::text))) AS l`;
    return;
  }
  await tx.$executeRaw`UPDATE "PointsEntry" SET "shop" = "shop" WHERE 1 = 0`;
}

/**
 * Reserves a reward's points for a customer, or refuses with the reason and writes nothing: in one transaction,
 * serialised per customer and per reward (see the header), it reads the customer's available balance as of `now` and
 * the reward's counts, then inserts the redemption and its `redeem:<id>` entry. The same (customer, token) again
 * returns the redemption it made.
 */
export async function reserveRedemption(shop: string, input: ReserveInput): Promise<ReserveResult> {
  const { customerId, rewardId, token, now } = input;
  return prisma.$transaction(
    async (tx) => {
      await lockCustomersPoints(tx, shop, [customerId]);
      // The reward's row lock (PostgreSQL; on SQLite the write lock is held already) before anything is read.
      await tx.$executeRaw`UPDATE "Reward" SET "active" = "active" WHERE "shop" = ${shop} AND "id" = ${rewardId}`;
      const same = await tx.redemption.findUnique({ where: { shop_customerId_token: { shop, customerId, token } } });
      if (same) return { outcome: "existing", redemption: redemptionFrom(same) } as const;
      const rewardRow = await tx.reward.findUnique({ where: { shop_id: { shop, id: rewardId } } });
      if (!rewardRow) return { outcome: "refused", refusal: { reason: "reward_unknown" } } as const;
      const reward = rewardFrom(rewardRow);
      const entries = await tx.pointsEntry.findMany({
        where: { shop, customerId },
        select: { kind: true, points: true, effectiveAt: true, availableAt: true },
      });
      const available = spendableAt(
        entries.map((e) => ({
          kind: e.kind as PointsKind,
          points: Number(e.points),
          effectiveAt: e.effectiveAt.getTime(),
          availableAt: e.availableAt.getTime(),
        })),
        now.getTime(),
      );
      const per = reward.limits.perCustomer;
      const [customerInPeriod, total] = await Promise.all([
        per === null
          ? 0
          : tx.redemption.count({
              where: {
                shop,
                rewardId,
                customerId,
                state: { in: LIVE_STATES },
                createdAt: { gt: new Date(periodStart(now.getTime(), per.periodDays)) },
              },
            }),
        reward.limits.total === null
          ? 0
          : tx.redemption.count({ where: { shop, rewardId, state: { in: LIVE_STATES } } }),
      ]);
      const refusal = redemptionRefusal(reward, available, { customerInPeriod, total });
      if (refusal) return { outcome: "refused", refusal } as const;
      const id = input.id ?? randomUUID();
      const row = await tx.redemption.create({
        data: {
          shop,
          id,
          customerId,
          rewardId,
          token,
          points: reward.pointsPrice,
          kind: reward.kind,
          valueMinor: reward.valueMinor === null ? null : BigInt(reward.valueMinor),
          currencyCode: input.currencyCode,
          expiresAt: input.expiresAt,
          state: "reserved",
          code: input.code,
          createdAt: now,
          updatedAt: now,
        },
      });
      const entry = reservationEntry(id, reward.pointsPrice, now.getTime());
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
          note: entry.note,
        },
      });
      return { outcome: "reserved", redemption: redemptionFrom(row) } as const;
    },
    { maxWait: 10_000, timeout: 20_000 },
  );
}

export async function getRedemption(shop: string, id: string): Promise<Redemption | null> {
  const row = await prisma.redemption.findUnique({ where: { shop_id: { shop, id } } });
  return row && redemptionFrom(row);
}

export async function customerRedemptions(shop: string, customerId: string): Promise<Redemption[]> {
  const rows = await prisma.redemption.findMany({ where: { shop, customerId }, orderBy: { createdAt: "desc" } });
  return rows.map(redemptionFrom);
}

/** Redemptions still reserved whose newest step (reservation or attempt) is older than `before`. */
export async function staleReservations(shop: string, before: Date): Promise<Redemption[]> {
  const rows = await prisma.redemption.findMany({
    where: { shop, state: "reserved", updatedAt: { lt: before } },
    orderBy: { createdAt: "asc" },
  });
  return rows.map(redemptionFrom);
}

/** Gift cards confirmed before `before` that nobody asked Shopify to send yet, and whose send did not fail. */
export async function unnotifiedGiftCards(shop: string, before: Date): Promise<Redemption[]> {
  const rows = await prisma.redemption.findMany({
    where: {
      shop,
      kind: "gift_card",
      state: "confirmed",
      notifiedAt: null,
      failure: null,
      shopifyId: { not: null },
      confirmedAt: { lt: before },
    },
    orderBy: { createdAt: "asc" },
  });
  return rows.map(redemptionFrom);
}

/**
 * Per reward named, the counts its limits read for this customer as of `now` (reserved or confirmed redemptions:
 * the customer's within each reward's period, the shop's in total). A read for display: the reservation counts again
 * under its locks.
 */
export async function redemptionCounts(
  shop: string,
  customerId: string,
  rewards: readonly Reward[],
  now: Date,
): Promise<Map<string, { customerInPeriod: number; total: number }>> {
  const ids = rewards.map((r) => r.id);
  const [mine, totals] = await Promise.all([
    prisma.redemption.findMany({
      where: { shop, customerId, rewardId: { in: ids }, state: { in: LIVE_STATES } },
      select: { rewardId: true, createdAt: true },
    }),
    prisma.redemption.groupBy({
      by: ["rewardId"],
      where: { shop, rewardId: { in: ids }, state: { in: LIVE_STATES } },
      _count: { _all: true },
    }),
  ]);
  const out = new Map<string, { customerInPeriod: number; total: number }>();
  for (const r of rewards) {
    const per = r.limits.perCustomer;
    const since = per ? periodStart(now.getTime(), per.periodDays) : Number.POSITIVE_INFINITY;
    out.set(r.id, {
      customerInPeriod: mine.filter((m) => m.rewardId === r.id && m.createdAt.getTime() > since).length,
      total: totals.find((t) => t.rewardId === r.id)?._count._all ?? 0,
    });
  }
  return out;
}

/** The customer's available points as of `now`. */
export async function availablePoints(shop: string, customerId: string, now: Date): Promise<number> {
  const entries = await prisma.pointsEntry.findMany({
    where: { shop, customerId },
    select: { kind: true, points: true, effectiveAt: true, availableAt: true },
  });
  return balancesAt(
    entries.map((e) => ({
      kind: e.kind as PointsKind,
      points: Number(e.points),
      effectiveAt: e.effectiveAt.getTime(),
      availableAt: e.availableAt.getTime(),
    })),
    now.getTime(),
  ).available;
}

/** How many of the shop's redemptions are still reserved. */
export function countReserved(shop: string): Promise<number> {
  return prisma.redemption.count({ where: { shop, state: "reserved" } });
}

/** Records that a create is about to be sent (before it is): the store credit reconciliation reads from it. */
export async function noteAttempt(shop: string, id: string, at: Date) {
  const { count } = await prisma.redemption.updateMany({
    where: { shop, id, state: "reserved" },
    data: { attempts: { increment: 1 }, attemptedAt: at, updatedAt: at },
  });
  return count === 1;
}

/** Records an error that leaves the outcome unknown (the redemption stays reserved for the recovery pass). */
export async function noteFailure(shop: string, id: string, failure: string, at: Date) {
  await prisma.redemption.updateMany({ where: { shop, id }, data: { failure, updatedAt: at } });
}

/** Confirms a reserved redemption with what Shopify created; false when it was no longer reserved. */
export async function confirmRedemption(shop: string, id: string, shopifyId: string, at: Date) {
  const { count } = await prisma.redemption.updateMany({
    where: { shop, id, state: "reserved" },
    data: { state: "confirmed", shopifyId, confirmedAt: at, updatedAt: at, failure: null },
  });
  return count === 1;
}

export async function markNotified(shop: string, id: string, at: Date) {
  await prisma.redemption.updateMany({ where: { shop, id }, data: { notifiedAt: at, updatedAt: at } });
}

/**
 * Releases a reserved redemption: its state and its `release:<id>` entry (the points back as of `at`) in one
 * transaction; false (and nothing written) when it was no longer reserved.
 */
export async function releaseRedemption(shop: string, id: string, failure: string, at: Date) {
  return prisma.$transaction(async (tx) => {
    const row = await tx.redemption.findUnique({ where: { shop_id: { shop, id } } });
    if (!row) return false;
    const { count } = await tx.redemption.updateMany({
      where: { shop, id, state: "reserved" },
      data: { state: "released", failure, releasedAt: at, updatedAt: at },
    });
    if (count !== 1) return false;
    const entry = releaseEntry(id, row.points, at.getTime());
    await tx.pointsEntry.create({
      data: {
        shop,
        customerId: row.customerId,
        kind: entry.kind,
        points: BigInt(entry.points),
        sourceKey: entry.sourceKey,
        ruleVersion: entry.ruleVersion,
        effectiveAt: new Date(entry.effectiveAt),
        availableAt: new Date(entry.availableAt),
        note: entry.note,
      },
    });
    return true;
  });
}

/** Store credit transactions other confirmed redemptions already claimed (reconciliation must not claim them twice). */
export async function claimedShopifyIds(shop: string, customerId: string): Promise<Set<string>> {
  const rows = await prisma.redemption.findMany({
    where: { shop, customerId, kind: "store_credit", shopifyId: { not: null } },
    select: { shopifyId: true },
  });
  return new Set(rows.map((r) => r.shopifyId!));
}

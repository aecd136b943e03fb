// The points Flow triggers (docs/rules.md#flow-triggers). "Points earned": when a staff adjustment or bonus adds points
// or the Award points action runs (sent right after, by that step), and when an order's points or a derived bonus
// become available (sent by the points passes: announcePointsEarned). Each announcement has a record
// (models/points-flow.server.ts), written pending before the send and marked sent once Shopify accepted it; a refused
// or failed send stays pending and the next points pass sends it again, at most EARNED_MAX_ATTEMPTS times in all (then
// refused), so no source is announced twice. "Reward redeemed" is sent when a redemption is confirmed, by that step
// (the confirmation is conditional on the redemption still being reserved), through a record of its own: the
// redemptions-recover pass sends a refused or failed one again (announceRewardsRedeemed). A request waits at most TRIGGER_WAIT_MS for its send (a slow
// Shopify does not hold up a staff save, a Flow run or a redemption), and sending never fails the step. "Points expiring" is sent by the sync after it recorded what it wrote: an `expiring`
// instant the customer's points metafield did not have before (domain/points-flow.ts expiringAnnouncement); the
// recorded digest is what keeps it to once.
import { getRedemption, getReward, type Redemption } from "../models/rewards.server";
import { journalsOf } from "../models/points.server";
import {
  announcementRecords,
  claimAnnouncement,
  closeAnnouncement,
  earnedCandidateCustomers,
  orderNames,
  recordAnnouncement,
  pendingRedemptionAnnouncements,
} from "../models/points-flow.server";
import {
  EARNED_LOOKBACK_MS,
  EARNED_MAX_ATTEMPTS,
  earnedAnnouncements,
  expiringAnnouncement,
  POINTS_EARNED_TRIGGER,
  pointsEarnedTrigger,
  REWARD_REDEEMED_TRIGGER,
  rewardRedeemedTrigger,
  type EarnedAnnouncement,
  type FlowTriggerCall,
} from "../domain/points-flow";
import type { AdminClient } from "../shopify/client";
import { createAdminClient } from "../shopify/client";
import { flowTriggersMutation, SYNC_MUTATION_FIELDS_MAX } from "../shopify/documents";
import { remixTransport, type RemixAdminGraphql } from "../shopify/transport.server";
import { logger } from "../logger.server";

/** Where a trigger goes: an Admin client, or the library's admin.graphql of the request that made the event. */
export type FlowTarget = { client: AdminClient } | { graphql: RemixAdminGraphql };

const clientOf = (shop: string, target: FlowTarget) =>
  "client" in target ? target.client : createAdminClient({ shop, transport: remixTransport(target.graphql) });

/** Sends triggers (one request): whether Shopify accepted each. Never throws (an error: none accepted). */
async function sendEach(shop: string, target: FlowTarget, triggers: readonly FlowTriggerCall[]): Promise<boolean[]> {
  if (triggers.length === 0) return [];
  try {
    const variables: Record<string, unknown> = {};
    triggers.forEach((t, i) => {
      variables[`handle${i}`] = t.handle;
      variables[`payload${i}`] = t.payload;
    });
    const data = await clientOf(shop, target).request<Record<string, { userErrors: { message: string }[] }>>(
      flowTriggersMutation(triggers.length),
      variables,
    );
    return triggers.map((t, i) => {
      const errors = data[`trigger${i}`]?.userErrors ?? [];
      if (errors.length > 0)
        logger.warn("flow trigger refused", { shop, handle: t.handle, errors: errors.map((e) => e.message) });
      return errors.length === 0;
    });
  } catch (error) {
    logger.warn("flow trigger not sent", { shop, error: String(error) });
    return triggers.map(() => false);
  }
}

/** Sends triggers (one request); how many Shopify accepted. Never throws. */
export async function sendPointsTriggers(
  shop: string,
  target: FlowTarget,
  triggers: readonly FlowTriggerCall[],
): Promise<number> {
  return (await sendEach(shop, target, triggers)).filter(Boolean).length;
}

/**
 * Sends "Points earned" announcements through their records: each is claimed first (its record written pending, or
 * advanced one attempt; one another sender claimed first is skipped), sent (at most SYNC_MUTATION_FIELDS_MAX a
 * request), then marked sent, or left pending for the next pass (refused after the last attempt). One whose source
 * holds no points any more is closed without a send. How many were sent.
 */
async function deliverEarned(
  shop: string,
  target: FlowTarget,
  announcements: readonly EarnedAnnouncement[],
  now: () => Date,
): Promise<number> {
  const keyOf = (a: EarnedAnnouncement) => ({
    shop,
    customerId: a.customerId,
    sourceKey: a.sourceKey,
    topic: POINTS_EARNED_TRIGGER,
  });
  const claimed: EarnedAnnouncement[] = [];
  for (const a of announcements) {
    if (a.trigger === null) await closeAnnouncement(keyOf(a));
    else if (await claimAnnouncement(keyOf(a), a.points, a.attempts)) claimed.push(a);
  }
  let sent = 0;
  for (let i = 0; i < claimed.length; i += SYNC_MUTATION_FIELDS_MAX) {
    const batch = claimed.slice(i, i + SYNC_MUTATION_FIELDS_MAX);
    const accepted = await sendEach(
      shop,
      target,
      batch.map((a) => a.trigger!),
    );
    for (const [j, a] of batch.entries()) {
      if (accepted[j]) sent++;
      await recordAnnouncement(
        keyOf(a),
        accepted[j] ? { sent: true, at: now() } : { sent: false, lastAttempt: a.attempts + 1 >= EARNED_MAX_ATTEMPTS },
      );
    }
  }
  return sent;
}

/**
 * "Points earned" for what became available (domain/points-flow.ts earnedAnnouncements): the orders and derived
 * bonuses whose points became available within the lookback and still hold points, not announced yet, and every
 * pending announcement again. Called by the points jobs after their derive (jobs/points.server.ts): the shop's pass
 * for the whole shop, the points-customer job for its customer. How many were announced and sent.
 */
export async function announcePointsEarned(
  shop: string,
  targetOf: FlowTarget | (() => Promise<FlowTarget>),
  { now = () => new Date(), customerIds }: { now?: () => Date; customerIds?: readonly string[] } = {},
): Promise<{ announced: number; sent: number }> {
  let target: FlowTarget | null = typeof targetOf === "function" ? null : targetOf;
  const at = now();
  const ids = await earnedCandidateCustomers(shop, POINTS_EARNED_TRIGGER, {
    since: new Date(at.getTime() - EARNED_LOOKBACK_MS),
    now: at,
    customerIds,
  });
  let announced = 0;
  let sent = 0;
  for (let i = 0; i < ids.length; i += 500) {
    const batch = ids.slice(i, i + 500);
    const [journals, records] = await Promise.all([
      journalsOf(shop, batch),
      announcementRecords(shop, POINTS_EARNED_TRIGGER, batch),
    ]);
    const orderIds = [...journals.values()].flatMap((j) => j.flatMap((e) => (e.kind === "order" ? [e.orderId!] : [])));
    const names = await orderNames(shop, orderIds);
    const due = batch.flatMap((id) => earnedAnnouncements(id, journals.get(id) ?? [], records, at.getTime(), names));
    if (due.length === 0) continue;
    // The client only when there is something to send (the points-customer job runs on every order of the shop)
    if (target === null) {
      try {
        target = await (targetOf as () => Promise<FlowTarget>)();
      } catch (error) {
        logger.warn("points earned not announced: no client", { shop, error: String(error) });
        return { announced, sent };
      }
    }
    announced += due.filter((a) => a.trigger !== null).length;
    sent += await deliverEarned(shop, target, due, now);
  }
  return { announced, sent };
}

/** How long a request (a staff save, a Flow run, a shopper's redemption) waits for its trigger to be sent. */
export const TRIGGER_WAIT_MS = 3_000;

/**
 * Waits for `work` at most `waitMs`: a slow or unreachable Shopify does not hold up the request whose event it is (the
 * send goes on in the background; its outcome is logged, and recorded). Resolves to the number sent, or null when it
 * stopped waiting.
 */
async function within(work: Promise<number>, waitMs: number): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), waitMs);
  });
  try {
    return await Promise.race([work, waited]);
  } finally {
    clearTimeout(timer);
  }
}

const sendWithin = (shop: string, target: FlowTarget, triggers: readonly FlowTriggerCall[], waitMs: number) =>
  within(sendPointsTriggers(shop, target, triggers), waitMs);

/**
 * "Points earned" for an entry just appended (an adjustment or bonus adding points, or a Flow award). With its source
 * key, through its record: sent once, and a refusal or a failure is sent again by the next points pass.
 */
export function firePointsEarned(
  shop: string,
  target: FlowTarget | undefined,
  input: Parameters<typeof pointsEarnedTrigger>[0] & { sourceKey?: string },
  waitMs = TRIGGER_WAIT_MS,
  now: () => Date = () => new Date(),
): Promise<number | null> {
  if (!target || input.points <= 0) return Promise.resolve(0);
  const { sourceKey, ...fields } = input;
  if (sourceKey === undefined) return sendWithin(shop, target, [pointsEarnedTrigger(fields)], waitMs);
  const announcement: EarnedAnnouncement = {
    customerId: input.customerId,
    sourceKey,
    points: input.points,
    attempts: 0,
    trigger: pointsEarnedTrigger(fields),
  };
  const work = deliverEarned(shop, target, [announcement], now).catch((error: unknown) => {
    logger.warn("points earned not recorded", { shop, error: String(error) });
    return 0;
  });
  return within(work, waitMs);
}

/**
 * Sends "Reward redeemed" for a confirmed redemption through its record (topic reward-redeemed, source
 * `redeem:<id>`): claimed first (written pending, or advanced from `attempts`; another sender's claim wins), sent,
 * then marked sent, or left pending for the recovery pass (refused after the last attempt). Whether it was sent.
 */
async function deliverRewardRedeemed(
  shop: string,
  target: FlowTarget,
  redemption: Redemption,
  attempts: number,
  now: () => Date,
): Promise<boolean> {
  const key = {
    shop,
    customerId: redemption.customerId,
    sourceKey: `redeem:${redemption.id}`,
    topic: REWARD_REDEEMED_TRIGGER,
  };
  if (!(await claimAnnouncement(key, redemption.points, attempts))) return false;
  const reward = await getReward(shop, redemption.rewardId);
  const [accepted] = await sendEach(shop, target, [
    rewardRedeemedTrigger({
      customerId: redemption.customerId,
      reward: reward?.title ?? "",
      kind: redemption.kind,
      points: redemption.points,
      code: redemption.code,
    }),
  ]);
  await recordAnnouncement(
    key,
    accepted ? { sent: true, at: now() } : { sent: false, lastAttempt: attempts + 1 >= EARNED_MAX_ATTEMPTS },
  );
  return accepted;
}

/** "Reward redeemed" for a redemption just confirmed (a refused or failed send is sent again by the recovery pass). */
export async function fireRewardRedeemed(
  shop: string,
  redemption: Redemption,
  client: AdminClient,
  waitMs = TRIGGER_WAIT_MS,
  now: () => Date = () => new Date(),
): Promise<number | null> {
  const work = deliverRewardRedeemed(shop, { client }, redemption, 0, now).then(
    (sent) => (sent ? 1 : 0),
    (error: unknown) => {
      logger.warn("reward redeemed not recorded", { shop, error: String(error) });
      return 0;
    },
  );
  return within(work, waitMs);
}

/**
 * The recovery pass's "Reward redeemed" (jobs/redemptions.server.ts): sent again for the redemptions confirmed within
 * the lookback whose send was refused or failed (their record still pending), once confirmed at least `graceMs` ago
 * (a send under way is left alone). How many were sent, and how many stay pending (the job runs again while some do).
 */
export async function announceRewardsRedeemed(
  shop: string,
  client: AdminClient,
  { now = () => new Date(), graceMs }: { now?: () => Date; graceMs: number },
): Promise<{ sent: number; pending: number }> {
  const at = now();
  const held = await pendingRedemptionAnnouncements(shop, REWARD_REDEEMED_TRIGGER, {
    since: new Date(at.getTime() - EARNED_LOOKBACK_MS),
    now: at,
  });
  let sent = 0;
  let pending = 0;
  for (const { redemptionId, attempts, confirmedAt } of held) {
    // Confirmed within the grace period: its send may be under way; the next pass sees it
    if (confirmedAt.getTime() > at.getTime() - graceMs) {
      pending++;
      continue;
    }
    const redemption = await getRedemption(shop, redemptionId);
    if (!redemption) continue;
    if (await deliverRewardRedeemed(shop, { client }, redemption, attempts, now)) sent++;
    else if (attempts + 1 < EARNED_MAX_ATTEMPTS) pending++;
  }
  return { sent, pending };
}

/**
 * "Points expiring" for the customers whose points metafield a sync just wrote (their digests before and as
 * recorded after the write): one per customer whose written `expiring` instant is new. Called by the sync right after
 * recordSyncOutcomes. Never throws.
 */
export async function firePointsExpiring(
  shop: string,
  client: AdminClient,
  written: readonly { customerId: string; before: string | null; after: string | null }[],
): Promise<number> {
  const triggers = written
    .map((w) => expiringAnnouncement(w.customerId, w.before, w.after))
    .filter((t): t is FlowTriggerCall => t !== null);
  let sent = 0;
  for (let i = 0; i < triggers.length; i += SYNC_MUTATION_FIELDS_MAX)
    sent += await sendPointsTriggers(shop, { client }, triggers.slice(i, i + SYNC_MUTATION_FIELDS_MAX));
  return sent;
}

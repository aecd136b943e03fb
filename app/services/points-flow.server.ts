// The points Flow triggers (docs/rules.md#flow-triggers): "Points earned" when a staff adjustment or bonus adds points
// or the Award points action runs, and "Reward redeemed" when a redemption is confirmed. Each is sent by the step
// that makes the event happen, right after it: that step happens once (the entry's insert is unique per source key;
// the confirmation is conditional on the redemption still being reserved), so a retry, a double submit or a journal
// rebuild never sends a second one. The request waits at most TRIGGER_WAIT_MS for the send (a slow Shopify does not
// hold up a staff save, a Flow run or a redemption). Sending never fails the step: Shopify's refusal or an error is logged and the
// trigger is not sent again (at most once; the journal and the redemption are what count). "Points expiring" is sent
// by the sync after it recorded what it wrote: an `expiring` instant the customer's points metafield did not have
// before (domain/points-flow.ts expiringAnnouncement); the recorded digest is what keeps it to once.
import { getReward, type Redemption } from "../models/rewards.server";
import {
  expiringAnnouncement,
  pointsEarnedTrigger,
  rewardRedeemedTrigger,
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

/** Sends triggers (one request); how many Shopify accepted. Never throws. */
export async function sendPointsTriggers(
  shop: string,
  target: FlowTarget,
  triggers: readonly FlowTriggerCall[],
): Promise<number> {
  if (triggers.length === 0) return 0;
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
    let accepted = 0;
    triggers.forEach((t, i) => {
      const errors = data[`trigger${i}`]?.userErrors ?? [];
      if (errors.length === 0) accepted++;
      else logger.warn("flow trigger refused", { shop, handle: t.handle, errors: errors.map((e) => e.message) });
    });
    return accepted;
  } catch (error) {
    logger.warn("flow trigger not sent", { shop, error: String(error) });
    return 0;
  }
}

/** How long a request (a staff save, a Flow run, a shopper's redemption) waits for its trigger to be sent. */
export const TRIGGER_WAIT_MS = 3_000;

/**
 * Sends, waiting at most `waitMs`: a slow or unreachable Shopify does not hold up the request whose event it is (the
 * send goes on in the background, and its outcome is logged). Resolves to the number sent, or null when it stopped
 * waiting.
 */
async function sendWithin(
  shop: string,
  target: FlowTarget,
  triggers: readonly FlowTriggerCall[],
  waitMs: number,
): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), waitMs);
  });
  try {
    return await Promise.race([sendPointsTriggers(shop, target, triggers), waited]);
  } finally {
    clearTimeout(timer);
  }
}

/** "Points earned" for an entry just appended (an adjustment or bonus adding points, or a Flow award). */
export function firePointsEarned(
  shop: string,
  target: FlowTarget | undefined,
  input: Parameters<typeof pointsEarnedTrigger>[0],
  waitMs = TRIGGER_WAIT_MS,
): Promise<number | null> {
  if (!target || input.points <= 0) return Promise.resolve(0);
  return sendWithin(shop, target, [pointsEarnedTrigger(input)], waitMs);
}

/** "Reward redeemed" for a redemption just confirmed. */
export async function fireRewardRedeemed(
  shop: string,
  redemption: Redemption,
  client: AdminClient,
  waitMs = TRIGGER_WAIT_MS,
): Promise<number | null> {
  const reward = await getReward(shop, redemption.rewardId);
  return sendWithin(
    shop,
    { client },
    [
      rewardRedeemedTrigger({
        customerId: redemption.customerId,
        reward: reward?.title ?? "",
        kind: redemption.kind,
        points: redemption.points,
        code: redemption.code,
      }),
    ],
    waitMs,
  );
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

// The `redemptions-recover` job: the shop's redemptions left reserved (a crash, a lost answer) are confirmed or
// released (services/redemption.server.ts), and "Reward redeemed" is sent again for confirmed ones whose trigger
// Shopify refused or did not answer (services/points-flow.server.ts). While some stay pending (a gift card not yet searchable,
// Shopify down, a trigger refused fewer than 5 times), the job queues itself again after the grace period.
import type { AdminClient } from "../shopify/client";
import { RECOVERY_GRACE_MS, recoverRedemptions } from "../services/redemption.server";
import { announceRewardsRedeemed } from "../services/points-flow.server";
import { enqueueLineEventsIfConnected } from "../services/channel-events.server";
import { enqueueRedemptionsRecover, type RedemptionsRecoverPayload } from "./contracts";
import type { JobContext, JobQueue } from "./queue";

export interface RedemptionsJobDeps {
  clientFor(shop: string): Promise<AdminClient>;
  queue: JobQueue;
  now?: () => Date;
}

export function redemptionsRecoverJob(deps: RedemptionsJobDeps) {
  return async function runRedemptionsRecover(job: JobContext<RedemptionsRecoverPayload>) {
    const { shop } = job;
    const client = await deps.clientFor(shop);
    const result = await recoverRedemptions(shop, { client, now: deps.now });
    // "Reward redeemed" that Shopify refused or did not answer (docs/rules.md#flow-triggers)
    const announced = await announceRewardsRedeemed(shop, client, { now: deps.now, graceMs: RECOVERY_GRACE_MS });
    // "Reward redeemed" through LINE, from the confirmed redemptions (docs/line-sending.md).
    await enqueueLineEventsIfConnected(deps.queue, shop, "redemptions", { now: deps.now });
    if (result.pending + result.waiting + announced.pending > 0)
      await enqueueRedemptionsRecover(deps.queue, shop, { delayMs: RECOVERY_GRACE_MS, now: deps.now });
  };
}

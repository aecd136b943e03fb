// The `redemptions-recover` job: the shop's redemptions left reserved (a crash, a lost answer) are confirmed or
// released (services/redemption.server.ts). While some stay pending (a gift card not yet searchable, Shopify down),
// the job queues itself again after the grace period.
import type { AdminClient } from "../shopify/client";
import { RECOVERY_GRACE_MS, recoverRedemptions } from "../services/redemption.server";
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
    const result = await recoverRedemptions(shop, { client: await deps.clientFor(shop), now: deps.now });
    if (result.pending + result.waiting > 0)
      await enqueueRedemptionsRecover(deps.queue, shop, { delayMs: RECOVERY_GRACE_MS, now: deps.now });
  };
}

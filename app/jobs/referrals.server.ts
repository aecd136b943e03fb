// The `referrals` job: the shop's referral completion pass (services/referrals.server.ts, docs/referrals.md) — codes
// left reserved are finished, orders that carried a friend's code are linked, referrers are rewarded once the return
// window has passed (or refused), and rewards whose order was cancelled or refunded are clawed back. Queued daily by the
// recompute's follow-ups; every step is conditional, so a repeated or concurrent run writes nothing more.
import type { AdminClient } from "../shopify/client";
import { completeReferrals } from "../services/referrals.server";
import type { ReferralsPayload } from "./contracts";
import type { JobContext } from "./queue";

export interface ReferralsJobDeps {
  clientFor(shop: string): Promise<AdminClient>;
  now?: () => Date;
}

export function referralsJob(deps: ReferralsJobDeps) {
  return async function runReferrals(job: JobContext<ReferralsPayload>) {
    const client = await deps.clientFor(job.shop);
    await completeReferrals(job.shop, { client, now: deps.now });
  };
}

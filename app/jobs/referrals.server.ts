// The `referrals` job: the shop's referral completion pass (services/referrals.server.ts, docs/referrals.md) — codes
// left reserved are finished, orders that carried a friend's code are linked, referrers are rewarded once the return
// window has passed (or refused), and rewards whose order was cancelled or refunded are clawed back. Queued daily by the
// recompute's follow-ups and by the admin's "Run now", and again for the moment the next waiting referral's return
// window ends; every step is conditional, so a repeated or concurrent run writes nothing more.
import type { AdminClient } from "../shopify/client";
import { completeReferrals } from "../services/referrals.server";
import { enqueueReferralsDue, type ReferralsPayload } from "./contracts";
import type { JobContext, JobQueue } from "./queue";

export interface ReferralsJobDeps {
  clientFor(shop: string): Promise<AdminClient>;
  /** Where the pass for the next return window's end is queued. */
  queue: JobQueue;
  now?: () => Date;
}

export function referralsJob(deps: ReferralsJobDeps) {
  return async function runReferrals(job: JobContext<ReferralsPayload>) {
    const client = await deps.clientFor(job.shop);
    const result = await completeReferrals(job.shop, { client, now: deps.now });
    // A referral completes when its window ends, not at the next daily pass: queue the pass for that moment.
    if (result.nextDueAt !== null) await enqueueReferralsDue(deps.queue, job.shop, new Date(result.nextDueAt + 1_000));
  };
}

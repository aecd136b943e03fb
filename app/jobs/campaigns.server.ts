// The `campaigns` job: every active campaign of the shop finds its new audience and the waiting offers are delivered
// (services/campaigns.server.ts). Enqueued after every full recompute (daily included), a few seconds after a
// customer's segment or tier moved, and when the merchant starts or edits a campaign; coalesced by key
// (jobs/contracts.ts). A run that dies midway leaves every step it confirmed marked, so the next one finishes the rest.
import type { AdminClient } from "../shopify/client";
import { runShopCampaigns } from "../services/campaigns.server";
import { enqueueKlaviyoSyncIfConnected } from "../services/klaviyo-sync.server";
import { enqueueLineEventsIfConnected } from "../services/channel-events.server";
import type { CampaignsPayload } from "./contracts";
import type { JobContext, JobQueue } from "./queue";

export interface CampaignsJobDeps {
  clientFor(shop: string): Promise<AdminClient>;
  now?: () => Date;
  /** When given, a run that issued codes queues a Klaviyo pass (open offer codes, "Offer issued" events). */
  queue?: JobQueue;
}

export function campaignsJob(deps: CampaignsJobDeps) {
  return async function runCampaignsJob(job: JobContext<CampaignsPayload>) {
    const result = await runShopCampaigns(job.shop, deps);
    if (deps.queue && result && result.issued > 0)
      await enqueueKlaviyoSyncIfConnected(deps.queue, job.shop, "campaigns", { now: deps.now });
    // The offers just issued, through LINE for campaigns that send there (docs/line-sending.md).
    if (deps.queue && result && result.issued > 0)
      await enqueueLineEventsIfConnected(deps.queue, job.shop, "campaigns", { now: deps.now });
  };
}

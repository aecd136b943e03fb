// The `campaigns` job: every active campaign of the shop finds its new audience and the waiting offers are delivered
// (services/campaigns.server.ts). Enqueued after every full recompute (daily included), a few seconds after a
// customer's segment or tier moved, and when the merchant starts or edits a campaign; coalesced by key
// (jobs/contracts.ts). A run that dies midway leaves every step it confirmed marked, so the next one finishes the rest.
import type { AdminClient } from "../shopify/client";
import { runShopCampaigns } from "../services/campaigns.server";
import type { CampaignsPayload } from "./contracts";
import type { JobContext } from "./queue";

export interface CampaignsJobDeps {
  clientFor(shop: string): Promise<AdminClient>;
  now?: () => Date;
}

export function campaignsJob(deps: CampaignsJobDeps) {
  return async function runCampaignsJob(job: JobContext<CampaignsPayload>) {
    await runShopCampaigns(job.shop, deps);
  };
}

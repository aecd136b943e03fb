// The `campaigns` job: every active campaign of the shop finds its new audience and the waiting offers are delivered
// (app/services/campaigns.server.ts). Enqueued after every full recompute (daily included), a few seconds after a
// customer's segment or tier moved, and when the merchant starts or edits a campaign; coalesced by key. A run that
// dies midway leaves every step it confirmed marked, so the next one finishes the rest.
import type { AdminClient } from "../shopify/client";
import { getShop } from "../models/shop.server";
import { runCampaigns } from "../services/campaigns.server";
import type { JobContext, JobQueue } from "./queue";

export const CAMPAIGNS = "campaigns";
export const CAMPAIGNS_KEY = CAMPAIGNS;
/** After a customer's move, wait this long so that the moves of the next moments join one run. */
export const CAMPAIGNS_COALESCE_MS = 3_000;

export interface CampaignsPayload {
  reason: "recompute" | "customer" | "manual";
}

export interface CampaignsJobDeps {
  clientFor(shop: string): Promise<AdminClient>;
  now?: () => Date;
}

/** Queues a campaigns run of the shop (a no-op while one is already queued). */
export function enqueueCampaigns(queue: JobQueue, shop: string, reason: CampaignsPayload["reason"], { delayMs = 0, now = () => new Date() } = {}) {
  return queue.enqueue<CampaignsPayload>(shop, CAMPAIGNS, { reason }, { key: CAMPAIGNS_KEY, runAt: new Date(now().getTime() + delayMs) });
}

export function campaignsJob(deps: CampaignsJobDeps) {
  return async function runCampaignsJob(job: JobContext<CampaignsPayload>) {
    const row = await getShop(job.shop);
    if (row?.status === "uninstalled" || row?.status === "redacted") return;
    await runCampaigns(job.shop, { client: await deps.clientFor(job.shop), now: deps.now });
  };
}

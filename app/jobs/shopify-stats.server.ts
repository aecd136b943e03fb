// The `shopify-stats` job: every customer's Shopify RFM group and predicted spend tier read into the app
// (services/shopify-stats.server.ts), after the install backfill and daily.
import type { AdminClient } from "../shopify/client";
import { readShopifyStats } from "../services/shopify-stats.server";
import { SHOPIFY_STATS_REASONS, type ShopifyStatsPayload } from "./contracts";
import { PermanentJobError, type JobContext } from "./queue";

export interface ShopifyStatsJobDeps {
  clientFor(shop: string): Promise<AdminClient>;
  now?: () => Date;
}

export function shopifyStatsJob(deps: ShopifyStatsJobDeps) {
  return async function runShopifyStats(job: JobContext<ShopifyStatsPayload>) {
    if (!SHOPIFY_STATS_REASONS.includes(job.payload.reason))
      throw new PermanentJobError(`unknown shopify-stats reason ${JSON.stringify(job.payload.reason)}`);
    const client = await deps.clientFor(job.shop);
    await readShopifyStats(job.shop, client, { now: deps.now, signal: job.signal });
  };
}

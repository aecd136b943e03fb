// Shopify's own view side by side (docs/history.md "Shopify's own view"): every customer's rfmGroup and
// predictedSpendTier read in one bulk query (after the install backfill and daily) into CustomerShopifyStats, and the
// matrices and the one customer's comparison the segments and customer pages show.
import { SEGMENT_KEYS } from "../domain/segments";
import {
  agreement,
  countMatrix,
  SHOPIFY_RFM_GROUPS,
  SHOPIFY_SPEND_TIERS,
  statsFromLine,
  type ShopifyStatsRow,
} from "../domain/shopify-stats";
import {
  bandBySpendTier,
  getShopifyStats,
  removeUnreadShopifyStats,
  segmentByShopifyGroup,
  shopifyStatsReadAt,
  writeShopifyStats,
} from "../models/shopify-stats.server";
import { isShopActive } from "../models/shop.server";
import { runBulkQuery } from "../shopify/bulk";
import type { AdminClient } from "../shopify/client";
import { CUSTOMER_STATISTICS_BULK_QUERY } from "../shopify/documents";
import { streamBulkResult } from "../shopify/jsonl";

const BATCH = 1000;

export interface ShopifyStatsRead {
  readAt: string;
  customers: number;
  /** Lines that were not a customer's statistics, or values outside the schema (kept as unknown). */
  unknownValues: number;
  removed: number;
}

/**
 * Reads every customer's statistics from Shopify and stores them. Null: the shop stopped using the app. A bulk
 * operation that does not complete throws (the job retries); what was written stays and the next read replaces it.
 */
export async function readShopifyStats(
  shop: string,
  client: AdminClient,
  { now = () => new Date(), signal }: { now?: () => Date; signal?: AbortSignal } = {},
): Promise<ShopifyStatsRead | null> {
  if (!(await isShopActive(shop))) return null;
  const readAt = now();
  const operation = await runBulkQuery(client, CUSTOMER_STATISTICS_BULK_QUERY, { signal });
  if (operation.status !== "COMPLETED") {
    throw new Error(
      `reading Shopify's customer statistics: bulk operation ${operation.status.toLowerCase()}${operation.errorCode ? ` (${operation.errorCode})` : ""}`,
    );
  }
  let customers = 0;
  let unknownValues = 0;
  let batch: ShopifyStatsRow[] = [];
  if (operation.url) {
    for await (const { value } of streamBulkResult(operation.url, globalThis.fetch, { signal })) {
      const row = statsFromLine(value);
      if (!row) {
        unknownValues++;
        continue;
      }
      if (row.rfmGroup === null || row.predictedSpendTier === null) unknownValues++;
      batch.push(row);
      customers++;
      if (batch.length >= BATCH) {
        await writeShopifyStats(shop, batch, readAt);
        batch = [];
      }
    }
  }
  await writeShopifyStats(shop, batch, readAt);
  const removed = await removeUnreadShopifyStats(shop, readAt);
  return { readAt: readAt.toISOString(), customers, unknownValues, removed };
}

/** The segments page's matrices: our segments × Shopify's groups, and (when predictions exist) CLV bands × tiers. */
export async function shopifyComparison(shop: string) {
  const [groups, bands, readAt] = await Promise.all([
    segmentByShopifyGroup(shop),
    bandBySpendTier(shop),
    shopifyStatsReadAt(shop),
  ]);
  const segments = countMatrix(groups, SEGMENT_KEYS, SHOPIFY_RFM_GROUPS);
  return {
    readAt: readAt?.toISOString() ?? null,
    segments,
    /** Customers Shopify puts in the group closest to our segment (SHOPIFY_COUNTERPART). */
    agreeing: agreement(segments),
    bands: bands.length ? countMatrix(bands, ["high", "medium", "low"], SHOPIFY_SPEND_TIERS) : null,
  };
}

/** One customer's Shopify group and tier as last read (null: never read). */
export async function customerShopifyView(shop: string, customerId: string) {
  const stats = await getShopifyStats(shop, customerId);
  return (
    stats && {
      rfmGroup: stats.rfmGroup,
      predictedSpendTier: stats.predictedSpendTier,
      readAt: stats.readAt.toISOString(),
    }
  );
}

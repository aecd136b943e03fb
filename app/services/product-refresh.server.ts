// Re-reading one product from Shopify (the `product-refresh` job) when two of its versions with the same updated_at
// second differ (queued by the products webhooks' ledger write, domain/ledger-types.ts productSameSecondConflict).
// What Shopify holds now is at least as new as both, so it settles the tie: it is written through the ledger's write
// path as the authoritative version, and when that took the product on or off sale while some customer is
// recommended it, the shop's sync follows (the same follow-up as a products webhook's). Needs read_products: refused
// without it, the job is parked like the products import.
import type { AdminClient } from "../shopify/client";
import { productFromBulk } from "../shopify/bulk-records";
import { PRODUCT_QUERY } from "../shopify/documents";
import { SYNC, SYNC_COALESCE_MS, SYNC_KEY, type SyncPayload } from "../jobs/contracts";
import type { JobQueue } from "../jobs/queue";
import { refreshProductVersion } from "../models/product-refresh.server";

const productsSync: SyncPayload = { reason: "products" };

export async function refreshProductFromShopify(
  shop: string,
  productId: string,
  { clientFor, queue }: { clientFor(shop: string): Promise<AdminClient>; queue: JobQueue },
): Promise<"refreshed" | "unchanged" | "gone"> {
  const client = await clientFor(shop);
  const data = await client.request<{ product: unknown }>(PRODUCT_QUERY, { id: productId });
  // Gone at Shopify: its products/delete webhook marks the row deleted.
  if (data.product === null) return "gone";
  const product = productFromBulk(data.product);
  const changed = await refreshProductVersion(shop, product, {
    recommendations: { kind: SYNC, key: SYNC_KEY, payload: productsSync, delayMs: SYNC_COALESCE_MS },
    queue,
  });
  return changed ? "refreshed" : "unchanged";
}

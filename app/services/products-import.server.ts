// The products import: the shop's catalogue read with one bulk query (BACKFILL_PRODUCTS_BULK_QUERY) and written in
// batches through the ledger's write path (newest version wins, a deleted product stays deleted), so a rerun or a
// webhook racing it ends on the same rows. Queued after every backfill. It needs read_products: Shopify refuses the
// bulk operation without it (ACCESS_DENIED), the job is parked like any feature waiting for access, and the scopes
// update that grants it queues it again (services/access.server.ts). The ledger does not wait for it. A product whose
// version read here has the held version's second but differs is re-read from Shopify (product-refresh), as for a
// products webhook: the file is read at some moment of that second, a webhook's version of it may be newer.
import type { LedgerProduct } from "../domain/ledger-types";
import { PRODUCT_REFRESH } from "../jobs/contracts";
import { getQueue } from "../jobs/runtime.server";
import { applyProducts } from "../models/ledger.server";
import { runBulkQuery } from "../shopify/bulk";
import { BulkRecordError, bulkRecord } from "../shopify/bulk-records";
import type { AdminClient } from "../shopify/client";
import { BACKFILL_PRODUCTS_BULK_QUERY } from "../shopify/documents";
import { BulkOperationError } from "../shopify/errors";
import { streamBulkResult } from "../shopify/jsonl";

export const PRODUCTS_BATCH = 1000;

export async function importProducts(
  shop: string,
  client: AdminClient,
  { signal, fetch }: { signal?: AbortSignal; fetch?: typeof globalThis.fetch } = {},
): Promise<{ products: number }> {
  const operation = await runBulkQuery(client, BACKFILL_PRODUCTS_BULK_QUERY, { signal });
  if (operation.status !== "COMPLETED") {
    const code = operation.errorCode ? ` (${operation.errorCode})` : "";
    throw new BulkOperationError(
      `products import bulk operation ${operation.status.toLowerCase()}${code}`,
      operation.errorCode,
    );
  }
  if (!operation.url) return { products: 0 }; // a shop without products: Shopify gives no file
  let batch: LedgerProduct[] = [];
  let products = 0;
  // A version of the held second that differs is re-read (product-refresh), as for a products webhook
  const followUp = { productRefresh: PRODUCT_REFRESH, queue: getQueue() };
  for await (const { line, value } of streamBulkResult(operation.url, fetch, { afterLine: 0, signal })) {
    const record = bulkRecord(value);
    if (record.kind !== "product")
      throw new BulkRecordError(`a ${record.kind} line in the products file (line ${line})`);
    batch.push(record.product);
    if (batch.length >= PRODUCTS_BATCH) {
      await applyProducts(shop, batch, followUp);
      products += batch.length;
      batch = [];
    }
  }
  if (batch.length) await applyProducts(shop, batch, followUp);
  return { products: products + batch.length };
}

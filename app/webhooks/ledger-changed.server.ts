// After a ledger write: the follow-up work for the customers it touched. Coalesced per customer, so a burst of
// webhooks for one customer becomes one job.
import {
  CUSTOMER_CHANGED,
  CUSTOMER_REFRESH,
  PRODUCT_REFRESH,
  SYNC,
  SYNC_COALESCE_MS,
  SYNC_KEY,
  type SyncPayload,
} from "../jobs/contracts";
import { getQueue } from "../jobs/runtime.server";
import type { FollowUp } from "../models/ledger-ingest.server";

export async function ledgerChanged(shop: string, customerIds: Iterable<string>) {
  const queue = getQueue();
  for (const customerId of customerIds) {
    await queue.enqueue(shop, CUSTOMER_CHANGED, { customerId }, { key: `${CUSTOMER_CHANGED}:${customerId}` });
  }
}

const productsSync: SyncPayload = { reason: "products" };

/**
 * What a webhook's ledger write queues in its own transaction (ledger-ingest): a customer-changed job per affected
 * customer (and a customer-refresh per same-second conflict, a product-refresh per product's), and a sync of the shop when a product some customer is
 * recommended was deleted or went on or off sale (the sync rewrites their `$app.recommendations`), on the process's
 * queue.
 */
export const customerFollowUp: FollowUp = {
  changed: CUSTOMER_CHANGED,
  refresh: CUSTOMER_REFRESH,
  productRefresh: PRODUCT_REFRESH,
  recommendations: { kind: SYNC, key: SYNC_KEY, payload: productsSync, delayMs: SYNC_COALESCE_MS },
  queue: getQueue,
};

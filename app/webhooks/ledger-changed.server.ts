// After a ledger write: the follow-up work for the customers it touched. Coalesced per customer, so a burst of
// webhooks for one customer becomes one job.
import { CUSTOMER_CHANGED, CUSTOMER_REFRESH } from "../jobs/contracts";
import { getQueue } from "../jobs/runtime.server";
import type { FollowUp } from "../models/ledger-ingest.server";

export async function ledgerChanged(shop: string, customerIds: Iterable<string>) {
  const queue = getQueue();
  for (const customerId of customerIds) {
    await queue.enqueue(shop, CUSTOMER_CHANGED, { customerId }, { key: `${CUSTOMER_CHANGED}:${customerId}` });
  }
}

/**
 * What a webhook's ledger write queues in its own transaction (ledger-ingest): a customer-changed job per affected
 * customer (and a customer-refresh per same-second conflict), on the process's queue.
 */
export const customerFollowUp: FollowUp = { changed: CUSTOMER_CHANGED, refresh: CUSTOMER_REFRESH, queue: getQueue };

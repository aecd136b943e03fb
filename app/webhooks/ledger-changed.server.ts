// After a ledger write: the follow-up work for the customers it touched. Coalesced per customer, so a burst of
// webhooks for one customer becomes one job.
import { getQueue } from "../jobs/runtime.server";

export const CUSTOMER_CHANGED = "customer-changed";

export async function ledgerChanged(shop: string, customerIds: Iterable<string>) {
  const queue = getQueue();
  for (const customerId of customerIds) {
    await queue.enqueue(shop, CUSTOMER_CHANGED, { customerId }, { key: `${CUSTOMER_CHANGED}:${customerId}` });
  }
}

/** What ledger-ingest queues after a webhook's change (the SQLite path writes the same job rows itself). */
export const customerFollowUp = { kind: CUSTOMER_CHANGED, enqueue: ledgerChanged };

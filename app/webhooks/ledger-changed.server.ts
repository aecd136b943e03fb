// After a ledger write: the follow-up work for the customers it touched. Coalesced per customer, so a burst of
// webhooks for one customer becomes one job.
import { getQueue } from "../jobs/runtime.server";
import { CUSTOMER_REFRESH } from "../models/ledger-types";
import type { FollowUp } from "../models/ledger-ingest.server";

export const CUSTOMER_CHANGED = "customer-changed";

export async function ledgerChanged(shop: string, customerIds: Iterable<string>) {
  const queue = getQueue();
  for (const customerId of customerIds) {
    await queue.enqueue(shop, CUSTOMER_CHANGED, { customerId }, { key: `${CUSTOMER_CHANGED}:${customerId}` });
  }
}

/** Re-reads from Shopify customers whose versions of one second differ (customer-refresh job). */
export async function customersInDoubt(shop: string, customerIds: Iterable<string>) {
  const queue = getQueue();
  for (const customerId of customerIds) {
    await queue.enqueue(shop, CUSTOMER_REFRESH, { customerId }, { key: `${CUSTOMER_REFRESH}:${customerId}` });
  }
}

/** What ledger-ingest queues after a webhook's change (the direct paths write the same jobs in their transaction). */
export const customerFollowUp: FollowUp = { kind: CUSTOMER_CHANGED, enqueue: ledgerChanged, refresh: customersInDoubt };

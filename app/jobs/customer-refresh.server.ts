// `customer-refresh`: re-reads one customer from Shopify when two versions with the same updated_at second differ
// (queued by the webhook paths, ledger-types.ts sameSecondConflict). What Shopify holds now is at least as new as
// both, so it settles the tie; the customer's state follows like after any ledger write.
import { customerFromBulk } from "../shopify/bulk-records";
import { CUSTOMER_QUERY } from "../shopify/documents";
import type { AdminClient } from "../shopify/client";
import { refreshCustomer } from "../models/ledger.server";
import { CUSTOMER_REFRESH } from "../models/ledger-types";
import { ledgerChanged } from "../webhooks/ledger-changed.server";
import type { JobContext } from "./queue";

export { CUSTOMER_REFRESH };

export function customerRefreshJob(deps: { clientFor(shop: string): Promise<AdminClient> }) {
  return async function customerRefresh(job: JobContext<{ customerId: string }>) {
    const { shop, payload } = job;
    const client = await deps.clientFor(shop);
    const data = await client.request<{ customer: unknown }>(CUSTOMER_QUERY, { id: payload.customerId });
    // Gone at Shopify: its customers/delete webhook tombstones the row.
    if (data.customer === null) return;
    if (await refreshCustomer(shop, customerFromBulk(data.customer))) await ledgerChanged(shop, [payload.customerId]);
  };
}

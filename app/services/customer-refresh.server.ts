// Re-reading one customer from Shopify (the `customer-refresh` job) when two versions with the same updated_at second
// differ (queued by the webhook paths, domain/ledger-types.ts sameSecondConflict). What Shopify holds now is at least
// as new as both, so it settles the tie; the customer's state follows like after any ledger write.
import type { AdminClient } from "../shopify/client";
import { customerFromBulk } from "../shopify/bulk-records";
import { CUSTOMER_QUERY } from "../shopify/documents";
import { enqueueCustomersChanged } from "../jobs/contracts";
import type { JobQueue } from "../jobs/queue";
import { refreshCustomer } from "../models/ledger.server";

export async function refreshCustomerFromShopify(
  shop: string,
  customerId: string,
  { clientFor, queue }: { clientFor(shop: string): Promise<AdminClient>; queue: JobQueue },
): Promise<"refreshed" | "unchanged" | "gone"> {
  const client = await clientFor(shop);
  const data = await client.request<{ customer: unknown }>(CUSTOMER_QUERY, { id: customerId });
  // Gone at Shopify: its customers/delete webhook tombstones the row.
  if (data.customer === null) return "gone";
  if (!(await refreshCustomer(shop, customerFromBulk(data.customer)))) return "unchanged";
  await enqueueCustomersChanged(queue, shop, [customerId]);
  return "refreshed";
}

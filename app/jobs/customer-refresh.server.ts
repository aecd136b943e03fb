// The `customer-refresh` job: re-reads one customer whose same-second versions differ
// (services/customer-refresh.server.ts).
import type { AdminClient } from "../shopify/client";
import { refreshCustomerFromShopify } from "../services/customer-refresh.server";
import type { CustomerRefreshPayload } from "./contracts";
import { PermanentJobError, type JobContext, type JobQueue } from "./queue";

export function customerRefreshJob(deps: { clientFor(shop: string): Promise<AdminClient>; queue: JobQueue }) {
  return async function customerRefresh(job: JobContext<CustomerRefreshPayload>) {
    const { customerId } = job.payload;
    if (typeof customerId !== "string" || customerId === "")
      throw new PermanentJobError(`customer-refresh needs a customerId, got ${JSON.stringify(customerId)}`);
    await refreshCustomerFromShopify(job.shop, customerId, deps);
  };
}

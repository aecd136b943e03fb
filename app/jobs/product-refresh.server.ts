// The `product-refresh` job: re-reads one product whose same-second versions differ
// (services/product-refresh.server.ts). Refused for lack of read_products, it is parked by the handlers' wrapper.
import type { AdminClient } from "../shopify/client";
import { refreshProductFromShopify } from "../services/product-refresh.server";
import type { ProductRefreshPayload } from "./contracts";
import { PermanentJobError, type JobContext, type JobQueue } from "./queue";

const PRODUCT_GID = /^gid:\/\/shopify\/Product\/\d+$/;

export function productRefreshJob(deps: { clientFor(shop: string): Promise<AdminClient>; queue: JobQueue }) {
  return async function productRefresh(job: JobContext<ProductRefreshPayload>) {
    const { productId } = job.payload;
    if (typeof productId !== "string" || !PRODUCT_GID.test(productId))
      throw new PermanentJobError(`product-refresh needs a product gid, got ${JSON.stringify(productId)}`);
    await refreshProductFromShopify(job.shop, productId, deps);
  };
}

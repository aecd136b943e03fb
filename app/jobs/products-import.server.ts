// The `products-import` job: reads the shop's catalogue (services/products-import.server.ts). Refused for lack of
// read_products, it is parked by the handlers' wrapper until the scope is granted.
import type { AdminClient } from "../shopify/client";
import { importProducts } from "../services/products-import.server";
import type { ProductsImportPayload } from "./contracts";
import type { JobContext } from "./queue";

export function productsImportJob(deps: { clientFor(shop: string): Promise<AdminClient>; fetch?: typeof fetch }) {
  return async function productsImport(job: JobContext<ProductsImportPayload>) {
    const client = await deps.clientFor(job.shop);
    await importProducts(job.shop, client, { signal: job.signal, fetch: deps.fetch });
  };
}

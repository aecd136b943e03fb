// The Admin client a background job uses: the shop's offline session through unauthenticated.admin, our retry policy
// and pacing on top. The gateway modules never import this file; they take a client (or transport) as a parameter.
import { unauthenticated } from "../shopify.server";
import { createAdminClient, type AdminClient, type AdminClientOptions } from "./client";
import { remixTransport } from "./transport.server";

export async function adminClientForJob(shop: string, options: Omit<AdminClientOptions, "shop" | "transport"> = {}): Promise<AdminClient> {
  const { admin } = await unauthenticated.admin(shop);
  return createAdminClient({ ...options, shop, transport: remixTransport(admin.graphql) });
}

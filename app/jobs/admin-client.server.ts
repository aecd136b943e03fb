// The Admin client a background job uses: the shop's offline session through unauthenticated.admin, our retry policy
// and pacing on top. The gateway (app/shopify/) never imports this file; its modules take a client (or transport) as a
// parameter, and the handlers get this one through their `clientFor` dependency (handlers.server.ts).
import { unauthenticated } from "../shopify.server";
import { createAdminClient, type AdminClient, type AdminClientOptions } from "../shopify/client";
import { remixTransport } from "../shopify/transport.server";

export async function adminClientForJob(
  shop: string,
  options: Omit<AdminClientOptions, "shop" | "transport"> = {},
): Promise<AdminClient> {
  const { admin } = await unauthenticated.admin(shop);
  return createAdminClient({ ...options, shop, transport: remixTransport(admin.graphql) });
}

// The one switch that points the Admin API client — token exchange included — at the local Shopify simulator.
// Every request @shopify/shopify-api makes goes through its abstract fetch; we rewrite `https://{shop}/…` to
// `{origin}/store/{shop}/…` and leave every other URL alone. Refused in production (also refused by env.server.ts).
import { abstractFetch, setAbstractFetchFunc } from "@shopify/shopify-api/runtime";

const SHOP_URL = /^https:\/\/([a-z0-9][a-z0-9-]*\.myshopify\.com)(\/.*)?$/;

export function simulatorUrl(origin: string, url: string): string {
  const match = SHOP_URL.exec(url);
  if (!match) return url;
  return `${origin.replace(/\/$/, "")}/store/${match[1]}${match[2] ?? ""}`;
}

export function routeAdminApiToSimulator(origin: string, nodeEnv: string) {
  if (nodeEnv === "production") throw new Error("SHOPIFY_ADMIN_API_ORIGIN is refused when NODE_ENV=production");
  const upstream = abstractFetch;
  setAbstractFetchFunc((input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    return upstream(simulatorUrl(origin, url), init);
  });
}

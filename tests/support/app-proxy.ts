// Requests as Shopify's app proxy forwards them (https://shopify.dev/docs/apps/build/online-store/app-proxies/
// authenticate-app-proxies): the shopper's own query parameters, then Shopify's — shop, logged_in_customer_id (empty
// for a guest), path_prefix, timestamp (seconds) — and `signature`: the hex HMAC-SHA256, keyed with the app's API
// secret, of every other parameter as `key=value` (a repeated key's values joined with ","), sorted, concatenated
// with no separator.
import { createHmac } from "node:crypto";
import { TEST_API_SECRET } from "./test-env";

export const PROXY_PATH_PREFIX = "/apps/loyalty";

/** Shopify's signature of a forwarded query's pairs (any `signature` pair is left out). */
export function proxySignature(pairs: readonly (readonly [string, string])[], secret = TEST_API_SECRET): string {
  const byKey = new Map<string, string[]>();
  for (const [key, value] of pairs) {
    if (key === "signature") continue;
    byKey.set(key, [...(byKey.get(key) ?? []), value]);
  }
  const message = [...byKey]
    .map(([key, values]) => `${key}=${values.join(",")}`)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .join("");
  return createHmac("sha256", secret).update(message, "utf8").digest("hex");
}

export interface ProxyQueryOptions {
  shop: string;
  /** Numeric id of the signed-in customer; null or omitted: a guest. */
  customerId?: string | number | null;
  /** Seconds; default now. */
  timestamp?: number;
  /** The shopper's own parameters (Shopify forwards and signs them too). */
  extra?: [string, string][];
  secret?: string;
}

/** The pairs Shopify forwards, signed. */
export function proxyPairs({ shop, customerId = null, timestamp, extra = [], secret }: ProxyQueryOptions) {
  const pairs: [string, string][] = [
    ...extra,
    ["shop", shop],
    ["logged_in_customer_id", customerId === null ? "" : String(customerId)],
    ["path_prefix", PROXY_PATH_PREFIX],
    ["timestamp", String(timestamp ?? Math.floor(Date.now() / 1000))],
  ];
  return [...pairs, ["signature", proxySignature(pairs, secret)]] as [string, string][];
}

/** The query string Shopify forwards (without "?"). */
export function signedProxyQuery(options: ProxyQueryOptions): string {
  return new URLSearchParams(proxyPairs(options)).toString();
}

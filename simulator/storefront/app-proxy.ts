// Shopify's app proxy: what it forwards of a storefront request to `/<prefix>/<subpath>/<rest>`, and how it signs it.
// https://shopify.dev/docs/apps/build/online-store/app-proxies/authenticate-app-proxies
//   - the forwarded URL is the proxy URL followed by <rest>, with the shopper's query and then `shop`,
//     `logged_in_customer_id` (empty when signed out), `path_prefix`, `timestamp` (seconds) and `signature`;
//   - `signature` is the hex HMAC-SHA256, keyed with the app's secret, of every other parameter decoded as `key=value`
//     (the values of a repeated key joined with ","), sorted, concatenated with no separator;
//   - the Cookie header is not forwarded, Set-Cookie and a list of other headers are stripped from the answer;
//   - an answer with Content-Type application/liquid is rendered in the shop's theme, any other is passed on as is.
import { createHmac } from "node:crypto";
import { parse as parseToml } from "smol-toml";

/** The app's `[app_proxy]` table. */
export interface AppProxyConfig {
  /** Where Shopify forwards to; only its path is used against the connected app's URL (the app runs locally). */
  url: string;
  prefix: string;
  subpath: string;
}

/** The prefixes a merchant can choose between (Shopify's list). */
export const APP_PROXY_PREFIXES = ["apps", "a", "community", "tools"] as const;

/** Parameters Shopify adds to every forwarded query, in the order it adds them. */
export const SHOPIFY_PROXY_PARAMS = ["shop", "logged_in_customer_id", "path_prefix", "timestamp", "signature"] as const;

/** Headers Shopify strips from app proxy answers ("Disallowed headers"). */
export const DISALLOWED_RESPONSE_HEADERS = new Set([
  "accept-patch",
  "accept-ranges",
  "connection",
  "cookie",
  "date",
  "delta-base",
  "im",
  "p3p",
  "pragma",
  "preference-applied",
  "proxy-authenticate",
  "public-key-pins",
  "server",
  "service-worker-allowed",
  "set-cookie",
  "trailer",
  "tk",
  "warning",
  "x-powered-by",
]);

/** The toml's `[app_proxy]`, or null when the app has none. */
export function appProxyConfig(toml: string): AppProxyConfig | null {
  const config = parseToml(toml) as { app_proxy?: Partial<Record<keyof AppProxyConfig, unknown>> };
  const proxy = config.app_proxy;
  if (!proxy) return null;
  const { url, prefix, subpath } = proxy;
  if (typeof url !== "string" || typeof prefix !== "string" || typeof subpath !== "string") {
    throw new Error("[app_proxy] needs url, prefix and subpath");
  }
  if (!(APP_PROXY_PREFIXES as readonly string[]).includes(prefix)) {
    throw new Error(`[app_proxy] prefix must be one of ${APP_PROXY_PREFIXES.join(", ")}, not ${prefix}`);
  }
  // Shopify's rule for the subpath: letters, numbers, underscores and hyphens, up to 30, and not a storefront path.
  if (!/^[A-Za-z0-9_-]{1,30}$/.test(subpath) || ["admin", "services", "password", "login"].includes(subpath)) {
    throw new Error(`[app_proxy] subpath ${JSON.stringify(subpath)} is not one Shopify accepts`);
  }
  return { url, prefix, subpath };
}

/** The path of the proxy URL (`https://loyalty.example.com/proxy` → `/proxy`; a relative url is a path already). */
export function proxyPath(config: AppProxyConfig): string {
  const path = /^https?:\/\//i.test(config.url) ? new URL(config.url).pathname : config.url;
  return `/${path.replace(/^\/+/, "")}`.replace(/\/+$/, "") || "";
}

/** The `key=value` pairs of a raw query string, decoded as a form (`+` is a space), in order. */
export function queryPairs(rawQuery: string): [string, string][] {
  return [...new URLSearchParams(rawQuery)];
}

/**
 * The signature Shopify puts on a forwarded query: every pair but `signature`, a repeated key's values joined with ",",
 * each `key=value` unencoded, sorted (byte order, as Ruby's sort in Shopify's example), concatenated with no separator.
 */
export function appProxySignature(pairs: readonly (readonly [string, string])[], secret: string): string {
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

export interface ForwardedQueryInput {
  /** The shopper's raw query string (without "?"). */
  rawQuery: string;
  shop: string;
  /** Numeric id of the signed-in customer, or null. */
  customerId: string | null;
  pathPrefix: string;
  timestampSeconds: number;
  secret: string;
}

/**
 * The query Shopify forwards: the shopper's own parameters as sent (raw), except any named like Shopify's — Shopify's
 * values are the ones the app gets, the shopper's copies are dropped — then Shopify's, signed.
 */
export function forwardedQuery(input: ForwardedQueryInput): string {
  const reserved = new Set<string>(SHOPIFY_PROXY_PARAMS);
  const shopper = input.rawQuery
    .split("&")
    .filter((part) => part !== "")
    .filter((part) => {
      const [key] = [...new URLSearchParams(part).keys()];
      return key === undefined || !reserved.has(key);
    });
  const added: [string, string][] = [
    ["shop", input.shop],
    ["logged_in_customer_id", input.customerId ?? ""],
    ["path_prefix", input.pathPrefix],
    ["timestamp", String(input.timestampSeconds)],
  ];
  const signature = appProxySignature([...queryPairs(shopper.join("&")), ...added], input.secret);
  const encoded = [...added, ["signature", signature]].map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
  return [...shopper, ...encoded].join("&");
}

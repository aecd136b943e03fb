// What the app requires of a request Shopify forwards through the app proxy (docs/rules.md#loyalty-page), beyond the
// signature itself (checked by @shopify/shopify-app-remix's authenticate.public.appProxy): Shopify's parameters each
// present once, a timestamp within Shopify's tolerance, a signature that looks like one. Pure: the caller gives `now`.

/**
 * How far a signed timestamp may be from the app's clock, either way, in seconds: the tolerance of @shopify/shopify-api
 * (HMAC_TIMESTAMP_PERMITTED_CLOCK_TOLERANCE_SEC), which the library applies to the same query.
 */
export const PROXY_TIMESTAMP_TOLERANCE_S = 90;

/**
 * How long after its timestamp a used signature is kept: past the tolerance (the signature check refuses it from then
 * on) and a margin for clocks of several web processes that disagree a little.
 */
export const PROXY_SIGNATURE_KEPT_S = PROXY_TIMESTAMP_TOLERANCE_S + 60;

/** The parameters Shopify adds to every forwarded query (the shopper's own parameters come with them). */
export const PROXY_PARAMS = ["shop", "logged_in_customer_id", "path_prefix", "timestamp", "signature"] as const;

export type ProxyQueryIssue = "missing" | "repeated" | "malformed" | "timestamp";

/**
 * Why a forwarded query cannot be Shopify's, before its signature is even computed, or null: a parameter of Shopify's
 * missing (`logged_in_customer_id` is always sent, empty for a guest) or given twice (the library would read one value
 * where Shopify signed both), a signature that is not 64 hex digits, a timestamp that is not whole seconds or is more
 * than the tolerance away from `nowMs` (in the past: too old; in the future: not Shopify's clock).
 */
export function proxyQueryIssue(params: URLSearchParams, nowMs: number): ProxyQueryIssue | null {
  for (const key of PROXY_PARAMS) {
    const values = params.getAll(key);
    if (values.length === 0) return "missing";
    if (values.length > 1) return "repeated";
  }
  if (!/^[0-9a-f]{64}$/.test(params.get("signature")!)) return "malformed";
  const timestamp = params.get("timestamp")!;
  if (!/^\d{1,12}$/.test(timestamp)) return "malformed";
  if (Math.abs(Math.trunc(nowMs / 1000) - Number(timestamp)) > PROXY_TIMESTAMP_TOLERANCE_S) return "timestamp";
  return null;
}

/** Who a verified query names: the shop, and the signed-in customer's gid or null for a guest. */
export interface ProxyIdentity {
  shop: string;
  customerId: string | null;
  signature: string;
  /** When the signature's row may go (epoch ms). */
  keptUntil: number;
}

/**
 * The identity of a query whose signature was verified. The customer is `logged_in_customer_id` and nothing else: a
 * `customer_id` or any other parameter the shopper adds is never read. A value that is not a numeric id is a guest.
 */
export function proxyIdentity(params: URLSearchParams): ProxyIdentity {
  const customer = params.get("logged_in_customer_id") ?? "";
  return {
    shop: params.get("shop")!,
    customerId: /^[1-9]\d{0,19}$/.test(customer) ? `gid://shopify/Customer/${customer}` : null,
    signature: params.get("signature")!,
    keptUntil: (Number(params.get("timestamp")) + PROXY_SIGNATURE_KEPT_S) * 1000,
  };
}

/** The loyalty page's storefront path: the signed `path_prefix` when it is one (`/apps/loyalty`), else that default. */
export function proxyPagePathOf(params: URLSearchParams): string {
  const prefix = params.get("path_prefix") ?? "";
  return /^\/[a-z]+\/[A-Za-z0-9_-]{1,30}$/.test(prefix) ? prefix : "/apps/loyalty";
}

/** The app paths of the loyalty page's own forms (redeem and birthday post to the page; Link and Unlink LINE). */
const PAGE_FORM_PATHS = new Set(["/proxy", "/proxy/", "/proxy/line/link", "/proxy/line/unlink"]);

/**
 * Where a replayed signature is sent instead of the bare 401, or null for the 401 (docs/storefront-forms.md#double-click).
 * A fast double click on one of the loyalty page's forms sends the same signed query twice (Shopify signs the path's
 * query and a whole-second timestamp, not the body), so the second POST is a replay although the shopper did nothing
 * wrong and the first one acted. It is answered with a redirect to the page itself (its GET, no result in the query:
 * nothing is claimed, the page shows what the first one did); nothing of the replayed request is read or acted on.
 * Every other replay — a GET, another path, another method, the referral form — stays the 401.
 */
export function replayedFormRedirect(method: string, appPath: string, params: URLSearchParams): string | null {
  if (method.toUpperCase() !== "POST" || !PAGE_FORM_PATHS.has(appPath)) return null;
  return proxyPagePathOf(params);
}

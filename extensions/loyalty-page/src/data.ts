// What the loyalty page shows, read from the customer's app-owned metafields through the Customer Account API, and
// parsed defensively: the values are JSON written by the app (app/domain/sync.ts for `status` and `points`,
// app/services/campaign-delivery.server.ts for `offers`), and an older app version may have written less. Anything
// that does not parse counts as absent, so the page shows its empty state instead of failing.

export const CUSTOMER_ACCOUNT_API = "shopify://customer-account/api/2026-07/graphql.json";

export const LOYALTY_QUERY = `query LoyaltyMetafields {
  customer {
    status: metafield(namespace: "$app", key: "status") { value }
    offers: metafield(namespace: "$app", key: "offers") { value }
    points: metafield(namespace: "$app", key: "points") { value }
  }
}`;

/** The Storefront API query for the shop's online store address (shopify.query, with the api_access capability). */
export const STOREFRONT_QUERY = `query LoyaltyStorefront { shop { primaryDomain { url } } }`;

/** The programme's storefront page: the app proxy (shopify.app.toml [app_proxy], prefix apps, subpath loyalty). */
export const PROGRAMME_PATH = "/apps/loyalty";

export interface Perks {
  discountPercent: number | null;
  freeShipping: boolean;
  freeShippingMaxPrice: number | null;
  minimumPurchase: number | null;
  automatic: boolean;
  codes: string[];
  text: string | null;
  /** The app's own one-line summary, in the shop's language (used only when the fields above say nothing). */
  summary: string;
}

export interface LoyaltyStatus {
  tier: string;
  tierName: string;
  spendInWindow: number | null;
  nextTier: string | null;
  nextTierName: string | null;
  amountToNext: number | null;
  expiresAt: Date | null;
  /** ISO 4217 code of the amounts; null when missing (amounts are then shown as plain numbers). */
  currency: string | null;
  /** Null when the status was written before perks were part of it. */
  perks: Perks | null;
  nextPerks: Perks | null;
}

export type OfferValue =
  | { kind: "percent"; percent: number }
  | { kind: "amount"; amount: number; currency: string }
  | { kind: "text"; text: string };

export interface Offer {
  code: string;
  value: OfferValue;
  minimumSubtotal: number | null;
  currency: string | null;
  expiresAt: Date | null;
}

/** The `$app.points` metafield (app/domain/sync.ts PointsStatusJson): whole points as of the app's last sync. */
export interface PointsStatus {
  available: number;
  pending: number;
  /** The earliest pending points to become available, and when. */
  nextAvailable: { points: number; at: Date } | null;
  /** Points expiring within 30 days of the sync, and when they do. */
  expiring: { points: number; at: Date } | null;
  /** The cheapest reward the available points do not cover yet, when the app wrote one (`next_reward`). */
  nextReward: { title: string; pointsShort: number } | null;
}

export interface LoyaltyData {
  status: LoyaltyStatus | null;
  offers: Offer[];
  points: PointsStatus | null;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function parseJson(text: unknown): unknown {
  if (typeof text !== "string") return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

const text = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : null);

/** A decimal string ("812.50") or a number, as a finite number; anything else is null. */
function amount(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value !== "string" || !/^-?\d+(\.\d+)?$/.test(value.trim())) return null;
  return Number(value);
}

function date(value: unknown): Date | null {
  if (typeof value !== "string") return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

const currencyCode = (value: unknown): string | null =>
  typeof value === "string" && /^[A-Z]{3}$/.test(value) ? value : null;

export function parsePerks(value: unknown): Perks | null {
  if (!isObject(value)) return null;
  const percent = amount(value.discount_percent);
  return {
    discountPercent: percent !== null && percent > 0 ? percent : null,
    freeShipping: value.free_shipping === true,
    freeShippingMaxPrice: amount(value.free_shipping_max_price),
    minimumPurchase: amount(value.minimum_purchase),
    automatic: value.automatic === true,
    codes: Array.isArray(value.codes) ? value.codes.filter((c): c is string => typeof c === "string" && c !== "") : [],
    text: text(value.text),
    summary: text(value.summary) ?? "",
  };
}

/** The `$app.status` metafield's value; null when absent or not a status (then the page shows its empty state). */
export function parseStatus(value: unknown): LoyaltyStatus | null {
  const json = parseJson(value);
  if (!isObject(json)) return null;
  const tier = text(json.tier);
  if (tier === null) return null;
  const nextTier = text(json.next_tier);
  return {
    tier,
    tierName: text(json.tier_name) ?? tier,
    spendInWindow: amount(json.spend_in_window),
    nextTier,
    nextTierName: nextTier === null ? null : (text(json.next_tier_name) ?? nextTier),
    amountToNext: nextTier === null ? null : amount(json.amount_to_next),
    expiresAt: date(json.expires_at),
    currency: currencyCode(json.currency),
    perks: parsePerks(json.perks),
    nextPerks: nextTier === null ? null : parsePerks(json.next_perks),
  };
}

/** What a campaign code gives, from the app's text: "15%" or "10.00 USD" (app/domain/campaigns.ts offerText). */
export function parseOfferValue(value: string): OfferValue {
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(value.trim());
  if (percent) return { kind: "percent", percent: Number(percent[1]) };
  const money = /^(\d+(?:\.\d+)?)\s+([A-Z]{3})$/.exec(value.trim());
  if (money) return { kind: "amount", amount: Number(money[1]), currency: money[2] };
  return { kind: "text", text: value };
}

/**
 * The `$app.offers` metafield's value (`{ offers: [{ campaign, code, offer, minimum_subtotal, expires_at, currency
 * }] }`): the offers still open at `now`, soonest to expire first. Entries without a code are skipped.
 */
export function parseOffers(value: unknown, now: Date): Offer[] {
  const json = parseJson(value);
  if (!isObject(json) || !Array.isArray(json.offers)) return [];
  const offers: Offer[] = [];
  for (const entry of json.offers) {
    if (!isObject(entry)) continue;
    const code = text(entry.code);
    const offer = text(entry.offer);
    if (code === null || offer === null) continue;
    const expiresAt = date(entry.expires_at);
    if (expiresAt !== null && expiresAt.getTime() <= now.getTime()) continue;
    offers.push({
      code,
      value: parseOfferValue(offer),
      minimumSubtotal: amount(entry.minimum_subtotal),
      currency: currencyCode(entry.currency),
      expiresAt,
    });
  }
  const end = (o: Offer) => o.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY;
  return offers.sort((a, b) => end(a) - end(b));
}

const wholePoints = (value: unknown): number | null =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : null;

/** A `{ points, at }` pair of the points metafield, or null. */
function pointsAt(value: unknown): { points: number; at: Date } | null {
  if (!isObject(value)) return null;
  const points = wholePoints(value.points);
  const at = date(value.at);
  return points !== null && points > 0 && at !== null ? { points, at } : null;
}

/** The `$app.points` metafield's value; null when absent or not points (then the page shows no points section). */
export function parsePoints(value: unknown): PointsStatus | null {
  const json = parseJson(value);
  if (!isObject(json)) return null;
  const available = wholePoints(json.available);
  const pending = wholePoints(json.pending);
  if (available === null || pending === null) return null;
  const reward = isObject(json.next_reward) ? json.next_reward : null;
  const title = reward ? text(reward.title) : null;
  const price = reward ? wholePoints(reward.points_price) : null;
  return {
    available,
    pending,
    nextAvailable: pointsAt(json.next_available),
    expiring: pointsAt(json.expiring),
    nextReward:
      title !== null && price !== null && price > available ? { title, pointsShort: price - available } : null,
  };
}

type MetafieldValue = { value?: unknown } | null;
interface CustomerAccountResponse {
  data?: { customer?: { status?: MetafieldValue; offers?: MetafieldValue; points?: MetafieldValue } | null } | null;
  errors?: { message?: string }[];
}

/**
 * Reads the metafields with one Customer Account API request (authenticated by Shopify; no app server involved).
 * A failed request or a GraphQL error throws (the page says it could not load); a customer without the metafields,
 * or with values that do not parse, is no status and no offers.
 */
export async function loadLoyalty(now: Date = new Date()): Promise<LoyaltyData> {
  const response = await fetch(CUSTOMER_ACCOUNT_API, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ query: LOYALTY_QUERY }),
  });
  if (!response.ok) throw new Error(`Customer Account API: HTTP ${response.status}`);
  const body = (await response.json()) as CustomerAccountResponse;
  if (body.errors?.length) throw new Error(`Customer Account API: ${body.errors.map((e) => e.message).join("; ")}`);
  const customer = body.data?.customer;
  return {
    status: parseStatus(customer?.status?.value),
    offers: parseOffers(customer?.offers?.value, now),
    points: parsePoints(customer?.points?.value),
  };
}

type StorefrontQuery = (query: string) => Promise<{ data?: unknown }>;

/** The programme page's address on the online store, or null when the shop's address cannot be read. */
export async function loadProgrammeUrl(query: StorefrontQuery): Promise<string | null> {
  try {
    const result = await query(STOREFRONT_QUERY);
    const data = result.data as { shop?: { primaryDomain?: { url?: unknown } } } | undefined;
    const url = data?.shop?.primaryDomain?.url;
    if (typeof url !== "string" || !/^https:\/\//.test(url)) return null;
    return `${url.replace(/\/+$/, "")}${PROGRAMME_PATH}`;
  } catch {
    return null;
  }
}

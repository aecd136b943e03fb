// What the admin's customer list shows: a page of customers (customer-list.server.ts) with the names of the shop's
// tiers and segments and its currency, and the query as understood (bad input falls back to defaults, never a 500).
import { z } from "zod";
import { SEGMENT_KEYS } from "../domain/segments";
import { TIER_KEY_PATTERN } from "../domain/tier-rules";
import {
  CUSTOMER_PAGE_SIZE,
  CUSTOMER_SORTS,
  listCustomers,
  validCursor,
  type CustomerCursor,
  type CustomerListQuery,
  type CustomerSort,
} from "../models/customer-list.server";
import { getRfmSettings } from "../models/rfm-settings.server";
import { shopCurrency } from "../models/shop-currency.server";
import { getActiveTierProgram } from "../models/tier-program.server";
import { backfillStatus } from "./backfill.server";
import { validateInsight } from "../domain/insights";
import { predictionContext, productChoices, productTypeChoices } from "../models/insights.server";

const MAX_PAGE = 100_000;

const QUERY = z.object({
  search: z.string().trim().max(100).catch("").default(""),
  segment: z.enum(SEGMENT_KEYS).optional().catch(undefined),
  tier: z
    .union([z.literal("none"), z.string().regex(TIER_KEY_PATTERN)])
    .optional()
    .catch(undefined),
  sort: z.enum(CUSTOMER_SORTS).catch("recency").default("recency"),
  page: z.coerce.number().int().min(1).max(MAX_PAGE).catch(1).default(1),
});

const CURSOR = z.object({ v: z.string().max(40).nullable(), id: z.string().min(1).max(200) });

/** A cursor as the URL carries it: base64url of `{"v": value, "id": customerId}` (opaque to the merchant). */
export function encodeCursor(cursor: CustomerCursor): string {
  return Buffer.from(JSON.stringify({ v: cursor.value, id: cursor.customerId })).toString("base64url");
}

/** A cursor from the URL for this sort, or undefined when it is not one (a tampered or old URL: the first page). */
export function decodeCursor(sort: CustomerSort, text: string | null): CustomerCursor | undefined {
  if (!text || text.length > 400) return undefined;
  try {
    const parsed = CURSOR.safeParse(JSON.parse(Buffer.from(text, "base64url").toString("utf8")));
    if (!parsed.success) return undefined;
    const cursor = { value: parsed.data.v, customerId: parsed.data.id };
    return validCursor(sort, cursor) ? cursor : undefined;
  } catch {
    return undefined;
  }
}

/** The list query from the page's URL: unknown or malformed values are dropped, not refused. */
export function customerListQuery(params: URLSearchParams): CustomerListQuery {
  const raw = Object.fromEntries([...params.entries()].filter(([, v]) => v !== ""));
  const parsed = QUERY.parse(raw);
  // Keyset paging (customer-list.server.ts): the next page is `after` a row, the previous `before` one.
  const after = decodeCursor(parsed.sort, params.get("after"));
  const before = after ? undefined : decodeCursor(parsed.sort, params.get("before"));
  // An insight filter (?insight=promotion_only, ?insight=product&product=gid…, ?insight=product_type&productType=…).
  const insight = validateInsight({
    insight: params.get("insight") ?? undefined,
    product: params.get("product") ?? undefined,
    productType: params.get("productType") ?? undefined,
  });
  return {
    // With a cursor `page` is only the number shown; without one it is a page by offset (an old bookmarked URL).
    ...parsed,
    search: parsed.search || undefined,
    ...(after ? { after } : {}),
    ...(before ? { before } : {}),
    ...(insight.ok ? { insight: insight.insight } : {}),
  };
}

export async function customerPage(shop: string, query: CustomerListQuery) {
  const [{ rows, total, previous, next }, { program }, currency, rfm, backfill, products, productTypes, predictions] =
    await Promise.all([
      listCustomers(shop, query),
      getActiveTierProgram(shop),
      shopCurrency(shop),
      getRfmSettings(shop),
      backfillStatus(shop),
      productChoices(shop),
      productTypeChoices(shop),
      predictionContext(shop),
    ]);
  return {
    query,
    /** The page's number as shown: 1 when nothing comes before it (a cursor can fall back to the first page). */
    page: previous ? Math.max(2, query.page) : 1,
    rows,
    total,
    /** The URL cursors of the previous and next pages (null: none). */
    previous: previous && encodeCursor(previous),
    next: next && encodeCursor(next),
    pageSize: CUSTOMER_PAGE_SIZE,
    currency,
    tiers: program.tiers.map((t) => ({ key: t.key, name: t.name })),
    /** The shop's own segment names (the admin's language fills in the rest). */
    segmentNames: rfm.segmentNames,
    backfill,
    /** The insight filter's choices, and why prediction-based insights are empty when they are. */
    insightChoices: {
      products: products.map((p) => ({ id: p.id, title: p.title ?? p.id })),
      productTypes,
      predictions: { available: predictions.available, reason: predictions.reason },
    },
  };
}

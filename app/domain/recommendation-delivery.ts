// Which of a customer's recommended products reach the shopper (docs/recommendations.md): the
// storefront metafield, the loyalty page and the campaign Flow trigger show only products the shop still sells. Pure:
// the caller reads the recommendation list and the products (Product rows) and passes them in.

/** What the app knows of a product (the Product table). */
export interface CatalogueProduct {
  id: string;
  title: string | null;
  handle: string | null;
  /** Shopify's ProductStatus: ACTIVE, ARCHIVED, DRAFT; null: not known. */
  status: string | null;
  /** When Shopify told the app the product was deleted; null: not deleted. */
  deletedAt: number | null;
}

/** A product as shown to a shopper: a product the shop sells now. */
export interface ShownProduct {
  id: string;
  title: string;
  handle: string | null;
}

/**
 * Whether a product may be shown to a shopper: known to the app, not deleted, and ACTIVE (a draft or archived product
 * is not for sale and has no page on the storefront; a product whose status the app never learnt is not shown
 * either: the app cannot tell it is for sale). A product without a title is not shown (nothing to call it).
 */
export function isShowable(product: CatalogueProduct | undefined): product is CatalogueProduct & { title: string } {
  return (
    product !== undefined &&
    product.deletedAt === null &&
    product.status === "ACTIVE" &&
    product.title !== null &&
    product.title.trim() !== ""
  );
}

/**
 * The recommended products (gids, best first) that may be shown, in the same order, without repeats, at most `max`.
 * Products not in `catalogue` are dropped.
 */
export function showableRecommendations(
  recommended: readonly string[],
  catalogue: ReadonlyMap<string, CatalogueProduct>,
  max: number,
): ShownProduct[] {
  const out: ShownProduct[] = [];
  const seen = new Set<string>();
  for (const id of recommended) {
    if (out.length >= max) break;
    if (seen.has(id)) continue;
    seen.add(id);
    const product = catalogue.get(id);
    if (isShowable(product)) out.push({ id, title: product.title, handle: product.handle });
  }
  return out;
}

/** Products a campaign's Flow trigger carries, at most. */
export const FLOW_RECOMMENDATIONS_MAX = 4;
/** Between two titles in the trigger's "recommended products" text. */
export const FLOW_TITLE_SEPARATOR = " · ";

/**
 * The "Campaign offer issued" trigger's recommendation fields (extensions/flow-campaign-offer-issued): the titles to
 * read, and the handles to link, in the same order; both empty for none. Single-line text, as Flow's text fields are:
 * line breaks in a title become spaces. A product without a handle has no page to link: it is left out of both, so
 * the two lists stay aligned.
 */
export function flowRecommendationFields(products: readonly ShownProduct[]): {
  "recommended products": string;
  "recommended product handles": string;
} {
  const linked = products.filter((p) => p.handle).slice(0, FLOW_RECOMMENDATIONS_MAX);
  return {
    "recommended products": linked.map((p) => p.title.replace(/\s+/g, " ").trim()).join(FLOW_TITLE_SEPARATOR),
    "recommended product handles": linked.map((p) => p.handle).join(","),
  };
}

// The products a shop's customers are recommended, as the shopper is shown them (docs/recommendations.md):
// each customer's stored list (recommendations.server.ts) reduced to products the shop sells now (the Product table;
// domain/recommendation-delivery.ts). Every read is scoped by shop: a customer id of another shop finds nothing.
import { prisma } from "../db.server";
import { showableRecommendations, type CatalogueProduct, type ShownProduct } from "../domain/recommendation-delivery";
import { recommendationsOf } from "./recommendations.server";

const IDS_PER_READ = 500;

/** The shop's products with these ids (absent: unknown to the app). */
export async function catalogueProducts(
  shop: string,
  productIds: readonly string[],
): Promise<Map<string, CatalogueProduct>> {
  const out = new Map<string, CatalogueProduct>();
  const unique = [...new Set(productIds)];
  for (let i = 0; i < unique.length; i += IDS_PER_READ) {
    const rows = await prisma.product.findMany({
      where: { shop, id: { in: unique.slice(i, i + IDS_PER_READ) } },
      select: { id: true, title: true, handle: true, status: true, deletedAt: true },
    });
    for (const r of rows)
      out.set(r.id, {
        id: r.id,
        title: r.title,
        handle: r.handle,
        status: r.status,
        deletedAt: r.deletedAt ? r.deletedAt.getTime() : null,
      });
  }
  return out;
}

/**
 * Per customer of the shop, the recommended products that may be shown (best first, at most `max`); customers
 * without any are absent.
 */
export async function recommendedProductsOf(
  shop: string,
  customerIds: readonly string[],
  max: number,
): Promise<Map<string, ShownProduct[]>> {
  const out = new Map<string, ShownProduct[]>();
  if (customerIds.length === 0) return out;
  const stored = await recommendationsOf(shop, customerIds);
  if (stored.size === 0) return out;
  const catalogue = await catalogueProducts(
    shop,
    [...stored.values()].flatMap((r) => r.products),
  );
  for (const [customerId, r] of stored) {
    const shown = showableRecommendations(r.products, catalogue, max);
    if (shown.length > 0) out.set(customerId, shown);
  }
  return out;
}

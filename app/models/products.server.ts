// Reads of the shop's product catalogue (the Product table: products/* webhooks and the backfill's products phase,
// written through the ledger's one write path, ledger-write.ts). Every read is scoped by shop.
import { Prisma } from "../generated/prisma/client";
import { prisma } from "../db.server";

export interface ProductRead {
  id: string;
  title: string | null;
  handle: string | null;
  productType: string | null;
  vendor: string | null;
  status: string | null;
  deleted: boolean;
}

/** These products of the shop (deleted ones included, marked): what the lines name. */
export async function productsByIds(shop: string, ids: readonly string[]): Promise<Map<string, ProductRead>> {
  const out = new Map<string, ProductRead>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await prisma.product.findMany({ where: { shop, id: { in: unique.slice(i, i + 500) } } });
    for (const p of rows) out.set(p.id, read(p));
  }
  return out;
}

/** The shop's live products (not deleted), by title, at most `limit`. */
export async function listProducts(shop: string, { limit = 250 } = {}): Promise<ProductRead[]> {
  const rows = await prisma.product.findMany({
    where: { shop, deletedAt: null },
    orderBy: [{ title: "asc" }, { id: "asc" }],
    take: limit,
  });
  return rows.map(read);
}

/** The product types in use by the shop's live products, with how many products each. */
export async function productTypes(shop: string): Promise<{ productType: string; products: number }[]> {
  const rows = await prisma.$queryRaw<{ productType: string; products: unknown }[]>(
    Prisma.sql`SELECT "productType", COUNT(*) AS "products" FROM "Product"
      WHERE "shop" = ${shop} AND "deletedAt" IS NULL AND "productType" IS NOT NULL AND "productType" <> ''
      GROUP BY "productType" ORDER BY "productType"`,
  );
  return rows.map((r) => ({ productType: r.productType, products: Number(r.products) }));
}

function read(p: {
  id: string;
  title: string | null;
  handle: string | null;
  productType: string | null;
  vendor: string | null;
  status: string | null;
  deletedAt: Date | null;
}): ProductRead {
  return {
    id: p.id,
    title: p.title,
    handle: p.handle,
    productType: p.productType,
    vendor: p.vendor,
    status: p.status,
    deleted: p.deletedAt !== null,
  };
}

// Shopify's own view of each customer (CustomerShopifyStats: Customer.statistics' rfmGroup and predictedSpendTier), as
// last read. One write path: a read replaces the rows of the customers it read and, once complete, removes those of
// customers it no longer saw. Every query is scoped by shop.
import { Prisma } from "../generated/prisma/client";
import { prisma } from "../db.server";
import type { ShopifyStatsRow } from "../domain/shopify-stats";

// Prisma caps an ORM query at 999 bound parameters on SQLite (P2029): 5 columns a row, 150 rows.
const WRITE_ROWS = 150;

/** Writes a batch of rows read at `readAt` (a rerun of the same read writes the same rows). */
export async function writeShopifyStats(shop: string, rows: readonly ShopifyStatsRow[], readAt: Date): Promise<void> {
  for (let i = 0; i < rows.length; i += WRITE_ROWS) {
    const batch = rows.slice(i, i + WRITE_ROWS);
    await prisma.$transaction([
      prisma.customerShopifyStats.deleteMany({ where: { shop, customerId: { in: batch.map((r) => r.customerId) } } }),
      prisma.customerShopifyStats.createMany({
        data: batch.map((r) => ({
          shop,
          customerId: r.customerId,
          rfmGroup: r.rfmGroup,
          predictedSpendTier: r.predictedSpendTier,
          readAt,
        })),
      }),
    ]);
  }
}

/** After a complete read at `readAt`: removes the rows of customers that read did not see (gone from Shopify). */
export async function removeUnreadShopifyStats(shop: string, readAt: Date): Promise<number> {
  const { count } = await prisma.customerShopifyStats.deleteMany({ where: { shop, readAt: { lt: readAt } } });
  return count;
}

export interface ShopifyStatsValues {
  rfmGroup: string | null;
  predictedSpendTier: string | null;
  readAt: Date;
}

export function getShopifyStats(shop: string, customerId: string): Promise<ShopifyStatsValues | null> {
  return prisma.customerShopifyStats.findUnique({
    where: { shop_customerId: { shop, customerId } },
    select: { rfmGroup: true, predictedSpendTier: true, readAt: true },
  });
}

/** When the shop's statistics were last read (the newest row), or null. */
export async function shopifyStatsReadAt(shop: string): Promise<Date | null> {
  const row = await prisma.customerShopifyStats.findFirst({
    where: { shop },
    orderBy: { readAt: "desc" },
    select: { readAt: true },
  });
  return row?.readAt ?? null;
}

const count = (v: bigint | number) => Number(v);

/**
 * Customers per (our segment, Shopify's RFM group) over the customers we score; "" where Shopify's group is not known
 * (not read yet, or a value outside the schema).
 */
export async function segmentByShopifyGroup(
  shop: string,
): Promise<{ row: string; column: string; customers: number }[]> {
  // From the Shopify side: only the customers Shopify's figures were read for are joined to their state (none on a
  // shop never read); the rest of each segment — its count from the (shop, segment, …) index — is the "" column.
  // The same matrix as joining every state to its figures, without a lookup per state. (CROSS JOIN: SQLite, without
  // table statistics, otherwise walks the states and looks each up; CROSS JOIN keeps the figures outside.)
  const [known, sizes] = await Promise.all([
    prisma.$queryRaw<{ segment: string; grp: string | null; n: bigint | number }[]>(Prisma.sql`
      SELECT s."segment" AS "segment", x."rfmGroup" AS "grp", COUNT(*) AS "n"
      FROM "CustomerShopifyStats" x
      CROSS JOIN "CustomerState" s
      WHERE x."shop" = ${shop} AND s."shop" = x."shop" AND s."customerId" = x."customerId"
      GROUP BY s."segment", x."rfmGroup"`),
    prisma.$queryRaw<{ segment: string; n: bigint | number }[]>(Prisma.sql`
      SELECT "segment", COUNT(*) AS "n" FROM "CustomerState" WHERE "shop" = ${shop} GROUP BY "segment"`),
  ]);
  const cells = new Map<string, { row: string; column: string; customers: number }>();
  const add = (row: string, column: string, n: number) => {
    const key = `${row}\u0000${column}`;
    const cell = cells.get(key);
    if (cell) cell.customers += n;
    else cells.set(key, { row, column, customers: n });
  };
  const matched = new Map<string, number>();
  for (const r of known) {
    add(r.segment, r.grp ?? "", count(r.n));
    matched.set(r.segment, (matched.get(r.segment) ?? 0) + count(r.n));
  }
  for (const r of sizes) {
    const rest = count(r.n) - (matched.get(r.segment) ?? 0);
    if (rest > 0) add(r.segment, "", rest);
  }
  return [...cells.values()];
}

/**
 * Customers per (our predicted CLV band, Shopify's predicted spend tier) over the customers with a prediction row;
 * "" for no band or no tier.
 */
export async function bandBySpendTier(shop: string): Promise<{ row: string; column: string; customers: number }[]> {
  const rows = await prisma.$queryRaw<{ band: string | null; tier: string | null; n: bigint | number }[]>(Prisma.sql`
    SELECT p."band" AS "band", x."predictedSpendTier" AS "tier", COUNT(*) AS "n"
    FROM "CustomerPrediction" p
    LEFT JOIN "CustomerShopifyStats" x ON x."shop" = p."shop" AND x."customerId" = p."customerId"
    WHERE p."shop" = ${shop}
    GROUP BY p."band", x."predictedSpendTier"`);
  return rows.map((r) => ({ row: r.band ?? "", column: r.tier ?? "", customers: count(r.n) }));
}

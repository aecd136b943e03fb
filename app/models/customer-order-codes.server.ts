// The discount codes on one customer's orders: what tells the loyalty page that a campaign code was used. Read by the
// (shop, customerId) index alone — with a time bound in the query, SQLite (no statistics) prefers (shop, processedAt)
// and would read every order of the shop since then; a customer's own orders are few, so the bound is applied here.
import { prisma } from "../db.server";

/** The codes (as Shopify reported them) on the customer's orders processed at or after `since` (deleted ones left out). */
export async function discountCodesUsedBy(shop: string, customerId: string, since: Date): Promise<string[]> {
  const rows = await prisma.order.findMany({
    where: { shop, customerId, deletedAt: null },
    select: { processedAt: true, discountCodes: true },
  });
  return rows
    .filter((r) => r.processedAt >= since && r.discountCodes !== "[]")
    .flatMap((r) => JSON.parse(r.discountCodes) as string[]);
}

// One customer's ledger rows as the customer page shows them: the customer, and their orders newest first.
import { prisma } from "../db.server";

export function getLedgerCustomer(shop: string, customerId: string) {
  return prisma.customer.findUnique({ where: { shop_id: { shop, id: customerId } } });
}

/** The customer's newest `limit` orders that are not deleted, and how many there are in all. */
export async function customerOrderPage(shop: string, customerId: string, limit: number) {
  const where = { shop, customerId, deletedAt: null };
  const [orders, count] = await Promise.all([
    prisma.order.findMany({
      where,
      orderBy: [{ processedAt: "desc" }, { id: "desc" }],
      take: limit,
      select: {
        id: true,
        name: true,
        processedAt: true,
        cancelledAt: true,
        test: true,
        currencyCode: true,
        valueMinor: true,
      },
    }),
    prisma.order.count({ where }),
  ]);
  return { orders, count };
}

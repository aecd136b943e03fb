// One customer's ledger rows as the customer page shows them: the customer, and their orders newest first.
import { prisma } from "../db.server";

export function getLedgerCustomer(shop: string, customerId: string) {
  return prisma.customer.findUnique({ where: { shop_id: { shop, id: customerId } } });
}

/**
 * The customer's newest `limit` orders that are not deleted, and how many there are in all. Every order of the
 * customer is read through the (shop, customerId) index and sorted here: asked to ORDER BY processedAt, SQLite (no
 * statistics) walks the shop's whole (shop, processedAt) index instead — 0.42 s against < 10 ms for one customer of a
 * 1M-order shop (docs/BENCHMARKS.md, issue #23 item 3). A customer's orders, not the shop's.
 */
export async function customerOrderPage(shop: string, customerId: string, limit: number) {
  const orders = await prisma.order.findMany({
    where: { shop, customerId, deletedAt: null },
    select: {
      id: true,
      name: true,
      processedAt: true,
      cancelledAt: true,
      test: true,
      currencyCode: true,
      valueMinor: true,
    },
  });
  // Newest first, ties by id descending (as the query's ORDER BY said).
  orders.sort((a, b) => b.processedAt.getTime() - a.processedAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  return { orders: orders.slice(0, limit), count: orders.length };
}

// One customer's tier moves (CustomerStateChange rows of kind "tier", the rows the Flow triggers send): what the
// shoppers' loyalty page lists as their tier history.
import { prisma } from "../db.server";

/** The customer's newest `limit` tier moves, newest first (the (shop, customerId, at) index reads them). */
export function customerTierMoves(shop: string, customerId: string, limit: number) {
  return prisma.customerStateChange.findMany({
    where: { shop, customerId, kind: "tier" },
    orderBy: [{ at: "desc" }, { id: "desc" }],
    take: limit,
    select: { from: true, to: true, at: true },
  });
}

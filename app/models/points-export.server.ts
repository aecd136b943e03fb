// Reads for the points exports (docs/points-import.md#export): the shop's journal a page at a time in write order,
// and the emails of the customers named. Every read is scoped by shop.
import { prisma } from "../db.server";

export interface JournalRow {
  id: number;
  customerId: string;
  kind: string;
  points: bigint;
  sourceKey: string;
  ruleVersion: number;
  effectiveAt: Date;
  availableAt: Date;
  orderId: string | null;
  refundId: string | null;
  note: string | null;
  actor: string | null;
  createdAt: Date;
  expiresAt: Date | null;
}

/** Up to `take` entries of the shop's journal written after entry `afterId`, in the order they were written. */
export function journalPage(shop: string, afterId: number, take: number): Promise<JournalRow[]> {
  return prisma.pointsEntry.findMany({
    where: { shop, id: { gt: afterId } },
    orderBy: { id: "asc" },
    take,
    select: {
      id: true,
      customerId: true,
      kind: true,
      points: true,
      sourceKey: true,
      ruleVersion: true,
      effectiveAt: true,
      availableAt: true,
      orderId: true,
      refundId: true,
      note: true,
      actor: true,
      createdAt: true,
      expiresAt: true,
    },
  });
}

/** The ledger's email of each live customer named that has one (a deleted customer's email is not exported). */
export async function customerEmails(shop: string, customerIds: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < customerIds.length; i += 500) {
    const rows = await prisma.customer.findMany({
      where: { shop, id: { in: customerIds.slice(i, i + 500) }, deletedAt: null, email: { not: null } },
      select: { id: true, email: true },
    });
    for (const r of rows) out.set(r.id, r.email!);
  }
  return out;
}

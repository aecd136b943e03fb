// The segment and tier history reconstructed from the ledger (services/history.server.ts, docs/history.md): sizes per
// segment and tier at the end of past weeks (StateHistory) and the moves in each week (StateMoveHistory). A
// reconstruction replaces the shop's rows in one transaction, so a rerun leaves the same rows and a reader never sees
// half of one. Every query is scoped by shop.
import { prisma } from "../db.server";
import type { HistoryKind, Move } from "../domain/history";

export interface HistorySizes {
  at: Date;
  kind: HistoryKind;
  key: string;
  customers: number;
}

export interface HistoryMove extends Move {
  at: Date;
}

/** Replaces every reconstructed row of the shop with these. */
export async function replaceStateHistory(
  shop: string,
  sizes: readonly HistorySizes[],
  moves: readonly HistoryMove[],
): Promise<void> {
  await prisma.$transaction([
    prisma.stateHistory.deleteMany({ where: { shop } }),
    prisma.stateMoveHistory.deleteMany({ where: { shop } }),
    prisma.stateHistory.createMany({ data: sizes.map((s) => ({ shop, ...s })) }),
    prisma.stateMoveHistory.createMany({
      data: moves.map((m) => ({ shop, at: m.at, kind: m.kind, from: m.from, to: m.to, customers: m.customers })),
    }),
  ]);
}

/** The stored sizes of one kind, oldest first: per moment, customers per key. */
export async function historySizes(
  shop: string,
  kind: HistoryKind,
): Promise<{ at: number; counts: Record<string, number> }[]> {
  const rows = await prisma.stateHistory.findMany({
    where: { shop, kind },
    orderBy: [{ at: "asc" }, { key: "asc" }],
  });
  const out: { at: number; counts: Record<string, number> }[] = [];
  for (const row of rows) {
    const at = row.at.getTime();
    let last = out[out.length - 1];
    if (!last || last.at !== at) out.push((last = { at, counts: {} }));
    last.counts[row.key] = row.customers;
  }
  return out;
}

/** The stored moves of one kind in weeks ending after `after` (exclusive) and up to `until` (inclusive). */
export async function historyMoves(
  shop: string,
  kind: HistoryKind,
  { after, until }: { after: Date; until?: Date },
): Promise<HistoryMove[]> {
  const rows = await prisma.stateMoveHistory.findMany({
    where: { shop, kind, at: { gt: after, ...(until ? { lte: until } : {}) } },
    orderBy: [{ at: "asc" }, { from: "asc" }, { to: "asc" }],
  });
  return rows.map((r) => ({ at: r.at, kind: r.kind as HistoryKind, from: r.from, to: r.to, customers: r.customers }));
}

/** The last moment of the shop's reconstruction (the install's first computation), or null when there is none. */
export async function historyAnchor(shop: string): Promise<Date | null> {
  const row = await prisma.stateHistory.findFirst({ where: { shop }, orderBy: { at: "desc" }, select: { at: true } });
  return row?.at ?? null;
}

/**
 * When Shopify says each live customer of the shop was created (customers without a creation time are absent): who
 * existed at a past moment.
 */
export async function customerCreationTimes(shop: string): Promise<Map<string, number>> {
  const rows = await prisma.customer.findMany({
    where: { shop, deletedAt: null, sourceCreatedAt: { not: null } },
    select: { id: true, sourceCreatedAt: true },
  });
  return new Map(rows.map((r) => [r.id, r.sourceCreatedAt!.getTime()]));
}

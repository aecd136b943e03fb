// The points journal's reads and appends (docs/rules.md#points): the ledger facts a customer's points follow from, the
// entries held, and appending new ones. Rows are only ever inserted here; a source key already held refuses the insert
// (unique per shop and customer), so two writers racing on one customer cannot both append a movement.
import { prisma } from "../db.server";
import { lockCustomersPoints } from "./rewards.server";
import { Prisma } from "../generated/prisma/client";
import type { PointsCustomerFacts, PointsEntryValues, PointsKind, PointsOrder } from "../domain/points";
import type { TierCountedOrder } from "../domain/points-bonuses";
import type { TierProgram } from "../domain/tiers";
import { compareIds } from "../domain/recompute";

/** A customer's ledger as the points rules read it: their live orders (refunds of those from the programme start on),
 * and what the bonuses read (the account's creation time, the birth date held). */
export interface PointsLedger {
  customerDeleted: boolean;
  orders: PointsOrder[];
  customer: PointsCustomerFacts;
}

/**
 * The customers whose journal may need an entry: those with an order processed at or after `from` (the programme
 * start; a deleted order has no customer any more) and those with any entry; with `signUps`, the live customers
 * created at or after `from`; with `birthdays`, those with a birth date held. Sorted by id.
 */
export async function pointsCustomerIds(
  shop: string,
  from: Date,
  { signUps = false, birthdays = false }: { signUps?: boolean; birthdays?: boolean } = {},
): Promise<string[]> {
  // DISTINCT in SQL (Prisma's `distinct` would read every order of the shop and keep one per customer in memory).
  const created = signUps
    ? Prisma.sql`UNION SELECT c."id" AS "customerId" FROM "Customer" c
        WHERE c."shop" = ${shop} AND c."deletedAt" IS NULL AND c."sourceCreatedAt" >= ${from}`
    : Prisma.empty;
  const born = birthdays
    ? Prisma.sql`UNION SELECT b."customerId" AS "customerId" FROM "CustomerBirthday" b WHERE b."shop" = ${shop}`
    : Prisma.empty;
  const rows = await prisma.$queryRaw<{ customerId: string }[]>(Prisma.sql`
    SELECT DISTINCT o."customerId" AS "customerId" FROM "Order" o
    WHERE o."shop" = ${shop} AND o."customerId" IS NOT NULL AND o."processedAt" >= ${from}
    UNION SELECT DISTINCT p."customerId" AS "customerId" FROM "PointsEntry" p WHERE p."shop" = ${shop}
    ${created} ${born}`);
  return rows.map((r) => r.customerId).sort(compareIds);
}

/** The shop's saved tier programmes with when each was saved, oldest first (tier multipliers read them). */
export async function tierProgrammeHistory(shop: string): Promise<{ from: number; program: TierProgram }[]> {
  const rows = await prisma.tierProgramVersion.findMany({ where: { shop }, orderBy: { version: "asc" } });
  return rows.map((r) => ({ from: r.createdAt.getTime(), program: JSON.parse(r.program) as TierProgram }));
}

/** Order ids bound in one ORM query: the shop and these stay under Prisma's 999 bound parameters on SQLite (P2029). */
export const ORDER_IDS_PER_QUERY = 900;

/**
 * The ledger of each customer named (an entry for every one): every live order, those processed from `from` on (null:
 * all) with their refunds, those before it without (they earn nothing; their value counts for the tier an order was
 * placed in); the customer's creation time, birth date and every live order's time and value (tierOrders).
 */
export async function pointsLedgers(
  shop: string,
  customerIds: readonly string[],
  from: Date | null,
): Promise<Map<string, PointsLedger>> {
  const out = new Map<string, PointsLedger>(
    customerIds.map((id) => [
      id,
      { customerDeleted: false, orders: [], customer: { createdAt: null, birthday: null, tierOrders: [] } },
    ]),
  );
  if (customerIds.length === 0) return out;
  const ids = [...customerIds];
  const [orders, customers, birthdays] = await Promise.all([
    prisma.order.findMany({
      // Every live order: those before `from` count for the tier an order was placed in (tier multipliers)
      where: { shop, customerId: { in: ids }, deletedAt: null },
      select: {
        id: true,
        customerId: true,
        processedAt: true,
        cancelledAt: true,
        test: true,
        currencyCode: true,
        valueMinor: true,
      },
    }),
    prisma.customer.findMany({
      where: { shop, id: { in: ids } },
      select: { id: true, deletedAt: true, sourceCreatedAt: true },
    }),
    prisma.customerBirthday.findMany({
      where: { shop, customerId: { in: ids } },
      select: { customerId: true, month: true, day: true },
    }),
  ]);
  for (const c of customers) {
    const ledger = out.get(c.id)!;
    if (c.deletedAt !== null) ledger.customerDeleted = true;
    ledger.customer.createdAt = c.sourceCreatedAt?.getTime() ?? null;
  }
  for (const b of birthdays) out.get(b.customerId)!.customer.birthday = { month: b.month, day: b.day };
  const earning = from ? orders.filter((o) => o.processedAt.getTime() >= from.getTime()) : orders;
  for (const o of orders)
    (out.get(o.customerId!)!.customer.tierOrders as TierCountedOrder[]).push({
      processedAt: o.processedAt.getTime(),
      cancelledAt: o.cancelledAt?.getTime() ?? null,
      test: o.test,
      valueMinor: Number(o.valueMinor),
    });
  // The refunds of those orders, read ORDER_IDS_PER_QUERY orders at a time: 500 customers may have any number of
  // orders, and Prisma refuses an ORM query with more than 999 bound parameters on SQLite (P2029)
  const refunds: {
    id: string;
    orderId: string;
    createdAt: Date;
    amountMinor: bigint | null;
    currencyCode: string;
  }[] = [];
  for (let i = 0; i < earning.length; i += ORDER_IDS_PER_QUERY)
    refunds.push(
      ...(await prisma.refund.findMany({
        where: { shop, orderId: { in: earning.slice(i, i + ORDER_IDS_PER_QUERY).map((o) => o.id) } },
        select: { id: true, orderId: true, createdAt: true, amountMinor: true, currencyCode: true },
      })),
    );
  const refundsOf = new Map<string, PointsOrder["refunds"][number][]>();
  for (const r of refunds) {
    const list = refundsOf.get(r.orderId) ?? [];
    list.push({
      id: r.id,
      createdAt: r.createdAt.getTime(),
      amountMinor: r.amountMinor === null ? null : Number(r.amountMinor),
      currencyCode: r.currencyCode,
    });
    refundsOf.set(r.orderId, list);
  }
  // Every live order goes into `orders`: those before `from` earn nothing (targetEntries skips them) but count for the
  // tier a later order was placed in, so a caller that passes the orders alone still gets the tier multipliers right
  for (const o of orders) {
    out.get(o.customerId!)!.orders.push({
      id: o.id,
      processedAt: o.processedAt.getTime(),
      cancelledAt: o.cancelledAt?.getTime() ?? null,
      test: o.test,
      currencyCode: o.currencyCode,
      valueMinor: Number(o.valueMinor),
      refunds: refundsOf.get(o.id) ?? [],
    });
  }
  return out;
}

type EntryRow = {
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
  expiresAt: Date | null;
};

const fromRow = (r: EntryRow): PointsEntryValues => ({
  sourceKey: r.sourceKey,
  kind: r.kind as PointsKind,
  points: Number(r.points),
  ruleVersion: r.ruleVersion,
  effectiveAt: r.effectiveAt.getTime(),
  availableAt: r.availableAt.getTime(),
  orderId: r.orderId,
  refundId: r.refundId,
  note: r.note,
  // Only an imported entry's own expiry: an entry without one reads as the values the rules derive (no field)
  ...(r.expiresAt ? { expiresAt: r.expiresAt.getTime() } : {}),
});

/** The entries each customer named holds, in the order they were written (an entry for every one). */
export async function journalsOf(
  shop: string,
  customerIds: readonly string[],
): Promise<Map<string, PointsEntryValues[]>> {
  const out = new Map<string, PointsEntryValues[]>(customerIds.map((id) => [id, []]));
  if (customerIds.length === 0) return out;
  const rows = await prisma.pointsEntry.findMany({
    where: { shop, customerId: { in: [...customerIds] } },
    orderBy: { id: "asc" },
  });
  for (const r of rows) out.get(r.customerId)!.push(fromRow(r));
  return out;
}

/** The customers with a journal, sorted by id. */
export async function journalCustomerIds(shop: string): Promise<string[]> {
  const rows = await prisma.$queryRaw<{ customerId: string }[]>(
    Prisma.sql`SELECT DISTINCT "customerId" FROM "PointsEntry" WHERE "shop" = ${shop}`,
  );
  return rows.map((r) => r.customerId).sort(compareIds);
}

/** Thrown when an entry's source key is already held: another writer appended first; read again and retry. */
export class JournalConflictError extends Error {
  override name = "JournalConflictError";
}

/**
 * Appends entries (customer → entries) in one transaction: all or none. A source key already held refuses the whole
 * batch with JournalConflictError.
 */
export async function appendJournalEntries(
  shop: string,
  entries: ReadonlyMap<string, readonly PointsEntryValues[]>,
): Promise<number> {
  const data = entryRows(shop, entries);
  if (data.length === 0) return 0;
  try {
    await prisma.$transaction(async (tx) => {
      for (let i = 0; i < data.length; i += 500) await tx.pointsEntry.createMany({ data: data.slice(i, i + 500) });
    });
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") throw new JournalConflictError(String(error));
    throw error;
  }
  return data.length;
}

/**
 * Reads the journals of `customerIds` and appends what `decide` makes of them, in one transaction under the
 * customers' points lock (lockCustomersPoints, the lock a redemption's reservation takes): no reservation can spend
 * points between the read and the append, so a clawback decided from the available balance never takes points a
 * redemption took in the meantime. A source key already held (a writer without the lock) refuses the whole batch with
 * JournalConflictError, as appendJournalEntries does.
 */
export async function appendUnderPointsLock(
  shop: string,
  customerIds: readonly string[],
  decide: (journals: Map<string, PointsEntryValues[]>) => ReadonlyMap<string, readonly PointsEntryValues[]>,
): Promise<number> {
  if (customerIds.length === 0) return 0;
  try {
    return await prisma.$transaction(
      async (tx) => {
        await lockCustomersPoints(tx, shop, customerIds);
        const journals = new Map<string, PointsEntryValues[]>(customerIds.map((id) => [id, []]));
        const rows = await tx.pointsEntry.findMany({
          where: { shop, customerId: { in: [...customerIds] } },
          orderBy: { id: "asc" },
        });
        for (const r of rows) journals.get(r.customerId)!.push(fromRow(r));
        const data = entryRows(shop, decide(journals));
        for (let i = 0; i < data.length; i += 500) await tx.pointsEntry.createMany({ data: data.slice(i, i + 500) });
        return data.length;
      },
      { maxWait: 30_000, timeout: 120_000 },
    );
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") throw new JournalConflictError(String(error));
    throw error;
  }
}

/** The rows that write `entries` (customer → entries) of one shop; `actor` names who wrote a non-derived movement. */
export function entryRows(
  shop: string,
  entries: ReadonlyMap<string, readonly PointsEntryValues[]>,
  actor: string | null = null,
): Prisma.PointsEntryCreateManyInput[] {
  const data: Prisma.PointsEntryCreateManyInput[] = [];
  for (const [customerId, list] of entries)
    for (const e of list)
      data.push({
        shop,
        customerId,
        kind: e.kind,
        points: BigInt(e.points),
        sourceKey: e.sourceKey,
        ruleVersion: e.ruleVersion,
        effectiveAt: new Date(e.effectiveAt),
        availableAt: new Date(e.availableAt),
        orderId: e.orderId,
        refundId: e.refundId,
        note: e.note,
        actor,
        expiresAt: e.expiresAt == null ? null : new Date(e.expiresAt),
      });
  return data;
}

/** The display names of these customers (first and last name, else the email), for the admin's examples. */
export async function customerNames(shop: string, customerIds: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (customerIds.length === 0) return out;
  const rows = await prisma.customer.findMany({
    where: { shop, id: { in: [...customerIds] } },
    select: { id: true, firstName: true, lastName: true, email: true },
  });
  for (const r of rows) out.set(r.id, [r.firstName, r.lastName].filter(Boolean).join(" ") || r.email || "");
  return out;
}

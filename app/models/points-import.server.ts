// Points imports (docs/points-import.md#the-service): the shop's customers an import file names (live customers of
// this shop only, by id or by lower-cased email), the import entries they already hold, the PointsImport rows (the
// dry run's report, then applied), and appending a batch of import entries under the same per-customer serialisation
// a redemption's reservation takes (models/rewards.server.ts): on PostgreSQL a transaction-scoped advisory lock on
// (shop, customer) for each customer of the batch, in id order; on SQLite a write as the transaction's first statement,
// which holds the database's write lock before anything is read. The entries to append are computed inside, from the
// entries held then, so two applies racing append one set.
import { prisma } from "../db.server";
import { Prisma } from "../generated/prisma/client";
import type { PointsEntryValues, PointsKind } from "../domain/points";
import type { ImportCustomer } from "../domain/points-import-plan";
import { entryRows } from "./points.server";
import { lockCustomersPoints } from "./rewards.server";

const BATCH = 500;

/** The live customers of `shop` with these ids. */
export async function customersWithIds(shop: string, ids: readonly string[]): Promise<Map<string, ImportCustomer>> {
  const out = new Map<string, ImportCustomer>();
  for (let i = 0; i < ids.length; i += BATCH) {
    const rows = await prisma.customer.findMany({
      where: { shop, id: { in: ids.slice(i, i + BATCH) }, deletedAt: null },
      select: { id: true, email: true },
    });
    for (const r of rows) out.set(r.id, r);
  }
  return out;
}

/** The live customers of `shop` whose email, lower-cased, is one of `emails` (given lower-cased). */
export async function customersWithEmails(
  shop: string,
  emails: readonly string[],
): Promise<Map<string, ImportCustomer[]>> {
  const out = new Map<string, ImportCustomer[]>();
  for (let i = 0; i < emails.length; i += BATCH) {
    const batch = emails.slice(i, i + BATCH);
    const rows = await prisma.$queryRaw<{ id: string; email: string }[]>(Prisma.sql`
      SELECT "id", "email" FROM "Customer"
      WHERE "shop" = ${shop} AND "deletedAt" IS NULL AND LOWER("email") IN (${Prisma.join(batch)})
      ORDER BY "id"`);
    for (const r of rows) {
      const key = r.email.toLowerCase();
      out.set(key, [...(out.get(key) ?? []), { id: r.id, email: r.email }]);
    }
  }
  return out;
}

type EntryRow = Prisma.PointsEntryGetPayload<object>;
const entryFrom = (r: EntryRow): PointsEntryValues => ({
  sourceKey: r.sourceKey,
  kind: r.kind as PointsKind,
  points: Number(r.points),
  ruleVersion: r.ruleVersion,
  effectiveAt: r.effectiveAt.getTime(),
  availableAt: r.availableAt.getTime(),
  orderId: r.orderId,
  refundId: r.refundId,
  note: r.note,
  ...(r.expiresAt ? { expiresAt: r.expiresAt.getTime() } : {}),
});

/** The import entries (any format) each customer named holds, in the order written. */
export async function importEntriesOf(
  shop: string,
  customerIds: readonly string[],
): Promise<Map<string, PointsEntryValues[]>> {
  const out = new Map<string, PointsEntryValues[]>();
  for (let i = 0; i < customerIds.length; i += BATCH) {
    const rows = await prisma.pointsEntry.findMany({
      where: { shop, customerId: { in: customerIds.slice(i, i + BATCH) }, sourceKey: { startsWith: "import:" } },
      orderBy: { id: "asc" },
    });
    for (const r of rows) out.set(r.customerId, [...(out.get(r.customerId) ?? []), entryFrom(r)]);
  }
  return out;
}

export interface PointsImportRecord {
  id: string;
  format: string;
  fileName: string;
  fileHash: string;
  rows: number;
  matched: number;
  points: number;
  /** JSON: ImportReport (domain/points-import-plan.ts). */
  report: string;
  state: "previewed" | "applied";
  actor: string | null;
  createdAt: Date;
  appliedAt: Date | null;
}

type ImportRowDb = Prisma.PointsImportGetPayload<object>;
const importFrom = (r: ImportRowDb): PointsImportRecord => ({
  id: r.id,
  format: r.format,
  fileName: r.fileName,
  fileHash: r.fileHash,
  rows: r.rows,
  matched: r.matched,
  points: Number(r.points),
  report: r.report,
  state: r.state as PointsImportRecord["state"],
  actor: r.actor,
  createdAt: r.createdAt,
  appliedAt: r.appliedAt,
});

export async function createPointsImport(
  shop: string,
  row: Omit<PointsImportRecord, "state" | "actor" | "appliedAt">,
): Promise<PointsImportRecord> {
  const created = await prisma.pointsImport.create({
    data: { shop, ...row, points: BigInt(row.points), state: "previewed" },
  });
  return importFrom(created);
}

export async function getPointsImport(shop: string, id: string): Promise<PointsImportRecord | null> {
  const row = await prisma.pointsImport.findUnique({ where: { shop_id: { shop, id } } });
  return row && importFrom(row);
}

/** The shop's imports, newest first, without their reports. */
export async function listPointsImports(
  shop: string,
  { take = 20 } = {},
): Promise<Omit<PointsImportRecord, "report">[]> {
  const rows = await prisma.pointsImport.findMany({
    where: { shop },
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
    take,
    omit: { report: true },
  });
  return rows.map((r) => importFrom({ ...r, report: "" }));
}

/** Marks a previewed import applied; false when it was applied already (by this or a racing request). */
export async function markPointsImportApplied(shop: string, id: string, actor: string, at: Date): Promise<boolean> {
  const { count } = await prisma.pointsImport.updateMany({
    where: { shop, id, state: "previewed" },
    data: { state: "applied", actor, appliedAt: at },
  });
  return count === 1;
}

/**
 * Appends import entries for a batch of customers, serialised per customer with redemptions and other imports (see
 * the header): `compute` gets each customer's import entries as held under the locks and returns what to append.
 * Every entry is written with `actor`. Returns the customers that got entries and how many entries.
 */
export async function appendImportEntries(
  shop: string,
  customerIds: readonly string[],
  compute: (held: ReadonlyMap<string, readonly PointsEntryValues[]>) => ReadonlyMap<string, PointsEntryValues[]>,
  actor: string,
): Promise<{ customers: string[]; entries: number }> {
  const ids = [...customerIds].sort();
  return prisma.$transaction(
    async (tx) => {
      // The customers' points lock every journal writer that reads balances takes (sorted: no deadlock with them).
      await lockCustomersPoints(tx, shop, ids);
      const rows = await tx.pointsEntry.findMany({
        where: { shop, customerId: { in: ids }, sourceKey: { startsWith: "import:" } },
        orderBy: { id: "asc" },
      });
      const held = new Map<string, PointsEntryValues[]>(ids.map((id) => [id, []]));
      for (const r of rows) held.get(r.customerId)!.push(entryFrom(r));
      const appends = compute(held);
      const data = entryRows(shop, appends, actor);
      if (data.length) await tx.pointsEntry.createMany({ data });
      return { customers: [...appends.keys()].filter((id) => appends.get(id)!.length > 0), entries: data.length };
    },
    { maxWait: 10_000, timeout: 60_000 },
  );
}

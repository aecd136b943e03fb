// The journal's sums the liability report reads (docs/rules.md#liability-and-breakage): one aggregate query each,
// scoped by shop, the same SQL on SQLite and PostgreSQL (sums cast to BIGINT; months as CASE buckets on instants the
// domain computed in the shop's zone, so neither database needs to know about time zones).
import { Prisma } from "../generated/prisma/client";
import { prisma } from "../db.server";
import type { MonthSpan } from "../domain/points-liability";

const toNumber = (value: unknown) => (value === null || value === undefined ? 0 : Number(value));

/** The first and last instants of the shop's journal (null when it has none). */
export async function journalSpan(shop: string): Promise<{ first: Date; last: Date } | null> {
  const row = await prisma.pointsEntry.aggregate({
    where: { shop },
    _min: { effectiveAt: true },
    _max: { effectiveAt: true },
  });
  return row._min.effectiveAt && row._max.effectiveAt
    ? { first: row._min.effectiveAt, last: row._max.effectiveAt }
    : null;
}

/** The shop's available and pending points as of `at`: every entry effective by then but losses, by availability. */
export async function outstandingPoints(shop: string, at: Date): Promise<{ available: number; pending: number }> {
  const rows = await prisma.$queryRaw<{ available: unknown; pending: unknown }[]>(Prisma.sql`
    SELECT CAST(SUM(CASE WHEN "availableAt" <= ${at} THEN "points" ELSE 0 END) AS BIGINT) AS "available",
           CAST(SUM(CASE WHEN "availableAt" > ${at} THEN "points" ELSE 0 END) AS BIGINT) AS "pending"
    FROM "PointsEntry" WHERE "shop" = ${shop} AND "kind" <> 'loss' AND "effectiveAt" <= ${at}`);
  return { available: toNumber(rows[0]?.available), pending: toNumber(rows[0]?.pending) };
}

/**
 * The signed points of each kind per month (entries effective in [start, end) of a span, and at or before `at`),
 * one row per (month, kind) that has entries.
 */
export async function monthlyKindSums(
  shop: string,
  months: readonly MonthSpan[],
  at: Date,
): Promise<{ month: string; kind: string; points: number }[]> {
  if (months.length === 0) return [];
  const bucket = Prisma.sql`CASE ${Prisma.join(
    months.map((m, i) => Prisma.sql`WHEN "effectiveAt" < ${new Date(m.end)} THEN ${Prisma.raw(String(i))}`),
    " ",
  )} ELSE ${Prisma.raw(String(months.length))} END`;
  const rows = await prisma.$queryRaw<{ bucket: unknown; kind: string; points: unknown }[]>(Prisma.sql`
    SELECT ${bucket} AS "bucket", "kind" AS "kind", CAST(SUM("points") AS BIGINT) AS "points"
    FROM "PointsEntry"
    WHERE "shop" = ${shop} AND "effectiveAt" >= ${new Date(months[0].start)} AND "effectiveAt" <= ${at}
    GROUP BY 1, 2`);
  return rows
    .map((r) => ({ index: toNumber(r.bucket), kind: r.kind, points: toNumber(r.points) }))
    .filter((r) => r.index < months.length)
    .map((r) => ({ month: months[r.index].month, kind: r.kind, points: r.points }));
}

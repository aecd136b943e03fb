// The admin's customer list: one page of customers with their state, filtered, searched and sorted in SQL
// (server-side pagination), and how many match. Scoped by shop like every query.
import { Prisma } from "../generated/prisma/client";
import { prisma } from "../db.server";
import type { Insight } from "../domain/insights";
import { insightCondition, predictionContext } from "./insights.server";

export const CUSTOMER_SORTS = ["recency", "frequency", "monetary"] as const;
export type CustomerSort = (typeof CUSTOMER_SORTS)[number];
export const CUSTOMER_PAGE_SIZE = 50;

export interface CustomerListQuery {
  /** Part of a name or an email address, any case. */
  search?: string;
  segment?: string;
  /** A tier key, or "none" for customers without a tier. */
  tier?: string;
  /** An insight (app/domain/insights.ts): its customers only (none when it needs predictions the shop lacks). */
  insight?: Insight;
  sort: CustomerSort;
  /** 1-based. */
  page: number;
}

export interface CustomerListRow {
  customerId: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  segment: string;
  tier: string | null;
  recencyDays: number | null;
  frequency: number | null;
  monetaryMinor: number | null;
  r: number | null;
  f: number | null;
  m: number | null;
}

const ORDER: Record<CustomerSort, Prisma.Sql> = {
  // Customers without an order last; ties by id so pages never overlap.
  recency: Prisma.sql`s."lastOrderAt" IS NULL, s."lastOrderAt" DESC, s."customerId"`,
  frequency: Prisma.sql`s."frequency" IS NULL, s."frequency" DESC, s."customerId"`,
  monetary: Prisma.sql`s."monetaryMinor" IS NULL, s."monetaryMinor" DESC, s."customerId"`,
};

function where(shop: string, query: CustomerListQuery, insight: Prisma.Sql | null): Prisma.Sql {
  const parts = [Prisma.sql`s."shop" = ${shop}`];
  if (insight) parts.push(insight);
  if (query.segment) parts.push(Prisma.sql`s."segment" = ${query.segment}`);
  if (query.tier === "none") parts.push(Prisma.sql`s."tier" IS NULL`);
  else if (query.tier) parts.push(Prisma.sql`s."tier" = ${query.tier}`);
  const search = query.search?.trim();
  if (search) {
    // LIKE with the search's own wildcards escaped; SQLite's LIKE ignores ASCII case (Thai has none). A search with a
    // space ("ada king") is matched against the full name.
    const pattern = `%${search.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    parts.push(
      search.includes(" ")
        ? Prisma.sql`(COALESCE(c."firstName", '') || ' ' || COALESCE(c."lastName", '')) LIKE ${pattern} ESCAPE '\\'`
        : Prisma.sql`(c."email" LIKE ${pattern} ESCAPE '\\' OR c."firstName" LIKE ${pattern} ESCAPE '\\' OR c."lastName" LIKE ${pattern} ESCAPE '\\')`,
    );
  }
  return Prisma.join(parts, " AND ");
}

export async function listCustomers(
  shop: string,
  query: CustomerListQuery,
): Promise<{ rows: CustomerListRow[]; total: number }> {
  const insight = query.insight
    ? insightCondition(shop, query.insight, await predictionContext(shop), new Date())
    : null;
  const filter = where(shop, query, insight);
  const offset = (Math.max(1, query.page) - 1) * CUSTOMER_PAGE_SIZE;
  const join = Prisma.sql`LEFT JOIN "Customer" c ON c."shop" = s."shop" AND c."id" = s."customerId"`;
  // Without a search the page is chosen from CustomerState alone and only its rows are joined to their names.
  const searching = Boolean(query.search?.trim());
  // A search scans the join once: the page and, as a window count over every matching row, the total. Without one
  // the page comes from CustomerState alone (only its 50 rows are joined to names) and the count from the shop index.
  const page = searching
    ? Prisma.sql`SELECT s.*, COUNT(*) OVER () AS "total" FROM "CustomerState" s ${join} WHERE ${filter} ORDER BY ${ORDER[query.sort]} LIMIT ${CUSTOMER_PAGE_SIZE} OFFSET ${offset}`
    : Prisma.sql`SELECT s.*, NULL AS "total" FROM "CustomerState" s WHERE ${filter} ORDER BY ${ORDER[query.sort]} LIMIT ${CUSTOMER_PAGE_SIZE} OFFSET ${offset}`;
  const rows = await prisma.$queryRaw<Record<string, unknown>[]>(Prisma.sql`
    SELECT s."customerId", c."firstName", c."lastName", c."email", s."segment", s."tier", s."recencyDays", s."frequency",
      s."monetaryMinor", s."r", s."f", s."m", s."total"
    FROM (${page}) s ${join} ORDER BY ${ORDER[query.sort]}`);
  // A page past the end has no row to carry the total.
  const total =
    searching && rows.length > 0
      ? Number(rows[0].total)
      : Number(
          (
            await prisma.$queryRaw<{ n: bigint | number }[]>(
              searching
                ? Prisma.sql`SELECT COUNT(*) AS n FROM "CustomerState" s ${join} WHERE ${filter}`
                : Prisma.sql`SELECT COUNT(*) AS n FROM "CustomerState" s WHERE ${filter}`,
            )
          )[0].n,
        );
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    total,
    rows: rows.map((r) => ({
      customerId: r.customerId as string,
      firstName: r.firstName as string | null,
      lastName: r.lastName as string | null,
      email: r.email as string | null,
      segment: r.segment as string,
      tier: r.tier as string | null,
      recencyDays: num(r.recencyDays),
      frequency: num(r.frequency),
      monetaryMinor: num(r.monetaryMinor),
      r: num(r.r),
      f: num(r.f),
      m: num(r.m),
    })),
  };
}

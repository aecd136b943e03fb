// The admin's customer list: one page of customers with their state, filtered, searched and sorted in SQL
// (server-side pagination), and how many match. Scoped by shop like every query.
//
// Pages are found by KEYSET, not by offset: a page is "the 50 rows after (or before) this row" in the sort's order,
// the row named by a cursor holding its sort value and its customer id (ties are broken by the id, so the order is
// total and no row is skipped or repeated). Page 1,000 then costs what page 1 costs — one pass over the shop's states
// keeping the best 50 — where OFFSET had to keep and skip the 49,950 rows before it (docs/customer-list.md).
import { Prisma } from "../generated/prisma/client";
import { prisma } from "../db.server";
import type { Insight } from "../domain/insights";
import { recencyDays } from "../domain/rfm";
import { insightCondition, predictionContext } from "./insights.server";

export const CUSTOMER_SORTS = ["recency", "frequency", "monetary"] as const;
export type CustomerSort = (typeof CUSTOMER_SORTS)[number];
export const CUSTOMER_PAGE_SIZE = 50;

/**
 * A position in the list: the sort value of a row (null for customers without an order; an ISO instant for recency,
 * an integer as decimal text for frequency and spend) and its customer id.
 */
export interface CustomerCursor {
  value: string | null;
  customerId: string;
}

export interface CustomerListQuery {
  /** Part of a name or an email address, any case. */
  search?: string;
  segment?: string;
  /** A tier key, or "none" for customers without a tier. */
  tier?: string;
  /** An insight (app/domain/insights.ts): its customers only (none when it needs predictions the shop lacks). */
  insight?: Insight;
  sort: CustomerSort;
  /**
   * 1-based. With a cursor only the page's number as shown (carried along in the URL); without one, a page reached by
   * offset (an old bookmarked `?page=` URL, still answered).
   */
  page: number;
  /** The page after this row (next), or before it (previous). At most one; neither: the first page (or `page`). */
  after?: CustomerCursor;
  before?: CustomerCursor;
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

/** The column each sort orders by, descending, customers without a value (no order) last, ties by customer id. */
const COLUMN: Record<CustomerSort, Prisma.Sql> = {
  // By the last order's instant, not the stored day count: the instant does not age, the count is as of a run.
  recency: Prisma.sql`s."lastOrderAt"`,
  frequency: Prisma.sql`s."frequency"`,
  monetary: Prisma.sql`s."monetaryMinor"`,
};

/** The list's order, or (`reversed`) its exact reverse: what a "previous page" reads from its cursor backwards. */
function orderBy(sort: CustomerSort, reversed = false): Prisma.Sql {
  const col = COLUMN[sort];
  return reversed
    ? Prisma.sql`${col} IS NULL DESC, ${col} ASC, s."customerId" DESC`
    : Prisma.sql`${col} IS NULL, ${col} DESC, s."customerId" ASC`;
}

/** A cursor's value as the column's type, for the comparison. */
function bound(sort: CustomerSort, value: string): Date | number | bigint {
  if (sort === "recency") return new Date(value);
  if (sort === "frequency") return Number(value);
  return BigInt(value);
}

/**
 * The rows strictly after `cursor` in the list's order (nulls last, value descending, id ascending), or strictly
 * before it with `before`.
 */
function keyset(sort: CustomerSort, cursor: CustomerCursor, before: boolean): Prisma.Sql {
  const col = COLUMN[sort];
  const id = cursor.customerId;
  if (cursor.value === null) {
    // Among the customers without a value, by id; before them: every customer with a value.
    return before
      ? Prisma.sql`(${col} IS NOT NULL OR s."customerId" < ${id})`
      : Prisma.sql`(${col} IS NULL AND s."customerId" > ${id})`;
  }
  const v = bound(sort, cursor.value);
  return before
    ? Prisma.sql`(${col} > ${v} OR (${col} = ${v} AND s."customerId" < ${id}))`
    : Prisma.sql`(${col} IS NULL OR ${col} < ${v} OR (${col} = ${v} AND s."customerId" > ${id}))`;
}

/** Whether a cursor's value fits the sort (a tampered or stale URL falls back to the first page). */
export function validCursor(sort: CustomerSort, cursor: CustomerCursor): boolean {
  if (!cursor.customerId || cursor.customerId.length > 200) return false;
  if (cursor.value === null) return true;
  if (sort === "recency") return /^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(cursor.value) && !isNaN(Date.parse(cursor.value));
  return /^-?\d{1,19}$/.test(cursor.value) && (sort === "monetary" || Number.isSafeInteger(Number(cursor.value)));
}

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

export interface CustomerListPage {
  rows: CustomerListRow[];
  total: number;
  /** Cursors of the page's first and last rows: the previous page is `before` the first, the next `after` the last. */
  previous: CustomerCursor | null;
  next: CustomerCursor | null;
}

export async function listCustomers(shop: string, query: CustomerListQuery): Promise<CustomerListPage> {
  const insight = query.insight
    ? insightCondition(shop, query.insight, await predictionContext(shop), new Date())
    : null;
  const filter = where(shop, query, insight);
  const cursor = query.after ?? query.before ?? null;
  const backwards = !query.after && Boolean(query.before);
  const pageWhere = cursor ? Prisma.sql`${filter} AND ${keyset(query.sort, cursor, backwards)}` : filter;
  // Without a cursor, an old `?page=` still answers, by offset.
  const offset = cursor ? 0 : (Math.max(1, query.page) - 1) * CUSTOMER_PAGE_SIZE;
  // One row more than a page says whether there is another page in the direction read.
  const limit = CUSTOMER_PAGE_SIZE + 1;
  const order = orderBy(query.sort, backwards);
  const join = Prisma.sql`LEFT JOIN "Customer" c ON c."shop" = s."shop" AND c."id" = s."customerId"`;
  const searching = Boolean(query.search?.trim());
  // Without a search the page is chosen from CustomerState alone and only its rows are joined to their names; a
  // search joins names first. The count is its own query (the keyset condition must not narrow it).
  const page = searching
    ? Prisma.sql`SELECT s.* FROM "CustomerState" s ${join} WHERE ${pageWhere} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`
    : Prisma.sql`SELECT s.* FROM "CustomerState" s WHERE ${pageWhere} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`;
  const [found, counted, computation] = await Promise.all([
    prisma.$queryRaw<Record<string, unknown>[]>(Prisma.sql`
      SELECT s."customerId", c."firstName", c."lastName", c."email", s."segment", s."tier", s."frequency",
        s."monetaryMinor", s."lastOrderAt", s."computedAt", s."r", s."f", s."m"
      FROM (${page}) s ${join} ORDER BY ${order}`),
    prisma.$queryRaw<{ n: bigint | number }[]>(
      searching
        ? Prisma.sql`SELECT COUNT(*) AS n FROM "CustomerState" s ${join} WHERE ${filter}`
        : Prisma.sql`SELECT COUNT(*) AS n FROM "CustomerState" s WHERE ${filter}`,
    ),
    prisma.shopComputation.findUnique({ where: { shop }, select: { asOf: true } }),
  ]);
  // A cursor past the end (the rows after it left the filter, or a stale URL): the first page instead of nothing.
  if (cursor && found.length === 0)
    return listCustomers(shop, { ...query, after: undefined, before: undefined, page: 1 });
  const more = found.length > CUSTOMER_PAGE_SIZE;
  const rows = found.slice(0, CUSTOMER_PAGE_SIZE);
  if (backwards) rows.reverse();
  const cursorOf = (r: Record<string, unknown>): CustomerCursor => ({
    value: sortValue(query.sort, r),
    customerId: r.customerId as string,
  });
  // Read forwards (or from the top): a previous page exists when the page did not start at the top; read backwards:
  // when the extra row was there. A next page: the reverse.
  const hasPrevious = backwards ? more : Boolean(cursor) || offset > 0;
  const hasNext = backwards ? true : more;
  const total = Number(counted[0].n);
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    total,
    previous: hasPrevious && rows.length > 0 ? cursorOf(rows[0]) : null,
    next: hasNext && rows.length > 0 ? cursorOf(rows[rows.length - 1]) : null,
    rows: rows.map((r) => ({
      customerId: r.customerId as string,
      firstName: r.firstName as string | null,
      lastName: r.lastName as string | null,
      email: r.email as string | null,
      segment: r.segment as string,
      tier: r.tier as string | null,
      // Whole days from the last order to the row's computation, or the shop's last one when later (a run leaves
      // unchanged rows as they were): derived here, not stored (it would change for nearly every row every day).
      recencyDays:
        r.lastOrderAt === null || r.lastOrderAt === undefined
          ? null
          : recencyDays(instant(r.lastOrderAt), Math.max(instant(r.computedAt), computation?.asOf.getTime() ?? 0)),
      frequency: num(r.frequency),
      monetaryMinor: num(r.monetaryMinor),
      r: num(r.r),
      f: num(r.f),
      m: num(r.m),
    })),
  };
}

/** A DateTime read by a raw query: a Date, or the text SQLite stores. */
function instant(v: unknown): number {
  return v instanceof Date ? v.getTime() : Date.parse(String(v));
}

/** A row's value of the sort's column, as a cursor holds it. */
function sortValue(sort: CustomerSort, row: Record<string, unknown>): string | null {
  const v = row[sort === "recency" ? "lastOrderAt" : sort === "frequency" ? "frequency" : "monetaryMinor"];
  if (v === null || v === undefined) return null;
  if (sort === "recency") return new Date(instant(v)).toISOString();
  return String(v);
}

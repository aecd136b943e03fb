// The admin's customer list: one page of customers with their state, filtered, searched and sorted in SQL
// (server-side pagination), and how many match. Scoped by shop like every query.
//
// Pages are found by KEYSET, not by offset: a page is "the 50 rows after (or before) this row" in the sort's order,
// the row named by a cursor holding its sort value and its customer id (ties are broken by the id, so the order is
// total and no row is skipped or repeated). Page 1,000 then costs what page 1 costs — a range of ~51 entries of the
// sort's index from the cursor on — where OFFSET had to keep and skip the 49,950 rows before it (docs/customer-list.md).
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

/** One row more than a page: says whether there is another page in the direction read. */
const LIMIT = CUSTOMER_PAGE_SIZE + 1;

async function customerIds(sql: Prisma.Sql): Promise<string[]> {
  const rows = await prisma.$queryRaw<{ customerId: string }[]>(sql);
  return rows.map((r) => r.customerId);
}

/**
 * The ids of a page found by keyset, in the order read (the list's order, or its reverse reading `backwards`), at
 * most LIMIT. Read in two parts, each an ORDER BY that the sort's index `(shop, column DESC, customerId)` gives
 * directly: the customers with a value (column descending, id ascending — or exactly reversed), then, if the page is
 * not full, those without one (by id). So a page is a range of ~51 index entries from the cursor on, whatever its
 * depth, instead of a pass over the shop's states; and the index works alike on SQLite (nulls sort first, so last
 * descending) and PostgreSQL (nulls first descending), since neither part mixes values with nulls.
 */
async function keysetPage(
  from: Prisma.Sql,
  filter: Prisma.Sql,
  sort: CustomerSort,
  cursor: CustomerCursor | null,
  backwards: boolean,
): Promise<string[]> {
  const col = COLUMN[sort];
  const id = Prisma.sql`s."customerId"`;
  const and = (bound: Prisma.Sql | null) => (bound ? Prisma.sql`AND ${bound}` : Prisma.empty);
  const valued = (bound: Prisma.Sql | null, limit: number) =>
    customerIds(Prisma.sql`SELECT s."customerId" FROM ${from} WHERE ${filter} AND ${col} IS NOT NULL ${and(bound)}
      ORDER BY ${backwards ? Prisma.sql`${col} ASC, ${id} DESC` : Prisma.sql`${col} DESC, ${id} ASC`} LIMIT ${limit}`);
  const valueless = (bound: Prisma.Sql | null, limit: number) =>
    customerIds(Prisma.sql`SELECT s."customerId" FROM ${from} WHERE ${filter} AND ${col} IS NULL ${and(bound)}
      ORDER BY ${backwards ? Prisma.sql`${id} DESC` : Prisma.sql`${id} ASC`} LIMIT ${limit}`);
  if (!backwards) {
    if (cursor?.value === null) return valueless(Prisma.sql`${id} > ${cursor.customerId}`, LIMIT);
    // After a value v: a lower value, or v and a greater id (`col <= v` is the index range, the rest a filter).
    const v = cursor ? bound(sort, cursor.value) : null;
    const first = await valued(
      cursor ? Prisma.sql`${col} <= ${v} AND (${col} < ${v} OR ${id} > ${cursor.customerId})` : null,
      LIMIT,
    );
    return first.length < LIMIT ? first.concat(await valueless(null, LIMIT - first.length)) : first;
  }
  if (!cursor) return [];
  if (cursor.value === null) {
    // Before a row without a value: the valueless ones with a smaller id, then every valued row from the bottom up.
    const first = await valueless(Prisma.sql`${id} < ${cursor.customerId}`, LIMIT);
    return first.length < LIMIT ? first.concat(await valued(null, LIMIT - first.length)) : first;
  }
  const v = bound(sort, cursor.value);
  return valued(Prisma.sql`${col} >= ${v} AND (${col} > ${v} OR ${id} < ${cursor.customerId})`, LIMIT);
}

/** An old `?page=N` URL: the page's ids by offset, in the list's order (every row before it is read and skipped). */
function offsetPage(from: Prisma.Sql, filter: Prisma.Sql, order: Prisma.Sql, offset: number): Promise<string[]> {
  return customerIds(
    Prisma.sql`SELECT s."customerId" FROM ${from} WHERE ${filter} ORDER BY ${order} LIMIT ${LIMIT} OFFSET ${offset}`,
  );
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
  // Without a cursor, an old `?page=` still answers, by offset.
  const offset = cursor ? 0 : (Math.max(1, query.page) - 1) * CUSTOMER_PAGE_SIZE;
  const order = orderBy(query.sort, backwards);
  const join = Prisma.sql`LEFT JOIN "Customer" c ON c."shop" = s."shop" AND c."id" = s."customerId"`;
  const searching = Boolean(query.search?.trim());
  // Without a search the page is chosen from CustomerState alone and only its rows are joined to their names; a
  // search joins names first. The count is its own query (the keyset condition must not narrow it).
  const from = searching ? Prisma.sql`"CustomerState" s ${join}` : Prisma.sql`"CustomerState" s`;
  const [chosen, counted, computation] = await Promise.all([
    offset > 0 ? offsetPage(from, filter, order, offset) : keysetPage(from, filter, query.sort, cursor, backwards),
    prisma.$queryRaw<{ n: bigint | number }[]>(Prisma.sql`SELECT COUNT(*) AS n FROM ${from} WHERE ${filter}`),
    prisma.shopComputation.findUnique({ where: { shop }, select: { asOf: true } }),
  ]);
  // The chosen rows' names (a page's 51 rows at most, by key), in the page's order.
  const found = chosen.length
    ? await prisma.$queryRaw<Record<string, unknown>[]>(Prisma.sql`
      SELECT s."customerId", c."firstName", c."lastName", c."email", s."segment", s."tier", s."frequency",
        s."monetaryMinor", s."lastOrderAt", s."computedAt", s."r", s."f", s."m"
      FROM "CustomerState" s ${join}
      WHERE s."shop" = ${shop} AND s."customerId" IN (${Prisma.join(chosen)})`)
    : [];
  const rank = new Map(chosen.map((id, i) => [id, i]));
  found.sort((x, y) => rank.get(x.customerId as string)! - rank.get(y.customerId as string)!);
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

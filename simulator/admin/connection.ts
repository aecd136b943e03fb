// Relay connections with opaque cursors (base64 of {last_id,last_value}, like Shopify's), paged by binary search.
import type { GraphQLResolveInfo } from "graphql";
import type { ResolverContext } from "./context";
import { numericId } from "./gid";
import { shopifyError } from "./shopify-error";

export interface ConnectionArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
  reverse?: boolean | null;
}

/** "You can retrieve up to a maximum of 250 resources" a page: https://shopify.dev/docs/api/usage/pagination-graphql */
export const MAX_PAGE_SIZE = 250;

/**
 * Connections whose 2026-04 schema description documents another maximum page size ("The maximum page size is
 * 1000." on QueryRoot.customerSegmentMembers, https://shopify.dev/docs/api/admin-graphql/2026-04/queries/customerSegmentMembers).
 */
const PAGE_SIZE_BY_FIELD: Record<string, number> = {
  "QueryRoot.customerSegmentMembers": 1000,
  "QueryRoot.productTypes": 1000,
  "QueryRoot.productVendors": 1000,
  "QueryRoot.productTags": 5000,
};

export function maxPageSize(info: Pick<GraphQLResolveInfo, "parentType" | "fieldName">): number {
  return PAGE_SIZE_BY_FIELD[`${info.parentType.name}.${info.fieldName}`] ?? MAX_PAGE_SIZE;
}

type SortValue = number | string;

interface CursorKey {
  last_id: number;
  last_value: SortValue;
}

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key)).toString("base64");
}

function decodeCursor(cursor: string, argument: string): CursorKey {
  try {
    const key = JSON.parse(Buffer.from(cursor, "base64").toString("utf8")) as CursorKey;
    if (typeof key.last_id === "number" && (typeof key.last_value === "number" || typeof key.last_value === "string"))
      return key;
  } catch {
    // falls through to the error below
  }
  throw shopifyError(`Invalid cursor for current pagination sort. Cursor passed to '${argument}' is invalid.`, {
    code: "BAD_REQUEST",
  });
}

function compare(a: SortValue, b: SortValue): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface Page<T> {
  items: T[];
  edges: { cursor: string; node: T }[];
  nodes: T[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

/** Is this connection the root field of the operation (the one a bulk query windows over)? */
function isRootField(info: GraphQLResolveInfo): boolean {
  return info.path.prev === undefined;
}

/**
 * One page of `ordered` (ascending by sortValue, then id). Cost rules need `first` or `last`, as Shopify does,
 * except inside a bulk operation, which walks every object.
 */
export function paginate<T extends { id: string }>(
  ordered: T[],
  args: ConnectionArgs,
  sortValue: (item: T) => SortValue,
  ctx: ResolverContext,
  info: GraphQLResolveInfo,
): Page<T> {
  const reverse = !!args.reverse;
  const keyOf = (item: T): CursorKey => ({ last_id: numericId(item.id), last_value: sortValue(item) });
  const direction = reverse ? -1 : 1;
  // Position of an item relative to a cursor key in the requested direction.
  const cmp = (item: T, key: CursorKey): number => {
    const v = compare(sortValue(item), key.last_value) || compare(numericId(item.id), key.last_id);
    return v * direction;
  };
  const at = (i: number): T => (reverse ? ordered[ordered.length - 1 - i] : ordered[i]);
  const n = ordered.length;
  const firstAfter = (key: CursorKey): number => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cmp(at(mid), key) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const firstAtOrAfter = (key: CursorKey): number => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cmp(at(mid), key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  let start = args.after ? firstAfter(decodeCursor(args.after, "after")) : 0;
  let end = args.before ? firstAtOrAfter(decodeCursor(args.before, "before")) : n;
  if (end < start) end = start;

  if (ctx.bulk) {
    if (isRootField(info)) {
      ctx.bulk.rootTotal = end - start;
      const windowStart = Math.min(end, start + ctx.bulk.rootStart);
      start = windowStart;
      end = Math.min(end, windowStart + ctx.bulk.rootSize);
    }
  } else {
    const { first, last } = args;
    if (first == null && last == null) throw shopifyError("you must provide one of first or last");
    const max = maxPageSize(info);
    for (const [name, value] of [
      ["first", first],
      ["last", last],
    ] as const) {
      if (value != null && (value < 0 || value > max)) {
        throw shopifyError(`The ${name} argument must be between 0 and ${max}.`, { code: "BAD_REQUEST" });
      }
    }
    if (first != null) end = Math.min(end, start + first);
    if (last != null) start = Math.max(start, end - last);
  }

  const items: T[] = [];
  for (let i = start; i < end; i++) items.push(at(i));
  const edges = items.map((node) => ({ cursor: encodeCursor(keyOf(node)), node }));
  return {
    items,
    edges,
    nodes: items,
    pageInfo: {
      hasNextPage: end < n,
      hasPreviousPage: start > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}

/** Connection object handed to graphql-js: only what the schema's connection type defines. */
export function connectionObject<T extends { id: string }>(page: Page<T>, extra: Record<string, unknown> = {}) {
  return { edges: page.edges, nodes: page.nodes, pageInfo: page.pageInfo, ...extra };
}

export function byIdThen<T extends { id: string }>(value: (item: T) => SortValue) {
  return (a: T, b: T) => compare(value(a), value(b)) || numericId(a.id) - numericId(b.id);
}

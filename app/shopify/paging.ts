// Walks a connection page by page (first: 250, after: cursor) so callers see one node at a time.
import type { AdminClient } from "./client";
import { GatewayError } from "./errors";
import type { GraphqlVariables } from "./transport.server";

export interface Connection<TNode> {
  nodes: TNode[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export interface PageOptions<TData, TNode> {
  /** A document declaring `$first: Int!` and `$after: String` and selecting `nodes` and `pageInfo { hasNextPage endCursor }`. */
  query: string;
  variables?: GraphqlVariables;
  /** Where the connection is in the answer, e.g. `(data) => data.customers`. */
  connection: (data: TData) => Connection<TNode>;
  /** Shopify's largest page is 250. */
  pageSize?: number;
  /** Resume after this cursor (an endCursor kept from an earlier walk). */
  after?: string | null;
}

export const MAX_PAGE_SIZE = 250;

export interface Page<TNode> {
  nodes: TNode[];
  /** Cursor to resume after this page. */
  endCursor: string | null;
}

export async function* pages<TData, TNode>(
  client: AdminClient,
  options: PageOptions<TData, TNode>,
): AsyncGenerator<Page<TNode>> {
  const first = options.pageSize ?? MAX_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE)
    throw new RangeError(`page size must be 1..${MAX_PAGE_SIZE}, not ${first}`);
  let after = options.after ?? null;
  for (;;) {
    const data = await client.request<TData>(options.query, { ...options.variables, first, after });
    const connection = options.connection(data);
    yield { nodes: connection.nodes, endCursor: connection.pageInfo.endCursor };
    if (!connection.pageInfo.hasNextPage) return;
    // A connection that says there is more but gives no cursor would loop forever on the first page.
    if (!connection.pageInfo.endCursor || connection.pageInfo.endCursor === after)
      throw new GatewayError("connection reports a next page without a new endCursor");
    after = connection.pageInfo.endCursor;
  }
}

export async function* nodes<TData, TNode>(
  client: AdminClient,
  options: PageOptions<TData, TNode>,
): AsyncGenerator<TNode> {
  for await (const page of pages(client, options)) yield* page.nodes;
}

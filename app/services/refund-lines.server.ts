// The backfill's refund lines pass: after the orders file, the refunded lines of the refunds it brought. A bulk query
// cannot carry them (Order.refunds is a list, and Shopify's bulk operations take no connection inside a list field), so
// they are read by id, 25 refunds a request (30 lines each; a refund with more is read on, page by page), and stored
// once each through the ledger's write path. Idempotent and resumable: a refund whose lines are held is not read again.
import type { LedgerRefund } from "../domain/ledger-types";
import { applyRefundLines } from "../models/ledger.server";
import { refundsWithoutLines } from "../models/order-lines.server";
import { refundLineFromNode } from "../shopify/bulk-records";
import type { AdminClient } from "../shopify/client";
import { REFUND_LINES_PAGE_QUERY, REFUND_LINES_QUERY } from "../shopify/documents";

export const REFUNDS_PER_READ = 25;

interface LinesPage {
  nodes: unknown[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export async function backfillRefundLines(
  shop: string,
  client: AdminClient,
  { signal }: { signal?: AbortSignal } = {},
): Promise<{ refundsRead: number; linesRead: number }> {
  let after = "";
  let refundsRead = 0;
  let linesRead = 0;
  for (;;) {
    signal?.throwIfAborted();
    const held = await refundsWithoutLines(shop, after, REFUNDS_PER_READ);
    if (held.length === 0) break;
    const data = await client.request<{ nodes: ({ id: string; refundLineItems: LinesPage } | null)[] }>(
      REFUND_LINES_QUERY,
      { ids: held.map((r) => r.id) },
    );
    const refunds: LedgerRefund[] = [];
    for (const [i, refund] of held.entries()) {
      const node = data.nodes[i];
      if (!node) continue; // gone at Shopify (its order was deleted): nothing to keep
      const nodes = [...node.refundLineItems.nodes];
      let page = node.refundLineItems.pageInfo;
      while (page.hasNextPage) {
        const more = await client.request<{ refund: { refundLineItems: LinesPage } | null }>(REFUND_LINES_PAGE_QUERY, {
          id: refund.id,
          after: page.endCursor,
        });
        if (!more.refund) break;
        nodes.push(...more.refund.refundLineItems.nodes);
        page = more.refund.refundLineItems.pageInfo;
      }
      refunds.push({
        id: refund.id,
        orderId: refund.orderId,
        // Only the lines are written (refundLinesBatch): the refund itself is held already.
        createdAt: new Date(0),
        amountMinor: null,
        currencyCode: refund.currencyCode,
        lines: nodes.map((n) => refundLineFromNode(n, refund.currencyCode)),
      });
      linesRead += nodes.length;
    }
    await applyRefundLines(shop, refunds);
    refundsRead += held.length;
    after = held[held.length - 1].id;
  }
  return { refundsRead, linesRead };
}

// Reconciliation (the `reconcile` job, app/jobs/reconcile.server.ts): compares every customer's lifetime figures at Shopify (numberOfOrders, amountSpent) with
// the ledger's and, where they differ, re-reads that customer's orders from Shopify and repairs the ledger — a
// missed webhook, a lost delete. Repairs go through the same upserts as webhooks, so newer data always wins.
//
// A repair never removes an order because a search did not return it. `orders(query:)` is answered by Shopify's
// search index, which lags behind the orders (a new or changed order is not found for a while), and without
// read_all_orders Shopify shows only the last 60 days' orders. So an order the search left out is read directly by id
// (`nodes(ids:)`, always current): null means Shopify deleted it (a lost orders/delete) and only then is it removed;
// otherwise it is kept and the run records why. Orders older than the app can see are not compared at all.
import { toMinorUnits } from "../domain/money";
import type { AdminClient } from "../shopify/client";
import { orderFromBulk } from "../shopify/bulk-records";
import {
  CUSTOMER_ORDERS_QUERY,
  NODES_PER_READ,
  ORDERS_BY_ID_QUERY,
  RECONCILE_CUSTOMERS_QUERY,
} from "../shopify/documents";
import { nodes, pages } from "../shopify/paging";
import {
  applyOrders,
  applyRefunds,
  customerLifetimeFigures,
  customerOrders,
  deleteOrder,
} from "../models/ledger.server";
import type { LedgerOrder, LedgerRefund } from "../domain/ledger-types";
import { createReconcileRun, finishReconcileRun, type KeptOrder, type ReconcileFix } from "../models/reconcile.server";
import { getShop } from "../models/shop.server";
import { logger } from "../logger.server";
import { enqueueCustomersChanged } from "../jobs/contracts";
import type { JobQueue } from "../jobs/queue";

/**
 * Without read_all_orders Shopify shows only "the last 60 days' worth of orders"
 * (https://shopify.dev/docs/api/admin-graphql/latest/objects/Order). The ledger knows when an order was processed,
 * which is never after it was created, so an order processed within the window is visible; a day's margin keeps
 * clock differences and the window's edge out of the comparison.
 */
export const ORDER_WINDOW_DAYS = 60;
const WINDOW_MARGIN_DAYS = 1;
const DAY_MS = 86_400_000;

interface CustomerFigures {
  id: string;
  numberOfOrders: string; // UnsignedInt64, sent as a string
  amountSpent: { amount: string; currencyCode: string };
}

export interface ReconcileDeps {
  clientFor(shop: string): Promise<AdminClient>;
  /** Where the follow-up of each repaired customer (customer-changed) is queued. */
  queue: JobQueue;
  signal: AbortSignal;
  now?: () => Date;
}

/** One full reconciliation of the shop, recorded as a run with its fixes (also when it fails midway). */
export async function reconcileShop(shop: string, deps: ReconcileDeps): Promise<void> {
  const { signal } = deps;
  const now = deps.now ?? (() => new Date());
  const client = await deps.clientFor(shop);
  // What the installation was granted (token exchange, app/scopes_update); unknown counts as without.
  const allOrders = ((await getShop(shop))?.scope ?? "").split(",").includes("read_all_orders");
  const run = await createReconcileRun(shop, "full");
  const fixes: ReconcileFix[] = [];
  let checked = 0;
  try {
    for await (const page of pages<{ customers: { nodes: CustomerFigures[]; pageInfo: never } }, CustomerFigures>(
      client,
      {
        query: RECONCILE_CUSTOMERS_QUERY,
        connection: (data) => data.customers,
      },
    )) {
      signal.throwIfAborted();
      const ledger = await customerLifetimeFigures(
        shop,
        page.nodes.map((c) => c.id),
      );
      for (const customer of page.nodes) {
        checked += 1;
        const shopify = {
          orders: Number(customer.numberOfOrders),
          spentMinor: toMinorUnits(customer.amountSpent.amount, customer.amountSpent.currencyCode),
        };
        const held = ledger.get(customer.id) ?? { orders: 0, spentMinor: 0 };
        if (held.orders === shopify.orders && held.spentMinor === shopify.spentMinor) continue;
        fixes.push({
          customerId: customer.id,
          shopify,
          ledgerBefore: held,
          ...(await repairCustomer(client, shop, customer.id, allOrders)),
        });
      }
    }
    await finishReconcileRun(shop, run.id, { customersChecked: checked, fixes });
  } catch (error) {
    await finishReconcileRun(shop, run.id, { customersChecked: checked, fixes, error: String(error) });
    throw error;
  }

  /**
   * Re-reads one customer's orders: upserts what Shopify has; removes an order only when a direct read says Shopify no
   * longer has it; keeps (and says why) what the search left out but Shopify still has or cannot show.
   */
  async function repairCustomer(client: AdminClient, shop: string, customerId: string, allOrders: boolean) {
    const numericId = customerId.split("/").pop();
    const seen = new Set<string>();
    const orders: LedgerOrder[] = [];
    const refunds: LedgerRefund[] = [];
    for await (const node of nodes<{ orders: never }, unknown>(client, {
      query: CUSTOMER_ORDERS_QUERY,
      variables: { query: `customer_id:${numericId}` },
      connection: (data) => data.orders,
      // An order with its refunds costs ~7 points: 250 a page would exceed Shopify's 1,000-point query limit.
      pageSize: 50,
    })) {
      const { order, refunds: orderRefunds } = orderFromBulk(node);
      seen.add(order.id);
      orders.push(order);
      refunds.push(...orderRefunds);
    }

    // What the ledger holds that the search did not return: within what the scopes show, read each by id.
    const windowStart = allOrders ? null : now().getTime() - (ORDER_WINDOW_DAYS - WINDOW_MARGIN_DAYS) * DAY_MS;
    const kept: KeptOrder[] = [];
    const unseen: string[] = [];
    for (const held of await customerOrders(shop, customerId)) {
      if (seen.has(held.id)) continue;
      if (windowStart !== null && held.processedAt.getTime() < windowStart)
        kept.push({ orderId: held.id, reason: "outside read_all_orders window" });
      else unseen.push(held.id);
    }
    const gone: string[] = [];
    for (let start = 0; start < unseen.length; start += NODES_PER_READ) {
      const ids = unseen.slice(start, start + NODES_PER_READ);
      const data = await client.request<{ nodes: (unknown | null)[] }>(ORDERS_BY_ID_QUERY, { ids });
      ids.forEach((id, i) => {
        const node = data.nodes[i];
        if (node === null || node === undefined) {
          gone.push(id);
          return;
        }
        const { order, refunds: orderRefunds } = orderFromBulk(node);
        orders.push(order);
        refunds.push(...orderRefunds);
        // Still this customer's: the search has not caught up with it. (Moved to another customer: repaired as such.)
        if (order.customerId === customerId) kept.push({ orderId: id, reason: "not in search yet" });
      });
    }

    const touched = await applyOrders(shop, orders);
    for (const id of await applyRefunds(shop, refunds)) touched.add(id);
    for (const id of gone) for (const changed of await deleteOrder(shop, id, now())) touched.add(changed);
    touched.add(customerId);
    await enqueueCustomersChanged(deps.queue, shop, touched);
    if (kept.length) logger.info("reconcile kept orders the search did not return", { shop, customerId, kept });
    return { ordersRepaired: orders.length, ordersRemoved: gone.length, ordersKept: kept };
  }
}

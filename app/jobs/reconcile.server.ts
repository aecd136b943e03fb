// The reconciliation job: compares every customer's lifetime figures at Shopify (numberOfOrders, amountSpent) with
// the ledger's and, where they differ, re-reads that customer's orders from Shopify and repairs the ledger — a
// missed webhook, a lost delete. Repairs go through the same upserts as webhooks, so newer data always wins.
import { toMinorUnits } from "../domain/money";
import type { AdminClient } from "../shopify/client";
import { orderFromBulk } from "../shopify/bulk-records";
import { CUSTOMER_ORDERS_QUERY, RECONCILE_CUSTOMERS_QUERY } from "../shopify/documents";
import { nodes, pages } from "../shopify/paging";
import { applyOrders, applyRefunds, customerLifetimeFigures, customerOrderIds, deleteOrder } from "../models/ledger.server";
import { createReconcileRun, finishReconcileRun, type ReconcileFix } from "../models/reconcile.server";
import type { JobContext } from "./queue";
import { ledgerChanged } from "../webhooks/ledger-changed.server";

export const RECONCILE = "reconcile";

interface CustomerFigures {
  id: string;
  numberOfOrders: string; // UnsignedInt64, sent as a string
  amountSpent: { amount: string; currencyCode: string };
}

export interface ReconcileDeps {
  clientFor(shop: string): Promise<AdminClient>;
  now?: () => Date;
}

export function reconcileJob(deps: ReconcileDeps) {
  const now = deps.now ?? (() => new Date());

  return async function reconcile(job: JobContext<{ mode?: "full" }>) {
    const { shop, signal } = job;
    const client = await deps.clientFor(shop);
    const run = await createReconcileRun(shop, "full");
    const fixes: ReconcileFix[] = [];
    let checked = 0;
    try {
      for await (const page of pages<{ customers: { nodes: CustomerFigures[]; pageInfo: never } }, CustomerFigures>(client, {
        query: RECONCILE_CUSTOMERS_QUERY,
        connection: (data) => data.customers,
      })) {
        signal.throwIfAborted();
        const ledger = await customerLifetimeFigures(shop, page.nodes.map((c) => c.id));
        for (const customer of page.nodes) {
          checked += 1;
          const shopify = {
            orders: Number(customer.numberOfOrders),
            spentMinor: toMinorUnits(customer.amountSpent.amount, customer.amountSpent.currencyCode),
          };
          const held = ledger.get(customer.id) ?? { orders: 0, spentMinor: 0 };
          if (held.orders === shopify.orders && held.spentMinor === shopify.spentMinor) continue;
          fixes.push({ customerId: customer.id, shopify, ledgerBefore: held, ...(await repairCustomer(client, shop, customer.id)) });
        }
      }
      await finishReconcileRun(shop, run.id, { customersChecked: checked, fixes });
    } catch (error) {
      await finishReconcileRun(shop, run.id, { customersChecked: checked, fixes, error: String(error) });
      throw error;
    }
  };

  /** Re-reads one customer's orders: upserts what Shopify has, removes what it no longer has. */
  async function repairCustomer(client: AdminClient, shop: string, customerId: string) {
    const numericId = customerId.split("/").pop();
    const seen = new Set<string>();
    const orders = [];
    const refunds = [];
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
    const touched = await applyOrders(shop, orders);
    for (const id of await applyRefunds(shop, refunds)) touched.add(id);
    const before = await customerOrderIds(shop, customerId);
    const gone = before.filter((id) => !seen.has(id));
    for (const id of gone) await deleteOrder(shop, id, now());
    touched.add(customerId);
    await ledgerChanged(shop, touched);
    return { ordersRepaired: orders.length, ordersRemoved: gone.length };
  }
}

// orders/create, orders/updated, orders/paid, orders/cancelled carry the whole order: each is the same upsert
// (the newest version wins); orders/delete removes the order from the ledger and every score.
import { orderBody, orderDeleteBody, orderFromBody, refundFromBody } from "./ledger-payloads";
import type { LedgerHandler } from "./receive.server";

function orderVersionHandler(topic: string): LedgerHandler<typeof orderBody> {
  return {
    topic,
    payload: orderBody,
    // The refunds the order carries are reflected in its current total; keeping them makes a later refunds/create
    // for the same refund a no-op.
    change: ({ payload }) => ({
      kind: "orders",
      orders: [orderFromBody(payload)],
      refunds: payload.refunds.map(refundFromBody),
    }),
  };
}

export const ordersCreate = orderVersionHandler("orders/create");
export const ordersUpdated = orderVersionHandler("orders/updated");
export const ordersPaid = orderVersionHandler("orders/paid");
export const ordersCancelled = orderVersionHandler("orders/cancelled");

export const ordersDelete: LedgerHandler<typeof orderDeleteBody> = {
  topic: "orders/delete",
  payload: orderDeleteBody,
  change: ({ payload, triggeredAt }) => ({
    kind: "deleteOrder",
    orderId: `gid://shopify/Order/${payload.id}`,
    at: triggeredAt,
  }),
};

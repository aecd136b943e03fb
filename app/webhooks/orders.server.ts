// orders/create, orders/updated, orders/paid, orders/cancelled carry the whole order: each is the same upsert
// (the newest version wins); orders/delete removes the order from the ledger and every score.
import type { z } from "zod";
import { applyOrders, applyRefunds, deleteOrder } from "../models/ledger.server";
import { orderBody, orderDeleteBody, orderFromBody, refundFromBody } from "./ledger-payloads";
import type { WebhookHandler } from "./receive.server";
import { ledgerChanged } from "./ledger-changed.server";

function orderVersionHandler(topic: string): WebhookHandler<typeof orderBody> {
  return {
    topic,
    payload: orderBody,
    async handle({ shop, payload }: { shop: string; payload: z.infer<typeof orderBody> }) {
      const order = orderFromBody(payload);
      const affected = await applyOrders(shop, [order]);
      // The refunds the order already carries are reflected in its current total; keeping them makes a later
      // refunds/create for the same refund a no-op.
      const refunds = payload.refunds.map(refundFromBody);
      for (const id of await applyRefunds(shop, refunds)) affected.add(id);
      await ledgerChanged(shop, affected);
    },
  };
}

export const ordersCreate = orderVersionHandler("orders/create");
export const ordersUpdated = orderVersionHandler("orders/updated");
export const ordersPaid = orderVersionHandler("orders/paid");
export const ordersCancelled = orderVersionHandler("orders/cancelled");

export const ordersDelete: WebhookHandler<typeof orderDeleteBody> = {
  topic: "orders/delete",
  payload: orderDeleteBody,
  async handle({ shop, payload, triggeredAt }) {
    await ledgerChanged(shop, await deleteOrder(shop, `gid://shopify/Order/${payload.id}`, triggeredAt));
  },
};

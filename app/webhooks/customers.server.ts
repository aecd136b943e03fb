// customers/create and customers/update upsert the customer (newest version wins); customers/delete removes them
// and, with them, their orders from every score.
import { applyCustomers, deleteCustomer } from "../models/ledger.server";
import { customerBody, customerDeleteBody, customerFromBody } from "./ledger-payloads";
import type { WebhookHandler } from "./receive.server";
import { ledgerChanged } from "./ledger-changed.server";

function customerVersionHandler(topic: string): WebhookHandler<typeof customerBody> {
  return {
    topic,
    payload: customerBody,
    async handle({ shop, payload }) {
      await ledgerChanged(shop, await applyCustomers(shop, [customerFromBody(payload)]));
    },
  };
}

export const customersCreate = customerVersionHandler("customers/create");
export const customersUpdate = customerVersionHandler("customers/update");

export const customersDelete: WebhookHandler<typeof customerDeleteBody> = {
  topic: "customers/delete",
  payload: customerDeleteBody,
  async handle({ shop, payload, triggeredAt }) {
    const id = payload.admin_graphql_api_id ?? `gid://shopify/Customer/${payload.id}`;
    await ledgerChanged(shop, await deleteCustomer(shop, id, triggeredAt));
  },
};

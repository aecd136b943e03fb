// customers/create and customers/update upsert the customer (newest version wins); customers/delete removes them
// and, with them, their orders from every score.
import { customerBody, customerDeleteBody, customerFromBody } from "./ledger-payloads";
import type { LedgerHandler } from "./receive.server";

function customerVersionHandler(topic: string): LedgerHandler<typeof customerBody> {
  return {
    topic,
    payload: customerBody,
    change: ({ payload }) => ({ kind: "customers", customers: [customerFromBody(payload)] }),
  };
}

export const customersCreate = customerVersionHandler("customers/create");
export const customersUpdate = customerVersionHandler("customers/update");

export const customersDelete: LedgerHandler<typeof customerDeleteBody> = {
  topic: "customers/delete",
  payload: customerDeleteBody,
  change: ({ payload, triggeredAt }) => ({
    kind: "deleteCustomer",
    customerId: payload.admin_graphql_api_id ?? `gid://shopify/Customer/${payload.id}`,
    at: triggeredAt,
  }),
};

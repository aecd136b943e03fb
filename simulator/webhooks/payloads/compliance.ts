// The mandatory compliance topics: customers/data_request, customers/redact and shop/redact.
import type { CustomerRecord, OrderRecord, ShopRecord } from "../../shop-file/types";
import { derivedId, fromExample, restId, shopIdOf } from "./shared";

export interface CustomerComplianceResource {
  customer: Pick<CustomerRecord, "id" | "email" | "phone">;
  /** The customer's orders the request covers. */
  orders: Array<Pick<OrderRecord, "id">>;
}

export interface DataRequestResource extends CustomerComplianceResource {
  /** Shopify's id for the request; derived from the customer and orders when not given. */
  dataRequestId?: number;
}

function shopIdentity(shop: ShopRecord) {
  return { shop_id: shopIdOf(shop), shop_domain: shop.myshopifyDomain };
}

function complianceCustomer(customer: CustomerComplianceResource["customer"]) {
  return { id: restId(customer.id), email: customer.email, phone: customer.phone };
}

export function dataRequestPayload(resource: DataRequestResource, shop: ShopRecord): Record<string, unknown> {
  const orderIds = resource.orders.map((order) => restId(order.id));
  return fromExample("customers/data_request", {
    ...shopIdentity(shop),
    customer: complianceCustomer(resource.customer),
    orders_requested: orderIds,
    data_request: {
      id: resource.dataRequestId ?? derivedId(`${resource.customer.id}/data-request/${orderIds.join(",")}`),
    },
  });
}

export function customerRedactPayload(resource: CustomerComplianceResource, shop: ShopRecord): Record<string, unknown> {
  return fromExample("customers/redact", {
    ...shopIdentity(shop),
    customer: complianceCustomer(resource.customer),
    orders_to_redact: resource.orders.map((order) => restId(order.id)),
  });
}

export function shopRedactPayload(shop: ShopRecord): Record<string, unknown> {
  return fromExample("shop/redact", shopIdentity(shop));
}

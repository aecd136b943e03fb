// One entry point from a simulator event to the REST body Shopify would send for it.
import type { OrderRecord } from "../../shop-file/types";
import type { WebhookEvent } from "../topics";
import { appUninstalledPayload, bulkOperationFinishPayload, scopesUpdatePayload, shopUpdatePayload } from "./app";
import { customerRedactPayload, dataRequestPayload, shopRedactPayload } from "./compliance";
import { customerDeletePayload, customerPayload, emailMarketingConsentPayload } from "./customers";
import { orderDeletePayload, orderPayload, type OrderResource } from "./orders";
import { productDeletePayload, productPayload } from "./products";
import { refundPayload } from "./refunds";

function asOrderResource(resource: OrderRecord | OrderResource): OrderResource {
  return "order" in resource ? resource : { order: resource };
}

/** `at` is when the event is triggered (only app/uninstalled shows it: the shop's offset at that moment). */
export function buildPayload(event: WebhookEvent, at: string): Record<string, unknown> {
  switch (event.topic) {
    case "orders/create":
    case "orders/updated":
    case "orders/paid":
    case "orders/cancelled":
      return orderPayload(event.topic, asOrderResource(event.resource), event.shop);
    case "orders/delete":
      return orderDeletePayload(event.resource);
    case "refunds/create":
      return refundPayload(event.resource.refund, event.resource.order, event.shop);
    case "customers/create":
    case "customers/update":
      return customerPayload(event.topic, event.resource, event.shop);
    case "customers/delete":
      return customerDeletePayload(event.resource);
    case "customers_email_marketing_consent/update":
      return emailMarketingConsentPayload(event.resource, event.shop);
    case "products/create":
    case "products/update":
      return productPayload(event.topic, event.resource, event.shop);
    case "products/delete":
      return productDeletePayload(event.resource);
    case "app/uninstalled":
      return appUninstalledPayload(event.shop, at);
    case "app/scopes_update":
      return scopesUpdatePayload(event.resource, event.shop);
    case "customers/data_request":
      return dataRequestPayload(event.resource, event.shop);
    case "customers/redact":
      return customerRedactPayload(event.resource, event.shop);
    case "shop/redact":
      return shopRedactPayload(event.shop);
    case "shop/update":
      return shopUpdatePayload(event.shop, at);
    case "bulk_operations/finish":
      return bulkOperationFinishPayload(event.resource);
  }
}

export { orderPayload, orderDeletePayload } from "./orders";
export type { OrderResource, OrderTopic } from "./orders";
export { customerPayload, customerDeletePayload, emailMarketingConsentPayload } from "./customers";
export { refundPayload } from "./refunds";
export { productPayload, productDeletePayload } from "./products";
export { dataRequestPayload, customerRedactPayload, shopRedactPayload } from "./compliance";
export { appUninstalledPayload, scopesUpdatePayload, bulkOperationFinishPayload, shopUpdatePayload } from "./app";

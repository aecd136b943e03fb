// The topics the simulator can build bodies for, and the record(s) each one is built from.
import type { CustomerRecord, OrderRecord, ProductFileRecord, RefundRecord, ShopRecord } from "../shop-file/types";
import type { ScopesUpdateResource } from "./payloads/app";
import type { CustomerComplianceResource, DataRequestResource } from "./payloads/compliance";
import type { OrderResource } from "./payloads/orders";

export interface TopicResources {
  /** An order record, or the record with its customer and refunds so the body embeds them. */
  "orders/create": OrderRecord | OrderResource;
  "orders/updated": OrderRecord | OrderResource;
  "orders/paid": OrderRecord | OrderResource;
  "orders/cancelled": OrderRecord | OrderResource;
  "orders/delete": Pick<OrderRecord, "id">;
  "refunds/create": { refund: RefundRecord; order: OrderRecord };
  "customers/create": CustomerRecord;
  "customers/update": CustomerRecord;
  "customers/delete": Pick<CustomerRecord, "id">;
  /** The customer whose email marketing state changed (it has an email address). */
  "customers_email_marketing_consent/update": CustomerRecord;
  "products/create": ProductFileRecord;
  "products/update": ProductFileRecord;
  "products/delete": Pick<ProductFileRecord, "id">;
  /** The shop itself is the resource. */
  "app/uninstalled": undefined;
  "app/scopes_update": ScopesUpdateResource;
  "customers/data_request": DataRequestResource;
  "customers/redact": CustomerComplianceResource;
  "shop/redact": undefined;
  /** The shop itself (its record as it is now, e.g. renamed). */
  "shop/update": undefined;
  /** Passed through as the body (validated like every other). */
  "bulk_operations/finish": Record<string, unknown>;
}

export type WebhookTopic = keyof TopicResources;

export const WEBHOOK_TOPICS = [
  "orders/create",
  "orders/updated",
  "orders/paid",
  "orders/cancelled",
  "orders/delete",
  "refunds/create",
  "customers/create",
  "customers/update",
  "customers/delete",
  "customers_email_marketing_consent/update",
  "products/create",
  "products/update",
  "products/delete",
  "app/uninstalled",
  "app/scopes_update",
  "customers/data_request",
  "customers/redact",
  "shop/redact",
  "shop/update",
  "bulk_operations/finish",
] as const satisfies readonly WebhookTopic[];

/** Something that happened in a shop, in the simulator's record shapes. */
export type WebhookEvent = {
  [T in WebhookTopic]: undefined extends TopicResources[T]
    ? { shop: ShopRecord; topic: T; resource?: TopicResources[T] }
    : { shop: ShopRecord; topic: T; resource: TopicResources[T] };
}[WebhookTopic];

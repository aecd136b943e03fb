// Events the simulator emits for the webhook sender: shopper/admin changes and bulk operation completion.
import type { CustomerRecord, OrderRecord, ProductFileRecord, RefundRecord } from "../shop-file/types";

export interface BulkFinishPayload {
  admin_graphql_api_id: string;
  completed_at: string | null;
  created_at: string;
  error_code: string | null;
  status: string; // lower-case, as in Shopify's bulk_operations/finish payload
  type: string; // "query" | "mutation"
}

export type SimulatorEvent =
  | { shop: string; topic: "bulk_operations/finish"; payload: BulkFinishPayload }
  | {
      shop: string;
      topic: "orders/create" | "orders/updated" | "orders/paid" | "orders/cancelled" | "orders/delete";
      resource: OrderRecord;
    }
  | { shop: string; topic: "refunds/create"; resource: { refund: RefundRecord; order: OrderRecord } }
  | { shop: string; topic: "customers/create" | "customers/update" | "customers/delete"; resource: CustomerRecord }
  | { shop: string; topic: "customers_email_marketing_consent/update"; resource: CustomerRecord }
  | { shop: string; topic: "shop/update"; resource?: undefined }
  | { shop: string; topic: "products/create" | "products/update"; resource: ProductFileRecord }
  | { shop: string; topic: "products/delete"; resource: { id: string } };

export type EventListener = (event: SimulatorEvent) => void;

export class EventBus {
  private readonly listeners = new Set<EventListener>();

  on(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: SimulatorEvent): void {
    // A listener's failure must not corrupt the simulator's state change that caused the event.
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}

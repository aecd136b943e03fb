// Signed orders/create and orders/updated deliveries built by the simulator from a generated shop: Shopify-exact
// bodies, each for a different order, each with its own webhook and event id, so no request is a repeat.
import { generateShop } from "../../simulator/generator/index";
import type { CustomerRecord, OrderRecord, RefundRecord, ShopRecord } from "../../simulator/shop-file/types";
import {
  API_VERSION,
  buildPayload,
  createPrng,
  SHOPIFY_WEBHOOK_USER_AGENT,
  signWebhookBody,
} from "../../simulator/webhooks/index";

export interface Delivery {
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  /** The order's gid: what the ledger's Order row is keyed by. */
  orderId: string;
}

export interface OrderDeliveries {
  shop: string;
  deliveries: Delivery[];
}

/**
 * `count` deliveries, alternately orders/create (as placed: no refunds yet) and orders/updated (carrying the
 * refunds the order has), for the first `count` orders of a generated demo shop grown until it has enough.
 */
export function buildOrderDeliveries(count: number, secret: string, seed = 1): OrderDeliveries {
  // The demo preset averages ~2.8 orders per customer; ask for enough customers that the stream is never short.
  const customers = Math.max(200, Math.ceil(count / 2));
  const prng = createPrng(seed);
  const deliveries: Delivery[] = [];
  let shop: ShopRecord | undefined;
  let customer: CustomerRecord | undefined;
  let pending: { order: OrderRecord; refunds: RefundRecord[] } | undefined;

  const flush = () => {
    if (!pending || !shop || deliveries.length >= count) return;
    const { order, refunds } = pending;
    const topic = deliveries.length % 2 === 0 ? "orders/create" : "orders/updated";
    const owner = order.customer && customer?.id === order.customer.id ? customer : undefined;
    const resource = { order, customer: owner, refunds: topic === "orders/updated" ? refunds : [] };
    const triggeredAt = topic === "orders/create" ? order.createdAt : order.updatedAt;
    const body = Buffer.from(JSON.stringify(buildPayload({ shop, topic, resource }, triggeredAt)), "utf8");
    deliveries.push({
      path: `/webhooks/${topic}`,
      orderId: order.id,
      body,
      headers: {
        "Content-Type": "application/json",
        "User-Agent": SHOPIFY_WEBHOOK_USER_AGENT,
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": signWebhookBody(body, secret),
        "X-Shopify-Shop-Domain": shop.myshopifyDomain,
        "X-Shopify-API-Version": API_VERSION,
        "X-Shopify-Webhook-Id": prng.uuid(),
        "X-Shopify-Event-Id": prng.uuid(),
        "X-Shopify-Triggered-At": triggeredAt,
      },
    });
    pending = undefined;
  };

  for (const record of generateShop({ preset: "demo", customers, seed })) {
    if (record.__typename === "Refund" && pending?.order.id === record.order.id) {
      pending.refunds.push(record);
      continue;
    }
    flush();
    if (deliveries.length >= count) break;
    if (record.__typename === "Shop") shop = record;
    else if (record.__typename === "Customer") customer = record;
    else if (record.__typename === "Order") pending = { order: record, refunds: [] };
  }
  flush();
  if (!shop) throw new Error("the generator produced no shop record");
  if (deliveries.length < count) throw new Error(`the generated shop has ${deliveries.length} orders, ${count} asked`);
  return { shop: shop.myshopifyDomain, deliveries };
}

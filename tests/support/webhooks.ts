// Webhook requests signed exactly as Shopify signs them (HMAC-SHA256 of the raw body, base64).
import { createHmac, randomUUID } from "node:crypto";
import { TEST_API_SECRET } from "./test-env";

export function sign(body: string, secret = TEST_API_SECRET) {
  return createHmac("sha256", secret).update(body, "utf8").digest("base64");
}

export interface WebhookOptions {
  shop: string;
  topic: string;
  body: string;
  hmac?: string | null; // null: header omitted
  webhookId?: string;
  headers?: Record<string, string>;
}

export function webhookHeaders({ shop, topic, body, hmac, webhookId, headers }: WebhookOptions) {
  const base: Record<string, string> = {
    "Content-Type": "application/json",
    "X-Shopify-Topic": topic,
    "X-Shopify-Shop-Domain": shop,
    "X-Shopify-API-Version": "2026-04",
    "X-Shopify-Webhook-Id": webhookId ?? randomUUID(),
    "X-Shopify-Event-Id": randomUUID(),
    "X-Shopify-Triggered-At": new Date().toISOString(),
  };
  if (hmac !== null) base["X-Shopify-Hmac-Sha256"] = hmac ?? sign(body);
  return { ...base, ...headers };
}

export function postWebhook(appUrl: string, path: string, options: WebhookOptions) {
  return fetch(`${appUrl}${path}`, { method: "POST", headers: webhookHeaders(options), body: options.body });
}

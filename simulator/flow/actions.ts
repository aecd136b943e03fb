// Shopify Flow running an app's action (a `flow_action` extension), as Flow does when a workflow reaches it: a POST of
// JSON to the extension's runtime_url (here: its path on the app's URL), signed like a webhook — base64
// HMAC-SHA256 of the raw body keyed with the app's secret in `X-Shopify-Hmac-Sha256` — with `shop_id`,
// `shopify_domain`, `action_run_id`, `action_definition_id`, `handle` and the workflow's `properties`. A
// customer_reference field arrives as `customer_id` (the customer's numeric id). Flow retries a run with the same
// action_run_id (a timeout, a 5xx, a 202 or a 429); retry() sends the same bytes again.
//
// The extensions are read as `shopify app build` would check them: type flow_action, an https runtime_url, and each
// field a known type with a key (a customer_reference has none); a workflow's properties are checked against them
// (required fields present, numbers whole for number_integer, the customer an existing one of the shop) before
// anything is sent, as Flow validates a workflow before it runs.
import { createHmac, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseToml } from "smol-toml";

export interface FlowActionField {
  type: string;
  key?: string;
  name?: string;
  required?: boolean;
}

export interface FlowActionDefinition {
  handle: string;
  name: string;
  runtimePath: string;
  fields: FlowActionField[];
}

const FIELD_TYPES = new Set([
  "customer_reference",
  "order_reference",
  "product_reference",
  "single_line_text_field",
  "multi_line_text_field",
  "number_integer",
  "number_decimal",
  "boolean",
  "email",
  "url",
]);
const REFERENCE_KEYS: Record<string, string> = {
  customer_reference: "customer_id",
  order_reference: "order_id",
  product_reference: "product_id",
};
const FIELD_KEY = /^[a-zA-Z][a-zA-Z0-9_ ]*$/;

/** The Flow action extensions under an extensions folder, by handle; an extension Shopify would refuse throws. */
export function declaredFlowActions(dir: string): Record<string, FlowActionDefinition> {
  const out: Record<string, FlowActionDefinition> = {};
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir)) {
    const file = path.join(dir, entry, "shopify.extension.toml");
    if (!existsSync(file)) continue;
    const config = parseToml(readFileSync(file, "utf8")) as {
      extensions?: { type?: string; handle?: string; name?: string; runtime_url?: string }[];
      settings?: { fields?: FlowActionField[] };
    };
    const extension = config.extensions?.[0];
    if (extension?.type !== "flow_action") continue;
    if (!extension.handle || !extension.name) throw new Error(`${file}: a Flow action needs a handle and a name`);
    let url: URL;
    try {
      url = new URL(extension.runtime_url ?? "");
    } catch {
      throw new Error(`${file}: runtime_url must be an absolute URL`);
    }
    if (url.protocol !== "https:") throw new Error(`${file}: runtime_url must be https`);
    const fields = config.settings?.fields ?? [];
    for (const field of fields) {
      if (!FIELD_TYPES.has(field.type)) throw new Error(`${file}: unknown Flow action field type '${field.type}'`);
      if (REFERENCE_KEYS[field.type]) {
        if (field.key !== undefined) throw new Error(`${file}: a ${field.type} field has no key`);
      } else if (!field.key || !FIELD_KEY.test(field.key) || !field.name) {
        throw new Error(`${file}: Flow action field '${field.key ?? ""}' needs a key (letters, digits, _) and a name`);
      }
    }
    out[extension.handle] = { handle: extension.handle, name: extension.name, runtimePath: url.pathname, fields };
  }
  return out;
}

/** What Flow checks of a workflow's properties for an action before it runs it; the problems, or none. */
export function flowActionPropertyIssues(
  definition: FlowActionDefinition,
  properties: Record<string, unknown>,
  customerExists: (gid: string) => boolean,
): string[] {
  const issues: string[] = [];
  const expected = new Set<string>();
  for (const field of definition.fields) {
    const key = REFERENCE_KEYS[field.type] ?? field.key!;
    expected.add(key);
    const value = properties[key];
    if (value === undefined || value === null || value === "") {
      if (field.required || REFERENCE_KEYS[field.type]) issues.push(`'${key}' is required`);
      continue;
    }
    if (field.type === "customer_reference") {
      if (typeof value !== "number" || !customerExists(`gid://shopify/Customer/${value}`))
        issues.push(`customer '${String(value)}' does not exist`);
    } else if (field.type === "number_integer" && !(typeof value === "number" && Number.isInteger(value))) {
      issues.push(`'${key}' must be a whole number`);
    } else if (field.type.endsWith("text_field") && typeof value !== "string") {
      issues.push(`'${key}' must be text`);
    }
  }
  for (const key of Object.keys(properties)) if (!expected.has(key)) issues.push(`unknown property '${key}'`);
  return issues;
}

export interface FlowActionRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
}

/** The request Flow sends for one run of an action: its exact bytes and signature. */
export function flowActionRequest(options: {
  appUrl: string;
  apiSecret: string;
  shop: string;
  shopId: number;
  definition: FlowActionDefinition;
  properties: Record<string, unknown>;
  actionRunId?: string;
}): FlowActionRequest {
  const body = JSON.stringify({
    shop_id: options.shopId,
    shopify_domain: options.shop,
    action_run_id: options.actionRunId ?? randomUUID(),
    action_definition_id: options.definition.name,
    handle: options.definition.handle,
    properties: options.properties,
  });
  return {
    url: new URL(options.definition.runtimePath, options.appUrl).toString(),
    body,
    headers: {
      "Content-Type": "application/json",
      "X-Shopify-Hmac-Sha256": createHmac("sha256", options.apiSecret).update(body).digest("base64"),
    },
  };
}

/** Sends a prepared request (again, for a retry): the app's status and body. */
export async function sendFlowAction(request: FlowActionRequest): Promise<{ status: number; body: string }> {
  const response = await fetch(request.url, { method: "POST", headers: request.headers, body: request.body });
  return { status: response.status, body: await response.text() };
}

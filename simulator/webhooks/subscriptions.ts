// Which path each topic is delivered to: from shopify.app.toml's [[webhooks.subscriptions]] or a plain map.
import { parse as parseToml } from "smol-toml";
import type { WebhookTopic } from "./topics";

export interface Subscription {
  topic: string;
  /** Path on the app's URL, e.g. "/webhooks/app/uninstalled". */
  path: string;
  /** Declared under `compliance_topics` (customers/data_request, customers/redact, shop/redact). */
  compliance: boolean;
}

export interface AppTomlWebhooks {
  apiVersion: string | null;
  subscriptions: Subscription[];
}

/** `{ "orders/create": "/webhooks/orders" }`; a topic may list several paths (one delivery each, as Shopify does). */
export type SubscriptionMap = Partial<Record<WebhookTopic | (string & {}), string | string[]>>;

function uriToPath(uri: string): string {
  // A full URL keeps only its path and query: the simulator always delivers to the app it was given.
  if (/^https?:\/\//i.test(uri)) {
    const url = new URL(uri);
    return `${url.pathname}${url.search}`;
  }
  if (!uri.startsWith("/")) throw new Error(`Webhook uri "${uri}" is neither a path nor an http(s) URL`);
  return uri;
}

export function subscriptionsFromMap(map: SubscriptionMap): Subscription[] {
  return Object.entries(map).flatMap(([topic, paths]) =>
    (Array.isArray(paths) ? paths : paths === undefined ? [] : [paths]).map((path) => ({
      topic,
      path: uriToPath(path),
      compliance: false,
    })),
  );
}

/** The `[webhooks]` part of a shopify.app.toml: its api_version and one Subscription per topic per block. */
export function parseAppTomlWebhooks(toml: string): AppTomlWebhooks {
  const config = parseToml(toml) as { webhooks?: { api_version?: unknown; subscriptions?: Record<string, unknown>[] } };
  const result: AppTomlWebhooks = {
    apiVersion: typeof config.webhooks?.api_version === "string" ? config.webhooks.api_version : null,
    subscriptions: [],
  };
  for (const block of config.webhooks?.subscriptions ?? []) {
    const uri = block.uri;
    if (typeof uri !== "string") throw new Error("A [[webhooks.subscriptions]] block has no uri");
    for (const [key, compliance] of [
      ["topics", false],
      ["compliance_topics", true],
    ] as const) {
      const topics = block[key];
      if (topics === undefined) continue;
      if (!Array.isArray(topics) || topics.some((t) => typeof t !== "string")) {
        throw new Error(`[[webhooks.subscriptions]] ${key} must be an array of strings`);
      }
      for (const topic of topics as string[]) result.subscriptions.push({ topic, path: uriToPath(uri), compliance });
    }
  }
  return result;
}

/** The paths a topic is delivered to (several subscriptions to one topic each get their own delivery). */
export function pathsFor(subscriptions: readonly Subscription[], topic: string): string[] {
  return subscriptions.filter((subscription) => subscription.topic === topic).map((subscription) => subscription.path);
}

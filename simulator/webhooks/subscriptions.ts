// Which path each topic is delivered to: from shopify.app.toml's [[webhooks.subscriptions]] or a plain map.
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

// --- A reader for exactly the TOML this needs: tables, array-of-tables headers, `key = "string"` and
// `key = ["strings", ...]` (arrays may span lines). Other values are skipped, never misread.

function stripComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quote) {
      if (char === "\\" && quote === '"') i++;
      else if (char === quote) quote = null;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === "#") return line.slice(0, i);
  }
  return line;
}

function bracketDepth(text: string): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quote) {
      if (char === "\\" && quote === '"') i++;
      else if (char === quote) quote = null;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === "[") depth++;
    else if (char === "]") depth--;
  }
  return depth;
}

/** A TOML string or array of strings; undefined for any other kind of value. */
function parseStringish(text: string): string | string[] | undefined {
  const value = text.trim();
  if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) return JSON.parse(value) as string;
  if (value.startsWith("'") && value.endsWith("'") && value.length >= 2) return value.slice(1, -1);
  if (value.startsWith("[") && value.endsWith("]")) {
    const items: string[] = [];
    const pattern = /\s*("(?:[^"\\]|\\.)*"|'[^']*')\s*(?:,|$)/y;
    const inner = value.slice(1, -1).trim();
    pattern.lastIndex = 0;
    while (pattern.lastIndex < inner.length) {
      const match = pattern.exec(inner);
      if (!match) return undefined;
      const item = parseStringish(match[1]);
      if (typeof item !== "string") return undefined;
      items.push(item);
    }
    return items;
  }
  return undefined;
}

/** The `[webhooks]` part of a shopify.app.toml: its api_version and one Subscription per topic per block. */
export function parseAppTomlWebhooks(toml: string): AppTomlWebhooks {
  const result: AppTomlWebhooks = { apiVersion: null, subscriptions: [] };
  let table = "";
  let block: Record<string, string | string[] | undefined> | null = null;
  const flush = () => {
    if (!block) return;
    const uri = block.uri;
    if (typeof uri !== "string") throw new Error("A [[webhooks.subscriptions]] block has no uri");
    for (const [key, compliance] of [["topics", false], ["compliance_topics", true]] as const) {
      const topics = block[key];
      if (topics === undefined) continue;
      if (!Array.isArray(topics)) throw new Error(`[[webhooks.subscriptions]] ${key} must be an array of strings`);
      for (const topic of topics) result.subscriptions.push({ topic, path: uriToPath(uri), compliance });
    }
    block = null;
  };

  const lines = toml.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    let line = stripComment(lines[index]).trim();
    if (!line) continue;
    const header = /^(\[\[?)\s*([A-Za-z0-9_.\-"]+)\s*\]\]?$/.exec(line);
    if (header) {
      flush();
      table = header[2];
      if (header[1] === "[[" && table === "webhooks.subscriptions") block = {};
      continue;
    }
    const assignment = /^([A-Za-z0-9_\-]+)\s*=\s*(.*)$/.exec(line);
    if (!assignment) throw new Error(`shopify.app.toml line ${index + 1} is not TOML this reader understands: ${line}`);
    let value = assignment[2];
    // Multi-line arrays: keep reading until the brackets close.
    while (bracketDepth(value) > 0 && index + 1 < lines.length) {
      index++;
      line = stripComment(lines[index]).trim();
      value += ` ${line}`;
    }
    const parsed = parseStringish(value);
    if (block) block[assignment[1]] = parsed;
    else if (table === "webhooks" && assignment[1] === "api_version" && typeof parsed === "string") result.apiVersion = parsed;
  }
  flush();
  return result;
}

/** The paths a topic is delivered to (several subscriptions to one topic each get their own delivery). */
export function pathsFor(subscriptions: readonly Subscription[], topic: string): string[] {
  return subscriptions.filter((subscription) => subscription.topic === topic).map((subscription) => subscription.path);
}

// The webhook sender: signs, delivers at least once with Shopify's retries, and can duplicate, reorder and delay.
//
// Ids, as Shopify documents them:
// - X-Shopify-Event-Id identifies the EVENT: "the same value across more than one webhook indicates a duplicate"
//   (https://shopify.dev/docs/apps/build/webhooks/ignore-duplicates). Every delivery of one event carries it:
//   retries, duplicates, and one webhook per subscription when several subscriptions share a topic.
// - X-Shopify-Webhook-Id identifies one WEBHOOK, i.e. one delivery of an event to one subscription. The same page
//   says several subscriptions to a topic get "several webhooks for the same event (one per subscription)", and
//   the retry changelog (https://shopify.dev/changelog/updates-to-webhook-retry-mechanism) says a retried webhook
//   is "delivered with the original payload from the time they were triggered" — a retry re-sends the same
//   webhook, so it keeps its webhook id, body, HMAC and X-Shopify-Triggered-At. A duplicate sent as a separate
//   webhook gets a new webhook id by default (`duplicateWebhookId: "same"` models a re-sent identical webhook).
import type { ShopRecord } from "../shop-file/types";
import { attemptDelivery, type AttemptResult } from "./deliver";
import { buildPayload } from "./payloads";
import { API_VERSION } from "./payloads/shared";
import { createPrng, type Prng } from "./prng";
import { retryDelays, type RetryOptions } from "./retry-schedule";
import { assertValidPayload } from "./schema-check";
import { signWebhookBody } from "./sign";
import {
  parseAppTomlWebhooks,
  pathsFor,
  subscriptionsFromMap,
  type Subscription,
  type SubscriptionMap,
} from "./subscriptions";
import type { WebhookEvent, WebhookTopic } from "./topics";

/** Shopify's webhook deliveries identify themselves with this User-Agent. */
export const SHOPIFY_WEBHOOK_USER_AGENT = "Shopify-Captain-Hook";

export interface Clock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface WebhookSenderOptions {
  /** Where the app listens, e.g. "http://127.0.0.1:3456". Paths come from the subscriptions. */
  appUrl: string;
  /** The app's API secret (client secret): the HMAC key. */
  apiSecret: string;
  /** A topic → path map, parsed subscriptions, or the text of a shopify.app.toml. */
  subscriptions: SubscriptionMap | readonly Subscription[] | { toml: string };
  apiVersion?: string;
  /** How long the app has to answer one attempt (Shopify: 5 s). */
  timeoutMs?: number;
  retry?: RetryOptions;
  clock?: Clock;
  /** Seeds ids, shuffles, duplicates and random delays. */
  seed?: number;
  /** A topic with no subscription: Shopify would send nothing; "throw" (default) catches a mistyped topic. */
  unsubscribed?: "throw" | "skip";
}

export interface SendOptions {
  eventId?: string;
  /** Used for the first subscription's webhook; further subscriptions get their own. */
  webhookId?: string;
  /** ISO instant for X-Shopify-Triggered-At (default: the clock's now). */
  triggeredAt?: string;
}

export interface BatchOptions {
  /** Extra deliveries of every event (same event id): 1 means each event arrives twice. Or per event. */
  duplicates?: number | ((event: WebhookEvent, index: number) => number);
  /** "new" (default): each duplicate is its own webhook with a new webhook id; "same": the identical webhook again. */
  duplicateWebhookId?: "new" | "same";
  /** Deliver in a seeded random order; `true` uses the sender's generator, a number seeds this batch alone. */
  shuffle?: boolean | number;
  /** Wait before each delivery: a fixed number of ms, or a [min, max] range drawn from the generator. */
  delayMs?: number | readonly [number, number];
}

export interface DeliveryLogEntry {
  topic: string;
  shop: string;
  path: string;
  eventId: string;
  webhookId: string;
  triggeredAt: string;
  /** 1 for the first try, 2 for the first retry, … */
  attempt: number;
  /** HTTP status, or null when there was no answer. */
  status: number | null;
  /** "timeout", or the network error, when status is null. */
  error: string | null;
  /** 2xx: Shopify counts anything else, redirects included, as a failure. */
  ok: boolean;
  latencyMs: number;
  startedAt: string;
}

export interface DeliveryOutcome {
  topic: string;
  shop: string;
  path: string;
  eventId: string;
  webhookId: string;
  delivered: boolean;
  attempts: number;
  /** The exact body sent. */
  body: string;
}

/** One webhook: an event's body bound for one subscription, with the ids and signature every attempt reuses. */
interface Webhook {
  topic: string;
  shop: string;
  path: string;
  eventId: string;
  webhookId: string;
  triggeredAt: string;
  body: Buffer;
  hmac: string;
}

interface PreparedEvent {
  topic: string;
  shop: string;
  body: Buffer;
  hmac: string;
  eventId: string;
  triggeredAt: string;
  paths: string[];
}

function resolveSubscriptions(input: WebhookSenderOptions["subscriptions"]): Subscription[] {
  if (Array.isArray(input)) return [...(input as readonly Subscription[])];
  if (typeof (input as { toml?: unknown }).toml === "string")
    return parseAppTomlWebhooks((input as { toml: string }).toml).subscriptions;
  return subscriptionsFromMap(input as SubscriptionMap);
}

export function createWebhookSender(options: WebhookSenderOptions) {
  const apiVersion = options.apiVersion ?? API_VERSION;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const delays = retryDelays(options.retry);
  const clock = options.clock ?? realClock;
  const prng: Prng = createPrng(options.seed ?? 1);
  const subscriptions = resolveSubscriptions(options.subscriptions);
  const appUrl = options.appUrl.replace(/\/+$/, "");
  const log: DeliveryLogEntry[] = [];
  const pending = new Set<Promise<DeliveryOutcome>>();

  /** Validate, serialise once and sign: every attempt of every webhook of this event sends these bytes. */
  function prepare(
    shop: ShopRecord | string,
    topic: WebhookTopic | string,
    payload: unknown,
    send: SendOptions = {},
  ): PreparedEvent {
    assertValidPayload(topic as WebhookTopic, payload);
    const paths = pathsFor(subscriptions, topic);
    if (paths.length === 0 && (options.unsubscribed ?? "throw") === "throw") {
      throw new Error(`The app has no subscription for ${topic}; Shopify would not send it`);
    }
    const body = Buffer.from(JSON.stringify(payload), "utf8");
    return {
      topic,
      shop: typeof shop === "string" ? shop : shop.myshopifyDomain,
      body,
      hmac: signWebhookBody(body, options.apiSecret),
      eventId: send.eventId ?? prng.uuid(),
      triggeredAt: send.triggeredAt ?? clock.now().toISOString(),
      paths,
    };
  }

  function webhooksOf(event: PreparedEvent, firstWebhookId?: string): Webhook[] {
    return event.paths.map((path, index) => ({
      topic: event.topic,
      shop: event.shop,
      path,
      eventId: event.eventId,
      webhookId: index === 0 && firstWebhookId ? firstWebhookId : prng.uuid(),
      triggeredAt: event.triggeredAt,
      body: event.body,
      hmac: event.hmac,
    }));
  }

  function headersOf(webhook: Webhook): Record<string, string> {
    return {
      "Content-Type": "application/json",
      "User-Agent": SHOPIFY_WEBHOOK_USER_AGENT,
      "X-Shopify-Topic": webhook.topic,
      "X-Shopify-Hmac-Sha256": webhook.hmac,
      "X-Shopify-Shop-Domain": webhook.shop,
      "X-Shopify-API-Version": apiVersion,
      "X-Shopify-Webhook-Id": webhook.webhookId,
      "X-Shopify-Event-Id": webhook.eventId,
      "X-Shopify-Triggered-At": webhook.triggeredAt,
    };
  }

  function record(webhook: Webhook, attempt: number, startedAt: Date, result: AttemptResult): DeliveryLogEntry {
    const status = result.kind === "response" ? result.status : null;
    const entry: DeliveryLogEntry = {
      topic: webhook.topic,
      shop: webhook.shop,
      path: webhook.path,
      eventId: webhook.eventId,
      webhookId: webhook.webhookId,
      triggeredAt: webhook.triggeredAt,
      attempt,
      status,
      error: result.kind === "timeout" ? "timeout" : result.kind === "error" ? result.message : null,
      ok: status !== null && status >= 200 && status < 300,
      latencyMs: result.latencyMs,
      startedAt: startedAt.toISOString(),
    };
    log.push(entry);
    return entry;
  }

  /**
   * Starts delivering one webhook: `firstAttempt` settles after the first try (batches wait for it so arrival
   * order is the batch order), `outcome` after success or the last retry.
   */
  function start(webhook: Webhook): { firstAttempt: Promise<void>; outcome: Promise<DeliveryOutcome> } {
    let firstAttemptDone!: () => void;
    const firstAttempt = new Promise<void>((resolve) => (firstAttemptDone = resolve));
    const url = new URL(webhook.path, `${appUrl}/`);
    const outcome = (async (): Promise<DeliveryOutcome> => {
      let attempt = 0;
      let delivered = false;
      try {
        for (;;) {
          attempt++;
          const startedAt = clock.now();
          const result = await attemptDelivery({ url, headers: headersOf(webhook), body: webhook.body, timeoutMs });
          delivered = record(webhook, attempt, startedAt, result).ok;
          if (attempt === 1) firstAttemptDone();
          if (delivered || attempt > delays.length) break;
          await clock.sleep(delays[attempt - 1]);
        }
      } finally {
        firstAttemptDone();
      }
      return {
        topic: webhook.topic,
        shop: webhook.shop,
        path: webhook.path,
        eventId: webhook.eventId,
        webhookId: webhook.webhookId,
        delivered,
        attempts: attempt,
        body: webhook.body.toString("utf8"),
      };
    })();
    pending.add(outcome);
    // The caller gets `outcome` itself (and any failure in it); this bookkeeping branch must not add a second,
    // unhandled rejection.
    outcome.finally(() => pending.delete(outcome)).catch(() => undefined);
    return { firstAttempt, outcome };
  }

  /** Sends a body as is (validated first): one webhook per subscription to the topic. */
  async function send(
    shop: ShopRecord | string,
    topic: WebhookTopic | string,
    payload: unknown,
    sendOptions?: SendOptions,
  ) {
    const event = prepare(shop, topic, payload, sendOptions);
    return Promise.all(webhooksOf(event, sendOptions?.webhookId).map((webhook) => start(webhook).outcome));
  }

  function eventPayload(event: WebhookEvent, at: string) {
    return buildPayload(event, at);
  }

  /** Builds the topic's REST body from the event's records, then sends it. */
  async function sendEvent(event: WebhookEvent, sendOptions: SendOptions = {}) {
    const triggeredAt = sendOptions.triggeredAt ?? clock.now().toISOString();
    return send(event.shop, event.topic, eventPayload(event, triggeredAt), { ...sendOptions, triggeredAt });
  }

  /**
   * Delivers a batch as Shopify might: each event possibly several times (same event id), in a seeded shuffled
   * order, with waits between deliveries. Every body is built and validated before the first is sent.
   */
  async function deliverBatch(
    events: readonly (WebhookEvent & { triggeredAt?: string })[],
    batch: BatchOptions = {},
  ): Promise<DeliveryOutcome[]> {
    const order = typeof batch.shuffle === "number" ? createPrng(batch.shuffle) : prng;
    const webhooks: Webhook[] = [];
    events.forEach((event, index) => {
      // An event raised earlier keeps the moment it was raised, however late it is delivered.
      const triggeredAt = event.triggeredAt ?? clock.now().toISOString();
      const prepared = prepare(event.shop, event.topic, eventPayload(event, triggeredAt), { triggeredAt });
      const originals = webhooksOf(prepared);
      webhooks.push(...originals);
      const extra = typeof batch.duplicates === "function" ? batch.duplicates(event, index) : (batch.duplicates ?? 0);
      for (let copy = 0; copy < extra; copy++) {
        webhooks.push(
          ...(batch.duplicateWebhookId === "same"
            ? originals.map((webhook) => ({ ...webhook }))
            : webhooksOf(prepared)),
        );
      }
    });
    const sequence = batch.shuffle ? order.shuffle(webhooks) : webhooks;
    const outcomes: Promise<DeliveryOutcome>[] = [];
    for (const webhook of sequence) {
      const delay =
        batch.delayMs === undefined
          ? 0
          : typeof batch.delayMs === "number"
            ? batch.delayMs
            : order.int(batch.delayMs[0], batch.delayMs[1]);
      if (delay > 0) await clock.sleep(delay);
      const started = start(webhook);
      outcomes.push(started.outcome);
      await started.firstAttempt;
    }
    return Promise.all(outcomes);
  }

  /** Waits until every delivery, retries included, has finished. */
  async function drain(): Promise<void> {
    while (pending.size > 0) await Promise.allSettled([...pending]);
  }

  return {
    send,
    sendEvent,
    deliverBatch,
    drain,
    /** Every attempt so far, in the order they finished. */
    log: log as readonly DeliveryLogEntry[],
    /** The body a sendEvent would send (built and validated, not sent). */
    preview(event: WebhookEvent, at = clock.now().toISOString()): Record<string, unknown> {
      const body = eventPayload(event, at);
      assertValidPayload(event.topic, body);
      return body;
    },
    subscriptions: subscriptions as readonly Subscription[],
  };
}

export type WebhookSender = ReturnType<typeof createWebhookSender>;

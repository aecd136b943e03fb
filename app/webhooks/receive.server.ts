// The one way a webhook enters the app: verify (HMAC, headers, shop), parse and check the payload for its topic,
// skip repeats by webhook id, hand it to the topic's handler, answer. Bad input gets a 4xx and changes nothing.
import type { z } from "zod";
import { authenticate } from "../shopify.server";
import { logger } from "../logger.server";
import { getShop } from "../models/shop.server";
import { recordDelivery, wasDelivered } from "../models/webhook-delivery.server";
import { ingestLedgerChange } from "../models/ledger-ingest.server";
import type { LedgerChange } from "../domain/ledger-types";
import { customerFollowUp } from "./ledger-changed.server";
import { parseExact } from "./exact-json";
import { readBounded } from "./read-bounded.server";

/** Webhook endpoints take POST only; a GET gets 405 rather than Remix's "no loader" error. */
export const webhookLoader = () => new Response(null, { status: 405, headers: { Allow: "POST" } });

/** Shopify's payloads are small; anything far larger is not from Shopify or not for us. */
export const MAX_WEBHOOK_BYTES = 2 * 1024 * 1024;

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

export interface WebhookContext<P> {
  shop: string;
  topic: string;
  webhookId: string;
  /** X-Shopify-Event-Id: the same for every delivery of one event. */
  eventId: string | null;
  apiVersion: string;
  payload: P;
  receivedAt: Date;
  /** When Shopify raised the event (X-Shopify-Triggered-At): the same for every delivery, unlike receivedAt. */
  triggeredAt: Date;
}

interface HandlerBase<S extends z.ZodType> {
  /** The topic as Shopify names it, e.g. "app/uninstalled". */
  topic: string;
  payload: S;
  /** Where the body names its shop (compliance topics), it must be the signed delivery's shop. */
  shopOf?(payload: z.infer<S>): string;
}

/** A topic that does its own work (lifecycle, compliance): idempotent, recorded as delivered after it ran. */
export interface WorkHandler<S extends z.ZodType> extends HandlerBase<S> {
  handle(ctx: WebhookContext<z.infer<S>>): Promise<void>;
  /** The handler erases the shop (shop/redact): afterwards nothing of it is recorded, not even this delivery. */
  erasesShop?: boolean;
}

/** A ledger topic: says what changes; ledger-ingest writes it, dedupes and queues the follow-up atomically. */
export interface LedgerHandler<S extends z.ZodType> extends HandlerBase<S> {
  change(ctx: WebhookContext<z.infer<S>>): LedgerChange;
}

export type WebhookHandler<S extends z.ZodType> = WorkHandler<S> | LedgerHandler<S>;

function abandoned(shop: string, topic: string) {
  logger.warn("webhook not handled: the sender gave up before the database was free (it retries)", { shop, topic });
  return answer(503, "the sender gave up; not recorded");
}

function unknownShop(shop: string, topic: string) {
  logger.warn("webhook refused: shop never installed the app", { shop, topic });
  return answer(404, "unknown shop");
}

const answer = (status: number, reason?: string) =>
  new Response(reason ?? null, { status, headers: reason ? { "Content-Type": "text/plain" } : undefined });

// The body is left unread: close the connection rather than let the server drain it or reuse the socket.
const tooLarge = () => new Response("payload too large", { status: 413, headers: { Connection: "close" } });

const storageForm = (topic: string) => topic.toUpperCase().replace(/[/.]/g, "_");

export async function receiveWebhook<S extends z.ZodType>(
  request: Request,
  handler: WebhookHandler<S>,
): Promise<Response> {
  const declaredLength = Number(request.headers.get("content-length") ?? "0");
  if (declaredLength > MAX_WEBHOOK_BYTES) return tooLarge();

  const claimedShop = request.headers.get("x-shopify-shop-domain");
  if (claimedShop !== null && !SHOP_DOMAIN.test(claimedShop)) {
    logger.warn("webhook refused: not a myshopify.com domain", { shop: claimedShop });
    return answer(400, "invalid shop domain");
  }

  // Read the body ourselves, bounded, so a chunked body without Content-Length cannot grow without limit.
  const bytes = await readBounded(request, MAX_WEBHOOK_BYTES);
  const rawBody = bytes === null ? null : Buffer.from(bytes).toString("utf8");
  if (rawBody === null) return tooLarge();
  // A burst can leave a delivery queued past its sender's patience: then even the session read is wasted work.
  if (request.signal.aborted) return abandoned(claimedShop ?? "?", handler.topic);

  let context: Awaited<ReturnType<typeof authenticate.webhook>>;
  try {
    context = await authenticate.webhook(
      new Request(request.url, { method: request.method, headers: request.headers, body: rawBody }),
    );
  } catch (error) {
    if (error instanceof Response) return error; // 401 bad HMAC, 400 missing headers, 405 not POST
    if (error instanceof SyntaxError) {
      logger.warn("webhook refused: body is not JSON", { topic: handler.topic });
      return answer(400, "body is not valid JSON");
    }
    throw error;
  }
  const { shop, webhookId, apiVersion } = context;

  if (context.topic !== storageForm(handler.topic)) {
    logger.warn("webhook refused: topic does not match route", { shop, topic: context.topic, route: handler.topic });
    return answer(400, `this endpoint takes ${handler.topic}`);
  }
  let body: unknown;
  try {
    body = parseExact(rawBody);
  } catch (error) {
    // JSON.parse (in the library) takes any depth; this recursive parser overflows on a body nested thousands deep.
    if (!(error instanceof RangeError || error instanceof SyntaxError)) throw error;
    logger.warn("webhook refused: body nested too deep", { shop, topic: handler.topic });
    return answer(400, "body is not JSON this endpoint can read (nested too deep)");
  }
  const parsed = handler.payload.safeParse(body);
  if (!parsed.success) {
    const reason = parsed.error.issues.map((i) => `${i.path.join(".") || "payload"}: ${i.message}`).join("; ");
    logger.warn("webhook refused: payload does not match topic", { shop, topic: handler.topic, reason });
    return answer(400, `payload does not match ${handler.topic}: ${reason}`);
  }
  if (handler.shopOf && handler.shopOf(parsed.data) !== shop) {
    logger.warn("webhook refused: body names another shop", { shop, topic: handler.topic });
    return answer(400, "payload is for another shop");
  }
  const eventId = request.headers.get("x-shopify-event-id");
  const receivedAt = new Date();
  const triggered = Date.parse(request.headers.get("x-shopify-triggered-at") ?? "");
  const ctx: WebhookContext<z.infer<S>> = {
    shop,
    topic: handler.topic,
    webhookId,
    eventId,
    apiVersion,
    payload: parsed.data,
    receivedAt,
    triggeredAt: Number.isNaN(triggered) ? receivedAt : new Date(triggered),
  };
  const delivery = { webhookId, eventId, topic: handler.topic };

  if ("change" in handler) {
    let outcome: Awaited<ReturnType<typeof ingestLedgerChange>>;
    try {
      outcome = await ingestLedgerChange(shop, delivery, handler.change(ctx), customerFollowUp, request.signal);
    } catch (error) {
      // The sender gave up (Shopify's 5 s) while the delivery waited for the database: nothing was begun and nobody
      // reads this answer; Shopify retries. Rethrown otherwise.
      if (request.signal.aborted) return abandoned(shop, handler.topic);
      throw error;
    }
    if (outcome === "unknown-shop") return unknownShop(shop, handler.topic);
    return answer(200);
  }

  const known = await getShop(shop);
  if (!known) return unknownShop(shop, handler.topic);
  // A redacted shop's data is gone: late or repeated deliveries (shop/redact's own included) are acknowledged and
  // write nothing, so nothing about the shop comes back.
  if (known.status === "redacted") return answer(200);
  if (await wasDelivered(shop, delivery)) return answer(200);
  // Handlers are idempotent: a crash before the delivery is recorded makes Shopify's retry redo the same work.
  await handler.handle(ctx);
  if (!handler.erasesShop) await recordDelivery(shop, delivery);
  return answer(200);
}

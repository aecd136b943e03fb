// Delivery like Shopify's: signed so the Shopify library accepts it, retried, duplicated, reordered, logged.
import "@shopify/shopify-api/adapters/node";
import { ApiVersion, shopifyApi } from "@shopify/shopify-api";
import { afterEach, describe, expect, it } from "vitest";
import { createWebhookSender, signWebhookBody, type WebhookEvent } from "../../simulator/webhooks";
import { customerRecord, orderRecord, shopRecord } from "../../simulator/webhooks/test-records";
import { startTestReceiver, type TestReceiver } from "../../simulator/webhooks/test-receiver";

const API_SECRET = "test-webhook-secret";
const shop = shopRecord();
const SUBSCRIPTIONS = {
  "orders/create": "/webhooks/orders/create",
  "orders/updated": "/webhooks/orders/updated",
  "customers/update": "/webhooks/customers/update",
  "app/uninstalled": "/webhooks/app/uninstalled",
};
// Tests shrink Shopify's 4-hour retry schedule to about 150 ms.
const TINY_RETRIES = { factor: 1e-5 };

let receiver: TestReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

function orderEvent(n: number): WebhookEvent {
  return {
    shop,
    topic: "orders/create",
    resource: orderRecord({ id: `gid://shopify/Order/${9000 + n}`, name: `#${1000 + n}` }),
  };
}

describe("webhook delivery", () => {
  it("signs so that @shopify/shopify-api's own webhook validation accepts the request", async () => {
    // Given the Shopify library configured with the app's secret, and a receiver handing it each request
    const shopify = shopifyApi({
      apiKey: "test-api-key",
      apiSecretKey: API_SECRET,
      apiVersion: ApiVersion.April26,
      hostName: "loyalty.test.example",
      isEmbeddedApp: true,
    });
    const validations: unknown[] = [];
    receiver = await startTestReceiver(async (webhook) => {
      validations.push(await shopify.webhooks.validate({ rawBody: webhook.rawBody, rawRequest: webhook.request }));
      return 200;
    });
    const sender = createWebhookSender({ appUrl: receiver.url, apiSecret: API_SECRET, subscriptions: SUBSCRIPTIONS });
    // When an orders/create event is delivered
    const [outcome] = await sender.sendEvent(orderEvent(1));
    // Then the library finds it valid and reads the same topic, shop, webhook id and version
    expect(validations).toEqual([
      expect.objectContaining({
        valid: true,
        topic: "ORDERS_CREATE",
        domain: "maple-and-pine.myshopify.com",
        apiVersion: "2026-04",
        webhookId: outcome.webhookId,
      }),
    ]);
  });

  it("produces a signature the Shopify library rejects once the body is altered", async () => {
    // Given a delivered request, and the Shopify library
    const shopify = shopifyApi({
      apiKey: "test-api-key",
      apiSecretKey: API_SECRET,
      apiVersion: ApiVersion.April26,
      hostName: "loyalty.test.example",
      isEmbeddedApp: true,
    });
    const validations: Array<{ valid: boolean }> = [];
    receiver = await startTestReceiver(async (webhook) => {
      // When one byte of the body differs from what was signed
      const tampered = webhook.rawBody.replace('"12.50"', '"99.50"');
      validations.push(await shopify.webhooks.validate({ rawBody: tampered, rawRequest: webhook.request }));
      return 200;
    });
    const sender = createWebhookSender({ appUrl: receiver.url, apiSecret: API_SECRET, subscriptions: SUBSCRIPTIONS });
    await sender.sendEvent(orderEvent(1));
    // Then validation fails on the HMAC
    expect(validations).toEqual([expect.objectContaining({ valid: false, reason: "invalid_hmac" })]);
  });

  it("sends Shopify's headers with a body that is exactly the signed bytes", async () => {
    // Given a receiver that records requests
    receiver = await startTestReceiver();
    const sender = createWebhookSender({ appUrl: receiver.url, apiSecret: API_SECRET, subscriptions: SUBSCRIPTIONS });
    // When a customers/update event is sent at a known time
    const [outcome] = await sender.sendEvent(
      { shop, topic: "customers/update", resource: customerRecord() },
      { triggeredAt: "2024-03-01T10:15:00.000Z" },
    );
    // Then the request carries every Shopify header, and the HMAC covers the raw body as received
    const [request] = receiver.received;
    expect(request.path).toBe("/webhooks/customers/update");
    expect(request.headers).toMatchObject({
      "content-type": "application/json",
      "user-agent": "Shopify-Captain-Hook",
      "x-shopify-topic": "customers/update",
      "x-shopify-shop-domain": "maple-and-pine.myshopify.com",
      "x-shopify-api-version": "2026-04",
      "x-shopify-webhook-id": outcome.webhookId,
      "x-shopify-event-id": outcome.eventId,
      "x-shopify-triggered-at": "2024-03-01T10:15:00.000Z",
      "x-shopify-hmac-sha256": signWebhookBody(request.rawBody, API_SECRET),
    });
    expect(JSON.parse(request.rawBody)).toMatchObject({
      id: 7001,
      admin_graphql_api_id: "gid://shopify/Customer/7001",
    });
  });

  it("never sends a body that fails the topic's schema", async () => {
    // Given a receiver
    receiver = await startTestReceiver();
    const sender = createWebhookSender({ appUrl: receiver.url, apiSecret: API_SECRET, subscriptions: SUBSCRIPTIONS });
    // When a hand-written app/uninstalled body lacks most of the Shop's fields
    const sending = sender.send(shop, "app/uninstalled", { id: 548380009 });
    // Then sending throws with the schema errors and nothing reaches the app
    await expect(sending).rejects.toThrow(/app\/uninstalled body does not match .* must have required property/);
    expect(receiver.received).toHaveLength(0);
  });

  it("retries after two 500s and the third attempt succeeds, with the same event and webhook id", async () => {
    // Given an app that answers 500 twice, then 200
    receiver = await startTestReceiver((_webhook, index) => (index < 2 ? 500 : 200));
    const sender = createWebhookSender({
      appUrl: receiver.url,
      apiSecret: API_SECRET,
      subscriptions: SUBSCRIPTIONS,
      retry: TINY_RETRIES,
    });
    // When one event is sent
    const [outcome] = await sender.sendEvent(orderEvent(1));
    // Then it took 3 attempts of the same webhook: same ids, same bytes
    expect(outcome).toMatchObject({ delivered: true, attempts: 3 });
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((r) => r.headers["x-shopify-event-id"]))).toEqual(new Set([outcome.eventId]));
    expect(new Set(receiver.received.map((r) => r.headers["x-shopify-webhook-id"]))).toEqual(
      new Set([outcome.webhookId]),
    );
    expect(new Set(receiver.received.map((r) => r.rawBody)).size).toBe(1);
  });

  it("retries when the app does not answer within the timeout", async () => {
    // Given an app that never answers the first request, then answers 200
    receiver = await startTestReceiver((_webhook, index) => (index === 0 ? "hang" : 200));
    const sender = createWebhookSender({
      appUrl: receiver.url,
      apiSecret: API_SECRET,
      subscriptions: SUBSCRIPTIONS,
      timeoutMs: 200,
      retry: TINY_RETRIES,
    });
    // When an event is sent
    const [outcome] = await sender.sendEvent(orderEvent(1));
    // Then the first attempt is logged as a timeout and the retry delivers it
    expect(sender.log.map((entry) => [entry.attempt, entry.status, entry.error])).toEqual([
      [1, null, "timeout"],
      [2, 200, null],
    ]);
    expect(sender.log[0].latencyMs).toBeGreaterThanOrEqual(195);
    expect(outcome.delivered).toBe(true);
  });

  it("gives up after Shopify's 8 retries", async () => {
    // Given an app that always fails
    receiver = await startTestReceiver(() => 503);
    const sender = createWebhookSender({
      appUrl: receiver.url,
      apiSecret: API_SECRET,
      subscriptions: SUBSCRIPTIONS,
      retry: TINY_RETRIES,
    });
    // When an event is sent
    const [outcome] = await sender.sendEvent(orderEvent(1));
    // Then it was tried once and retried 8 times, then reported undelivered
    expect(outcome).toMatchObject({ delivered: false, attempts: 9 });
    expect(receiver.received).toHaveLength(9);
  });

  it("counts a redirect as a failed attempt, as Shopify does", async () => {
    receiver = await startTestReceiver((_webhook, index) => (index === 0 ? 302 : 200));
    const sender = createWebhookSender({
      appUrl: receiver.url,
      apiSecret: API_SECRET,
      subscriptions: SUBSCRIPTIONS,
      retry: TINY_RETRIES,
    });
    const [outcome] = await sender.sendEvent(orderEvent(1));
    expect(outcome.attempts).toBe(2);
  });

  it("records every attempt in the delivery log", async () => {
    // Given an app that fails once
    receiver = await startTestReceiver((_webhook, index) => (index === 0 ? 500 : 200));
    const sender = createWebhookSender({
      appUrl: receiver.url,
      apiSecret: API_SECRET,
      subscriptions: SUBSCRIPTIONS,
      retry: TINY_RETRIES,
    });
    // When an event is sent
    const [outcome] = await sender.sendEvent(orderEvent(1));
    // Then the log holds both attempts with topic, shop, ids, status and latency
    expect(sender.log).toEqual([
      expect.objectContaining({
        topic: "orders/create",
        shop: shop.myshopifyDomain,
        path: "/webhooks/orders/create",
        attempt: 1,
        status: 500,
        ok: false,
      }),
      expect.objectContaining({ topic: "orders/create", attempt: 2, status: 200, ok: true }),
    ]);
    for (const entry of sender.log) {
      expect(entry).toMatchObject({ eventId: outcome.eventId, webhookId: outcome.webhookId });
      expect(entry.latencyMs).toBeGreaterThan(0);
    }
  });

  it("delivers duplicates with the event id of the original and new webhook ids", async () => {
    // Given a receiver
    receiver = await startTestReceiver();
    const sender = createWebhookSender({
      appUrl: receiver.url,
      apiSecret: API_SECRET,
      subscriptions: SUBSCRIPTIONS,
      seed: 7,
    });
    // When two events go out with two duplicates each
    await sender.deliverBatch([orderEvent(1), orderEvent(2)], { duplicates: 2 });
    // Then each event arrived 3 times under one event id, each time as its own webhook
    const byEvent = new Map<string, typeof receiver.received>();
    for (const request of receiver.received) {
      const eventId = request.headers["x-shopify-event-id"] as string;
      byEvent.set(eventId, [...(byEvent.get(eventId) ?? []), request]);
    }
    expect([...byEvent.values()].map((copies) => copies.length)).toEqual([3, 3]);
    for (const copies of byEvent.values()) {
      expect(new Set(copies.map((c) => c.headers["x-shopify-webhook-id"])).size).toBe(3);
      expect(new Set(copies.map((c) => c.rawBody)).size).toBe(1);
    }
  });

  it("can repeat the identical webhook, webhook id included", async () => {
    receiver = await startTestReceiver();
    const sender = createWebhookSender({ appUrl: receiver.url, apiSecret: API_SECRET, subscriptions: SUBSCRIPTIONS });
    await sender.deliverBatch([orderEvent(1)], { duplicates: 1, duplicateWebhookId: "same" });
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[0].headers["x-shopify-webhook-id"]).toBe(
      receiver.received[1].headers["x-shopify-webhook-id"],
    );
  });

  it("reorders a batch the same way for the same seed, and differently for another", async () => {
    // Given ten events
    const events = Array.from({ length: 10 }, (_, n) => orderEvent(n + 1));
    const arrivalOrder = async (seed: number) => {
      receiver = await startTestReceiver();
      const sender = createWebhookSender({
        appUrl: receiver.url,
        apiSecret: API_SECRET,
        subscriptions: SUBSCRIPTIONS,
        seed,
      });
      await sender.deliverBatch(events, { shuffle: true, duplicates: 1 });
      const order = receiver.received.map((r) => [
        JSON.parse(r.rawBody).id,
        r.headers["x-shopify-event-id"],
        r.headers["x-shopify-webhook-id"],
      ]);
      await receiver.close();
      receiver = undefined;
      return order;
    };
    // When the batch is shuffled twice with seed 42 and once with seed 43
    const first = await arrivalOrder(42);
    const again = await arrivalOrder(42);
    const other = await arrivalOrder(43);
    // Then seed 42 repeats exactly (order and ids), seed 43 differs, and nothing is lost
    expect(again).toEqual(first);
    expect(other.map(([id]) => id)).not.toEqual(first.map(([id]) => id));
    expect(first.map(([id]) => id).sort()).toEqual(events.flatMap((_, n) => [9001 + n, 9001 + n]).sort());
    expect(first.map(([id]) => id)).not.toEqual(events.flatMap((_, n) => [9001 + n, 9001 + n]));
  });

  it("waits the requested delay between deliveries of a batch", async () => {
    // Given a receiver noting arrival times
    const arrivals: number[] = [];
    receiver = await startTestReceiver(() => {
      arrivals.push(performance.now());
      return 200;
    });
    const sender = createWebhookSender({ appUrl: receiver.url, apiSecret: API_SECRET, subscriptions: SUBSCRIPTIONS });
    // When three events are delivered 60 ms apart
    await sender.deliverBatch([orderEvent(1), orderEvent(2), orderEvent(3)], { delayMs: 60 });
    // Then consecutive arrivals are at least ~60 ms apart
    expect(arrivals[1] - arrivals[0]).toBeGreaterThanOrEqual(55);
    expect(arrivals[2] - arrivals[1]).toBeGreaterThanOrEqual(55);
  });

  it("sends one webhook per subscription when two subscriptions share a topic", async () => {
    receiver = await startTestReceiver();
    const sender = createWebhookSender({
      appUrl: receiver.url,
      apiSecret: API_SECRET,
      subscriptions: { "orders/create": ["/webhooks/orders", "/webhooks/audit"] },
    });
    const outcomes = await sender.sendEvent(orderEvent(1));
    expect(receiver.received.map((r) => r.path).sort()).toEqual(["/webhooks/audit", "/webhooks/orders"]);
    expect(new Set(outcomes.map((o) => o.eventId)).size).toBe(1);
    expect(new Set(outcomes.map((o) => o.webhookId)).size).toBe(2);
  });

  it("refuses a topic the app has not subscribed to", async () => {
    receiver = await startTestReceiver();
    const sender = createWebhookSender({ appUrl: receiver.url, apiSecret: API_SECRET, subscriptions: SUBSCRIPTIONS });
    await expect(sender.sendEvent({ shop, topic: "customers/create", resource: customerRecord() })).rejects.toThrow(
      /no subscription for customers\/create/,
    );
  });

  it("drain waits for retries still pending", async () => {
    // Given an app failing once, and a send not awaited
    receiver = await startTestReceiver((_webhook, index) => (index === 0 ? 500 : 200));
    const sender = createWebhookSender({
      appUrl: receiver.url,
      apiSecret: API_SECRET,
      subscriptions: SUBSCRIPTIONS,
      retry: { factor: 1e-4 },
    });
    void sender.sendEvent(orderEvent(1));
    // When drained
    await sender.drain();
    // Then the retry has happened
    expect(sender.log.map((entry) => entry.status)).toEqual([500, 200]);
  });
});

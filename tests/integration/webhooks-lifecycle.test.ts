// Lifecycle and compliance webhooks through the built server: signed deliveries do exactly their job;
// forged, unsigned, malformed, truncated, oversized and unknown-shop deliveries are refused and change nothing.
import { randomUUID } from "node:crypto";
import http from "node:http";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { deleteJobs, testQueue } from "../support/queue";
import { startApp } from "../support/app-server";
import { exampleBody } from "../support/shopify-examples";
import { addCustomerWithOrders, installShop, rowsPerTable, snapshotShop } from "../support/shops";
import { postWebhook, sign, webhookHeaders } from "../support/webhooks";

/** POSTs `size` bytes with chunked transfer encoding (no Content-Length); resolves with the status, 0 on a reset. */
function postChunked(url: string, headers: Record<string, string>, size: number): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(
      url,
      { method: "POST", headers: { ...headers, "Transfer-Encoding": "chunked" } },
      (res) => {
        resolve(res.statusCode ?? 0);
        req.destroy();
      },
    );
    req.on("error", () => resolve(0));
    const chunk = Buffer.alloc(64 * 1024, "x");
    for (let sent = 0; sent < size; sent += chunk.length) req.write(chunk);
    req.end();
  });
}

const webhookHeadersFor = (shop: string, topic: string, body: string) => webhookHeaders({ shop, topic, body });

const SHOP_A = "ada-goods.myshopify.com";
const SHOP_B = "bangkok-tea.myshopify.com";
let appUrl: string;

beforeAll(async () => {
  ({ url: appUrl } = await startApp());
});

beforeEach(async () => {
  // Each test starts from the same two installed shops holding the same customer id.
  for (const table of [
    "session",
    "shop",
    "customer",
    "order",
    "job",
    "webhookDelivery",
    "complianceRequest",
    "customerState",
  ] as const) {
    await (prisma[table] as { deleteMany(): Promise<unknown> }).deleteMany();
  }
  for (const shop of [SHOP_A, SHOP_B]) await deleteJobs(shop);
  for (const shop of [SHOP_A, SHOP_B]) {
    await installShop(shop);
    await addCustomerWithOrders(shop, 191167, [299938, 280263]);
    await addCustomerWithOrders(shop, 555, [777]);
    await testQueue().enqueue(shop, "backfill", {});
  }
});

const deliver = (
  shop: string,
  topic: string,
  payload: unknown,
  extra: Partial<Parameters<typeof postWebhook>[2]> = {},
) => postWebhook(appUrl, `/webhooks/${topic}`, { shop, topic, body: JSON.stringify(payload), ...extra });

describe("app/uninstalled", () => {
  it("removes the shop's sessions, stops its jobs and marks it uninstalled, leaving other shops alone", async () => {
    const otherBefore = await snapshotShop(SHOP_B);
    // When Shopify reports the uninstall with its example body
    const response = await deliver(SHOP_A, "app/uninstalled", exampleBody("app/uninstalled"));
    // Then
    expect(response.status).toBe(200);
    const after = await snapshotShop(SHOP_A);
    expect(after.sessions).toEqual([]);
    expect(after.jobs.map((j) => j.state)).toEqual(["cancelled"]);
    expect(after.shopRow?.status).toBe("uninstalled");
    expect(after.customers).toHaveLength(2); // data waits for shop/redact
    expect(await snapshotShop(SHOP_B)).toEqual(otherBefore);
  });

  it("treats a repeated delivery (same webhook id) as a no-op", async () => {
    const webhookId = randomUUID();
    await deliver(SHOP_A, "app/uninstalled", exampleBody("app/uninstalled"), { webhookId });
    // Given the shop reinstalled in between
    await installShop(SHOP_A);
    const before = await snapshotShop(SHOP_A);
    // When the same delivery arrives again
    const response = await deliver(SHOP_A, "app/uninstalled", exampleBody("app/uninstalled"), { webhookId });
    // Then it is acknowledged and nothing changes
    expect(response.status).toBe(200);
    expect(await snapshotShop(SHOP_A)).toEqual(before);
  });
});

describe("app/scopes_update", () => {
  it("stores the new scopes on the shop's sessions and shop row", async () => {
    const body = { ...exampleBody("app/scopes_update"), current: ["read_orders", "read_customers"] };
    const response = await deliver(SHOP_A, "app/scopes_update", body);
    expect(response.status).toBe(200);
    const after = await snapshotShop(SHOP_A);
    expect(after.sessions.map((s) => s.scope)).toEqual(["read_orders,read_customers"]);
    expect(after.shopRow?.scope).toBe("read_orders,read_customers");
    expect((await snapshotShop(SHOP_B)).shopRow?.scope).not.toBe("read_orders,read_customers");
  });
});

describe("compliance topics", () => {
  it("customers/data_request records what is held about that customer", async () => {
    await prisma.customerState.create({
      data: {
        shop: SHOP_A,
        customerId: "gid://shopify/Customer/191167",
        segment: "loyal",
        tier: "gold",
        computedAt: new Date("2026-11-01T00:00:00Z"),
      },
    });
    const body = { ...exampleBody("customers/data_request"), shop_domain: SHOP_A };
    const response = await deliver(SHOP_A, "customers/data_request", body);
    expect(response.status).toBe(200);
    const [request] = (await snapshotShop(SHOP_A)).compliance;
    expect(request.topic).toBe("customers/data_request");
    expect(request.customerId).toBe("gid://shopify/Customer/191167");
    const summary = JSON.parse(request.summary);
    expect(summary.customer.email).toBe("c191167@example.com");
    expect(summary.orders.map((o: { id: string }) => o.id).sort()).toEqual([
      "gid://shopify/Order/280263",
      "gid://shopify/Order/299938",
    ]);
    expect(summary.orders[0].valueMinor).toBe("1250");
    expect(summary.state).toMatchObject({ segment: "loyal", tier: "gold" });
  });

  it("customers/data_request says a LINE link was in progress and when, never its state, PKCE verifier or nonce", async () => {
    const customerId = "gid://shopify/Customer/191167";
    await prisma.lineLoginAttempt.deleteMany({ where: { customerId } });
    const startedAt = new Date(Date.now() - 60_000);
    const expiresAt = new Date(startedAt.getTime() + 10 * 60_000);
    const attempt = (shop: string) => ({
      state: randomUUID(),
      shop,
      customerId,
      codeVerifier: `verifier-${randomUUID()}`,
      nonce: `nonce-${randomUUID()}`,
      redirectUri: `https://${shop}/apps/loyalty/line/callback`,
      locale: "th",
      createdAt: startedAt,
      expiresAt,
    });
    const inA = attempt(SHOP_A);
    const inB = attempt(SHOP_B); // the same customer id in another shop: not A's to report
    await prisma.lineLoginAttempt.createMany({ data: [inA, inB] });
    const body = { ...exampleBody("customers/data_request"), shop_domain: SHOP_A };
    expect((await deliver(SHOP_A, "customers/data_request", body)).status).toBe(200);
    const [request] = (await snapshotShop(SHOP_A)).compliance;
    expect(JSON.parse(request.summary).line.attempts).toEqual([
      { startedAt: startedAt.toISOString(), expiresAt: expiresAt.toISOString(), inProgress: true, locale: "th" },
    ]);
    for (const secret of [inA.state, inA.codeVerifier, inA.nonce, inB.state, inB.codeVerifier, inB.nonce])
      expect(request.summary).not.toContain(secret);
    await prisma.lineLoginAttempt.deleteMany({ where: { customerId } });
  });

  it("customers/redact erases exactly that customer and their orders in that shop", async () => {
    const otherShopBefore = await snapshotShop(SHOP_B);
    const body = { ...exampleBody("customers/redact"), shop_domain: SHOP_A };
    const response = await deliver(SHOP_A, "customers/redact", body);
    expect(response.status).toBe(200);
    const after = await snapshotShop(SHOP_A);
    expect(after.customers.map((c) => c.id)).toEqual(["gid://shopify/Customer/555"]);
    expect(after.orders.map((o) => o.id)).toEqual(["gid://shopify/Order/777"]);
    // The receipt holds counts only, nothing that identifies the customer.
    const receipt = after.compliance.find((c) => c.topic === "customers/redact");
    expect(receipt?.customerId).toBeNull();
    expect(receipt?.summary).not.toContain("191167");
    expect(await snapshotShop(SHOP_B)).toEqual(otherShopBefore);
  });

  it("customers/redact keeps ids above 2^53 exact (Shopify's REST ids do not fit a JS number)", async () => {
    // Given two customers whose ids differ only beyond double precision
    await prisma.customer.create({ data: { shop: SHOP_A, id: "gid://shopify/Customer/9007199254740993" } });
    await prisma.customer.create({ data: { shop: SHOP_A, id: "gid://shopify/Customer/9007199254740992" } });
    // When the redact names the first one, written as Shopify writes it: a bare JSON integer
    const body = `{"shop_id":954889,"shop_domain":"${SHOP_A}","customer":{"id":9007199254740993,"email":"x@example.com","phone":null},"orders_to_redact":[]}`;
    const response = await postWebhook(appUrl, "/webhooks/customers/redact", {
      shop: SHOP_A,
      topic: "customers/redact",
      body,
    });
    // Then exactly that customer is gone
    expect(response.status).toBe(200);
    const ids = (await snapshotShop(SHOP_A)).customers.map((c) => c.id);
    expect(ids).toContain("gid://shopify/Customer/9007199254740992");
    expect(ids).not.toContain("gid://shopify/Customer/9007199254740993");
  });

  it("shop/redact erases every row of that shop and keeps a redacted tombstone", async () => {
    // Given rows in the tables the sync and reconciliation write, too
    await prisma.customerSync.create({
      data: { shop: SHOP_A, customerId: "gid://shopify/Customer/1", tags: '["rfm:loyal"]' },
    });
    await prisma.syncRun.create({ data: { shop: SHOP_A, reason: "manual", status: "done" } });
    await prisma.syncSettings.create({ data: { shop: SHOP_A, rfmPrefix: "rfm:", tierPrefix: "tier:" } });
    await prisma.tierSegment.create({ data: { shop: SHOP_A, tierKey: "gold", segmentId: "gid://shopify/Segment/1" } });
    await prisma.reconcileRun.create({ data: { id: "reconcile-a", shop: SHOP_A, mode: "full", status: "done" } });
    const otherShopBefore = await snapshotShop(SHOP_B);
    const response = await deliver(SHOP_A, "shop/redact", { ...exampleBody("shop/redact"), shop_domain: SHOP_A });
    expect(response.status).toBe(200);
    const after = await snapshotShop(SHOP_A);
    expect(after).toMatchObject({ sessions: [], customers: [], orders: [], jobs: [] });
    expect(after.shopRow?.status).toBe("redacted");
    // Every table with a shop column is empty for it but the tombstone (no receipt or dedupe row keeps the domain)
    const left = Object.entries(await rowsPerTable(SHOP_A)).filter(([, n]) => n > 0);
    expect(Object.fromEntries(left)).toEqual({ Shop: 1 });
    expect(await snapshotShop(SHOP_B)).toEqual(otherShopBefore);
    // And a repeat (Shopify delivers at least once) is still acknowledged.
    const again = await deliver(SHOP_A, "shop/redact", { ...exampleBody("shop/redact"), shop_domain: SHOP_A });
    expect(again.status).toBe(200);
  });
});

describe("refused deliveries change nothing", () => {
  const redact = () => JSON.stringify({ ...exampleBody("customers/redact"), shop_domain: SHOP_A });
  const cases: [string, number, () => Promise<Response>][] = [
    [
      "a forged HMAC",
      401,
      () => deliver(SHOP_A, "customers/redact", JSON.parse(redact()), { hmac: sign("x", "guess") }),
    ],
    ["no HMAC header (unsigned)", 400, () => deliver(SHOP_A, "customers/redact", JSON.parse(redact()), { hmac: null })],
    [
      "a truncated body",
      401,
      () => {
        const body = redact();
        return postWebhook(appUrl, "/webhooks/customers/redact", {
          shop: SHOP_A,
          topic: "customers/redact",
          body: body.slice(0, body.length - 10),
          hmac: sign(body),
        });
      },
    ],
    [
      "a signed body that is not JSON",
      400,
      () =>
        postWebhook(appUrl, "/webhooks/customers/redact", {
          shop: SHOP_A,
          topic: "customers/redact",
          body: "{not json",
        }),
    ],
    ["a signed body of the wrong shape", 400, () => deliver(SHOP_A, "customers/redact", { shop_domain: SHOP_A })],
    [
      "a body naming another shop",
      400,
      () => deliver(SHOP_A, "customers/redact", { ...exampleBody("customers/redact"), shop_domain: SHOP_B }),
    ],
    [
      "a shop that never installed the app",
      404,
      () =>
        deliver("stranger.myshopify.com", "customers/redact", {
          ...exampleBody("customers/redact"),
          shop_domain: "stranger.myshopify.com",
        }),
    ],
    [
      "a shop domain that is not *.myshopify.com",
      400,
      () =>
        deliver("evil.example.com", "customers/redact", {
          ...exampleBody("customers/redact"),
          shop_domain: "evil.example.com",
        }),
    ],
    [
      "a topic sent to another topic's endpoint",
      400,
      () => postWebhook(appUrl, "/webhooks/customers/redact", { shop: SHOP_A, topic: "shop/redact", body: redact() }),
    ],
    [
      "an oversized body",
      413,
      () => {
        const body = JSON.stringify({ ...JSON.parse(redact()), padding: "x".repeat(3 * 1024 * 1024) });
        return postWebhook(appUrl, "/webhooks/customers/redact", { shop: SHOP_A, topic: "customers/redact", body });
      },
    ],
  ];

  for (const [what, status, send] of cases) {
    it(`refuses ${what} with ${status}`, async () => {
      const before = [await snapshotShop(SHOP_A), await snapshotShop(SHOP_B)];
      const response = await send();
      expect(response.status).toBe(status);
      expect([await snapshotShop(SHOP_A), await snapshotShop(SHOP_B)]).toEqual(before);
      expect(await prisma.shop.count()).toBe(2);
    });
  }

  it("refuses an oversized body sent in chunks without Content-Length, without reading it all", async () => {
    const before = [await snapshotShop(SHOP_A), await snapshotShop(SHOP_B)];
    // The server answers 413 and closes; a client still sending may see the reset instead (status 0).
    const status = await postChunked(
      `${appUrl}/webhooks/customers/redact`,
      webhookHeadersFor(SHOP_A, "customers/redact", "{}"),
      8 * 1024 * 1024,
    );
    expect([413, 0]).toContain(status);
    expect([await snapshotShop(SHOP_A), await snapshotShop(SHOP_B)]).toEqual(before);
  });

  it("refuses a GET with 405", async () => {
    const response = await fetch(`${appUrl}/webhooks/app/uninstalled`, { method: "GET" });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
  });
});

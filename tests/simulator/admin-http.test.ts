// Real HTTP against listen(): token exchange as @shopify/shopify-api 12.3 performs it, 401s, versions, and faults.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAdminSimulator, type AdminSimulator } from "../../simulator/admin/index";
import { seedDemoShop } from "../../simulator/admin/demo-shop";

const API_KEY = "test-api-key";
const API_SECRET = "test-api-secret";
let sim: AdminSimulator;
let server: { url: string; close: () => Promise<void> };
let shop: string;

beforeEach(async () => {
  sim = createAdminSimulator({ apiKey: API_KEY, apiSecret: API_SECRET });
  shop = seedDemoShop(sim).domain;
  server = await sim.listen();
});
afterEach(async () => {
  await server.close();
  await sim.dispose();
});

/** The body shopify-api's tokenExchange() posts (lib/auth/oauth/token-exchange.mjs). */
function exchange(
  subjectToken: string,
  requested = "urn:shopify:params:oauth:token-type:offline-access-token",
  expiring = "0",
) {
  return fetch(`${server.url}/store/${shop}/admin/oauth/access_token`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({
      client_id: API_KEY,
      client_secret: API_SECRET,
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      subject_token: subjectToken,
      subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
      requested_token_type: requested,
      expiring,
    }),
  });
}

function graphql(token: string | null, query: string, version = "2026-04") {
  return fetch(`${server.url}/store/${shop}/admin/api/${version}/graphql.json`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(token ? { "X-Shopify-Access-Token": token } : {}) },
    body: JSON.stringify({ query }),
  });
}

describe("token exchange", () => {
  it("issues an offline token for a valid session token, and that token reads the shop", async () => {
    // Given a session token App Bridge would mint for this shop
    const response = await exchange(sim.tokens.sessionToken(shop));
    // Then an access token comes back in the fields createSession() reads
    expect(response.status).toBe(200);
    const body = (await response.json()) as { access_token: string; scope: string };
    expect(body.access_token).toMatch(/^shpat_/);
    expect(body.scope).toContain("read_customers");
    // And it authenticates GraphQL calls
    const shopResponse = await graphql(body.access_token, "{ shop { myshopifyDomain } }");
    expect(((await shopResponse.json()) as any).data.shop.myshopifyDomain).toBe(shop);
  });

  it("issues an online token with associated_user when asked for one", async () => {
    const response = await exchange(
      sim.tokens.sessionToken(shop, { sub: "42" }),
      "urn:shopify:params:oauth:token-type:online-access-token",
    );
    const body = (await response.json()) as any;
    expect(body.associated_user.id).toBe(42);
    expect(body.expires_in).toBeGreaterThan(0);
  });

  it("returns expires_in and a refresh token for expiring offline tokens", async () => {
    const body = (await (await exchange(sim.tokens.sessionToken(shop), undefined, "1")).json()) as any;
    expect(body).toMatchObject({
      expires_in: 3600,
      refresh_token: expect.stringMatching(/^shprt_/),
      refresh_token_expires_in: expect.any(Number),
    });
  });

  it.each([
    ["expired", () => sim.tokens.sessionToken(shop, { exp: Math.floor(Date.now() / 1000) - 3600 })],
    ["signed with another secret", () => sim.tokens.sessionToken(shop, {}, "not-the-secret")],
    ["for another app (aud)", () => sim.tokens.sessionToken(shop, { aud: "another-app" })],
    ["for another shop (dest)", () => sim.tokens.sessionToken(shop, { dest: "https://other.myshopify.com" })],
  ])("refuses a session token %s with 400 invalid_subject_token", async (_case, token) => {
    // When the token is exchanged
    const response = await exchange(token());
    // Then Shopify's answer, which shopify-app-remix turns into a session-token retry, comes back
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: "invalid_subject_token" });
  });
});

describe("GraphQL endpoint", () => {
  it("answers 401 without an access token", async () => {
    const response = await graphql(null, "{ shop { name } }");
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      errors: "[API] Invalid API key or access token (unrecognized login or wrong password)",
    });
  });

  it("answers 401 with a token of another shop", async () => {
    sim.shops.addShop({ ...sim.shops.getShop(shop)!.record, myshopifyDomain: "other.myshopify.com" });
    const otherToken = sim.tokens.issue("other.myshopify.com");
    expect((await graphql(otherToken, "{ shop { name } }")).status).toBe(401);
  });

  it("answers 404 for an API version other than 2026-04", async () => {
    const response = await graphql(sim.tokens.issue(shop), "{ shop { name } }", "2025-10");
    expect(response.status).toBe(404);
  });

  it("logs every request with its cost", async () => {
    const token = sim.tokens.issue(shop);
    await graphql(token, "{ shop { name } }");
    expect(sim.requests.forShop(shop)).toEqual([
      expect.objectContaining({
        endpoint: "graphql",
        document: "{ shop { name } }",
        status: 200,
        requestedCost: 1,
        actualCost: 1,
        throttled: false,
      }),
    ]);
  });
});

describe("fault injection", () => {
  it("answers 429 with Retry-After once, then normally", async () => {
    const token = sim.tokens.issue(shop);
    sim.faults.inject({ kind: "http", status: 429, retryAfter: 3 });
    const throttled = await graphql(token, "{ shop { name } }");
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("3");
    expect((await graphql(token, "{ shop { name } }")).status).toBe(200);
  });

  it.each([500, 502, 503] as const)("answers %i when told to", async (status) => {
    const token = sim.tokens.issue(shop);
    sim.faults.inject({ kind: "http", status });
    expect((await graphql(token, "{ shop { name } }")).status).toBe(status);
  });

  it("answers slowly when told to", async () => {
    const token = sim.tokens.issue(shop);
    sim.faults.inject({ kind: "slow", ms: 150 });
    const started = performance.now();
    const response = await graphql(token, "{ shop { name } }");
    expect(response.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("resets the connection when told to", async () => {
    const token = sim.tokens.issue(shop);
    sim.faults.inject({ kind: "reset" });
    await expect(graphql(token, "{ shop { name } }")).rejects.toThrow();
  });

  it("answers THROTTLED for a storm of requests, whatever the bucket holds", async () => {
    const token = sim.tokens.issue(shop);
    sim.faults.inject({ kind: "throttled" }, { times: 3 });
    const codes = [];
    for (let i = 0; i < 4; i++) {
      const body = (await (await graphql(token, "{ shop { name } }")).json()) as any;
      codes.push(body.errors?.[0]?.extensions?.code ?? "ok");
    }
    expect(codes).toEqual(["THROTTLED", "THROTTLED", "THROTTLED", "ok"]);
  });

  it("faults only the shop it was aimed at", async () => {
    sim.shops.addShop({ ...sim.shops.getShop(shop)!.record, myshopifyDomain: "other.myshopify.com" });
    sim.faults.inject({ kind: "http", status: 503 }, { shop: "other.myshopify.com" });
    expect((await graphql(sim.tokens.issue(shop), "{ shop { name } }")).status).toBe(200);
  });
});

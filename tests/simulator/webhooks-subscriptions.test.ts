// Subscriptions read from shopify.app.toml, Shopify's retry schedule, and the signature helper.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  parseAppTomlWebhooks,
  retryDelays,
  SHOPIFY_RETRY_DELAYS_MS,
  signWebhookBody,
  subscriptionsFromMap,
} from "../../simulator/webhooks";

describe("shopify.app.toml subscriptions", () => {
  it("reads topics, compliance topics and uris from [[webhooks.subscriptions]]", () => {
    // Given the webhook part of an app config, with comments, a multi-line array and keys the reader ignores
    const toml = `
client_id = "abc"
[webhooks]
api_version = "2026-04" # one version everywhere

  [[webhooks.subscriptions]]
  topics = [
    "orders/create", # new orders
    'orders/updated',
  ]
  uri = "/webhooks/orders"
  filter = "test:false"

  [[webhooks.subscriptions]]
  compliance_topics = ["customers/redact", "shop/redact"]
  uri = "https://loyalty.example.com/webhooks/compliance"

[pos]
embedded = false
`;
    // When it is parsed
    const parsed = parseAppTomlWebhooks(toml);
    // Then every topic maps to its path, full URLs reduced to their path
    expect(parsed).toEqual({
      apiVersion: "2026-04",
      subscriptions: [
        { topic: "orders/create", path: "/webhooks/orders", compliance: false },
        { topic: "orders/updated", path: "/webhooks/orders", compliance: false },
        { topic: "customers/redact", path: "/webhooks/compliance", compliance: true },
        { topic: "shop/redact", path: "/webhooks/compliance", compliance: true },
      ],
    });
  });

  it("refuses a subscription block without a uri", () => {
    expect(() => parseAppTomlWebhooks(`[[webhooks.subscriptions]]\ntopics = ["orders/create"]\n`)).toThrow(/no uri/);
  });

  it("reads the app's own shopify.app.toml, including the three compliance topics", () => {
    // Given the project's app config
    const parsed = parseAppTomlWebhooks(readFileSync("shopify.app.toml", "utf8"));
    // Then it has the project's API version and a path for each mandatory compliance topic
    expect(parsed.apiVersion).toBe("2026-04");
    const compliance = parsed.subscriptions
      .filter((s) => s.compliance)
      .map((s) => s.topic)
      .sort();
    expect(compliance).toEqual(["customers/data_request", "customers/redact", "shop/redact"]);
    for (const subscription of parsed.subscriptions) expect(subscription.path).toMatch(/^\//);
  });

  it("accepts a plain topic → path map", () => {
    expect(subscriptionsFromMap({ "orders/create": "/a", "orders/paid": ["/b", "/c"] })).toEqual([
      { topic: "orders/create", path: "/a", compliance: false },
      { topic: "orders/paid", path: "/b", compliance: false },
      { topic: "orders/paid", path: "/c", compliance: false },
    ]);
  });
});

describe("retry schedule", () => {
  it("retries 8 times over 4 hours with growing waits", () => {
    expect(SHOPIFY_RETRY_DELAYS_MS).toHaveLength(8);
    expect(SHOPIFY_RETRY_DELAYS_MS.reduce((sum, delay) => sum + delay, 0)).toBeCloseTo(4 * 60 * 60 * 1000, -1);
    for (let k = 1; k < 8; k++) expect(SHOPIFY_RETRY_DELAYS_MS[k]).toBeGreaterThan(SHOPIFY_RETRY_DELAYS_MS[k - 1]);
  });

  it("scales every wait by the factor tests give it", () => {
    expect(retryDelays({ factor: 0.001 })).toEqual(SHOPIFY_RETRY_DELAYS_MS.map((delay) => delay * 0.001));
  });
});

describe("signWebhookBody", () => {
  it("is base64 HMAC-SHA256 of the body with the secret (RFC 4231 test case 2)", () => {
    const expected = Buffer.from("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", "hex").toString(
      "base64",
    );
    expect(signWebhookBody("what do ya want for nothing?", "Jefe")).toBe(expected);
  });

  it("signs a string as its UTF-8 bytes", () => {
    const body = JSON.stringify({ first_name: "Zoë", city: "東京" });
    expect(signWebhookBody(body, "s")).toBe(signWebhookBody(Buffer.from(body, "utf8"), "s"));
    expect(signWebhookBody(body, "s")).not.toBe(signWebhookBody(Buffer.from(body, "latin1"), "s"));
  });
});

// The embedded admin through the built server: only requests carrying a valid App Bridge session token get in.
import { beforeAll, describe, expect, it } from "vitest";
import { adminHostParam, mintSessionToken } from "../../simulator/app-bridge/session-token";
import { startApp } from "../support/app-server";
import { installShop } from "../support/shops";
import { BROWSER_HEADERS, TEST_API_KEY, TEST_API_SECRET } from "../support/test-env";

const SHOP = "ada-goods.myshopify.com";
let appUrl: string;

beforeAll(async () => {
  await installShop(SHOP);
  ({ url: appUrl } = await startApp());
});

const token = (overrides: Parameters<typeof mintSessionToken>[0]["overrides"] = {}, secret = TEST_API_SECRET) =>
  mintSessionToken({ shop: SHOP, apiKey: TEST_API_KEY, apiSecret: secret, overrides });

const documentUrl = (idToken?: string) => {
  const params = new URLSearchParams({ embedded: "1", shop: SHOP, host: adminHostParam(SHOP) });
  if (idToken) params.set("id_token", idToken);
  return `${appUrl}/app?${params}`;
};

describe("embedded admin authentication", () => {
  it("serves the dashboard to a document request with a valid session token", async () => {
    // Given an installed shop / When Shopify admin loads the app with a fresh id_token
    const response = await fetch(documentUrl(token()), { redirect: "manual", headers: BROWSER_HEADERS });
    // Then the page renders the shop's install state
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain(SHOP);
    expect(html).toContain("installed");
  });

  it("serves loader data to a fetch request with a valid bearer token", async () => {
    const response = await fetch(`${appUrl}/app?_data=routes%2Fapp._index`, {
      headers: { ...BROWSER_HEADERS, Authorization: `Bearer ${token()}` },
    });
    expect(response.status).toBe(200);
    const data = await response.json();
    expect(data).toMatchObject({ shop: SHOP, status: "installed" });
  });

  it("sends a document request without a token to App Bridge's session-token bounce page", async () => {
    const response = await fetch(documentUrl(), { redirect: "manual", headers: BROWSER_HEADERS });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toContain("/auth/session-token");
  });

  const refused: [string, () => string][] = [
    ["expired", () => token({ exp: Math.floor(Date.now() / 1000) - 120, iat: Math.floor(Date.now() / 1000) - 180 })],
    ["for another app (wrong audience)", () => token({ aud: "someone-elses-api-key" })],
    ["signed with the wrong secret", () => token({}, "not-the-secret")],
    ["not a JWT at all", () => "garbage.token.value"],
  ];

  for (const [what, make] of refused) {
    it(`refuses a fetch request whose token is ${what} with 401`, async () => {
      const response = await fetch(`${appUrl}/app?_data=routes%2Fapp._index`, {
        headers: { ...BROWSER_HEADERS, Authorization: `Bearer ${make()}` },
      });
      expect(response.status).toBe(401);
      expect(response.headers.get("X-Shopify-Retry-Invalid-Session-Request")).toBe("1");
    });
  }

  it("answers a fetch request with no token and no shop with a redirect to login, and no data", async () => {
    const response = await fetch(`${appUrl}/app?_data=routes%2Fapp._index`, {
      redirect: "manual",
      headers: BROWSER_HEADERS,
    });
    // Remix turns the loader's redirect into 204 + X-Remix-Redirect for data requests.
    expect(response.headers.get("x-remix-redirect")).toBe("/auth/login");
    expect(await response.text()).toBe("");
  });
});

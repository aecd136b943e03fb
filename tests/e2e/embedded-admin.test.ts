// The embedded admin in real Chromium, through the App Bridge double, as `npm run demo` serves it: the session
// token bounce, App Bridge's fetch that carries the token, and no request leaving the machine.
import { beforeAll, describe, expect, it } from "vitest";
import { adminHostParam } from "../../simulator/app-bridge/session-token";
import { newPage } from "../support/browser";
import { startLocalShopifyAndApp, testShopRecord } from "../support/local-shopify";

const SHOP = "ada-goods.myshopify.com";
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;

beforeAll(async () => {
  env = await startLocalShopifyAndApp();
  env.shopify.admin.shops.addShop(testShopRecord(SHOP));
  env.shopify.install(SHOP);
});

describe("embedded admin in a browser", () => {
  it("opens without a token, bounces through App Bridge for one, installs and shows the dashboard", async () => {
    const { page, errors } = await newPage();
    const url = `${env.app.url}/app?${new URLSearchParams({ embedded: "1", shop: SHOP, host: adminHostParam(SHOP) })}`;
    await page.goto(url, { waitUntil: "networkidle" });
    // The bounce page asked App Bridge for a session token and reloaded with it.
    expect(new URL(page.url()).searchParams.get("id_token")).toBeTruthy();
    await expect.poll(() => page.getByText(SHOP).count()).toBeGreaterThan(0);
    expect(await page.getByText("Installed", { exact: true }).count()).toBe(1);
    // App Bridge's element renders nothing inside the app.
    expect(await page.locator("ui-nav-menu").isVisible()).toBe(false);
    expect(errors).toEqual([]);
  });

  it("client-side data requests carry App Bridge's session token and are answered", async () => {
    const { page, errors } = await newPage();
    const url = `${env.app.url}/app?${new URLSearchParams({ embedded: "1", shop: SHOP, host: adminHostParam(SHOP) })}`;
    await page.goto(url, { waitUntil: "networkidle" });
    const answer = await page.evaluate(async () => {
      const token = await (window as unknown as { shopify: { idToken(): Promise<string> } }).shopify.idToken();
      const response = await fetch("/app?_data=routes%2Fapp._index");
      return { tokenParts: token.split(".").length, status: response.status, body: await response.json() };
    });
    expect(answer.tokenParts).toBe(3);
    expect(answer.status).toBe(200);
    expect(answer.body.shop).toBe(SHOP);
    expect(errors).toEqual([]);
  });

  it("App Bridge's config, toast and loading work as the app's pages call them", async () => {
    const { page, errors } = await newPage();
    const url = `${env.app.url}/app?${new URLSearchParams({ embedded: "1", shop: SHOP, host: adminHostParam(SHOP) })}`;
    await page.goto(url, { waitUntil: "networkidle" });
    const config = await page.evaluate(
      () => (window as unknown as { shopify: { config: Record<string, string> } }).shopify.config,
    );
    expect(config).toMatchObject({ shop: SHOP, apiKey: "test-api-key-0000", locale: "en" });
    await page.evaluate(() => {
      const bridge = (
        window as unknown as { shopify: { toast: { show(m: string): void }; loading(on: boolean): void } }
      ).shopify;
      bridge.toast.show("Tiers saved");
      bridge.loading(true);
    });
    await expect.poll(() => page.getByRole("status").filter({ hasText: "Tiers saved" }).count()).toBe(1);
    expect(await page.evaluate(() => document.documentElement.getAttribute("data-simulator-loading"))).toBe("true");
    expect(errors).toEqual([]);
  });

  it("needs nothing from the internet but Shopify's own App Bridge preload on the bounce page", async () => {
    const { page, offline } = await newPage();
    const url = `${env.app.url}/app?${new URLSearchParams({ embedded: "1", shop: SHOP, host: adminHostParam(SHOP) })}`;
    await page.goto(url, { waitUntil: "networkidle" });
    // The library's bounce page always preloads Shopify's CDN copy; the app's own pages preload the local one.
    expect(offline.filter((u) => u !== "https://cdn.shopify.com/shopifycloud/app-bridge.js")).toEqual([]);
  });
});

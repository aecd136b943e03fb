// The admin before there is anything to show: a shop just installed, its history not imported yet. Every page
// renders and says so (no error, no empty table pretending to be data).
import { beforeAll, describe, expect, it } from "vitest";
import { newPage } from "../support/browser";
import { openApp, startLocalShopifyAndApp, testShopRecord } from "../support/local-shopify";
import { adminHostParam } from "../../simulator/app-bridge/session-token";

const SHOP = "brand-new.myshopify.com";
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;
const url = (pathname: string) => `${env.app.url}${pathname}?${new URLSearchParams({ embedded: "1", shop: SHOP, host: adminHostParam(SHOP) })}`;

beforeAll(async () => {
  env = await startLocalShopifyAndApp();
  env.shopify.admin.shops.addShop(testShopRecord(SHOP));
  env.shopify.install(SHOP);
  expect((await openApp(env.app.url, env.shopify, SHOP)).status).toBe(200); // installed; the backfill is only queued
});

describe("a shop with nothing imported yet", () => {
  it.each([
    ["/app", "Not scored yet: scores follow the backfill."],
    // The import is queued (nobody runs the jobs in this test): the page says it is on its way.
    ["/app/segments", /Importing your store's history: 0 of/],
    ["/app/customers", "No customers yet"],
    ["/app/tiers", "The default programme: edit and save it to make it yours"],
    ["/app/settings", "Nothing to export until customers are scored."],
  ] as [string, string | RegExp][])("%s says there is nothing yet", async (path, text) => {
    const { page, errors } = await newPage();
    const response = await page.goto(url(path), { waitUntil: "networkidle" });
    expect(response?.status()).toBe(200);
    await expect.poll(() => page.getByText(text).count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });
});

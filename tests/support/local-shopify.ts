// A local Shopify (simulator) for this test file, and the built app pointed at it — as `npm run demo` does.
import { afterAll } from "vitest";
import { createLocalShopify, type LocalShopifyOptions } from "../../simulator/local-shopify";
import type { ShopRecord } from "../../simulator/shop-file/types";
import { adminHostParam } from "../../simulator/app-bridge/session-token";
import { startApp } from "./app-server";
import { prisma } from "../../app/db.server";
import { createAdminClient } from "../../app/shopify/client";
import { fetchTransport } from "../../app/shopify/transport.server";
import { API_VERSION } from "../../app/shopify/api-version";
import { BROWSER_HEADERS, TEST_API_KEY, TEST_API_SECRET } from "./test-env";
import { APP_APPROVAL } from "./approval";

export async function startLocalShopifyAndApp(options: Partial<LocalShopifyOptions> = {}) {
  // The app is approved for protected customer data with the name and email fields (what it reads of customers), said
  // here rather than assumed by the simulator; a test installs without approval with install(shop, { protectedCustomerData: { level: 0 } }).
  const shopify = createLocalShopify({
    apiKey: TEST_API_KEY,
    apiSecret: TEST_API_SECRET,
    protectedCustomerData: APP_APPROVAL,
    ...options,
  });
  const simulator = await shopify.listen();
  afterAll(() => simulator.close());
  // The app reads its environment once, when the build is first imported: point it at this simulator first.
  process.env.SHOPIFY_ADMIN_API_ORIGIN = simulator.url;
  process.env.APP_BRIDGE_URL = shopify.appBridgeUrl;
  const app = await startApp({ publicUrl: true });
  shopify.connectApp(app.url);
  /**
   * The Admin API client the app's jobs use for an installed shop (its offline token), against this local Shopify.
   * Short backoff, so fault storms do not make tests slow (the policy itself is tested in the gateway tests).
   */
  const clientFor = async (shop: string) => {
    const session = await prisma.session.findUniqueOrThrow({ where: { id: `offline_${shop}` } });
    const endpoint = `${simulator.url}/store/${shop}/admin/api/${API_VERSION}/graphql.json`;
    return createAdminClient({
      shop,
      transport: fetchTransport({ shop, accessToken: session.accessToken, endpoint }),
      backoff: { baseMs: 5, maxMs: 50 },
    });
  };
  return { shopify, app, clientFor };
}

/** What Shopify admin does when a merchant opens the app: load it with a fresh session token. */
export function openApp(appUrl: string, shopify: ReturnType<typeof createLocalShopify>, shop: string, path = "/app") {
  const params = new URLSearchParams({
    embedded: "1",
    shop,
    host: adminHostParam(shop),
    id_token: shopify.admin.tokens.sessionToken(shop),
  });
  return fetch(`${appUrl}${path}?${params}`, { headers: BROWSER_HEADERS, redirect: "manual" });
}

/** A simulated shop's record for tests that need one shop and no history. */
export function testShopRecord(domain: string, overrides: Partial<ShopRecord> = {}): ShopRecord {
  return {
    __typename: "Shop",
    id: "gid://shopify/Shop/1",
    name: "Ada Goods",
    myshopifyDomain: domain,
    email: `owner@${domain}`,
    currencyCode: "USD",
    ianaTimezone: "America/New_York",
    primaryLocale: "en",
    plan: "standard",
    ...overrides,
  };
}

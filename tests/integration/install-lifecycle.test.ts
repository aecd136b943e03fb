// Install and uninstall against the local Shopify: token exchange through the simulator switch, afterAuth, and
// the app/uninstalled webhook delivered by the simulator's sender.
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { openApp, startLocalShopifyAndApp, testShopRecord } from "../support/local-shopify";

const SHOP = "ada-goods.myshopify.com";
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;

beforeAll(async () => {
  env = await startLocalShopifyAndApp();
  env.shopify.admin.shops.addShop(testShopRecord(SHOP));
});

describe("install through token exchange", () => {
  it("the first admin load exchanges the session token, stores the offline session and marks the shop installed", async () => {
    // Given Shopify installed the app (managed install)
    env.shopify.install(SHOP);
    // When the merchant opens the app
    const response = await openApp(env.app.url, env.shopify, SHOP);
    // Then the page renders, the simulator issued a token, and the app holds it
    expect(response.status).toBe(200);
    const session = await prisma.session.findUnique({ where: { id: `offline_${SHOP}` } });
    expect(session?.accessToken).toMatch(/^shpat_/);
    expect((await prisma.shop.findUnique({ where: { shop: SHOP } }))?.status).toBe("installed");
    expect(env.shopify.admin.requests.entries.some((r) => r.endpoint === "token")).toBe(true);
  });

  it("a session token the simulator did not sign is refused and nothing is stored", async () => {
    const before = await prisma.session.count();
    const forged = env.shopify.admin.tokens.sessionToken(SHOP, {}, "someone-elses-secret");
    const response = await fetch(`${env.app.url}/app?_data=routes%2Fapp`, {
      headers: { Authorization: `Bearer ${forged}`, "User-Agent": "Mozilla/5.0 Chrome/156" },
    });
    expect(response.status).toBe(401);
    expect(await prisma.session.count()).toBe(before);
  });
});

describe("uninstall", () => {
  it("Shopify's app/uninstalled webhook removes the shop's sessions and marks it uninstalled", async () => {
    const [outcome] = await env.shopify.uninstall(SHOP);
    expect(outcome).toMatchObject({ delivered: true, attempts: 1, path: "/webhooks/app/uninstalled" });
    expect(await prisma.session.count({ where: { shop: SHOP } })).toBe(0);
    expect((await prisma.shop.findUnique({ where: { shop: SHOP } }))?.status).toBe("uninstalled");
  });
});

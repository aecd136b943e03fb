// shop/update through the built app: the local Shopify announces a renamed shop (Shopify's REST Shop body, checked
// against the published schema), signed; the app keeps Shop.name (what LINE messages are signed with) current. A forged
// delivery is refused; a delivery raised before the one the settings came from changes nothing; another shop's row is
// untouched.
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { openApp, startLocalShopifyAndApp, testShopRecord } from "../support/local-shopify";
import { postWebhook, sign } from "../support/webhooks";
import { exampleBody } from "../support/shopify-examples";

const A = "shop-update-a.myshopify.com";
const B = "shop-update-b.myshopify.com";
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;

beforeAll(async () => {
  env = await startLocalShopifyAndApp();
  for (const shop of [A, B]) {
    env.shopify.admin.shops.addShop(testShopRecord(shop, { ianaTimezone: "Asia/Bangkok" }));
    env.shopify.install(shop);
    expect((await openApp(env.app.url, env.shopify, shop)).status).toBe(200);
  }
  await prisma.shop.updateMany({ where: { shop: { in: [A, B] } }, data: { name: "Ada Goods" } });
}, 60_000);

const row = (shop: string) => prisma.shop.findUniqueOrThrow({ where: { shop } });

describe("shop/update", () => {
  it("the merchant renames the shop: the signed webhook updates Shop.name; forged and older deliveries change nothing", async () => {
    env.shopify.admin.renameShop(A, "Ada Goods Bangkok");
    await env.shopify.webhooks.drain();
    const delivered = env.shopify.webhooks.log.filter((d) => d.topic === "shop/update" && d.shop === A);
    expect(delivered).toEqual([expect.objectContaining({ ok: true, path: "/webhooks/shop/update" })]);
    const after = await row(A);
    expect(after).toMatchObject({ name: "Ada Goods Bangkok", timezone: "Asia/Bangkok" });
    expect(after.settingsAt!.toISOString()).toBe(delivered[0].triggeredAt);
    expect(await row(B)).toMatchObject({ name: "Ada Goods" });

    const body = (name: string) =>
      JSON.stringify({ ...exampleBody("shop/update"), name, iana_timezone: "Europe/London" });
    // Forged: not signed with the app's secret
    const forgedBody = body("Forged name");
    const forged = await postWebhook(env.app.url, "/webhooks/shop/update", {
      shop: A,
      topic: "shop/update",
      body: forgedBody,
      hmac: sign(forgedBody, "someone-else's-secret"),
    });
    expect(forged.status).toBe(401);
    // Signed, but raised before the rename already taken: Shopify's late delivery of an older change
    const older = await postWebhook(env.app.url, "/webhooks/shop/update", {
      shop: A,
      topic: "shop/update",
      body: body("Older name"),
      webhookId: randomUUID(),
      headers: { "X-Shopify-Triggered-At": new Date(after.settingsAt!.getTime() - 60_000).toISOString() },
    });
    expect(older.status).toBe(200);
    expect(await row(A)).toMatchObject({ name: "Ada Goods Bangkok", timezone: "Asia/Bangkok" });
    // A body that does not match the topic (no name) is refused and changes nothing
    const nameless = JSON.stringify({ ...exampleBody("shop/update"), name: "" });
    const refused = await postWebhook(env.app.url, "/webhooks/shop/update", {
      shop: A,
      topic: "shop/update",
      body: nameless,
    });
    expect(refused.status).toBe(400);
    // A newer one with a time zone takes both
    const newer = await postWebhook(env.app.url, "/webhooks/shop/update", {
      shop: A,
      topic: "shop/update",
      body: body("Ada Goods London"),
      headers: { "X-Shopify-Triggered-At": new Date(after.settingsAt!.getTime() + 60_000).toISOString() },
    });
    expect(newer.status).toBe(200);
    expect(await row(A)).toMatchObject({ name: "Ada Goods London", timezone: "Europe/London" });
    expect(await row(B)).toMatchObject({ name: "Ada Goods", timezone: null });
  });
});

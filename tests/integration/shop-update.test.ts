// shop/update through the built app: the local Shopify announces a renamed shop (Shopify's REST Shop body, checked
// against the published schema), signed; the app keeps Shop.name (what LINE messages are signed with) current. A forged
// delivery is refused; a delivery raised before the one the settings came from changes nothing; another shop's row is
// untouched. The backfill's read of the settings stamps Shop.settingsAt with the moment it began: an older delivery
// after it changes nothing, one raised during the read is not overwritten.
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { openApp, startLocalShopifyAndApp, testShopRecord } from "../support/local-shopify";
import { postWebhook, sign } from "../support/webhooks";
import { exampleBody } from "../support/shopify-examples";

const A = "shop-update-a.myshopify.com";
const B = "shop-update-b.myshopify.com";
const C = "shop-update-c.myshopify.com";
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;

beforeAll(async () => {
  env = await startLocalShopifyAndApp();
  for (const shop of [A, B, C]) {
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

  it("the backfill's read stamps settingsAt: a shop/update raised before the read and delivered after it changes nothing; one raised during the read stands", async () => {
    const { recordShopSettings } = await import("../../app/services/backfill.server");
    const deliver = (name: string, raisedAt: Date) =>
      postWebhook(env.app.url, "/webhooks/shop/update", {
        shop: C,
        topic: "shop/update",
        body: JSON.stringify({ ...exampleBody("shop/update"), name, iana_timezone: "Europe/London" }),
        headers: { "X-Shopify-Triggered-At": raisedAt.toISOString() },
      });
    // The merchant renamed the shop a moment ago; its shop/update is still on its way (Shopify retries it later)
    const renamedAt = new Date(Date.now() - 5_000);
    env.shopify.withoutDelivery(C, () => env.shopify.admin.renameShop(C, "Cora Goods"));
    const readAt = new Date();
    await recordShopSettings(C, await env.clientFor(C), () => readAt);
    expect(await row(C)).toMatchObject({ name: "Cora Goods", timezone: "Asia/Bangkok", currencyCode: "USD" });
    expect((await row(C)).settingsAt).toEqual(readAt);
    // The delayed delivery of a change older than the read: 200, nothing changes
    const before = await row(C);
    expect((await deliver("Ada Goods (old)", renamedAt)).status).toBe(200);
    expect(await row(C)).toEqual(before);
    // A delivery raised after the read is taken
    expect((await deliver("Cora Goods London", new Date(readAt.getTime() + 1_000))).status).toBe(200);
    expect(await row(C)).toMatchObject({ name: "Cora Goods London", timezone: "Europe/London" });

    // A backfill that reads again while a newer rename's delivery lands (raised after the read began, applied before
    // the read is written): the read's older name and zone do not overwrite it; the currency is still written
    const real = await env.clientFor(C);
    const again = new Date(readAt.getTime() + 2_000);
    const during = new Date(again.getTime() + 500);
    const racing = Object.assign(Object.create(real), {
      request: async (...args: Parameters<typeof real.request>) => {
        expect((await deliver("Cora Goods Paris", during)).status).toBe(200);
        return real.request(...args);
      },
    }) as typeof real;
    await prisma.shop.update({ where: { shop: C }, data: { currencyCode: null } });
    await recordShopSettings(C, racing, () => again);
    const raced = await row(C);
    expect(raced).toMatchObject({ name: "Cora Goods Paris", timezone: "Europe/London", currencyCode: "USD" });
    expect(raced.settingsAt).toEqual(during);
    expect(await row(B)).toMatchObject({ name: "Ada Goods", timezone: null });
  });
});

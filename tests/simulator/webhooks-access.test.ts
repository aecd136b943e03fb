// Webhooks follow the installation (simulator/local-shopify.ts, simulator/admin/access.ts): a topic is delivered only
// when its scope is granted and, for customer and order topics, customer data is approved; fields the app is not
// approved for are redacted; granting or revoking scopes sends app/scopes_update.
import { readFileSync } from "node:fs";
import { parse as parseToml } from "smol-toml";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLocalShopify, type LocalShopify } from "../../simulator/local-shopify";
import { demoShopRecord } from "../../simulator/admin/demo-shop";
import { startTestReceiver, type TestReceiver } from "../../simulator/webhooks/test-receiver";

const SHOP = "access.myshopify.com";
let shopify: LocalShopify;
let receiver: TestReceiver;

beforeEach(async () => {
  receiver = await startTestReceiver();
  shopify = createLocalShopify({
    apiKey: "key",
    apiSecret: "secret",
    protectedCustomerData: { level: 2, fields: ["name", "email"] },
    appUrl: receiver.url,
  });
  shopify.admin.shops.addShop(demoShopRecord(SHOP));
});
afterEach(async () => {
  await shopify.webhooks.drain();
  await receiver.close();
  await shopify.admin.dispose();
});

const topics = () => receiver.received.map((w) => w.headers["x-shopify-topic"]);
const bodyOf = (topic: string) =>
  JSON.parse(receiver.received.find((w) => w.headers["x-shopify-topic"] === topic)!.rawBody);

async function shopperActivity() {
  const customer = shopify.admin.createCustomer(SHOP, {
    firstName: "Ada",
    lastName: "Lovelace",
    email: "ada@example.com",
    phone: "+15550100",
  });
  shopify.admin.placeOrder(SHOP, { customerId: customer.id, total: "10.00" });
  await shopify.webhooks.drain();
}

/** What the app asks for in shopify.app.toml, in its order: what a Shopify-managed install grants. */
const TOML_SCOPES = (
  parseToml(readFileSync("shopify.app.toml", "utf8")) as { access_scopes: { scopes: string } }
).access_scopes.scopes.split(",");

describe("webhooks and the installation", () => {
  it("installs with the toml's scopes and delivers name and email, redacting the phone it is not approved for", async () => {
    shopify.install(SHOP);
    expect(shopify.admin.access.get(SHOP)).toEqual({
      scopes: TOML_SCOPES,
      protectedCustomerData: { level: 2, fields: ["name", "email"] },
    });
    await shopperActivity();
    expect(topics()).toEqual(["customers/create", "orders/create", "orders/paid"]);
    expect(bodyOf("customers/create")).toMatchObject({
      first_name: "Ada",
      last_name: "Lovelace",
      email: "ada@example.com",
      phone: null,
    });
    expect(bodyOf("orders/create")).toMatchObject({ email: "ada@example.com" });
  });

  it("sends no customer or order topic to an app installed without customer data approval", async () => {
    shopify.install(SHOP, { protectedCustomerData: { level: 0 } });
    await shopperActivity();
    expect(topics()).toEqual([]);
    // App topics are not customer data
    await shopify.uninstall(SHOP);
    expect(topics()).toEqual(["app/uninstalled"]);
  });

  it("redacts every protected field at level 1", async () => {
    shopify.install(SHOP, { protectedCustomerData: { level: 1 } });
    await shopperActivity();
    expect(bodyOf("customers/create")).toMatchObject({ first_name: null, last_name: null, email: null, phone: null });
    expect(bodyOf("orders/create")).toMatchObject({ email: null, contact_email: null });
  });

  it("follows scope changes: app/scopes_update with the lists before and after, and no topic whose scope is gone", async () => {
    shopify.install(SHOP);
    await shopify.revokeScopes(SHOP, ["read_customers", "write_customers"]);
    await shopperActivity();
    expect(topics()).toEqual(["app/scopes_update", "orders/create", "orders/paid"]);
    expect(bodyOf("app/scopes_update")).toMatchObject({
      previous: TOML_SCOPES,
      current: TOML_SCOPES.filter((scope) => scope !== "read_customers" && scope !== "write_customers"),
    });
    await shopify.grantScopes(SHOP, "read_customers");
    expect(shopify.admin.access.get(SHOP).scopes).toContain("read_customers");
    expect(topics().filter((t) => t === "app/scopes_update")).toHaveLength(2);
  });
});

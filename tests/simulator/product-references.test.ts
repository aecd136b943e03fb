// Product references on the local Shopify (docs/recommendations.md): metafieldsSet takes a
// list.product_reference only of products the shop has (any status), refusing a gone, unknown or non-product id by
// its element and writing nothing; the storefront gives the app's PUBLIC_READ metafields to Liquid as Shopify does, a
// product reference as a product object of an ACTIVE product (others left out), renders the app's theme block on the
// home page, and serves a product's page at its url.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalShopify, type LocalShopify } from "../../simulator/local-shopify";
import { createFakeClock } from "../../simulator/admin/index";
import { demoShopRecord } from "../../simulator/admin/demo-shop";
import type { ProductRecord } from "../../simulator/admin/records";
import { customerMetafieldsDrop } from "../../simulator/storefront/drops";
import { APP_APPROVAL } from "../support/approval";

const SHOP = "picks-shop.myshopify.com";
const OTHER = "picks-other.myshopify.com";
const SET = `mutation S($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { metafields { key value } userErrors { field message code elementIndex } } }`;
const clock = createFakeClock(Date.parse("2026-12-01T00:00:00Z"));
let shopify: LocalShopify;
let close: () => Promise<void>;
let ada: string;
let bob: string;

const P = (n: number) => `gid://shopify/Product/${n}`;
function addProduct(shop: string, n: number, overrides: Partial<ProductRecord> = {}) {
  shopify.admin.shops.getShop(shop)!.products.set({
    __typename: "Product",
    id: P(n),
    title: `Product ${n}`,
    handle: `product-${n}`,
    status: "ACTIVE",
    productType: "Tea",
    vendor: "Leaf & Co",
    featuredImage: null,
    createdAt: "2026-01-01T00:00:00Z",
    updatedAt: "2026-01-01T00:00:00Z",
    ...overrides,
  });
}
const set = async (shop: string, ownerId: string, value: string) =>
  (
    (
      await shopify.admin.graphql(shop, {
        query: SET,
        variables: {
          m: [{ ownerId, namespace: "$app", key: "recommendations", type: "list.product_reference", value }],
        },
      })
    ).body as { data: { metafieldsSet: { metafields: unknown[]; userErrors: unknown[] } } }
  ).data.metafieldsSet;

beforeAll(async () => {
  shopify = createLocalShopify({ apiKey: "k", apiSecret: "s", clock, protectedCustomerData: APP_APPROVAL });
  shopify.admin.shops.addShop({ ...demoShopRecord(SHOP), name: "Leaf Shop" });
  shopify.admin.shops.addShop({ ...demoShopRecord(OTHER), name: "Other Shop" });
  ada = shopify.admin.createCustomer(SHOP, { firstName: "Ada", lastName: "L", email: "ada@example.com" }).id;
  bob = shopify.admin.createCustomer(SHOP, { firstName: "Bob", lastName: "B", email: "bob@example.com" }).id;
  shopify.install(SHOP);
  shopify.install(OTHER);
  addProduct(SHOP, 1, {
    title: "Jasmine <tea>",
    featuredImage: { url: "https://cdn.example/files/jasmine.jpg?v=7", altText: "A cup", width: 800, height: 800 },
  });
  addProduct(SHOP, 2, { status: "DRAFT" });
  addProduct(SHOP, 3);
  addProduct(SHOP, 4);
  addProduct(OTHER, 9);
  close = (await shopify.listen()).close;
});
afterAll(async () => {
  await close();
  await shopify.admin.dispose();
});

describe("metafieldsSet with list.product_reference", () => {
  it("takes products of the shop, whatever their status", async () => {
    const data = await set(SHOP, ada, JSON.stringify([P(1), P(2), P(3)]));
    expect(data.userErrors).toEqual([]);
    expect(data.metafields).toEqual([{ key: "recommendations", value: JSON.stringify([P(1), P(2), P(3)]) }]);
  });

  it("refuses an unknown product, another shop's, another resource and a deleted one, by element, writing nothing", async () => {
    shopify.admin.shops.getShop(SHOP)!.products.delete(P(4));
    const data = await set(SHOP, bob, JSON.stringify([P(3), P(4), P(9), bob, P(777)]));
    expect(data.metafields).toEqual([]);
    expect(data.userErrors).toEqual(
      [1, 2, 3, 4].map((i) => ({
        field: ["metafields", "0", "value"],
        message: `Value references non-existent resource ${[P(3), P(4), P(9), bob, P(777)][i]}.`,
        code: "INVALID_VALUE",
        elementIndex: i,
      })),
    );
    expect(shopify.admin.shops.getShop(SHOP)!.getMetafield(bob, "app--1", "recommendations")).toBeUndefined();
    // Not a JSON array of them at all
    expect((await set(SHOP, bob, P(3))).userErrors).toEqual([
      {
        field: ["metafields", "0", "value"],
        message: "Value must be a JSON array.",
        code: "INVALID_VALUE",
        elementIndex: null,
      },
    ]);
  });
});

describe("the storefront", () => {
  it("gives Liquid the app's public metafields, product references as products on the storefront only", () => {
    const shop = shopify.admin.shops.getShop(SHOP)!;
    const drop = customerMetafieldsDrop(shop, ada, 1, "/store/x");
    expect(drop.app.recommendations.type).toBe("list.product_reference");
    // The draft (P2) is left out; the image is Liquid's image object
    expect(drop.app.recommendations.value).toEqual([
      {
        id: 1,
        title: "Jasmine <tea>",
        handle: "product-1",
        url: "/store/x/products/product-1",
        available: true,
        type: "Tea",
        vendor: "Leaf & Co",
        featured_image: { src: "https://cdn.example/files/jasmine.jpg?v=7", alt: "A cup", width: 800, height: 800 },
      },
      expect.objectContaining({ id: 3, title: "Product 3", featured_image: null }),
    ]);
    // Another app's namespace, and the app's own key without a PUBLIC_READ definition, are not on the storefront.
    shop.putMetafield({
      __typename: "Metafield",
      id: shop.nextId("Metafield"),
      ownerId: ada,
      ownerType: "CUSTOMER",
      namespace: "app--1",
      key: "private",
      type: "single_line_text_field",
      value: "secret",
      createdAt: "2026-01-01T00:00:00Z",
      updatedAt: "2026-01-01T00:00:00Z",
    });
    expect(customerMetafieldsDrop(shop, ada, 1, "/store/x").app.private).toBeUndefined();
    expect(customerMetafieldsDrop(shop, ada, 2, "/store/x").app).toBeUndefined();
  });

  it("renders the theme block's Picked for you on the home page for the signed-in shopper, and the product's page", async () => {
    const home = await (await shopify.storefront.fetch(SHOP, "/", { customerId: ada })).text();
    expect(home).toContain("Picked for you");
    expect(home).toContain('<a href="/store/picks-shop.myshopify.com/products/product-1">');
    expect(home).toContain('src="//cdn.example/files/jasmine.jpg?v=7&width=160"');
    expect(home).toContain("Jasmine &lt;tea&gt;");
    expect(home).toContain("Product 3");
    expect(home).not.toContain("Product 2");
    // Bob has no recommendations; a guest sees the invitation and no picks
    expect(await (await shopify.storefront.fetch(SHOP, "/", { customerId: bob })).text()).not.toContain(
      "Picked for you",
    );
    const guest = await (await shopify.storefront.fetch(SHOP, "/")).text();
    expect(guest).toContain("loyalty-status");
    expect(guest).not.toContain("Picked for you");

    const page = await shopify.storefront.fetch(SHOP, "/products/product-1");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<h1>Jasmine &lt;tea&gt;</h1>");
    expect((await shopify.storefront.fetch(SHOP, "/products/product-2")).status).toBe(404);
  });
});

describe("the Campaign offer issued Flow trigger", () => {
  const RECEIVE = `mutation R($handle: String!, $payload: JSON!) { flowTriggerReceive(handle: $handle, payload: $payload) { userErrors { field message } } }`;
  const receive = async (payload: Record<string, unknown>) =>
    (
      (await shopify.admin.graphql(SHOP, { query: RECEIVE, variables: { handle: "campaign-offer-issued", payload } }))
        .body as { data: { flowTriggerReceive: { userErrors: { message: string }[] } } }
    ).data.flowTriggerReceive.userErrors.map((e) => e.message);
  const offer = () => ({
    customer_id: Number(ada.split("/").pop()),
    campaign: "Win-back",
    "campaign id": "c1",
    code: "BACK-1",
    offer: "10%",
    "expires at": "2026-12-31T00:00:00.000Z",
  });

  it("declares the recommendation fields as text: both required, text only", async () => {
    expect(await receive(offer())).toEqual([
      "Missing required field 'recommended products'.",
      "Missing required field 'recommended product handles'.",
    ]);
    expect(
      await receive({ ...offer(), "recommended products": ["Tea"], "recommended product handles": "tea" }),
    ).toEqual(["Field 'recommended products' must be text."]);
    expect(
      await receive({
        ...offer(),
        "recommended products": "Tea 1 · Tea 3",
        "recommended product handles": "product-1,product-3",
      }),
    ).toEqual([]);
  });
});

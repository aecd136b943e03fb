// Ledger webhooks that are signed but not what their topic promises are refused with 400, logged, and leave no row.
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { startApp } from "../support/app-server";
import { exampleBody } from "../support/shopify-examples";
import { installShop } from "../support/shops";
import { postWebhook } from "../support/webhooks";

const SHOP = "strict-shop.myshopify.com";
let appUrl: string;

beforeAll(async () => {
  await installShop(SHOP);
  ({ url: appUrl } = await startApp());
});

/** Shopify's own example order body, made valid for the ledger (a real customer, not a test order). */
function order(patch: (body: Record<string, any>) => void = () => {}) {
  const body = exampleBody("orders/create") as Record<string, any>;
  body.test = false;
  body.cancelled_at = null;
  patch(body);
  return body;
}

async function ledgerRows() {
  return (
    (await prisma.order.count()) +
    (await prisma.refund.count()) +
    (await prisma.customer.count()) +
    (await prisma.job.count())
  );
}

const deliver = (topic: string, body: unknown) =>
  postWebhook(appUrl, `/webhooks/${topic}`, { shop: SHOP, topic, body: JSON.stringify(body) });

describe("ledger webhooks refuse what is not their topic's shape", () => {
  it("accepts Shopify's own example order (the baseline the refusals below differ from)", async () => {
    const response = await deliver("orders/create", order());
    expect(response.status).toBe(200);
    expect(await prisma.order.count({ where: { shop: SHOP } })).toBe(1);
    await prisma.order.deleteMany();
    await prisma.refund.deleteMany();
    await prisma.job.deleteMany();
    await prisma.webhookDelivery.deleteMany();
  });

  const refusals: [string, string, () => unknown, RegExp][] = [
    [
      "an order without its admin_graphql_api_id",
      "orders/create",
      () => order((b) => delete b.admin_graphql_api_id),
      /admin_graphql_api_id/,
    ],
    ["an order whose id is not a number", "orders/updated", () => order((b) => (b.id = "eight")), /id/],
    [
      "an order with a currency Shopify does not know",
      "orders/paid",
      () => order((b) => (b.current_total_price_set.shop_money.currency_code = "ABC")),
      /unknown currency/,
    ],
    [
      "an order with more decimals than its currency has",
      "orders/create",
      () => order((b) => (b.current_total_price_set.shop_money.amount = "12.505")),
      /precision/,
    ],
    ["an order whose test flag is not a boolean", "orders/create", () => order((b) => (b.test = "no")), /test/],
    [
      "an order whose updated_at is not a time",
      "orders/cancelled",
      () => order((b) => (b.updated_at = "yesterday")),
      /updated_at/,
    ],
    [
      "a refund with a malformed transaction amount",
      "refunds/create",
      () => ({
        ...exampleBody("refunds/create"),
        transactions: [{ kind: "refund", status: "success", amount: "1,00", currency: "USD" }],
      }),
      /amount/,
    ],
    [
      "a refund whose transaction names no currency and has a malformed amount",
      "refunds/create",
      () => ({
        ...exampleBody("refunds/create"),
        transactions: [{ kind: "refund", status: "success", amount: "75,00", currency: null }],
      }),
      /amount.*not a decimal/,
    ],
    [
      "a customer without updated_at",
      "customers/update",
      () => ({ ...exampleBody("customers/update"), updated_at: undefined }),
      /updated_at/,
    ],
    ["an orders/delete without an id", "orders/delete", () => ({}), /id/],
  ];

  for (const [what, topic, body, reason] of refusals) {
    it(`refuses ${what} with 400 and stores nothing`, async () => {
      const before = await ledgerRows();
      const response = await deliver(topic, body());
      expect(response.status).toBe(400);
      expect(await response.text()).toMatch(reason);
      expect(await ledgerRows()).toBe(before);
      expect(await prisma.webhookDelivery.count({ where: { topic } })).toBe(0);
    });
  }
});

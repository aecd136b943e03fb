// The REST bodies the simulator sends: Shopify's example shapes, filled from shop-file records, schema-checked.
import { describe, expect, it } from "vitest";
import {
  assertValidPayload,
  buildPayload,
  WebhookPayloadSchemaError,
  WEBHOOK_TOPICS,
  type WebhookEvent,
  type WebhookTopic,
} from "../../simulator/webhooks";
import {
  customerRecord,
  lineItemRecords,
  moneyBag,
  orderRecord,
  productRecord,
  refundRecord,
  shopRecord,
} from "../../simulator/webhooks/test-records";

const shop = shopRecord();
const AT = "2024-03-01T10:15:00Z";

/** One realistic event per topic, built by hand from records. */
function eventFor(topic: WebhookTopic): WebhookEvent {
  const order = orderRecord({
    discountCodes: ["WELCOME10"],
    totalDiscountsSet: moneyBag("1.25", "USD"),
    lineItems: lineItemRecords(),
  });
  const refundOfLines = refundRecord({
    totalRefundedSet: moneyBag("4.37", "USD"),
    refundLineItems: [
      {
        id: "gid://shopify/RefundLineItem/9201",
        lineItem: { id: "gid://shopify/LineItem/9101" },
        quantity: 1,
        subtotalSet: moneyBag("4.37", "USD"),
      },
    ],
  });
  const customer = customerRecord();
  switch (topic) {
    case "orders/create":
    case "orders/paid":
      return { shop, topic, resource: { order, customer } };
    case "orders/updated":
      return {
        shop,
        topic,
        resource: {
          order: orderRecord({
            currentTotalPriceSet: moneyBag("10.00", "USD"),
            totalRefundedSet: moneyBag("2.50", "USD"),
          }),
          customer,
          refunds: [refundRecord()],
        },
      };
    case "orders/cancelled":
      return { shop, topic, resource: orderRecord({ cancelledAt: "2024-03-02T09:00:00Z", cancelReason: "CUSTOMER" }) };
    case "orders/delete":
      return { shop, topic, resource: { id: order.id } };
    case "refunds/create":
      return { shop, topic, resource: { refund: refundOfLines, order } };
    case "products/create":
    case "products/update":
      return { shop, topic, resource: productRecord() };
    case "products/delete":
      return { shop, topic, resource: { id: productRecord().id } };
    case "customers/create":
    case "customers/update":
      return { shop, topic, resource: customer };
    case "customers/delete":
      return { shop, topic, resource: { id: customer.id } };
    case "customers_email_marketing_consent/update":
      return { shop, topic, resource: { ...customer, emailMarketingState: "UNSUBSCRIBED" } };
    case "app/uninstalled":
    case "shop/redact":
    case "shop/update":
      return { shop, topic };
    case "app/scopes_update":
      return {
        shop,
        topic,
        resource: { previous: ["read_orders"], current: ["read_orders", "write_customers"], updatedAt: AT },
      };
    case "customers/data_request":
      return { shop, topic, resource: { customer, orders: [order] } };
    case "customers/redact":
      return { shop, topic, resource: { customer, orders: [order] } };
    case "bulk_operations/finish":
      return {
        shop,
        topic,
        resource: {
          admin_graphql_api_id: "gid://shopify/BulkOperation/147595010",
          completed_at: "2024-03-01T05:20:00-05:00",
          created_at: "2024-03-01T05:15:00-05:00",
          error_code: null,
          status: "completed",
          type: "query",
        },
      };
  }
}

describe("webhook bodies", () => {
  it.each(WEBHOOK_TOPICS)("builds a %s body that matches Shopify's JSON Schema for the topic", (topic) => {
    // Given an event of this topic built from hand-made records
    const event = eventFor(topic);
    // When the simulator builds its REST body
    const body = buildPayload(event, AT);
    // Then Shopify's 2026-04 schema for the topic accepts it
    expect(() => assertValidPayload(topic, body)).not.toThrow();
  });

  it("carries an order's line items and a refund's lines, money exact", () => {
    // Given the order with two lines (one discounted) and a refund of one unit of the first
    const order = orderRecord({ totalDiscountsSet: moneyBag("1.25", "USD"), lineItems: lineItemRecords() });
    const body = buildPayload({ shop, topic: "orders/create", resource: order }, AT) as {
      line_items: Record<string, unknown>[];
      discount_applications: unknown[];
    };
    // Then each line has its unit price, quantity, product and variant ids and its discount allocation
    expect(
      body.line_items.map((l) => [l.admin_graphql_api_id, l.product_id, l.variant_id, l.quantity, l.price]),
    ).toEqual([
      ["gid://shopify/LineItem/9101", 8001, 8101, 2, "5.00"],
      ["gid://shopify/LineItem/9102", null, null, 1, "3.75"],
    ]);
    expect(body.line_items[0].discount_allocations).toEqual([
      {
        amount: "1.25",
        amount_set: {
          shop_money: { amount: "1.25", currency_code: "USD" },
          presentment_money: { amount: "1.25", currency_code: "USD" },
        },
        discount_application_index: 0,
      },
    ]);
    // and an automatic discount application for them to point at (the order used no code)
    expect(body.discount_applications).toHaveLength(1);
    const refund = buildPayload(eventFor("refunds/create"), AT) as { refund_line_items: Record<string, unknown>[] };
    expect(refund.refund_line_items.map((r) => [r.id, r.line_item_id, r.quantity, r.subtotal_set])).toEqual([
      [
        9201,
        9101,
        1,
        {
          shop_money: { amount: "4.37", currency_code: "USD" },
          presentment_money: { amount: "4.37", currency_code: "USD" },
        },
      ],
    ]);
  });

  it("rejects a body that breaks the topic's schema, with ajv's errors", () => {
    // Given a valid orders/create body whose id became a string
    const body = { ...buildPayload(eventFor("orders/create"), AT), id: "9001" };
    // When it is checked
    const check = () => assertValidPayload("orders/create", body);
    // Then the check throws and names the broken field
    expect(check).toThrow(WebhookPayloadSchemaError);
    expect(check).toThrow(/\/id must be integer/);
  });

  it("rejects a body missing a field the schema requires", () => {
    // Given a customers/create body without its email key
    const { email: _email, ...body } = buildPayload(eventFor("customers/create"), AT);
    // When / Then the check refuses it
    expect(() => assertValidPayload("customers/create", body)).toThrow(/must have required property 'email'/);
  });

  it("gives orders the numeric id of the gid and keeps the gid as admin_graphql_api_id", () => {
    const body = buildPayload(
      { shop, topic: "orders/create", resource: orderRecord({ id: "gid://shopify/Order/4503599627370495" }) },
      AT,
    );
    expect(body.id).toBe(4503599627370495);
    expect(body.admin_graphql_api_id).toBe("gid://shopify/Order/4503599627370495");
  });

  it("prints money as exact decimal strings in the shop currency: USD with cents", () => {
    // Given a $12.50 order with a $2.50 refund
    const order = orderRecord({
      currentTotalPriceSet: moneyBag("10", "USD"),
      totalRefundedSet: moneyBag("2.5", "USD"),
    });
    // When the orders/updated body is built
    const body = buildPayload({ shop, topic: "orders/updated", resource: order }, AT);
    // Then amounts carry two decimals, as strings
    expect(body.total_price).toBe("12.50");
    expect(body.current_total_price).toBe("10.00");
    expect(body.current_total_price_set).toEqual({
      shop_money: { amount: "10.00", currency_code: "USD" },
      presentment_money: { amount: "10.00", currency_code: "USD" },
    });
    expect(body.financial_status).toBe("partially_refunded");
  });

  it("prints JPY amounts without decimals", () => {
    // Given a yen shop and a ¥1200 order
    const yenShop = shopRecord({ currencyCode: "JPY", ianaTimezone: "Asia/Tokyo" });
    const order = orderRecord({
      currencyCode: "JPY",
      totalPriceSet: moneyBag("1200", "JPY"),
      currentTotalPriceSet: moneyBag("1200.0", "JPY"),
      subtotalPriceSet: moneyBag("1200", "JPY"),
      totalRefundedSet: moneyBag("0", "JPY"),
      totalDiscountsSet: moneyBag("0", "JPY"),
    });
    // When the body is built
    const body = buildPayload({ shop: yenShop, topic: "orders/create", resource: order }, AT);
    // Then every amount is whole yen
    expect(body.total_price).toBe("1200");
    expect((body.current_total_price_set as { shop_money: { amount: string } }).shop_money.amount).toBe("1200");
    expect(body.total_tax).toBe("0");
  });

  it("keeps the shop currency and the presentment currency apart", () => {
    // Given a USD shop and an order the buyer paid in EUR
    const order = orderRecord({
      presentmentCurrencyCode: "EUR",
      totalPriceSet: moneyBag("12.50", "USD", { amount: "11.5", currencyCode: "EUR" }),
      currentTotalPriceSet: moneyBag("12.50", "USD", { amount: "11.5", currencyCode: "EUR" }),
      subtotalPriceSet: moneyBag("12.50", "USD", { amount: "11.5", currencyCode: "EUR" }),
      totalDiscountsSet: moneyBag("0", "USD", { amount: "0", currencyCode: "EUR" }),
      totalRefundedSet: moneyBag("0", "USD", { amount: "0", currencyCode: "EUR" }),
    });
    const body = buildPayload({ shop, topic: "orders/paid", resource: order }, AT);
    expect(body.currency).toBe("USD");
    expect(body.presentment_currency).toBe("EUR");
    expect(body.current_total_price_set).toEqual({
      shop_money: { amount: "12.50", currency_code: "USD" },
      presentment_money: { amount: "11.50", currency_code: "EUR" },
    });
  });

  it("refuses an amount with more decimals than the currency has, rather than rounding it", () => {
    const order = orderRecord({ totalPriceSet: moneyBag("12.505", "USD") });
    expect(() => buildPayload({ shop, topic: "orders/create", resource: order }, AT)).toThrow(/more decimals than USD/);
  });

  it("prints timestamps in the shop's offset without moving the instant", () => {
    // Given a New York shop and an order processed at 10:15 UTC in March (EST, -05:00)
    const body = buildPayload({ shop, topic: "orders/create", resource: orderRecord() }, AT);
    // Then the REST timestamp is 05:15 at -05:00, the same instant
    expect(body.processed_at).toBe("2024-03-01T05:15:00-05:00");
    expect(new Date(body.created_at as string).toISOString()).toBe("2024-03-01T10:15:00.000Z");
  });

  it("follows the shop's offset across daylight saving time", () => {
    // Given an order processed in July in New York (EDT, -04:00)
    const order = orderRecord({ processedAt: "2024-07-04T16:00:00Z" });
    const body = buildPayload({ shop, topic: "orders/create", resource: order }, AT);
    expect(body.processed_at).toBe("2024-07-04T12:00:00-04:00");
  });

  it("handles half-hour offsets and UTC shops", () => {
    const kolkata = buildPayload(
      { shop: shopRecord({ ianaTimezone: "Asia/Kolkata" }), topic: "orders/create", resource: orderRecord() },
      AT,
    );
    const utc = buildPayload(
      { shop: shopRecord({ ianaTimezone: "Etc/UTC" }), topic: "orders/create", resource: orderRecord() },
      AT,
    );
    expect(kolkata.processed_at).toBe("2024-03-01T15:45:00+05:30");
    expect(utc.processed_at).toBe("2024-03-01T10:15:00+00:00");
  });

  it("puts the customer in the order when the record is given, and null for a guest checkout", () => {
    const withCustomer = buildPayload(
      { shop, topic: "orders/create", resource: { order: orderRecord(), customer: customerRecord() } },
      AT,
    );
    const guest = buildPayload(
      { shop, topic: "orders/create", resource: orderRecord({ customer: null, email: null }) },
      AT,
    );
    expect(withCustomer.customer).toMatchObject({ id: 7001, email: "ada@maple-and-pine.test", first_name: "Ada" });
    expect(guest.customer).toBeNull();
    expect(() => assertValidPayload("orders/create", guest)).not.toThrow();
  });

  it("lists discount codes with the discount amount", () => {
    const order = orderRecord({ discountCodes: ["WELCOME10"], totalDiscountsSet: moneyBag("1.25", "USD") });
    const body = buildPayload({ shop, topic: "orders/create", resource: order }, AT);
    expect(body.discount_codes).toEqual([{ code: "WELCOME10", amount: "1.25", type: "fixed_amount" }]);
  });

  it("embeds refunds in the order and sends refunds/create with the refunded money as a transaction", () => {
    // Given a $2.50 refund on order 9001
    const refund = refundRecord();
    // When both bodies are built
    const orderBody = buildPayload(
      { shop, topic: "orders/updated", resource: { order: orderRecord(), refunds: [refund] } },
      AT,
    );
    const refundBody = buildPayload({ shop, topic: "refunds/create", resource: { refund, order: orderRecord() } }, AT);
    // Then the refund is in both, with its money
    expect((orderBody.refunds as unknown[]).length).toBe(1);
    expect(refundBody).toMatchObject({ id: 5001, order_id: 9001, admin_graphql_api_id: "gid://shopify/Refund/5001" });
    expect(refundBody.transactions).toMatchObject([
      { kind: "refund", status: "success", amount: "2.50", currency: "USD" },
    ]);
  });

  it("sends only the id for orders/delete, as Shopify's example does", () => {
    expect(buildPayload({ shop, topic: "orders/delete", resource: { id: "gid://shopify/Order/9001" } }, AT)).toEqual({
      id: 9001,
    });
  });

  it("carries none of the example's unrelated data", () => {
    // Given every topic's body
    const bodies = WEBHOOK_TOPICS.map((topic) => JSON.stringify(buildPayload(eventFor(topic), AT)));
    // Then none mentions the people, places or amounts of Shopify's examples
    for (const text of bodies) {
      expect(text).not.toMatch(/jon@example\.com|John Smith|Bob Biller|Shippington|Super Toys|404\.95|414\.95|Aviator/);
    }
  });
});

// Stateful resources: pagination, search filters, tags, metafields, segments, discounts, and shopper events.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAdminSimulator, type AdminSimulator, type SimulatorEvent } from "../../simulator/admin/index";
import { seedDemoShop } from "../../simulator/admin/demo-shop";
import type { StoreWrite } from "../../simulator/admin/store";
import { APP_APPROVAL } from "../support/approval";

let sim: AdminSimulator;
let shop: string;
let customers: { id: string }[];

beforeEach(() => {
  sim = createAdminSimulator({
    apiKey: "key",
    apiSecret: "secret",
    protectedCustomerData: APP_APPROVAL,
    plans: { standard: { maximumAvailable: 1_000_000, restoreRate: 1_000_000 } },
  });
  ({ domain: shop, customers } = seedDemoShop(sim, { customers: 23, ordersEach: 2 }));
});
afterEach(() => sim.dispose());

async function run(query: string, variables: Record<string, unknown> = {}) {
  const { body } = await sim.graphql(shop, { query, variables });
  const b = body as { data?: any; errors?: any[] };
  if (b.errors) throw new Error(JSON.stringify(b.errors));
  return b.data;
}

describe("connections", () => {
  it("page forward with cursors over every customer exactly once", async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const data: any = await run(
        `query P($after: String) { customers(first: 5, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      seen.push(...data.customers.edges.map((e: any) => e.node.id));
      if (!data.customers.pageInfo.hasNextPage) break;
      after = data.customers.pageInfo.endCursor;
    }
    expect(seen).toEqual(customers.map((c) => c.id));
  });

  it("page backward with last/before over every order exactly once, newest first by processedAt", async () => {
    const seen: string[] = [];
    let before: string | null = null;
    for (;;) {
      const data: any = await run(
        `query P($before: String) { orders(last: 7, before: $before) { nodes { id } pageInfo { hasPreviousPage startCursor } } }`,
        { before },
      );
      seen.unshift(...data.orders.nodes.map((n: any) => n.id));
      if (!data.orders.pageInfo.hasPreviousPage) break;
      before = data.orders.pageInfo.startCursor;
    }
    expect(seen).toHaveLength(46);
    expect(new Set(seen).size).toBe(46);
  });

  it("refuses a connection without first or last", async () => {
    const { body } = await sim.graphql(shop, { query: `{ customers { nodes { id } } }` });
    expect((body as any).errors[0].message).toBe("you must provide one of first or last");
  });

  it("filters customers by tag, email and updated_at", async () => {
    const byTag = await run(`{ customers(first: 50, query: "tag:even") { nodes { id } } }`);
    expect(byTag.customers.nodes).toHaveLength(12);
    const byEmail = await run(`{ customers(first: 50, query: "email:c3@example.com") { nodes { email } } }`);
    expect(byEmail.customers.nodes).toEqual([{ email: "c3@example.com" }]);
    const later = await run(`{ customers(first: 50, query: "updated_at:>'2999-01-01T00:00:00Z'") { nodes { id } } }`);
    expect(later.customers.nodes).toEqual([]);
  });

  it("fails loudly on a search field it does not understand", async () => {
    const { body } = await sim.graphql(shop, {
      query: `{ customers(first: 5, query: "country:TH") { nodes { id } } }`,
    });
    expect((body as any).errors[0].message).toBe("simulator does not implement search field 'country' on customers");
  });
});

describe("tagsAdd / tagsRemove", () => {
  const add = `mutation A($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { node { ... on Customer { tags } } userErrors { field message } } }`;
  const remove = `mutation R($id: ID!, $tags: [String!]!) { tagsRemove(id: $id, tags: $tags) { node { ... on Customer { tags } } userErrors { field message } } }`;

  it("adds and removes tags and announces customers/update", async () => {
    const events: SimulatorEvent[] = [];
    sim.onEvent((e) => events.push(e));
    const added = await run(add, { id: customers[1].id, tags: ["tier:gold", "rfm:champions"] });
    expect(added.tagsAdd).toEqual({ node: { tags: ["tier:gold", "rfm:champions"] }, userErrors: [] });
    const removed = await run(remove, { id: customers[1].id, tags: ["tier:gold"] });
    expect(removed.tagsRemove.node.tags).toEqual(["rfm:champions"]);
    expect(events.map((e) => e.topic)).toEqual(["customers/update", "customers/update"]);
  });

  it("refuses a tag longer than 255 characters", async () => {
    const data = await run(add, { id: customers[1].id, tags: ["x".repeat(256)] });
    expect(data.tagsAdd.node).toBeNull();
    expect(data.tagsAdd.userErrors).toEqual([{ field: ["tags"], message: expect.stringContaining("255") }]);
  });

  it("refuses more than 250 tags on a customer", async () => {
    // 200 tags are accepted, 60 more would make 260 on the customer
    await run(add, { id: customers[1].id, tags: Array.from({ length: 200 }, (_, i) => `t${i}`) });
    const data = await run(add, { id: customers[1].id, tags: Array.from({ length: 60 }, (_, i) => `u${i}`) });
    expect(data.tagsAdd.userErrors).toEqual([{ field: ["tags"], message: expect.stringContaining("250") }]);
    const unchanged = await run(`query C($id: ID!) { customer(id: $id) { tags } }`, { id: customers[1].id });
    expect(unchanged.customer.tags).toHaveLength(200);
  });

  it("refuses a tags list of more than 250 items before running (Shopify's input array limit)", async () => {
    const { body } = await sim.graphql(shop, {
      query: add,
      variables: { id: customers[1].id, tags: Array.from({ length: 251 }, (_, i) => `t${i}`) },
    });
    expect(body).toEqual({
      errors: [
        {
          message: "The input array size of 251 is greater than the maximum allowed of 250.",
          locations: [{ line: 1, column: expect.any(Number) }],
          path: ["tagsAdd", "tags"],
          extensions: { code: "MAX_INPUT_SIZE_EXCEEDED" },
        },
      ],
    });
  });

  it("answers an unknown customer with a userError on id", async () => {
    const data = await run(add, { id: "gid://shopify/Customer/999999999", tags: ["a"] });
    expect(data.tagsAdd).toEqual({ node: null, userErrors: [{ field: ["id"], message: "Resource does not exist" }] });
  });
});

describe("metafields", () => {
  const set = `mutation S($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { metafields { namespace key value } userErrors { field message code elementIndex } } }`;

  it("sets app-owned metafields that the customer then exposes", async () => {
    const data = await run(set, {
      m: [
        {
          ownerId: customers[0].id,
          namespace: "$app:loyalty",
          key: "tier",
          type: "single_line_text_field",
          value: "gold",
        },
      ],
    });
    expect(data.metafieldsSet).toEqual({
      metafields: [{ namespace: "app--1--loyalty", key: "tier", value: "gold" }],
      userErrors: [],
    });
    const read = await run(
      `query C($id: ID!) { customer(id: $id) { metafield(namespace: "$app:loyalty", key: "tier") { value type } } }`,
      { id: customers[0].id },
    );
    expect(read.customer.metafield).toEqual({ value: "gold", type: "single_line_text_field" });
  });

  it("refuses more than 25 metafields in one call", async () => {
    const m = Array.from({ length: 26 }, (_, i) => ({
      ownerId: customers[0].id,
      key: `k${i}`,
      type: "single_line_text_field",
      value: "v",
    }));
    const { body } = await sim.graphql(shop, { query: set, variables: { m } });
    expect((body as any).data.metafieldsSet).toEqual({
      metafields: [],
      userErrors: [
        {
          field: ["metafields"],
          message: "Exceeded the maximum metafields input limit of 25.",
          code: "LESS_THAN_OR_EQUAL_TO",
          elementIndex: null,
        },
      ],
    });
    expect(sim.shops.getShop(shop)!.metafieldsOf(customers[0].id)).toEqual([]);
  });

  it("writes nothing when one owner does not exist", async () => {
    const data = await run(set, {
      m: [
        { ownerId: customers[0].id, key: "tier", type: "single_line_text_field", value: "gold" },
        { ownerId: "gid://shopify/Customer/424242", key: "tier", type: "single_line_text_field", value: "gold" },
      ],
    });
    expect(data.metafieldsSet.userErrors).toEqual([
      { field: ["metafields", "1", "ownerId"], message: expect.any(String), code: "INVALID", elementIndex: null },
    ]);
    expect(sim.shops.getShop(shop)!.metafieldsOf(customers[0].id)).toEqual([]);
  });

  it("creates a definition once and refuses the same namespace and key again", async () => {
    const create = `mutation D($d: MetafieldDefinitionInput!) { metafieldDefinitionCreate(definition: $d) { createdDefinition { namespace key type { name } } userErrors { code } } }`;
    const d = {
      name: "Tier",
      namespace: "$app:loyalty",
      key: "tier",
      ownerType: "CUSTOMER",
      type: "single_line_text_field",
    };
    expect((await run(create, { d })).metafieldDefinitionCreate.createdDefinition).toEqual({
      namespace: "app--1--loyalty",
      key: "tier",
      type: { name: "single_line_text_field" },
    });
    expect((await run(create, { d })).metafieldDefinitionCreate.userErrors).toEqual([{ code: "TAKEN" }]);
  });
});

describe("segments and discounts", () => {
  it("lists the members of a customer_tags CONTAINS segment", async () => {
    await run(`mutation { tagsAdd(id: "${customers[2].id}", tags: ["tier:gold"]) { userErrors { message } } }`);
    await run(`mutation { tagsAdd(id: "${customers[5].id}", tags: ["tier:gold"]) { userErrors { message } } }`);
    const created = await run(
      `mutation { segmentCreate(name: "Gold", query: "customer_tags CONTAINS 'tier:gold'") { segment { id } userErrors { message } } }`,
    );
    const segmentId = created.segmentCreate.segment.id;
    const members = await run(
      `query M($id: ID!) { customerSegmentMembers(first: 10, segmentId: $id) { totalCount edges { node { firstName } } } }`,
      { id: segmentId },
    );
    expect(members.customerSegmentMembers).toEqual({
      totalCount: 2,
      edges: [{ node: { firstName: "First2" } }, { node: { firstName: "First5" } }],
    });
  });

  it("refuses a segment query with an unknown filter", async () => {
    const data = await run(
      `mutation { segmentCreate(name: "Bad", query: "favourite_colour = 'red'") { segment { id } userErrors { field message } } }`,
    );
    expect(data.segmentCreate).toEqual({
      segment: null,
      userErrors: [{ field: ["query"], message: "Line 1 Column 0: 'favourite_colour' filter cannot be found." }],
    });
  });

  it("creates a code limited to a segment and finds it by code", async () => {
    const seg = await run(
      `mutation { segmentCreate(name: "Gold", query: "customer_tags CONTAINS 'tier:gold'") { segment { id } } }`,
    );
    const segmentId = seg.segmentCreate.segment.id;
    const create = `mutation C($d: DiscountCodeBasicInput!) { discountCodeBasicCreate(basicCodeDiscount: $d) { codeDiscountNode { id } userErrors { field code message } } }`;
    const d = {
      title: "Gold 10%",
      code: "GOLD10",
      startsAt: "2026-01-01T00:00:00Z",
      context: { customerSegments: { add: [segmentId] } },
      customerGets: { value: { percentage: 0.1 }, items: { all: true } },
    };
    const created = await run(create, { d });
    expect(created.discountCodeBasicCreate.userErrors).toEqual([]);
    const found = await run(
      `{ codeDiscountNodeByCode(code: "gold10") { id codeDiscount { ... on DiscountCodeBasic { title context { ... on DiscountCustomerSegments { segments { id } } } customerGets { value { ... on DiscountPercentage { percentage } } } } } } }`,
    );
    expect(found.codeDiscountNodeByCode).toEqual({
      id: created.discountCodeBasicCreate.codeDiscountNode.id,
      codeDiscount: {
        title: "Gold 10%",
        context: { segments: [{ id: segmentId }] },
        customerGets: { value: { percentage: 0.1 } },
      },
    });
    // And the same code cannot be created twice
    const again = await run(create, { d: { ...d, title: "Again" } });
    expect(again.discountCodeBasicCreate.userErrors).toEqual([
      { field: ["basicCodeDiscount", "code"], code: "TAKEN", message: expect.any(String) },
    ]);
  });

  it("adds redeem codes in bulk and reports duplicates per code", async () => {
    const created = await run(
      `mutation { discountCodeBasicCreate(basicCodeDiscount: { title: "Winback", code: "WB-0", startsAt: "2026-01-01T00:00:00Z", customerGets: { value: { percentage: 0.2 }, items: { all: true } } }) { codeDiscountNode { id } } }`,
    );
    const id = created.discountCodeBasicCreate.codeDiscountNode.id;
    const bulk = await run(
      `mutation B($id: ID!, $codes: [DiscountRedeemCodeInput!]!) { discountRedeemCodeBulkAdd(discountId: $id, codes: $codes) { bulkCreation { codesCount importedCount failedCount } userErrors { message } } }`,
      {
        id,
        codes: [{ code: "WB-1" }, { code: "WB-2" }, { code: "WB-0" }],
      },
    );
    expect(bulk.discountRedeemCodeBulkAdd).toEqual({
      bulkCreation: { codesCount: 3, importedCount: 2, failedCount: 1 },
      userErrors: [],
    });
    expect((await run(`{ codeDiscountNodeByCode(code: "WB-2") { id } }`)).codeDiscountNodeByCode.id).toBe(id);
  });

  it("lets checkout apply a customer-limited code once per code, and refuses it otherwise", async () => {
    // Given a discount for customers 0 and 1 only, single-use codes, a minimum subtotal of 40.00, ending 2026-12-01
    const [a, b, c] = customers;
    const created = await run(
      `mutation C($d: DiscountCodeBasicInput!) { discountCodeBasicCreate(basicCodeDiscount: $d) { codeDiscountNode { id } userErrors { message } } }`,
      {
        d: {
          title: "Win-back",
          code: "WB-A",
          startsAt: "2026-01-01T00:00:00Z",
          endsAt: "2026-12-01T00:00:00Z",
          usageLimit: 1,
          appliesOncePerCustomer: true,
          context: { customers: { add: [a.id, b.id] } },
          minimumRequirement: { subtotal: { greaterThanOrEqualToSubtotal: "40.00" } },
          customerGets: {
            value: { discountAmount: { amount: "10.00", appliesOnEachItem: false } },
            items: { all: true },
          },
        },
      },
    );
    const id = created.discountCodeBasicCreate.codeDiscountNode.id;
    await run(
      `mutation B($id: ID!) { discountRedeemCodeBulkAdd(discountId: $id, codes: [{ code: "WB-B" }]) { userErrors { message } } }`,
      { id },
    );
    const at = "2026-11-20T00:00:00Z";
    // When someone outside the discount's customers, a too-small order, or a date after its end tries a code, checkout refuses
    expect(() =>
      sim.placeOrder(shop, {
        customerId: c.id,
        total: "50.00",
        totalDiscounts: "10.00",
        discountCodes: ["WB-A"],
        processedAt: at,
      }),
    ).toThrow(/not eligible/);
    expect(() =>
      sim.placeOrder(shop, {
        customerId: a.id,
        total: "25.00",
        totalDiscounts: "10.00",
        discountCodes: ["WB-A"],
        processedAt: at,
      }),
    ).toThrow(/minimum subtotal/);
    expect(() =>
      sim.placeOrder(shop, {
        customerId: a.id,
        total: "50.00",
        totalDiscounts: "10.00",
        discountCodes: ["WB-A"],
        processedAt: "2026-12-02T00:00:00Z",
      }),
    ).toThrow(/expired/);
    // And a customer of the discount can use a code once; the code is then used up, for everyone
    sim.placeOrder(shop, {
      customerId: a.id,
      total: "50.00",
      totalDiscounts: "10.00",
      discountCodes: ["wb-a"],
      processedAt: at,
    });
    expect(() =>
      sim.placeOrder(shop, {
        customerId: b.id,
        total: "50.00",
        totalDiscounts: "10.00",
        discountCodes: ["WB-A"],
        processedAt: at,
      }),
    ).toThrow(/used up/);
    sim.placeOrder(shop, {
      customerId: b.id,
      total: "50.00",
      totalDiscounts: "10.00",
      discountCodes: ["WB-B"],
      processedAt: at,
    });
    const usage = await run(
      `query U($id: ID!) { codeDiscountNode(id: $id) { codeDiscount { ... on DiscountCodeBasic { asyncUsageCount codes(first: 5) { nodes { code asyncUsageCount } } } } } }`,
      { id },
    );
    expect(usage.codeDiscountNode.codeDiscount).toEqual({
      asyncUsageCount: 2,
      codes: {
        nodes: [
          { code: "WB-A", asyncUsageCount: 1 },
          { code: "WB-B", asyncUsageCount: 1 },
        ],
      },
    });
    // A code the shop has no discount for (another system's) passes as given
    expect(() => sim.placeOrder(shop, { customerId: c.id, total: "5.00", discountCodes: ["ELSEWHERE"] })).not.toThrow();
  });
});

describe("shopper actions", () => {
  it("announce refunds with both the refund and the order, and update the order's current total", async () => {
    const events: SimulatorEvent[] = [];
    sim.onEvent((e) => events.push(e));
    const order = sim.placeOrder(shop, { customerId: customers[0].id, total: "50.00" });
    sim.refundOrder(shop, order.id, { amount: "20.00" });
    expect(events.map((e) => e.topic)).toEqual(["orders/create", "orders/paid", "refunds/create", "orders/updated"]);
    const refund = events[2] as Extract<SimulatorEvent, { topic: "refunds/create" }>;
    expect(refund.resource.order.currentTotalPriceSet.shopMoney.amount).toBe("30.00");
    const data = await run(
      `query O($id: ID!) { order(id: $id) { currentTotalPriceSet { shopMoney { amount } } totalRefundedSet { shopMoney { amount } } refunds { totalRefundedSet { shopMoney { amount } } } } }`,
      { id: order.id },
    );
    expect(data.order).toEqual({
      currentTotalPriceSet: { shopMoney: { amount: "30.00" } },
      totalRefundedSet: { shopMoney: { amount: "20.00" } },
      refunds: [{ totalRefundedSet: { shopMoney: { amount: "20.00" } } }],
    });
  });

  it("keep per-customer figures from the order index", async () => {
    const data = await run(
      `query C($id: ID!) { customer(id: $id) { numberOfOrders amountSpent { amount currencyCode } } }`,
      { id: customers[0].id },
    );
    expect(data.customer).toEqual({ numberOfOrders: "2", amountSpent: { amount: "30.00", currencyCode: "USD" } });
    sim.cancelOrder(shop, sim.shops.getShop(shop)!.ordersOf(customers[0].id)[0].id);
    const after = await run(`query C($id: ID!) { customer(id: $id) { numberOfOrders } }`, { id: customers[0].id });
    expect(after.customer.numberOfOrders).toBe("1");
  });
});

describe("write observers (ShopState.observeWrites: where benchmarks time freshness)", () => {
  it("see every accepted metafield and tag write, with the simulator's clock, and nothing refused", async () => {
    const writes: StoreWrite[] = [];
    const stop = sim.shops.getShop(shop)!.observeWrites((w) => writes.push(w));
    const set = `mutation S($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { userErrors { field message } } }`;
    const del = `mutation D($m: [MetafieldIdentifierInput!]!) { metafieldsDelete(metafields: $m) { userErrors { field message } } }`;
    const add = `mutation A($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { userErrors { field message } } }`;
    const owner = customers[2].id;
    const metafield = { ownerId: owner, namespace: "$app", key: "tier", type: "single_line_text_field", value: "gold" };
    await run(set, { m: [metafield] });
    await run(add, { id: owner, tags: ["tier:gold"] });
    // Refused or changing nothing: not seen (a tag the customer has, a tag too long, an unknown customer)
    await run(add, { id: owner, tags: ["tier:gold"] });
    await run(add, { id: owner, tags: ["x".repeat(256)] });
    await run(add, { id: "gid://shopify/Customer/999999999", tags: ["a"] });
    await run(del, { m: [{ ownerId: owner, namespace: "$app", key: "tier" }] });
    stop();
    await run(set, { m: [{ ...metafield, value: "silver" }] });
    expect(writes.map(({ at, ...w }) => [w, typeof at])).toEqual([
      [{ kind: "metafield", ownerId: owner, key: "app--1.tier", value: "gold" }, "number"],
      [{ kind: "tags", ownerId: owner, key: null, value: expect.stringContaining("tier:gold") }, "number"],
      [{ kind: "metafield-delete", ownerId: owner, key: "app--1.tier", value: null }, "number"],
    ]);
  });
});

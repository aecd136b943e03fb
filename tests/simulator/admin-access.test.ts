// What the installed app may read and write, as Shopify decides it (simulator/admin/access.ts): access scopes per field
// and mutation (write_ includes read_), the 60-day order window without read_all_orders, and protected customer data
// approval (none, customer data without fields, named fields). Over HTTP where a token is involved, in-process otherwise.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createAdminSimulator,
  createFakeClock,
  type AdminSimulator,
  type FakeClock,
  type ProtectedCustomerData,
} from "../../simulator/admin/index";
import { seedDemoShop } from "../../simulator/admin/demo-shop";

const DAY = 86_400_000;
const ALL_FIELDS: ProtectedCustomerData = { level: 2, fields: ["name", "email", "phone", "address"] };
const DOCS = "https://shopify.dev/docs/apps/launch/protected-customer-data";

let sim: AdminSimulator;
let clock: FakeClock;
let shop: string;
let customers: { id: string; email: string | null }[];

beforeEach(() => {
  clock = createFakeClock(Date.parse("2026-01-01T00:00:00Z"));
  sim = createAdminSimulator({
    apiKey: "key",
    apiSecret: "secret",
    clock,
    protectedCustomerData: ALL_FIELDS,
    plans: { standard: { maximumAvailable: 1_000_000, restoreRate: 1_000_000 } },
  });
  ({ domain: shop, customers } = seedDemoShop(sim, { customers: 3, ordersEach: 1 }));
});
afterEach(() => sim.dispose());

async function gql(query: string, variables: Record<string, unknown> = {}) {
  const { body } = await sim.graphql(shop, { query, variables });
  return body as {
    data?: any;
    errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  };
}

function scopeError(field: string, scope: string, path: (string | number)[]) {
  return expect.objectContaining({
    message: `Access denied for ${field} field. Required access: \`${scope}\` access scope.`,
    path,
    extensions: {
      code: "ACCESS_DENIED",
      documentation: "https://shopify.dev/api/usage/access-scopes",
      requiredAccess: `\`${scope}\` access scope.`,
    },
  });
}

describe("access scopes", () => {
  it("refuses a query field whose scope was not granted, as Shopify words it, and answers the rest", async () => {
    // Given an installation with orders but not customers
    sim.access.install(shop, { scopes: "read_orders" });
    // When the app reads customers, and orders with their customer
    const customersAnswer = await gql(`{ customers(first: 5) { nodes { id } } }`);
    const ordersAnswer = await gql(`{ orders(first: 1) { nodes { id customer { id } } } }`);
    // Then customers is refused (non-null, so data is null), and an order's customer is null with the error at its path
    expect(customersAnswer.data).toBeNull();
    expect(customersAnswer.errors).toEqual([scopeError("customers", "read_customers", ["customers"])]);
    expect(ordersAnswer.data.orders.nodes[0]).toEqual({
      id: expect.stringMatching(/^gid:\/\/shopify\/Order\//),
      customer: null,
    });
    expect(ordersAnswer.errors).toEqual([scopeError("customer", "read_customers", ["orders", "nodes", 0, "customer"])]);
  });

  it("lets a write_ scope read, and needs no scope for the shop, bulk operations or Flow", async () => {
    sim.access.install(shop, { scopes: "write_customers" });
    expect((await gql(`{ customers(first: 1) { nodes { id } } }`)).errors).toBeUndefined();
    sim.access.install(shop, { scopes: "" });
    const answer = await gql(`{ shop { name } currentBulkOperation(type: QUERY) { id } }`);
    expect(answer).toMatchObject({ data: { shop: { name: "Demo" }, currentBulkOperation: null } });
    expect(answer.errors).toBeUndefined();
  });

  it("refuses every mutation the app sends without its write scope, changing nothing", async () => {
    sim.access.install(shop, { scopes: "read_customers,read_discounts" });
    const id = customers[0].id;
    const cases: [string, string, string][] = [
      [`mutation { tagsAdd(id: "${id}", tags: ["vip"]) { userErrors { message } } }`, "tagsAdd", "write_customers"],
      [
        `mutation { tagsRemove(id: "${id}", tags: ["even"]) { userErrors { message } } }`,
        "tagsRemove",
        "write_customers",
      ],
      [
        `mutation { metafieldsSet(metafields: [{ ownerId: "${id}", namespace: "$app", key: "tier", type: "single_line_text_field", value: "Gold" }]) { userErrors { message } } }`,
        "metafieldsSet",
        "write_customers",
      ],
      [
        `mutation { segmentCreate(name: "Gold", query: "customer_tags CONTAINS 'gold'") { userErrors { message } } }`,
        "segmentCreate",
        "write_customers",
      ],
      [
        `mutation { discountCodeBasicCreate(basicCodeDiscount: { title: "T", code: "GOLD10", startsAt: "2026-01-01T00:00:00Z", context: { all: ALL }, customerGets: { value: { percentage: 0.1 }, items: { all: true } } }) { userErrors { message } } }`,
        "discountCodeBasicCreate",
        "write_discounts",
      ],
    ];
    for (const [mutation, field, scope] of cases) {
      const answer = await gql(mutation);
      expect(answer.errors, field).toEqual([scopeError(field, scope, [field])]);
      expect(answer.data, field).toEqual({ [field]: null });
    }
    const state = sim.shops.getShop(shop)!;
    expect(state.customers.get(id)!.tags).toEqual(["even"]);
    expect(state.metafieldsOf(id)).toEqual([]);
    expect(state.segments.size).toBe(0);
    expect(state.discounts.size).toBe(0);
  });

  it("refuses reading discounts without read_discounts", async () => {
    sim.access.install(shop, { scopes: "read_customers" });
    expect((await gql(`{ codeDiscountNodeByCode(code: "GOLD10") { id } }`)).errors).toEqual([
      scopeError("codeDiscountNodeByCode", "read_discounts", ["codeDiscountNodeByCode"]),
    ]);
  });

  it("answers each id of nodes(ids:) by its own type's scope", async () => {
    sim.access.install(shop, { scopes: "read_orders" });
    const order = sim.shops.getShop(shop)!.ordersOf(customers[0].id)[0];
    const answer = await gql(`query N($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: [customers[0].id, order.id] });
    expect(answer.data.nodes).toEqual([null, { id: order.id }]);
    expect(answer.errors).toEqual([scopeError("nodes", "read_customers", ["nodes", 0])]);
  });

  it("applies a grant or a revocation to tokens already issued, and token exchange answers the granted scopes", async () => {
    const server = await sim.listen();
    try {
      sim.access.install(shop, { scopes: "read_customers" });
      const exchange = await fetch(`${server.url}/store/${shop}/admin/oauth/access_token`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          client_id: "key",
          client_secret: "secret",
          grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
          subject_token: sim.tokens.sessionToken(shop),
          subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
          requested_token_type: "urn:shopify:params:oauth:token-type:offline-access-token",
        }),
      });
      const { access_token: token, scope } = (await exchange.json()) as { access_token: string; scope: string };
      expect(scope).toBe("read_customers");
      const orders = () =>
        fetch(`${server.url}/store/${shop}/admin/api/2026-04/graphql.json`, {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": token },
          body: JSON.stringify({ query: "{ orders(first: 1) { nodes { id } } }" }),
        }).then((r) => r.json() as Promise<any>);
      expect((await orders()).errors[0].extensions.code).toBe("ACCESS_DENIED");
      expect(sim.access.grant(shop, "read_orders")).toEqual({
        previous: ["read_customers"],
        current: ["read_customers", "read_orders"],
      });
      expect((await orders()).data.orders.nodes).toHaveLength(1);
      expect(sim.access.revoke(shop, ["read_orders"])).toEqual({
        previous: ["read_customers", "read_orders"],
        current: ["read_customers"],
      });
      expect((await orders()).errors[0].message).toBe(
        "Access denied for orders field. Required access: `read_orders` access scope.",
      );
    } finally {
      await server.close();
    }
  });
});

describe("orders older than 60 days without read_all_orders", () => {
  let old: string;
  let recent: string;
  beforeEach(() => {
    sim.search.setLag(0);
    const customer = customers[0].id;
    old = sim.shops.getShop(shop)!.ordersOf(customer)[0].id; // created 2026-01-01
    clock.advance(61 * DAY);
    recent = sim.placeOrder(shop, { customerId: customer, total: "5.00" }).id;
  });

  it("lists, searches and reads by id only the last 60 days' orders (by created_at)", async () => {
    sim.access.install(shop, { scopes: "read_orders,read_customers" });
    const numeric = customers[0].id.split("/").pop();
    const answer = await gql(
      `query O($old: ID!, $ids: [ID!]!) {
        all: orders(first: 50) { nodes { id } }
        mine: orders(first: 50, query: "customer_id:${numeric}") { nodes { id } }
        old: order(id: $old) { id }
        nodes(ids: $ids) { id }
        customer(id: "${customers[0].id}") { orders(first: 5) { nodes { id } } lastOrder { id } numberOfOrders }
      }`,
      { old, ids: [old, recent] },
    );
    expect(answer.errors).toBeUndefined();
    expect(answer.data.all.nodes).toEqual([{ id: recent }]);
    expect(answer.data.mine.nodes).toEqual([{ id: recent }]);
    // Shopify answers an order outside the window as missing (REST: 404), not as an error.
    expect(answer.data.old).toBeNull();
    expect(answer.data.nodes).toEqual([null, { id: recent }]);
    expect(answer.data.customer.orders.nodes).toEqual([{ id: recent }]);
    expect(answer.data.customer.lastOrder).toEqual({ id: recent });
    // Lifetime figures are Shopify's own and count every order.
    expect(answer.data.customer.numberOfOrders).toBe("2");
  });

  it("shows every order with read_all_orders", async () => {
    sim.access.install(shop, { scopes: "read_orders,read_all_orders,read_customers" });
    const answer = await gql(`query O($old: ID!) { orders(first: 50) { nodes { id } } order(id: $old) { id } }`, {
      old,
    });
    expect(answer.data.orders.nodes).toHaveLength(4);
    expect(answer.data.order).toEqual({ id: old });
  });

  it("keeps a bulk query over orders to the window too", async () => {
    sim.access.install(shop, { scopes: "read_orders" });
    const started = await gql(
      `mutation { bulkOperationRunQuery(query: "{ orders { edges { node { id } } } }") { bulkOperation { id } userErrors { message } } }`,
    );
    await sim.bulk.drain();
    const op = sim.shops.getShop(shop)!.bulkOperations.get(started.data.bulkOperationRunQuery.bulkOperation.id)!;
    expect(op).toMatchObject({ status: "COMPLETED", rootObjectCount: "1" });
  });
});

describe("protected customer data", () => {
  it("without approval refuses the Customer and Order objects, and still answers the shop", async () => {
    sim.access.approveProtectedCustomerData(shop, { level: 0 });
    const customersAnswer = await gql(`{ shop { name } customer(id: "${customers[0].id}") { id } }`);
    expect(customersAnswer.data).toEqual({ shop: { name: "Demo" }, customer: null });
    expect(customersAnswer.errors).toEqual([
      expect.objectContaining({
        message: `This app is not approved to access the Customer object. See ${DOCS} for more details.`,
        path: ["customer"],
        extensions: { code: "ACCESS_DENIED", documentation: DOCS },
      }),
    ]);
    const ordersAnswer = await gql(`{ orders(first: 1) { nodes { id } } }`);
    expect(ordersAnswer.data).toBeNull();
    expect(ordersAnswer.errors![0].message).toBe(
      `This app is not approved to access the Order object. See ${DOCS} for more details.`,
    );
    // A mutation on a customer is refused the same way, and changes nothing
    const tagged = await gql(
      `mutation { tagsAdd(id: "${customers[0].id}", tags: ["vip"]) { userErrors { message } } }`,
    );
    expect(tagged.errors![0].message).toBe(
      `This app is not approved to access the Customer object. See ${DOCS} for more details.`,
    );
    expect(sim.shops.getShop(shop)!.customers.get(customers[0].id)!.tags).toEqual(["even"]);
  });

  it("at level 1 answers customers and orders with every protected field redacted: null, and an error at its path", async () => {
    sim.access.approveProtectedCustomerData(shop, { level: 1 });
    const answer = await gql(
      `{ customer(id: "${customers[0].id}") { id locale firstName lastName email defaultEmailAddress { emailAddress } } orders(first: 1) { nodes { id email } } }`,
    );
    expect(answer.data).toEqual({
      customer: {
        id: customers[0].id,
        locale: "en",
        firstName: null,
        lastName: null,
        email: null,
        defaultEmailAddress: null,
      },
      orders: { nodes: [{ id: expect.any(String), email: null }] },
    });
    expect(answer.errors!.map((e) => [e.message, e.path])).toEqual([
      [`This app is not approved to use the firstName field. See ${DOCS} for more details.`, ["customer", "firstName"]],
      [`This app is not approved to use the lastName field. See ${DOCS} for more details.`, ["customer", "lastName"]],
      [`This app is not approved to use the email field. See ${DOCS} for more details.`, ["customer", "email"]],
      [
        `This app is not approved to use the defaultEmailAddress field. See ${DOCS} for more details.`,
        ["customer", "defaultEmailAddress"],
      ],
      [
        `This app is not approved to use the email field. See ${DOCS} for more details.`,
        ["orders", "nodes", 0, "email"],
      ],
    ]);
  });

  it("at level 2 answers exactly the approved fields", async () => {
    sim.access.approveProtectedCustomerData(shop, { level: 2, fields: ["name"] });
    const answer = await gql(
      `{ customer(id: "${customers[0].id}") { firstName lastName displayName defaultEmailAddress { emailAddress } } }`,
    );
    expect(answer.data.customer).toEqual({
      firstName: "First0",
      lastName: "Last0",
      displayName: "First0 Last0",
      defaultEmailAddress: null,
    });
    expect(answer.errors!.map((e) => e.path)).toEqual([["customer", "defaultEmailAddress"]]);
    sim.access.approveProtectedCustomerData(shop, { level: 2, fields: ["name", "email"] });
    expect(
      (await gql(`{ customer(id: "${customers[0].id}") { defaultEmailAddress { emailAddress } } }`)).data.customer,
    ).toEqual({ defaultEmailAddress: { emailAddress: "c0@example.com" } });
  });

  it("redacts unapproved fields in bulk results without failing the operation", async () => {
    sim.access.approveProtectedCustomerData(shop, { level: 1 });
    const { op, lines } = await bulkQuery(
      `{ customers { edges { node { id firstName defaultEmailAddress { emailAddress } } } } }`,
    );
    expect(op).toMatchObject({ status: "COMPLETED", errorCode: null, rootObjectCount: "3" });
    expect(lines).toEqual(customers.map((c) => ({ id: c.id, firstName: null, defaultEmailAddress: null })));
  });
});

describe("bulk queries the app may not run", () => {
  it.each([
    ["without read_customers", () => sim.access.install(shop, { scopes: "read_orders" })],
    ["without customer data approval", () => sim.access.approveProtectedCustomerData(shop, { level: 0 })],
  ])("fail %s with errorCode ACCESS_DENIED, and say so in bulk_operations/finish", async (_name, arrange) => {
    arrange();
    const events: unknown[] = [];
    sim.onEvent((e) => events.push(e));
    const { op, lines } = await bulkQuery(`{ customers { edges { node { id } } } }`);
    expect(op).toMatchObject({ status: "FAILED", errorCode: "ACCESS_DENIED", url: null });
    expect(lines).toEqual([]);
    expect(events).toEqual([
      expect.objectContaining({
        topic: "bulk_operations/finish",
        payload: expect.objectContaining({ status: "failed", error_code: "access_denied" }),
      }),
    ]);
  });
});

/** Runs a bulk query over HTTP (so its result URL is reachable) and reads the operation and its JSONL. */
async function bulkQuery(query: string) {
  const server = await sim.listen();
  try {
    const token = sim.tokens.issue(shop);
    const post = (body: unknown) =>
      fetch(`${server.url}/store/${shop}/admin/api/2026-04/graphql.json`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": token },
        body: JSON.stringify(body),
      }).then((r) => r.json() as Promise<any>);
    const started = await post({
      query: `mutation R($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } userErrors { message } } }`,
      variables: { q: query },
    });
    expect(started.data.bulkOperationRunQuery.userErrors).toEqual([]);
    await sim.bulk.drain();
    const id = started.data.bulkOperationRunQuery.bulkOperation.id;
    const op = (
      await post({
        query: `query B($id: ID!) { bulkOperation(id: $id) { status errorCode rootObjectCount url partialDataUrl } }`,
        variables: { id },
      })
    ).data.bulkOperation;
    const text = op.url ? await (await fetch(op.url)).text() : "";
    return {
      op,
      lines: text.trim()
        ? text
            .trim()
            .split("\n")
            .map((l) => JSON.parse(l))
        : [],
    };
  } finally {
    await server.close();
  }
}

// Search is a lagging index (simulator/admin/search-index.ts): orders(query:) and customers(query:), bulk queries with a
// query filter too, see a created or changed record only after the index catches up; reads by id are always current.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createAdminSimulator,
  createFakeClock,
  DEFAULT_SEARCH_LAG_MS,
  type AdminSimulator,
  type FakeClock,
} from "../../simulator/admin/index";
import { seedDemoShop } from "../../simulator/admin/demo-shop";
import { APP_APPROVAL } from "../support/approval";

let sim: AdminSimulator;
let clock: FakeClock;
let shop: string;
let customers: { id: string }[];

beforeEach(() => {
  clock = createFakeClock(Date.parse("2026-03-01T00:00:00Z"));
  sim = createAdminSimulator({
    apiKey: "key",
    apiSecret: "secret",
    clock,
    protectedCustomerData: APP_APPROVAL,
    plans: { standard: { maximumAvailable: 1_000_000, restoreRate: 1_000_000 } },
  });
  ({ domain: shop, customers } = seedDemoShop(sim, { customers: 3, ordersEach: 1 }));
});
afterEach(() => sim.dispose());

async function data(query: string, variables: Record<string, unknown> = {}) {
  const { body } = await sim.graphql(shop, { query, variables });
  const b = body as { data?: any; errors?: unknown[] };
  expect(b.errors).toBeUndefined();
  return b.data;
}

const numeric = (gid: string) => gid.split("/").pop();
const ordersOf = (customerId: string) =>
  data(`{ orders(first: 50, query: "customer_id:${numeric(customerId)}") { nodes { id } } }`).then((d) =>
    d.orders.nodes.map((n: { id: string }) => n.id),
  );

describe("search lags behind the records", () => {
  it("finds a new order only after the lag, while a read by id finds it at once", async () => {
    expect(sim.search.lagMs).toBe(DEFAULT_SEARCH_LAG_MS);
    const before = await ordersOf(customers[0].id);
    const placed = sim.placeOrder(shop, { customerId: customers[0].id, total: "12.00" });
    // Search does not know it yet
    expect(await ordersOf(customers[0].id)).toEqual(before);
    // A direct read does
    const direct = await data(`query D($id: ID!) { order(id: $id) { id } nodes(ids: [$id]) { id } }`, {
      id: placed.id,
    });
    expect(direct).toEqual({ order: { id: placed.id }, nodes: [{ id: placed.id }] });
    // Just before the lag is over: still not found; at the lag: found
    clock.advance(DEFAULT_SEARCH_LAG_MS - 1);
    expect(await ordersOf(customers[0].id)).toEqual(before);
    clock.advance(1);
    expect(await ordersOf(customers[0].id)).toEqual([...before, placed.id]);
  });

  it("matches a changed record by what the index last saw, and answers it as it is now", async () => {
    // customers[0] is tagged "even"; the app replaces it with "vip"
    await data(
      `mutation { tagsRemove(id: "${customers[0].id}", tags: ["even"]) { userErrors { message } } tagsAdd(id: "${customers[0].id}", tags: ["vip"]) { userErrors { message } } }`,
    );
    const search = (tag: string) =>
      data(`{ customers(first: 10, query: "tag:${tag}") { nodes { id tags } } }`).then((d) => d.customers.nodes);
    // Still found by its old tag, with its current tags; not yet by the new one
    expect(await search("even")).toContainEqual({ id: customers[0].id, tags: ["vip"] });
    expect(await search("vip")).toEqual([]);
    clock.advance(DEFAULT_SEARCH_LAG_MS);
    expect(await search("even")).not.toContainEqual(expect.objectContaining({ id: customers[0].id }));
    expect(await search("vip")).toEqual([{ id: customers[0].id, tags: ["vip"] }]);
  });

  it("shows each version of a record in turn when it changes twice", async () => {
    const order = sim.shops.getShop(shop)!.ordersOf(customers[1].id)[0];
    const cancelled = () =>
      data(`{ orders(first: 10, query: "status:cancelled") { nodes { id } } }`).then((d) =>
        d.orders.nodes.map((n: { id: string }) => n.id),
      );
    sim.cancelOrder(shop, order.id);
    clock.advance(2_000);
    sim.refundOrder(shop, order.id, { amount: "1.00" });
    expect(await cancelled()).toEqual([]);
    clock.advance(DEFAULT_SEARCH_LAG_MS - 2_000);
    expect(await cancelled()).toEqual([order.id]);
  });

  it("keeps a held record out of the index until it is released", async () => {
    const placed = sim.placeOrder(shop, { customerId: customers[2].id, total: "3.00" });
    sim.search.hold(shop, placed.id);
    clock.advance(365 * 86_400_000);
    expect(await ordersOf(customers[2].id)).not.toContain(placed.id);
    sim.search.release(shop, placed.id);
    expect(await ordersOf(customers[2].id)).toContain(placed.id);
  });

  it("is immediate with a lag of 0, and a list without a query is not a search", async () => {
    const listed = sim.placeOrder(shop, { customerId: customers[0].id, total: "4.00" });
    expect((await data(`{ orders(first: 50) { nodes { id } } }`)).orders.nodes).toContainEqual({ id: listed.id });
    sim.search.setLag(0);
    const placed = sim.placeOrder(shop, { customerId: customers[1].id, total: "4.00" });
    expect(await ordersOf(customers[1].id)).toContain(placed.id);
  });

  it("lags in a bulk query with a query filter too", async () => {
    sim.placeOrder(shop, { customerId: customers[0].id, total: "9.00" });
    const run = async () => {
      const started = await data(
        `mutation { bulkOperationRunQuery(query: "{ orders(query: \\"customer_id:${numeric(customers[0].id)}\\") { edges { node { id } } } }") { bulkOperation { id } userErrors { message } } }`,
      );
      await sim.bulk.drain();
      return sim.shops.getShop(shop)!.bulkOperations.get(started.bulkOperationRunQuery.bulkOperation.id)!
        .rootObjectCount;
    };
    expect(await run()).toBe("1");
    clock.advance(DEFAULT_SEARCH_LAG_MS);
    expect(await run()).toBe("2");
  });

  it("forgets a deleted order: search never answers it", async () => {
    const order = sim.shops.getShop(shop)!.ordersOf(customers[0].id)[0];
    sim.deleteOrder(shop, order.id);
    expect(await ordersOf(customers[0].id)).not.toContain(order.id);
  });
});

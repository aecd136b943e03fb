// Calculated query cost by Shopify's documented rules, and the leaky bucket with an injected clock.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createAdminSimulator,
  createFakeClock,
  type AdminSimulator,
  type FakeClock,
} from "../../simulator/admin/index";
import { seedDemoShop } from "../../simulator/admin/demo-shop";
import { APP_APPROVAL } from "../support/approval";

let sim: AdminSimulator;
let clock: FakeClock;
let shop: string;

beforeEach(() => {
  clock = createFakeClock();
  sim = createAdminSimulator({
    apiKey: "key",
    apiSecret: "secret",
    protectedCustomerData: APP_APPROVAL,
    clock,
    plans: { standard: { maximumAvailable: 100, restoreRate: 10 } },
  });
  shop = seedDemoShop(sim, { customers: 3, ordersEach: 2 }).domain;
});
afterEach(() => sim.dispose());

describe("query cost", () => {
  it("charges connections 2 + first × node cost, objects 1, scalars 0", async () => {
    // Given: customers(first: 10) → 2 + 10 × (node 1 + amountSpent 1 + orders(first: 5) (2 + 5 × (node 1 + currentTotalPriceSet 1 + shopMoney 1)))
    //        = 2 + 10 × (1 + 1 + 17) = 192; shop { name } = 1. Requested: 193.
    // Actual: 3 customers with 2 orders each → 2 + 3 × (1 + 1 + (2 + 2 × 3)) = 2 + 3 × 10 = 32; plus shop 1 = 33.
    const query = `{
      shop { name }
      customers(first: 10) { edges { node { id amountSpent { amount } orders(first: 5) { nodes { currentTotalPriceSet { shopMoney { amount } } } } } } }
    }`;
    await sim.dispose();
    sim = createAdminSimulator({ apiKey: "key", apiSecret: "secret", protectedCustomerData: APP_APPROVAL, clock });
    shop = seedDemoShop(sim, { customers: 3, ordersEach: 2 }).domain;
    const { body } = await sim.graphql(shop, { query });
    expect((body as any).extensions.cost).toMatchObject({ requestedQueryCost: 193, actualQueryCost: 33 });
  });

  it("charges a mutation 10", async () => {
    const { body } = await sim.graphql(shop, {
      query: `mutation { segmentCreate(name: "Gold", query: "customer_tags CONTAINS 'tier:gold'") { segment { id } userErrors { message } } }`,
    });
    expect((body as any).extensions.cost).toMatchObject({ requestedQueryCost: 10, actualQueryCost: 10 });
  });

  it("refuses a query costing more than 1000 before running it", async () => {
    await sim.dispose();
    sim = createAdminSimulator({ apiKey: "key", apiSecret: "secret", protectedCustomerData: APP_APPROVAL, clock });
    shop = seedDemoShop(sim).domain;
    // 2 + 250 × (1 + (2 + 250 × 1)) = 63 502
    const { body } = await sim.graphql(shop, {
      query: `{ customers(first: 250) { nodes { orders(first: 250) { nodes { id customer { id } } } } } }`,
    });
    expect((body as any).errors[0].extensions).toMatchObject({
      code: "MAX_COST_EXCEEDED",
      cost: 2 + 250 * (1 + 2 + 250 * 2),
      maxCost: 1000,
    });
    expect((body as any).data).toBeUndefined();
  });
});

describe("leaky bucket", () => {
  // customers(first: 45) { nodes { id } } requests 47 points; with 3 customers it actually costs 5.
  const query = `{ customers(first: 45) { nodes { id } } }`;

  it("takes the requested cost and refunds the difference to the actual cost", async () => {
    const { body } = await sim.graphql(shop, { query });
    expect((body as any).extensions.cost.throttleStatus).toEqual({
      maximumAvailable: 100,
      currentlyAvailable: 95,
      restoreRate: 10,
    });
  });

  it("answers THROTTLED when the bucket cannot cover the requested cost, and recovers after the restore time", async () => {
    // Given a bucket with 20 points left
    sim.throttle.drain(shop);
    clock.advance(2_000);
    // When a 47-point query arrives
    const throttled = await sim.graphql(shop, { query });
    // Then it is refused with THROTTLED and the cost extension, and nothing runs
    expect(throttled.status).toBe(200);
    expect(throttled.body).toEqual({
      errors: [
        {
          message: "Throttled",
          extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" },
        },
      ],
      extensions: {
        cost: {
          requestedQueryCost: 47,
          actualQueryCost: null,
          throttleStatus: { maximumAvailable: 100, currentlyAvailable: 20, restoreRate: 10 },
        },
      },
    });
    // When enough time passes to restore the missing 27 points
    clock.advance(2_700);
    const recovered = await sim.graphql(shop, { query });
    // Then the same query runs
    expect((recovered.body as any).data.customers.nodes).toHaveLength(3);
  });

  it("never refills beyond the bucket size", async () => {
    clock.advance(3_600_000);
    expect(sim.throttle.status(shop).currentlyAvailable).toBe(100);
  });

  it("keeps one bucket per shop", async () => {
    const other = seedDemoShop(sim, { domain: "other.myshopify.com" }).domain;
    sim.throttle.drain(shop);
    expect(sim.throttle.status(other).currentlyAvailable).toBe(100);
  });
});

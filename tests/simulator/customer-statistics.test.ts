// Customer.statistics { rfmGroup predictedSpendTier }: the simulator's documented stand-in for Shopify's black box
// (simulator/admin/resolvers/customer-statistics.ts): the rules on a hand-built shop, only the schema's enum values,
// a bulk query can read it, and the read_customers scope is enforced as Shopify enforces it.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createAdminSimulator,
  createFakeClock,
  type AdminSimulator,
  type FakeClock,
} from "../../simulator/admin/index";
import { demoShopRecord } from "../../simulator/admin/demo-shop";
import { rfmGroupOf } from "../../simulator/admin/resolvers/customer-statistics";

const DAY = 86_400_000;
const NOW = Date.parse("2026-01-01T00:00:00Z");
const RFM_GROUPS = [
  "ACTIVE",
  "ALMOST_LOST",
  "AT_RISK",
  "CHAMPIONS",
  "DORMANT",
  "LOYAL",
  "NEEDS_ATTENTION",
  "NEW",
  "PREVIOUSLY_LOYAL",
  "PROMISING",
  "PROSPECTS",
];

let sim: AdminSimulator;
let clock: FakeClock;
const shop = "stats.myshopify.com";
const ids: Record<string, string> = {};

/** A customer with orders of these totals placed these many days before NOW. */
function customer(name: string, orders: [daysAgo: number, total: string][]) {
  const c = sim.createCustomer(shop, { firstName: name, lastName: "Test", email: `${name}@example.com`, tags: [] });
  ids[name] = c.id;
  for (const [daysAgo, total] of orders)
    sim.placeOrder(shop, { customerId: c.id, total, processedAt: new Date(NOW - daysAgo * DAY).toISOString() });
}

beforeEach(() => {
  clock = createFakeClock(NOW);
  sim = createAdminSimulator({
    apiKey: "key",
    apiSecret: "secret",
    clock,
    protectedCustomerData: { level: 2, fields: ["name", "email", "phone", "address"] },
    plans: { standard: { maximumAvailable: 1_000_000, restoreRate: 1_000_000 } },
  });
  sim.shops.addShop(demoShopRecord(shop));
  // Ten buyers ranked by spend (top 20 %: the two biggest spenders; low 40 %: the four smallest) and one prospect.
  customer("prospect", []);
  customer("newbie", [[5, "20.00"]]); // 1 order, 5 days: NEW
  customer("champion", [
    [400, "300.00"],
    [100, "300.00"],
    [10, "300.00"],
  ]); // top, 3 orders, 10 days: CHAMPIONS
  customer("active", [
    [50, "60.00"],
    [20, "60.00"],
  ]); // 2 orders, 20 days, mid spend: ACTIVE
  customer("loyal", [
    [200, "400.00"],
    [60, "400.00"],
  ]); // top, 2 orders, 60 days: LOYAL
  customer("promising", [[45, "50.00"]]); // 1 order, 45 days: PROMISING
  customer("attention", [
    [120, "70.00"],
    [80, "70.00"],
  ]); // 2 orders, 80 days, mid spend: NEEDS_ATTENTION
  customer("risk", [
    [300, "55.00"],
    [200, "55.00"],
  ]); // 2 orders, 200 days, mid spend: AT_RISK
  customer("lost", [[150, "10.00"]]); // 1 order, 150 days, low: ALMOST_LOST
  customer("dormant", [[500, "15.00"]]); // 1 order, 500 days, low: DORMANT
  customer("cheap", [[600, "5.00"]]); // low, 600 days: DORMANT
  sim.search.release(shop);
});
afterEach(() => sim.dispose());

async function gql(query: string, variables: Record<string, unknown> = {}) {
  const { body } = await sim.graphql(shop, { query, variables });
  return body as { data?: any; errors?: { message: string; path?: (string | number)[] }[] };
}

const STATS = `query ($id: ID!) { customer(id: $id) { statistics { rfmGroup predictedSpendTier } } }`;

describe("Customer.statistics in the simulator", () => {
  it("groups customers by the documented rules", async () => {
    sim.access.install(shop, { scopes: "read_customers" });
    const expected: Record<string, [string, string]> = {
      prospect: ["PROSPECTS", "LOW"],
      newbie: ["NEW", "LOW"],
      champion: ["CHAMPIONS", "MEDIUM"], // 600.00 in the last year: below the top 20 % of the year's spenders
      active: ["ACTIVE", "MEDIUM"],
      loyal: ["LOYAL", "HIGH"],
      promising: ["PROMISING", "LOW"],
      attention: ["NEEDS_ATTENTION", "MEDIUM"],
      risk: ["AT_RISK", "MEDIUM"],
      lost: ["ALMOST_LOST", "LOW"],
      dormant: ["DORMANT", "LOW"],
      cheap: ["DORMANT", "LOW"],
    };
    for (const [name, [rfmGroup, predictedSpendTier]] of Object.entries(expected)) {
      const answer = await gql(STATS, { id: ids[name] });
      expect(answer.errors, name).toBeUndefined();
      expect(answer.data.customer.statistics, name).toEqual({ rfmGroup, predictedSpendTier });
    }
  });

  it("follows the shop's orders and the clock, and answers only the schema's values", async () => {
    sim.access.install(shop, { scopes: "read_customers" });
    // A new order moves the prospect into NEW
    sim.placeOrder(shop, { customerId: ids.prospect, total: "25.00", processedAt: new Date(NOW - DAY).toISOString() });
    expect((await gql(STATS, { id: ids.prospect })).data.customer.statistics.rfmGroup).toBe("NEW");
    // Forty days later the same customer is no longer very recent
    clock.advance(40 * DAY);
    expect((await gql(STATS, { id: ids.prospect })).data.customer.statistics.rfmGroup).toBe("PROMISING");
    // Every value the rule function can give is one of the schema's 11
    for (const days of [0, 30, 31, 90, 91, 365, 366])
      for (const orders of [1, 2, 3])
        for (const [top, low] of [
          [true, false],
          [false, false],
          [false, true],
        ])
          expect(RFM_GROUPS).toContain(rfmGroupOf(days, orders, top, low));
  });

  it("is readable by a bulk query, and needs read_customers as Shopify's reference says", async () => {
    // Without read_customers the customer (and so its statistics) is refused
    sim.access.install(shop, { scopes: "read_orders" });
    const refused = await gql(STATS, { id: ids.champion });
    expect(refused.data?.customer ?? null).toBeNull();
    expect(refused.errors?.[0].message).toMatch(/Access denied for customer field/);
    // With it, a bulk query of every customer's statistics completes with one line per customer
    sim.access.install(shop, { scopes: "read_customers" });
    const started = await gql(
      `mutation ($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } userErrors { message } } }`,
      { q: `{ customers { edges { node { id statistics { rfmGroup predictedSpendTier } } } } }` },
    );
    expect(started.errors).toBeUndefined();
    expect(started.data.bulkOperationRunQuery.userErrors).toEqual([]);
  });
});

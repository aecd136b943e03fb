// A small, fully known shop for tests of the simulator and of the app against it.
import type { ShopRecord } from "../shop-file/types";
import type { AdminSimulator } from "./index";

export function demoShopRecord(domain = "demo.myshopify.com", plan: ShopRecord["plan"] = "standard"): ShopRecord {
  return {
    __typename: "Shop",
    id: "gid://shopify/Shop/1",
    name: "Demo",
    myshopifyDomain: domain,
    email: "owner@example.com",
    currencyCode: "USD",
    ianaTimezone: "UTC",
    primaryLocale: "en",
    plan,
  };
}

/** Adds a shop with `customers` customers, each with `ordersEach` orders of 10.00, 20.00, … */
export function seedDemoShop(
  sim: AdminSimulator,
  options: { domain?: string; customers?: number; ordersEach?: number; plan?: ShopRecord["plan"] } = {},
) {
  const domain = options.domain ?? "demo.myshopify.com";
  sim.shops.addShop(demoShopRecord(domain, options.plan));
  const customers = [];
  for (let i = 0; i < (options.customers ?? 3); i++) {
    const customer = sim.createCustomer(domain, {
      firstName: `First${i}`,
      lastName: `Last${i}`,
      email: `c${i}@example.com`,
      tags: i % 2 === 0 ? ["even"] : [],
    });
    customers.push(customer);
    for (let j = 0; j < (options.ordersEach ?? 1); j++)
      sim.placeOrder(domain, { customerId: customer.id, total: `${(j + 1) * 10}.00` });
  }
  // The seed is the shop's past: its search index has caught up with it (what a test changes afterwards lags).
  sim.search.release(domain);
  return { domain, customers };
}

// The transport over @shopify/shopify-app-remix's admin.graphql (what jobs get from unauthenticated.admin), against
// the simulator through the app's simulator switch: the library throws for GraphQL errors and HTTP failures, and the
// gateway must still see THROTTLED, 429, 5xx, resets and refused documents as such.
import "@shopify/shopify-app-remix/adapters/node";
import { Session } from "@shopify/shopify-api";
import { AppDistribution, LogSeverity, shopifyApp, type ApiVersion } from "@shopify/shopify-app-remix/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_VERSION } from "../../app/shopify/api-version";
import { createAdminClient } from "../../app/shopify/client";
import { CUSTOMERS_PAGE_QUERY } from "../../app/shopify/documents";
import { GraphqlDocumentError } from "../../app/shopify/errors";
import { readShopSettings } from "../../app/shopify/shop";
import { routeAdminApiToSimulator } from "../../app/shopify/simulator-switch.server";
import { remixTransport } from "../../app/shopify/transport.server";
import { seedDemoShop } from "../../simulator/admin/demo-shop";
import { createAdminSimulator, createFakeClock } from "../../simulator/admin/index";
import { APP_APPROVAL } from "../support/approval";

const clock = createFakeClock();
const sim = createAdminSimulator({ apiKey: "key", apiSecret: "secret", protectedCustomerData: APP_APPROVAL, clock });
const { domain: shop } = seedDemoShop(sim, { customers: 4, ordersEach: 0 });
let server: { url: string; close: () => Promise<void> };

const sessions = new Map<string, Session>();
const app = shopifyApp({
  apiKey: "key",
  apiSecretKey: "secret",
  appUrl: "https://loyalty.test.example",
  scopes: ["read_customers"],
  apiVersion: API_VERSION as ApiVersion,
  distribution: AppDistribution.AppStore,
  isEmbeddedApp: true,
  logger: { level: LogSeverity.Error, log: () => {} },
  sessionStorage: {
    storeSession: async (s: Session) => {
      sessions.set(s.id, s);
      return true;
    },
    loadSession: async (id: string) => sessions.get(id),
    deleteSession: async (id: string) => sessions.delete(id),
    deleteSessions: async (ids: string[]) => {
      ids.forEach((id) => sessions.delete(id));
      return true;
    },
    findSessionsByShop: async (domain: string) => [...sessions.values()].filter((s) => s.shop === domain),
  },
});

beforeAll(async () => {
  server = await sim.listen();
  routeAdminApiToSimulator(server.url, "test");
  const id = `offline_${shop}`;
  sessions.set(
    id,
    new Session({ id, shop, state: "", isOnline: false, accessToken: sim.tokens.issue(shop), scope: "read_customers" }),
  );
});
afterAll(async () => {
  await server.close();
  await sim.dispose();
});

async function jobClient() {
  const { admin } = await app.unauthenticated.admin(shop);
  const sleeps: number[] = [];
  const client = createAdminClient({
    shop,
    transport: remixTransport(admin.graphql),
    now: clock.now,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.advance(ms);
    },
    random: () => 0.5,
  });
  return { client, sleeps };
}

const logSince = (from: number) => sim.requests.forShop(shop).slice(from);
type CustomersPage = { customers: { nodes: { id: string }[] } };

describe("remix admin.graphql transport", () => {
  it("answers through the library and reports the cost it learnt", async () => {
    const { client } = await jobClient();
    expect(await readShopSettings(client)).toEqual({
      name: "Demo",
      currencyCode: "USD",
      ianaTimezone: "UTC",
      locale: "en",
    });
    expect(client.throttle.lastStatus()).toMatchObject({ maximumAvailable: 2000, restoreRate: 100 });
  });

  it("sees THROTTLED inside the library's GraphqlQueryError and retries it", async () => {
    const from = sim.requests.forShop(shop).length;
    sim.faults.inject({ kind: "throttled" }, { times: 2 });
    const { client } = await jobClient();
    const page = await client.request<CustomersPage>(CUSTOMERS_PAGE_QUERY, { first: 250 });
    expect(page.customers.nodes).toHaveLength(4);
    expect(logSince(from).map((e) => e.throttled)).toEqual([true, true, false]);
    expect(client.stats.retriesByReason.throttled).toBe(2);
  });

  it("honours Retry-After from the library's HttpThrottlingError", async () => {
    const from = sim.requests.forShop(shop).length;
    sim.faults.inject({ kind: "http", status: 429, retryAfter: 4 });
    const { client, sleeps } = await jobClient();
    await readShopSettings(client);
    expect(logSince(from).map((e) => e.status)).toEqual([429, 200]);
    expect(sleeps).toEqual([4000]);
  });

  it("retries 503 and a connection reset from the library's HttpInternalError and HttpRequestError", async () => {
    const from = sim.requests.forShop(shop).length;
    sim.faults.inject({ kind: "http", status: 503 });
    const { client } = await jobClient();
    await readShopSettings(client);
    sim.faults.inject({ kind: "reset" });
    await readShopSettings(client);
    expect(logSince(from).map((e) => e.status)).toEqual([503, 200, -1, 200]);
    expect(client.stats.retriesByReason).toMatchObject({ http5xx: 1, network: 1 });
  });

  it("throws a refused document typed, after one request", async () => {
    const from = sim.requests.forShop(shop).length;
    const { client } = await jobClient();
    const failure = await client.request(`query Broken { shop { nmae } }`).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(GraphqlDocumentError);
    expect((failure as GraphqlDocumentError).messages).toEqual(["Field 'nmae' doesn't exist on type 'Shop'"]);
    expect(logSince(from)).toHaveLength(1);
  });
});

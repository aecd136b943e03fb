// The gateway's client against a real simulator over HTTP: pacing on the cost bucket, retries of what is worth
// retrying, typed failures for what is not, userErrors as values, and paging.
import { afterEach, describe, expect, it } from "vitest";
import { createAdminClient, type AdminClientOptions } from "../../app/shopify/client";
import { CUSTOMERS_PAGE_QUERY, SHOP_QUERY, TAGS_ADD_MUTATION } from "../../app/shopify/documents";
import { GraphqlDocumentError, RetriesExhaustedError, UserErrorsError } from "../../app/shopify/errors";
import { nodes, pages } from "../../app/shopify/paging";
import { readShopSettings } from "../../app/shopify/shop";
import { fetchTransport, type AdminGraphql } from "../../app/shopify/transport.server";
import { expectOk, mutationResult } from "../../app/shopify/user-errors";
import { API_VERSION } from "../../app/shopify/api-version";
import { seedDemoShop } from "../../simulator/admin/demo-shop";
import {
  createAdminSimulator,
  createFakeClock,
  type AdminSimulator,
  type PlanLimits,
} from "../../simulator/admin/index";
import { APP_APPROVAL } from "../support/approval";

interface Harness {
  sim: AdminSimulator;
  shop: string;
  transport: AdminGraphql;
  /** Every wait the client asked for, in ms; each one moves the simulator's fake clock. */
  sleeps: number[];
  client: (options?: Partial<AdminClientOptions>) => ReturnType<typeof createAdminClient>;
}

const running: { close: () => Promise<void>; sim: AdminSimulator }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    await r.close();
    await r.sim.dispose();
  }
});

/** A simulator on 127.0.0.1 with a fake clock that only the client's sleeps move: waits take no real time. */
async function harness({ customers = 3, plan }: { customers?: number; plan?: PlanLimits } = {}): Promise<Harness> {
  const clock = createFakeClock();
  const sim = createAdminSimulator({
    apiKey: "key",
    apiSecret: "secret",
    protectedCustomerData: APP_APPROVAL,
    clock,
    ...(plan ? { plans: { standard: plan } } : {}),
  });
  const { domain: shop } = seedDemoShop(sim, { customers, ordersEach: 0 });
  const server = await sim.listen();
  running.push({ close: server.close, sim });
  const transport = fetchTransport({
    shop,
    accessToken: sim.tokens.issue(shop),
    endpoint: `${server.url}/store/${shop}/admin/api/${API_VERSION}/graphql.json`,
  });
  const sleeps: number[] = [];
  const sleep = async (ms: number) => {
    sleeps.push(ms);
    clock.advance(ms);
  };
  return {
    sim,
    shop,
    transport,
    sleeps,
    client: (options) => createAdminClient({ shop, transport, now: clock.now, sleep, random: () => 0.5, ...options }),
  };
}

const customersOf = (sim: AdminSimulator, shop: string) =>
  [...sim.shops.getShop(shop)!.customers.values()].map((c) => c.id);
type CustomersPage = {
  customers: { nodes: { id: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
};

describe("pacing", () => {
  const TINY_PLAN = { maximumAvailable: 100, restoreRate: 10 };

  it("keeps the bucket from running dry under a burst: no THROTTLED answer while it gets low", async () => {
    // Given a shop on a plan with a tiny bucket, and a transport that notes what the bucket held after each answer
    const h = await harness({ customers: 10, plan: TINY_PLAN });
    const seen: number[] = [];
    const noting: AdminGraphql = async (q, v) => {
      const answer = await h.transport(q, v);
      const left = answer.body?.extensions?.cost?.throttleStatus.currentlyAvailable;
      if (left != null) seen.push(left);
      return answer;
    };
    const client = h.client({ transport: noting });
    // When 12 pages of 10 customers (about 30 points each) are asked for at once
    const burst = await Promise.all(
      Array.from({ length: 12 }, () => client.request<CustomersPage>(CUSTOMERS_PAGE_QUERY, { first: 10 })),
    );
    // Then every answer has the customers, Shopify never had to refuse one, and the client waited for the bucket
    const costs = h.sim.requests.forShop(h.shop).map((e) => e.requestedCost ?? 0);
    expect(burst.every((page) => page.customers.nodes.length === 10)).toBe(true);
    expect(h.sim.requests.forShop(h.shop).filter((e) => e.throttled)).toEqual([]);
    expect(h.sim.requests.forShop(h.shop)).toHaveLength(12);
    expect(client.stats.pacingWaitMs).toBeGreaterThan(0);
    // And the bucket really got low: at some point it held less than one more request would cost
    expect(Math.min(...seen)).toBeLessThan(Math.max(...costs));
  });

  it("is what prevents THROTTLED: the same burst sent without pacing is refused", async () => {
    // Given the same shop and plan
    const h = await harness({ customers: 10, plan: TINY_PLAN });
    // When the burst goes straight through the transport
    await Promise.all(Array.from({ length: 12 }, () => h.transport(CUSTOMERS_PAGE_QUERY, { first: 10 })));
    // Then Shopify refuses some of it
    expect(h.sim.requests.forShop(h.shop).filter((e) => e.throttled).length).toBeGreaterThan(0);
  });
});

describe("retries", () => {
  it("recovers from a THROTTLED storm, waiting what the bucket needs, and ends with the right data", async () => {
    // Given another worker emptied the bucket and Shopify answers THROTTLED three times
    const h = await harness({ plan: { maximumAvailable: 1000, restoreRate: 50 } });
    h.sim.throttle.drain(h.shop);
    h.sim.faults.inject({ kind: "throttled" }, { times: 3 });
    const client = h.client();
    // When a page of customers is asked for
    const page = await client.request<CustomersPage>(CUSTOMERS_PAGE_QUERY, { first: 250 });
    // Then it has every customer after three THROTTLED answers
    expect(page.customers.nodes.map((c) => c.id)).toEqual(customersOf(h.sim, h.shop));
    expect(h.sim.requests.forShop(h.shop).map((e) => e.throttled)).toEqual([true, true, true, false]);
    expect(client.stats).toMatchObject({ requests: 4, throttled: 3, retries: 3, retriesByReason: { throttled: 3 } });
    // And its first wait was what an empty bucket needs to restore the requested points
    const requested = h.sim.requests.forShop(h.shop)[0].requestedCost!;
    expect(h.sleeps[0]).toBe(Math.ceil((requested / 50) * 1000));
  });

  it("honours Retry-After on HTTP 429", async () => {
    const h = await harness();
    h.sim.faults.inject({ kind: "http", status: 429, retryAfter: 3 });
    const client = h.client();
    const settings = await readShopSettings(client);
    expect(settings).toEqual({ name: "Demo", currencyCode: "USD", ianaTimezone: "UTC", locale: "en" });
    expect(h.sim.requests.forShop(h.shop).map((e) => e.status)).toEqual([429, 200]);
    expect(h.sleeps).toEqual([3000]);
    expect(client.stats.retriesByReason.http429).toBe(1);
  });

  it("backs off exponentially with jitter on HTTP 503", async () => {
    // Given Shopify answers 503 twice (and the jitter draws 0.5 each time)
    const h = await harness();
    h.sim.faults.inject({ kind: "http", status: 503 }, { times: 2 });
    const client = h.client();
    const data = await client.request<{ shop: { name: string } }>(SHOP_QUERY);
    expect(data.shop.name).toBe("Demo");
    // Then the waits were 3/4 of 500 ms and 3/4 of 1000 ms
    expect(h.sleeps).toEqual([375, 750]);
    expect(h.sim.requests.forShop(h.shop).map((e) => e.status)).toEqual([503, 503, 200]);
    expect(client.stats.retriesByReason.http5xx).toBe(2);
  });

  it("retries a connection reset", async () => {
    const h = await harness();
    h.sim.faults.inject({ kind: "reset" });
    const client = h.client();
    const page = await client.request<CustomersPage>(CUSTOMERS_PAGE_QUERY, { first: 250 });
    expect(page.customers.nodes.map((c) => c.id)).toEqual(customersOf(h.sim, h.shop));
    expect(h.sim.requests.forShop(h.shop).map((e) => e.status)).toEqual([-1, 200]);
    expect(client.stats.retriesByReason.network).toBe(1);
  });

  it("a request unsafe to repeat is sent once after a 503 or a reset (it may have run), and retried after a 429", async () => {
    const h = await harness();
    const client = h.client();
    h.sim.faults.inject({ kind: "http", status: 503 });
    const after503 = await client.request(SHOP_QUERY, {}, { unsafeToRepeat: true }).catch((e: unknown) => e);
    expect(after503).toBeInstanceOf(RetriesExhaustedError);
    expect(after503).toMatchObject({ attempts: 1, lastReason: "HTTP 503" });
    h.sim.faults.inject({ kind: "reset" });
    const afterReset = await client.request(SHOP_QUERY, {}, { unsafeToRepeat: true }).catch((e: unknown) => e);
    expect(afterReset).toBeInstanceOf(RetriesExhaustedError);
    expect(afterReset).toMatchObject({ attempts: 1 });
    // A 429 says the request did not run: retried as usual.
    h.sim.faults.inject({ kind: "http", status: 429, retryAfter: 1 });
    const data = await client.request<{ shop: { name: string } }>(SHOP_QUERY, {}, { unsafeToRepeat: true });
    expect(data.shop.name).toBe("Demo");
    expect(h.sim.requests.forShop(h.shop).map((e) => e.status)).toEqual([503, -1, 429, 200]);
  });

  it("gives up after the allowed attempts", async () => {
    // Given Shopify answers 502 to everything
    const h = await harness();
    h.sim.faults.inject({ kind: "http", status: 502 }, { times: Infinity });
    const client = h.client({ maxAttempts: 3 });
    // Then the call fails typed after exactly three requests
    const failure = await client.request(SHOP_QUERY).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RetriesExhaustedError);
    expect(failure).toMatchObject({ attempts: 3, lastReason: "HTTP 502" });
    expect(h.sim.requests.forShop(h.shop)).toHaveLength(3);
    expect(client.stats).toMatchObject({ calls: 1, failedCalls: 1, requests: 3 });
  });

  it("never retries a document Shopify refuses: typed error with Shopify's messages, one request", async () => {
    const h = await harness();
    const client = h.client();
    const failure = await client.request(`query Broken { shop { nmae } }`).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(GraphqlDocumentError);
    expect((failure as GraphqlDocumentError).operationName).toBe("Broken");
    expect((failure as GraphqlDocumentError).messages).toEqual(["Field 'nmae' doesn't exist on type 'Shop'"]);
    expect(h.sim.requests.forShop(h.shop)).toHaveLength(1);
    expect(h.sleeps).toEqual([]);
  });
});

describe("userErrors", () => {
  it("come back as a typed result, and expectOk throws them named", async () => {
    // Given a customer and a tag longer than Shopify allows
    const h = await harness({ customers: 1 });
    const client = h.client();
    const [customer] = customersOf(h.sim, h.shop);
    type TagsAdd = {
      tagsAdd: { node: { id: string } | null; userErrors: { field: string[] | null; message: string }[] } | null;
    };
    // When tagsAdd is sent with it
    const refused = mutationResult(
      (await client.request<TagsAdd>(TAGS_ADD_MUTATION, { id: customer, tags: ["x".repeat(300)] })).tagsAdd,
      "tagsAdd",
    );
    // Then the result says why, field included
    expect(refused).toEqual({
      ok: false,
      userErrors: [{ field: ["tags"], message: expect.stringContaining("exceeds the maximum length"), code: null }],
    });
    expect(() => expectOk(refused, "tagsAdd")).toThrow(UserErrorsError);
    // And a good tag is ok with the payload
    const accepted = mutationResult(
      (await client.request<TagsAdd>(TAGS_ADD_MUTATION, { id: customer, tags: ["tier:gold"] })).tagsAdd,
      "tagsAdd",
    );
    expect(accepted).toEqual({ ok: true, data: { node: { id: customer } } });
    expect(h.sim.shops.getShop(h.shop)!.customers.get(customer)!.tags).toContain("tier:gold");
  });
});

describe("paging", () => {
  it("yields every customer exactly once over pages of 250", async () => {
    // Given a shop with 600 customers
    const h = await harness({ customers: 600 });
    const client = h.client();
    // When the customers connection is walked
    const seen: string[] = [];
    for await (const customer of nodes(client, {
      query: CUSTOMERS_PAGE_QUERY,
      connection: (d: CustomersPage) => d.customers,
    }))
      seen.push(customer.id);
    // Then each customer came once, in three requests of first: 250
    expect(seen).toEqual(customersOf(h.sim, h.shop));
    expect(new Set(seen).size).toBe(600);
    expect(h.sim.requests.forShop(h.shop).map((e) => e.variables?.first)).toEqual([250, 250, 250]);
  });

  it("resumes after a kept cursor", async () => {
    const h = await harness({ customers: 7 });
    const client = h.client();
    const walk = pages<CustomersPage, { id: string }>(client, {
      query: CUSTOMERS_PAGE_QUERY,
      connection: (d: CustomersPage) => d.customers,
      pageSize: 3,
    });
    const step = await walk.next();
    if (step.done) throw new Error("no first page");
    const first = step.value;
    await walk.return(undefined);
    const rest: string[] = [];
    for await (const c of nodes<CustomersPage, { id: string }>(client, {
      query: CUSTOMERS_PAGE_QUERY,
      connection: (d: CustomersPage) => d.customers,
      pageSize: 3,
      after: first.endCursor,
    }))
      rest.push(c.id);
    expect([...first.nodes.map((c) => c.id), ...rest]).toEqual(customersOf(h.sim, h.shop));
  });
});

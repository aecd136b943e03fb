// When Shopify says no for lack of access: the app's own job handlers against the local Shopify, which enforces access
// scopes, the 60-day order window without read_all_orders and protected customer data approval. A refused job is
// parked (run once, not retried, not dead), the dashboard says what is missing and who can fix it, and the work
// resumes when access is granted: app/scopes_update for scopes, "Check again" for protected customer data.
import path from "node:path";
import { readFileSync } from "node:fs";
import { parse as parseToml } from "smol-toml";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { prisma } from "../../app/db.server";
import { createJobHandlers } from "../../app/jobs/handlers.server";
import type { JobQueue } from "../../app/jobs/queue";
import { writeShopFile, type TruthSummary } from "../../simulator/generator/index";
import { mintSessionToken } from "../../simulator/app-bridge/session-token";
import { APP_APPROVAL } from "../support/approval";
import { openApp, startLocalShopifyAndApp } from "../support/local-shopify";
import { jobRows, testQueue } from "../support/queue";
import { BROWSER_HEADERS, TEST_API_KEY, TEST_API_SECRET } from "../support/test-env";

/** What the app asks for in shopify.app.toml: what a Shopify-managed install grants. */
const ALL_SCOPES = (parseToml(readFileSync("shopify.app.toml", "utf8")) as { access_scopes: { scopes: string } })
  .access_scopes.scopes;
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;
let queue: JobQueue;

/** A generated shop whose orders end today, so some are inside Shopify's 60-day window and most are older. */
async function generatedShop(seed: number, domain: string): Promise<TruthSummary> {
  const file = path.join(inject("testRunDir"), `${domain}.jsonl`);
  await writeShopFile(
    { preset: "demo", seed, customers: 40, shopDomain: domain, endDate: new Date().toISOString() },
    file,
  );
  await env.shopify.admin.shops.loadShopFile(file);
  return JSON.parse(readFileSync(`${file}.truth.json`, "utf8"));
}

/** Runs every queued job of the app with its own handlers until none is due. */
async function runJobs() {
  const worker = queue.work(createJobHandlers({ clientFor: env.clientFor, queue }), { pollMs: 20 });
  await worker.idle();
  await worker.stop();
}

/** The dashboard's data as the merchant's admin gets it. */
async function dashboard(shop: string) {
  const token = mintSessionToken({ shop, apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET });
  const response = await fetch(`${env.app.url}/app?_data=routes%2Fapp._index`, {
    headers: { ...BROWSER_HEADERS, Authorization: `Bearer ${token}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as {
    access: {
      items: { feature: string; state: string; scopes: string[]; action: string }[];
      parkedJobs: number;
      refusals: { message: string }[];
    };
  };
}

/** "Check again" on the dashboard. */
async function checkAgain(shop: string) {
  const token = mintSessionToken({ shop, apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET });
  const response = await fetch(`${env.app.url}/app?index&_data=routes%2Fapp._index`, {
    method: "POST",
    headers: { ...BROWSER_HEADERS, Authorization: `Bearer ${token}` },
    body: new URLSearchParams({ intent: "check-access" }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { resumed: number };
}

const ledgerCounts = async (shop: string) => ({
  customers: await prisma.customer.count({ where: { shop } }),
  orders: await prisma.order.count({ where: { shop } }),
});

beforeAll(async () => {
  env = await startLocalShopifyAndApp();
  queue = testQueue({ random: () => 0 });
});

describe("protected customer data not approved", () => {
  const shop = "unapproved.myshopify.com";

  it("the backfill is parked after one attempt, and the dashboard says the developer must request the data", async () => {
    await generatedShop(31, shop);
    // Given the app is installed without protected customer data approval
    env.shopify.install(shop, { protectedCustomerData: { level: 0 } });
    expect((await openApp(env.app.url, env.shopify, shop)).status).toBe(200);
    // When the backfill runs
    await runJobs();
    // Then Shopify's refusal parked it: ran once, finished (not dead, no retry waiting), nothing in the ledger
    const backfills = await jobRows(shop, { kind: "backfill" });
    expect(backfills.map((j) => [j.state, j.attempts])).toEqual([["done", 1]]);
    expect(await ledgerCounts(shop)).toEqual({ customers: 0, orders: 0 });
    const { access } = await dashboard(shop);
    expect(access.items).toEqual([
      expect.objectContaining({ feature: "ledger", state: "paused", action: "request-customer-data" }),
    ]);
    expect(access.parkedJobs).toBe(1);
    expect(access.refusals.length).toBeGreaterThan(0);
  });

  it("running the queue again changes nothing: a parked job is not retried in a loop", async () => {
    await runJobs();
    expect((await jobRows(shop, { kind: "backfill" })).length).toBe(1);
    expect((await dashboard(shop)).access.parkedJobs).toBe(1);
  });

  it("once approved, Check again resumes the backfill and the ledger fills", async () => {
    env.shopify.admin.access.approveProtectedCustomerData(shop, APP_APPROVAL);
    expect(await checkAgain(shop)).toEqual({ resumed: 1 });
    await runJobs();
    expect((await prisma.backfillRun.findFirst({ where: { shop }, orderBy: { startedAt: "desc" } }))?.status).toBe(
      "done",
    );
    expect((await ledgerCounts(shop)).customers).toBe(40);
    expect((await dashboard(shop)).access).toMatchObject({ items: [], parkedJobs: 0, refusals: [] });
  });
});

describe("without read_all_orders", () => {
  const shop = "sixty-days.myshopify.com";
  let truth: TruthSummary;

  it("the history is the last 60 days, and the dashboard says so and who can fix it", async () => {
    truth = await generatedShop(32, shop);
    env.shopify.install(shop, { scopes: ALL_SCOPES.replace("read_all_orders,", "") });
    expect((await openApp(env.app.url, env.shopify, shop)).status).toBe(200);
    await runJobs();
    const { orders } = await ledgerCounts(shop);
    expect(orders).toBeGreaterThan(0);
    expect(orders).toBeLessThan(truth.records.orders);
    expect((await dashboard(shop)).access.items).toEqual([
      {
        feature: "fullHistory",
        state: "limited",
        scopes: ["read_all_orders"],
        fields: [],
        action: "request-all-orders",
      },
    ]);
  });

  it("once granted (app/scopes_update), a new backfill brings in the older orders", async () => {
    const [delivery] = await env.shopify.grantScopes(shop, "read_all_orders");
    expect(delivery).toMatchObject({ delivered: true });
    expect((await prisma.shop.findUnique({ where: { shop } }))?.scope).toContain("read_all_orders");
    await runJobs();
    expect((await ledgerCounts(shop)).orders).toBe(truth.records.orders);
    expect(await prisma.backfillRun.count({ where: { shop, status: "done" } })).toBe(2);
    expect((await dashboard(shop)).access.items).toEqual([]);
  });
});

describe("a scope taken away", () => {
  const shop = "revoked.myshopify.com";

  it("the sync is parked while write_customers is missing, and resumes when it is granted again", async () => {
    await generatedShop(33, shop);
    env.shopify.install(shop);
    expect((await openApp(env.app.url, env.shopify, shop)).status).toBe(200);
    // Given write_customers is taken away before the first sync
    const [revoked] = await env.shopify.revokeScopes(shop, "write_customers");
    expect(revoked).toMatchObject({ delivered: true });
    // When backfill, scoring and the sync run
    await runJobs();
    // Then the ledger and the scores are there, the sync is parked, and the dashboard names the scope
    const states = await prisma.customerState.count({ where: { shop } });
    expect(states).toBeGreaterThan(0);
    expect(await prisma.customerSync.count({ where: { shop, syncedAt: { not: null } } })).toBe(0);
    const paused = await dashboard(shop);
    expect(paused.access.items).toEqual([
      { feature: "customerSync", state: "paused", scopes: ["write_customers"], fields: [], action: "approve-scopes" },
    ]);
    expect(paused.access.parkedJobs).toBeGreaterThan(0);
    expect((await jobRows(shop, { state: "dead" })).length).toBe(0);

    // When the merchant approves the scope again (Shopify sends app/scopes_update)
    const [granted] = await env.shopify.grantScopes(shop, "write_customers");
    expect(granted).toMatchObject({ delivered: true });
    await runJobs();
    // Then the parked sync ran: customers carry their tags in Shopify, and nothing is parked
    const tagged = [...env.shopify.admin.shops.getShop(shop)!.customers.values()].filter((c) =>
      c.tags.some((t) => t.startsWith("rfm:")),
    );
    expect(tagged.length).toBe(states);
    expect((await dashboard(shop)).access).toMatchObject({ items: [], parkedJobs: 0 });
  });
});

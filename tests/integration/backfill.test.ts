// Full-history backfill against the local Shopify: bulk queries streamed line by line into the ledger, equal to the
// generator's truth to the minor unit, and resumed exactly where it stopped when the download dies mid-file.
import path from "node:path";
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { prisma } from "../../app/db.server";
import { jobRows, testQueue } from "../support/queue";
import { backfillJob } from "../../app/jobs/backfill.server";
import { createAdminClient } from "../../app/shopify/client";
import { fetchTransport } from "../../app/shopify/transport.server";
import { backfillStatus } from "../../app/services/backfill.server";
import { writeShopFile, type TruthSummary } from "../../simulator/generator/index";
import { openApp, startLocalShopifyAndApp } from "../support/local-shopify";

let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;

async function shopFromGenerator(seed: number, domain: string): Promise<TruthSummary> {
  const file = path.join(inject("testRunDir"), `${domain}.jsonl`);
  await writeShopFile(
    { preset: "demo", seed, customers: 120, shopDomain: domain, endDate: "2026-11-01T00:00:00.000Z" },
    file,
  );
  await env.shopify.admin.shops.loadShopFile(file);
  return JSON.parse(readFileSync(`${file}.truth.json`, "utf8"));
}

/** The app's backfill job, talking to the simulator with the access token the app got at install. */
async function backfillWorker(fetch: typeof globalThis.fetch = globalThis.fetch) {
  const queue = testQueue({ random: () => 0 });
  const handler = backfillJob({
    queue,
    fetch,
    clientFor: async (shop) => {
      const session = await prisma.session.findUniqueOrThrow({ where: { id: `offline_${shop}` } });
      const endpoint = `${env.shopify.url}/store/${shop}/admin/api/2026-04/graphql.json`;
      return createAdminClient({
        shop,
        transport: fetchTransport({ shop, accessToken: session.accessToken, endpoint, fetch }),
      });
    },
  });
  return queue.work({ backfill: handler }, { pollMs: 20 });
}

async function ledgerSpend(shop: string) {
  const rows = await prisma.$queryRaw<{ customerId: string; n: number; spend: number }[]>`
    SELECT o."customerId", COUNT(*) AS n, SUM(o."valueMinor") AS spend FROM "Order" o
    WHERE o."shop" = ${shop} AND o."customerId" IS NOT NULL AND o."deletedAt" IS NULL AND o."test" = false
      AND o."cancelledAt" IS NULL AND o."valueMinor" > 0
    GROUP BY o."customerId"`;
  return Object.fromEntries(
    rows.map((r) => [r.customerId, { qualifyingOrders: Number(r.n), spendMinor: Number(r.spend) }]),
  );
}

const truthSpend = (truth: TruthSummary) =>
  Object.fromEntries(
    Object.entries(truth.perCustomer).map(([id, t]) => [
      id,
      { qualifyingOrders: t.qualifyingOrders, spendMinor: t.spendMinor },
    ]),
  );

beforeAll(async () => {
  env = await startLocalShopifyAndApp();
});

describe("backfill", () => {
  it("installing queues a backfill that brings in every customer and order, equal to the truth", async () => {
    const shop = "history-shop.myshopify.com";
    const truth = await shopFromGenerator(11, shop);
    env.shopify.install(shop);
    // When the merchant opens the app for the first time
    expect((await openApp(env.app.url, env.shopify, shop)).status).toBe(200);
    // Then a backfill is queued, and the worker completes it
    expect((await backfillStatus(shop))?.status).toBe("queued");
    const worker = await backfillWorker();
    await worker.idle();
    await worker.stop();

    const status = await backfillStatus(shop);
    expect(status).toMatchObject({
      status: "done",
      phase: "done",
      customers: { read: truth.records.customers, expected: truth.records.customers },
      orders: { read: truth.records.orders, expected: truth.records.orders },
    });
    expect(await prisma.customer.count({ where: { shop } })).toBe(truth.records.customers);
    expect(await prisma.order.count({ where: { shop } })).toBe(truth.records.orders);
    expect(await ledgerSpend(shop)).toEqual(truthSpend(truth));
    expect((await prisma.shop.findUniqueOrThrow({ where: { shop } })).currencyCode).toBe("USD");
    // And the full recompute is queued for after it
    expect(await jobRows(shop, { kind: "recompute-shop", state: "queued" })).toHaveLength(1);
  });

  it("resumes after the download dies mid-file: nothing doubled, nothing lost", async () => {
    const shop = "resumed-shop.myshopify.com";
    const truth = await shopFromGenerator(23, shop);
    env.shopify.install(shop);
    expect((await openApp(env.app.url, env.shopify, shop)).status).toBe(200);

    // Given a connection that breaks after ~40 KB of the orders file, once
    let broken = false;
    const flakyFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const url = String(input instanceof Request ? input.url : input);
      if (broken || !url.includes("/files/") || !response.body) return response;
      const [first] = await Promise.all([response.clone().text()]);
      if (!first.includes("gid://shopify/Order/")) return response;
      broken = true;
      let sent = 0;
      const reader = response.body.getReader();
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const { done, value } = await reader.read();
          if (done || sent > 40_000) return controller.error(new Error("connection reset by peer"));
          sent += value.byteLength;
          controller.enqueue(value);
        },
      });
      return new Response(body, { status: 200, headers: response.headers });
    };
    const worker = await backfillWorker(flakyFetch);
    await worker.idle();
    await new Promise((r) => setTimeout(r, 700)); // the retry's backoff
    await worker.idle();
    await worker.stop();

    expect(broken).toBe(true);
    const [job] = await jobRows(shop, { kind: "backfill" });
    expect(job).toMatchObject({ state: "done", attempts: 2 });
    expect(job.lastError).toBeNull();
    expect(await backfillStatus(shop)).toMatchObject({
      status: "done",
      orders: { read: truth.records.orders, expected: truth.records.orders },
    });
    expect(await ledgerSpend(shop)).toEqual(truthSpend(truth));
  });

  it("does not overwrite a newer webhook version with older backfill data", async () => {
    const shop = "history-shop.myshopify.com";
    const order = await prisma.order.findFirstOrThrow({
      where: { shop, deletedAt: null, test: false, cancelledAt: null },
    });
    // Given a webhook delivered a newer version during the backfill
    await prisma.order.update({
      where: { shop_id: { shop, id: order.id } },
      data: { currentTotalMinor: 1n, valueMinor: 1n, sourceUpdatedAt: new Date("2030-01-01T00:00:00Z") },
    });
    // When the backfill runs again (on demand)
    const { startBackfill } = await import("../../app/services/backfill.server");
    await startBackfill(shop);
    const worker = await backfillWorker();
    await worker.idle();
    await worker.stop();
    // Then the newer version stands
    expect((await prisma.order.findUniqueOrThrow({ where: { shop_id: { shop, id: order.id } } })).valueMinor).toBe(1n);
  });
});

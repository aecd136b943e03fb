// customers/redact and shop/redact erase exactly what they must. A shop is filled the way it is used (backfill from the
// local Shopify, webhooks, reconciliation, recompute, sync, a campaign run, a data request), the redact webhook is sent
// signed as Shopify signs it, and then EVERY text cell of EVERY table (the list read from sqlite_master, so a table
// added later is searched too) is searched for the customer's gid, numeric id, email and names — or, for shop/redact,
// the shop's domain outside its tombstone. Every row that did not name them is byte-identical afterwards.
import path from "node:path";
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { databaseKind, prisma } from "../../app/db.server";
import type { JobHandlers } from "../../app/jobs/queue";
import { testQueue } from "../support/queue";
import { backfillJob } from "../../app/jobs/backfill.server";
import { reconcileJob } from "../../app/jobs/reconcile.server";
import { recomputeShop } from "../../app/services/recompute.server";
import { syncShop } from "../../app/services/sync.server";
import { setPointsStart } from "../../app/services/points.server";
import { createReward } from "../../app/models/rewards.server";
import { createCampaignFromForm, runCampaigns, templateDefinition } from "../../app/services/campaigns.server";
import { campaignFormValues } from "../../app/domain/campaigns";
import { GRID_SEGMENT_KEYS } from "../../app/domain/segments";
import { writeShopFile } from "../../simulator/generator/index";
import { dumpDatabase, searchDatabase, wholeNumber, type Dump } from "../support/db-dump";
import { openApp, startLocalShopifyAndApp } from "../support/local-shopify";
import { exampleBody } from "../support/shopify-examples";
import { postWebhook } from "../support/webhooks";

const SHOP = "privacy-shop.myshopify.com";
const OTHER = "bystander-shop.myshopify.com";
const AS_OF = new Date("2026-11-01T00:00:00.000Z");
// The customer to be forgotten gets a name and an address nothing else in either shop has.
const TARGET_NAME = {
  firstName: "Zephyrine",
  lastName: "Quillfeather",
  email: "zephyrine.quillfeather@privacy.example",
};
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;
let target = ""; // gid://shopify/Customer/…
let targetNumber = "";
let targetOrders: string[] = [];
/** A genuine orders/create delivery to SHOP, kept to be replayed after the shop is redacted. */
let captured: { body: string; webhookId: string };

const clientFor = (shop: string) => env.clientFor(shop);

async function runJobs(handlers: JobHandlers) {
  const worker = testQueue().work(handlers, { pollMs: 20 });
  await worker.idle();
  await worker.stop();
}

const deliver = (shop: string, topic: string, body: string, webhookId: string = randomUUID()) =>
  postWebhook(appUrl(), `/webhooks/${topic}`, { shop, topic, body, webhookId });
const appUrl = () => env.app.url;
const numberOf = (gid: string) => gid.split("/").pop()!;

beforeAll(async () => {
  env = await startLocalShopifyAndApp();
  for (const [shop, seed] of [
    [SHOP, 61],
    [OTHER, 62],
  ] as const) {
    const file = path.join(inject("testRunDir"), `${shop}.jsonl`);
    await writeShopFile({ preset: "demo", seed, customers: 40, shopDomain: shop, endDate: AS_OF.toISOString() }, file, {
      truthFile: false,
    });
    const state = await env.shopify.admin.shops.loadShopFile(file);
    state.record.plan = "advanced";
    env.shopify.install(shop);
    expect((await openApp(env.app.url, env.shopify, shop)).status).toBe(200);
  }
  // Backfill both shops from the local Shopify.
  const queue = testQueue();
  await runJobs({ backfill: backfillJob({ queue, clientFor }) });

  // The customer to forget: SHOP's customer with the most orders, renamed in Shopify (customers/update webhook).
  const [top] = await prisma.$queryRaw<{ customerId: string }[]>`
    SELECT "customerId" FROM "Order" WHERE "shop" = ${SHOP} AND "customerId" IS NOT NULL GROUP BY "customerId" ORDER BY COUNT(*) DESC, "customerId" LIMIT 1`;
  target = top.customerId;
  targetNumber = numberOf(target);
  env.shopify.admin.updateCustomer(SHOP, target, TARGET_NAME);
  await env.shopify.webhooks.drain();
  expect((await prisma.customer.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: target } } })).email).toBe(
    TARGET_NAME.email,
  );

  // A lost order of theirs, found again by reconciliation (its run lists the fix under their id).
  const lost = await prisma.order.findFirstOrThrow({
    where: { shop: SHOP, customerId: target },
    orderBy: { id: "asc" },
  });
  await prisma.order.delete({ where: { shop_id: { shop: SHOP, id: lost.id } } });
  await testQueue().enqueue(SHOP, "reconcile", {});
  await runJobs({ reconcile: reconcileJob({ clientFor, queue: testQueue() }) });

  // Scores, tiers and history; the sync to Shopify; a campaign reaching every segment, run in both shops.
  for (const shop of [SHOP, OTHER]) {
    await recomputeShop(shop, { asOf: AS_OF, reason: "backfill" });
    await syncShop(shop, { client: await clientFor(shop), reason: "recompute" });
    const form = {
      ...campaignFormValues(await templateDefinition(shop, "win_back"), "USD"),
      audienceKind: "segment",
      segments: [...GRID_SEGMENT_KEYS],
      includeExisting: true,
      holdoutPercent: "20",
    };
    const saved = await createCampaignFromForm(shop, form, AS_OF);
    if (!saved.ok) throw new Error(JSON.stringify(saved.issues));
    await runCampaigns(shop, { client: await clientFor(shop), now: () => AS_OF });
    // A points programme running over the whole history: every customer with orders has a journal
    await setPointsStart(shop, new Date("2020-01-01T00:00:00Z"), { now: () => AS_OF });
  }

  // A new order of theirs by webhook (queues their follow-up job), and a data request (a copy of their data).
  env.shopify.admin.placeOrder(SHOP, { customerId: target, total: "42.00" });
  await env.shopify.webhooks.drain();
  targetOrders = (await prisma.order.findMany({ where: { shop: SHOP, customerId: target }, select: { id: true } })).map(
    (o) => o.id,
  );
  // A reward in each shop, redeemed by the customer to forget (their redemption names them; the reward does not).
  for (const shop of [SHOP, OTHER]) {
    const reward = await createReward(shop, {
      kind: "gift_card",
      title: "Gift card",
      pointsPrice: 10,
      valueMinor: 500,
      expiryDays: null,
      limits: { perCustomer: null, total: null },
    });
    if (shop === SHOP)
      await prisma.redemption.create({
        data: {
          shop,
          id: randomUUID(),
          customerId: target,
          rewardId: reward.id,
          token: "form-token",
          points: 10,
          kind: "gift_card",
          valueMinor: 500n,
          currencyCode: "USD",
          state: "confirmed",
          code: "ABCDEFGH23456789",
          shopifyId: "gid://shopify/GiftCard/1",
        },
      });
  }
  const dataRequest = {
    ...exampleBody("customers/data_request"),
    shop_domain: SHOP,
    customer: { id: Number(targetNumber), email: TARGET_NAME.email, phone: null },
    orders_requested: targetOrders.map((id) => Number(numberOf(id))),
  };
  expect((await deliver(SHOP, "customers/data_request", JSON.stringify(dataRequest))).status).toBe(200);

  // A delivery to SHOP of Shopify's example order, kept to replay later.
  const order = exampleBody("orders/create") as Record<string, any>;
  order.test = false;
  order.cancelled_at = null;
  captured = { body: JSON.stringify(order), webhookId: randomUUID() };
  expect((await deliver(SHOP, "orders/create", captured.body, captured.webhookId)).status).toBe(200);
});

/** Rows keyed by their full content, so "untouched" means byte-identical. */
const serial = (row: Record<string, unknown>) => JSON.stringify(row, (_, v) => (typeof v === "bigint" ? `${v}n` : v));

/** Every row of `before` that `keep` accepts is still there, unchanged. Returns what is missing. */
function missingRows(before: Dump, after: Dump, keep: (table: string, row: Record<string, unknown>) => boolean) {
  const missing: string[] = [];
  for (const [table, rows] of Object.entries(before)) {
    const now = new Set((after[table] ?? []).map(serial));
    for (const row of rows)
      if (keep(table, row) && !now.has(serial(row))) missing.push(`${table}: ${serial(row).slice(0, 160)}`);
  }
  return missing;
}

/** Rows of `after` that were not in `before`. */
function newRows(before: Dump, after: Dump) {
  return Object.entries(after).flatMap(([table, rows]) => {
    const then = new Set((before[table] ?? []).map(serial));
    return rows.filter((r) => !then.has(serial(r))).map((r) => ({ table, row: r }));
  });
}

describe("customers/redact", () => {
  const needles = () => [
    target,
    wholeNumber(targetNumber),
    TARGET_NAME.email,
    TARGET_NAME.firstName,
    TARGET_NAME.lastName,
  ];
  const mentions = (row: Record<string, unknown>) => {
    // The lines and refunded lines of their orders name the order, not the customer: they go with the order.
    if (typeof row.orderId === "string" && targetOrders.includes(row.orderId)) return true;
    const text = serial(row);
    return needles().some((n) => (typeof n === "string" ? text.toLowerCase().includes(n.toLowerCase()) : n.test(text)));
  };
  let before: Dump;

  it("the filled shop holds the customer in many tables (what the erasure must reach)", async () => {
    // Given the shop as filled above: the search finds them across the ledger, state, history, sync, campaign,
    // points journal, jobs, reconciliation and data-request tables
    const tables = new Set((await searchDatabase(needles())).map((f) => f.table));
    expect([...tables].sort()).toEqual(
      expect.arrayContaining([
        "CampaignRecipient",
        "ComplianceRequest",
        "Customer",
        "CustomerAggregate",
        "CustomerState",
        "CustomerStateChange",
        "CustomerSync",
        "Order",
        "PointsEntry",
        "ReconcileRun",
        "Redemption",
        // the job queue: the app's table on SQLite, pg-boss's on PostgreSQL
        databaseKind === "postgresql" ? "pgboss.job" : "Job",
      ]),
    );
  });

  it("leaves no trace of the customer in any text of any table", async () => {
    before = await dumpDatabase();
    // When Shopify sends customers/redact for them (its example body, naming this shop, customer and orders)
    const body = {
      ...exampleBody("customers/redact"),
      shop_domain: SHOP,
      customer: { id: Number(targetNumber), email: TARGET_NAME.email, phone: null },
      orders_to_redact: targetOrders.map((id) => Number(numberOf(id))),
    };
    const response = await deliver(SHOP, "customers/redact", JSON.stringify(body));
    // Then it is acknowledged and nothing anywhere names them
    expect(response.status).toBe(200);
    expect(await searchDatabase(needles())).toEqual([]);
  });

  it("leaves every row that did not name the customer byte-identical, in this shop and the other", async () => {
    const after = await dumpDatabase();
    // Rows that never named them are all still there, unchanged
    expect(missingRows(before, after, (_, row) => !mentions(row))).toEqual([]);
    // And the only rows not there before are the redaction's own receipt (counts only) and delivery record, and the
    // reconciliation run that listed a fix for them, rewritten without it
    const added = newRows(before, after);
    const rewritten = added.filter(({ table, row }) => before[table].some((b) => b.id === row.id && mentions(b)));
    expect(rewritten.map(({ table, row }) => `${table}:${JSON.parse(String(row.fixes)).length}`)).toEqual([
      `ReconcileRun:0`,
    ]);
    // The ledger's counts (docs/ledger-counts.md) follow the deleted rows: a -1 per order and customer erased, counts
    // and the shop only
    const counts = added.filter(({ table }) => table === "LedgerCountDelta");
    expect(counts.length).toBeGreaterThan(0);
    for (const { row } of counts) {
      expect(row.shop).toBe(SHOP);
      expect(Number(row.orders) + Number(row.customers)).toBe(-1);
    }
    const fresh = added.filter((a) => !rewritten.includes(a) && !counts.includes(a));
    expect(fresh.map(({ table, row }) => `${table}:${row.topic}`).sort()).toEqual([
      "ComplianceRequest:customers/redact",
      "WebhookDelivery:customers/redact",
    ]);
    // The other shop still has its customers, states and campaign members
    expect(await prisma.campaignRecipient.count({ where: { shop: OTHER } })).toBeGreaterThan(0);
  });
});

describe("shop/redact", () => {
  const domainOutsideTombstone = () =>
    searchDatabase([SHOP], { skip: (table, row) => table === "Shop" && row.shop === SHOP });

  it("leaves the shop's domain nowhere but its tombstone, and the other shop byte-identical", async () => {
    // Given the shop's rows everywhere, and the other shop's
    expect((await domainOutsideTombstone()).length).toBeGreaterThan(100);
    const other = await dumpDatabase({ shops: [OTHER] });
    // When Shopify sends shop/redact (48 hours after uninstall)
    const response = await deliver(
      SHOP,
      "shop/redact",
      JSON.stringify({ ...exampleBody("shop/redact"), shop_domain: SHOP }),
    );
    // Then the domain is only in the tombstone, marked redacted, and the other shop did not change by a byte
    expect(response.status).toBe(200);
    expect(await domainOutsideTombstone()).toEqual([]);
    expect(await prisma.shop.findUniqueOrThrow({ where: { shop: SHOP } })).toMatchObject({
      status: "redacted",
      scope: null,
      currencyCode: null,
    });
    expect(await dumpDatabase({ shops: [OTHER] })).toEqual(other);
  });

  it("answers a late replay of an earlier delivery with 200 and writes nothing back", async () => {
    const before = await dumpDatabase();
    // When an order delivered before the redaction arrives again (Shopify retries; anyone may replay a request)
    const replay = await deliver(SHOP, "orders/create", captured.body, captured.webhookId);
    // And a new one, and the redaction itself again
    const fresh = await deliver(SHOP, "orders/create", captured.body);
    const again = await deliver(
      SHOP,
      "shop/redact",
      JSON.stringify({ ...exampleBody("shop/redact"), shop_domain: SHOP }),
    );
    // Then each is acknowledged (so Shopify stops), and the database is exactly as it was
    expect([replay.status, fresh.status, again.status]).toEqual([200, 200, 200]);
    expect(await dumpDatabase()).toEqual(before);
    expect(await domainOutsideTombstone()).toEqual([]);
  });
});

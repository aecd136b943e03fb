// Where recommendations go (docs/recommendations.md), end to end on the local Shopify and the built
// app: the stored recommendations (recommendations.server.ts's write path) are written by the sync into the
// `$app.recommendations` list.product_reference metafield — only products the shop sells now, in order — and shown
// by the theme block on the storefront and on the loyalty page (the app proxy) to the signed-in shopper only; a
// product deleted or taken off sale since is dropped at the next sync, the metafield is deleted when none is left,
// and an unchanged sync writes nothing; another shop's rows for the same customer id are never shown; the win-back
// campaign's Flow trigger carries them. SQLite by default, PostgreSQL with TEST_DATABASE=postgresql.
import path from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { prisma } from "../../app/db.server";
import { replaceRecommendations } from "../../app/models/recommendations.server";
import { backfillJob } from "../../app/jobs/backfill.server";
import { recomputeShop } from "../../app/services/recompute.server";
import { createCampaignFromForm, runCampaigns, templateDefinition } from "../../app/services/campaigns.server";
import { syncShop } from "../../app/services/sync.server";
import { syncJob } from "../../app/jobs/sync.server";
import { SYNC } from "../../app/jobs/contracts";
import { syncFailures } from "../../app/models/sync.server";
import { campaignFormValues } from "../../app/domain/campaigns";
import { GRID_SEGMENT_KEYS } from "../../app/domain/segments";
import { writeShopFile } from "../../simulator/generator/index";
import type { SimulatorEvent } from "../../simulator/admin/index";
import { openApp, startLocalShopifyAndApp } from "../support/local-shopify";
import { deleteJobs, jobRows, testQueue } from "../support/queue";

const A = "picks-a.myshopify.com";
const B = "picks-b.myshopify.com";
const AS_OF = new Date("2026-11-01T00:00:00.000Z");
const APP_NS = "app--1";
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;
const now = () => AS_OF;
/**
 * Waits for the next whole second: Shopify's updated_at has whole seconds, and a product version of the same second as
 * the one held does not replace it (docs/rules.md#line-items-and-products).
 */
const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1_005 - (Date.now() % 1_000)));

/** A product gid no shop has. */
const UNKNOWN = "gid://shopify/Product/999999999999";
/** The products the tests create, by their number (Tea n): their ids are the local Shopify's. */
const products = new Map<number, string>();
const P = (n: number) => {
  const id = products.get(n);
  if (!id) throw new Error(`no product ${n}`);
  return id;
};
const sync = async (shop: string) => syncShop(shop, { client: await env.clientFor(shop), reason: "manual", now });
const simulated = (shop: string) => env.shopify.admin.shops.getShop(shop)!;
const written = (shop: string, customerId: string): string[] | null => {
  const field = simulated(shop).getMetafield(customerId, APP_NS, "recommendations");
  return field ? (JSON.parse(field.value) as string[]) : null;
};

/**
 * What the merchant does in Shopify (`act`), with the shop's webhooks (products/*) then delivered to the built app
 * and answered before this returns — the way the app's catalogue learns of products in production.
 */
async function inShopify<T>(shop: string, act: () => T): Promise<T> {
  const events: Parameters<typeof env.shopify.webhooks.deliverBatch>[0][number][] = [];
  const stop = env.shopify.admin.onEvent((event: SimulatorEvent) => {
    if (event.shop === shop && event.topic !== "bulk_operations/finish") events.push(env.shopify.webhookEventOf(event));
  });
  let result: T;
  try {
    result = env.shopify.withoutDelivery(shop, act);
  } finally {
    stop();
  }
  await deliver(events);
  lastDelivered = events;
  return result;
}
/** The webhooks inShopify delivered last. */
let lastDelivered: Parameters<typeof env.shopify.webhooks.deliverBatch>[0] = [];

async function deliver(events: Parameters<typeof env.shopify.webhooks.deliverBatch>[0]) {
  const outcomes = await env.shopify.webhooks.deliverBatch(events);
  expect(outcomes.map((o) => [o.topic, o.delivered])).toEqual(events.map((e) => [e.topic, true]));
}

/** The merchant adds product `Tea n` in Shopify; its products/create webhook brings it into the app's catalogue. */
async function addProduct(shop: string, n: number, status: "ACTIVE" | "DRAFT" = "ACTIVE") {
  const created = await inShopify(shop, () =>
    env.shopify.admin.createProduct(shop, {
      title: `Tea ${n}`,
      handle: `tea-${n}`,
      status,
      productType: "Tea",
      vendor: "Leaf",
      variants: [{ price: "12.00" }],
      featuredImage: { url: `https://cdn.example/files/tea-${n}.jpg?v=1`, altText: null, width: 600, height: 600 },
    }),
  );
  products.set(n, created.id);
  expect(await prisma.product.findUnique({ where: { shop_id: { shop, id: created.id } } })).toMatchObject({
    title: `Tea ${n}`,
    status,
    deletedAt: null,
  });
}

let members: string[] = [];
let bMember = "";

beforeAll(async () => {
  env = await startLocalShopifyAndApp();
  for (const [shop, seed] of [
    [A, 51],
    [B, 52],
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
  const queue = testQueue();
  const worker = queue.work({ backfill: backfillJob({ queue, clientFor: env.clientFor }) }, { pollMs: 20 });
  await worker.idle();
  await worker.stop();
  await recomputeShop(A, { asOf: AS_OF, reason: "backfill" });
  await recomputeShop(B, { asOf: AS_OF, reason: "backfill" });
  // The first sync writes the tiers: what follows is only the recommendations.
  await sync(A);
  await sync(B);
  members = (await prisma.customerState.findMany({ where: { shop: A }, orderBy: { customerId: "asc" } })).map(
    (s) => s.customerId,
  );
  expect(members.length).toBeGreaterThan(10);
  bMember = (await prisma.customerState.findFirstOrThrow({ where: { shop: B }, orderBy: { customerId: "asc" } }))
    .customerId;
  for (const n of [1, 2, 3, 4, 5]) await addProduct(A, n, n === 3 ? "DRAFT" : "ACTIVE");
  await addProduct(B, 9);
});

describe("recommendations reach the shopper", () => {
  it("are written by the sync into the metafield, only products for sale, in order, and nothing again unchanged", async () => {
    const [ada, bob] = members;
    // Every member but Bob: P3 is a draft, UNKNOWN not a product the app knows; Bob has none
    await replaceRecommendations(
      A,
      members
        .filter((id) => id !== bob)
        .map((customerId) => ({ customerId, products: [P(3), P(2), UNKNOWN, P(1), P(4)] })),
      AS_OF,
    );
    // Shop B holds a row for Ada's id (customer ids are per shop in the app; the two generated shops may even share
    // ids): never shop A's
    await replaceRecommendations(
      B,
      [...new Set([ada, bMember])].map((customerId) => ({ customerId, products: [P(9)] })),
      AS_OF,
    );
    expect(await sync(B)).toMatchObject({ status: "done", failed: 0 });
    expect(written(B, bMember)).toEqual([P(9)]);
    const result = await sync(A);
    expect(result).toMatchObject({ status: "done", failed: 0, changed: members.length - 1 });
    for (const id of members) expect(written(A, id), id).toEqual(id === bob ? null : [P(2), P(1), P(4)]);
    expect(simulated(A).getMetafield(ada, APP_NS, "recommendations")!.type).toBe("list.product_reference");

    const before = env.shopify.admin.requests.forShop(A).length;
    expect(await sync(A)).toMatchObject({ status: "done", changed: 0 });
    expect(
      env.shopify.admin.requests
        .forShop(A)
        .slice(before)
        .some((r) => JSON.stringify(r).includes("metafieldsSet")),
    ).toBe(false);
  });

  it("are shown by the theme block on the storefront and on the loyalty page, to the signed-in shopper only", async () => {
    const [ada, bob] = members;
    const home = await (await env.shopify.storefront.fetch(A, "/", { customerId: ada })).text();
    expect(home).toContain("Picked for you");
    const block = home.slice(home.indexOf("loyalty-status__picks"));
    expect([...block.matchAll(/<span>(Tea \d)<\/span>/g)].map((m) => m[1])).toEqual(["Tea 2", "Tea 1", "Tea 4"]);
    expect(block).toContain(`href="/store/${A}/products/tea-2"`);
    expect(block).toContain('src="//cdn.example/files/tea-2.jpg?v=1&width=160"');
    expect(await (await env.shopify.storefront.fetch(A, "/", { customerId: bob })).text()).not.toContain(
      "Picked for you",
    );

    const page = await (await env.shopify.storefront.fetch(A, "/apps/loyalty", { customerId: ada })).text();
    const picks = page.slice(page.indexOf('id="lp-picks"'));
    expect(picks).toContain("Picked for you");
    // The page shows at most four; the links go to the product pages of this storefront, which exist
    expect([...picks.matchAll(/products\/(tea-\d)">(Tea \d)</g)].map((m) => m[2])).toEqual(["Tea 2", "Tea 1", "Tea 4"]);
    expect((await env.shopify.storefront.fetch(A, "/products/tea-2")).status).toBe(200);
    const bobsPage = await (await env.shopify.storefront.fetch(A, "/apps/loyalty", { customerId: bob })).text();
    expect(bobsPage).not.toContain("lp-picks");
    // Shop B's row for the same customer id is not shop A's: its product appears nowhere in A
    expect(page).not.toContain("Tea 9");
    expect(home).not.toContain("Tea 9");
  });

  it("drop a product deleted or taken off sale since, and delete the metafield when none is left", async () => {
    const [ada, , cy] = members;
    await replaceRecommendations(
      A,
      [
        { customerId: ada, products: [P(2), P(1), P(4)] },
        { customerId: cy, products: [P(5)] },
      ],
      AS_OF,
    );
    const othersOf = (id: string) =>
      simulated(A)
        .metafieldsOf(id)
        .filter((m) => m.key !== "recommendations")
        .map((m) => `${m.key}=${m.value}`)
        .sort();
    const cyOthers = othersOf(cy);
    // P2 is deleted in Shopify, P5 goes back to draft: their products/* webhooks tell the app
    await inShopify(A, () => env.shopify.admin.deleteProduct(A, P(2)));
    await nextSecond(); // a version of the second P5 was created in would not replace it
    await inShopify(A, () => env.shopify.admin.updateProduct(A, P(5), { status: "DRAFT" }));
    expect(await prisma.product.findUnique({ where: { shop_id: { shop: A, id: P(2) } } })).toMatchObject({
      deletedAt: expect.any(Date),
    });
    expect(await prisma.product.findUnique({ where: { shop_id: { shop: A, id: P(5) } } })).toMatchObject({
      status: "DRAFT",
    });
    const result = await sync(A);
    expect(result).toMatchObject({ status: "done", failed: 0 });
    expect(written(A, ada)).toEqual([P(1), P(4)]);
    expect(written(A, cy)).toBeNull();
    // Everyone left out of the run lost theirs: none of them holds the metafield any more
    for (const id of members.slice(3)) expect(written(A, id), id).toBeNull();
    // Their other metafields stay as they were
    expect(othersOf(cy)).toEqual(cyOthers);
  });

  it("go through the bulk path the same way", async () => {
    const [ada, bob, cy] = members;
    await replaceRecommendations(
      A,
      [
        { customerId: ada, products: [P(4)] },
        { customerId: bob, products: [P(1), P(4)] },
      ],
      AS_OF,
    );
    const result = await syncShop(A, { client: await env.clientFor(A), reason: "manual", now, bulkThreshold: 0 });
    expect(result).toMatchObject({ status: "done", failed: 0, changed: 2 });
    expect(written(A, ada)).toEqual([P(4)]);
    expect(written(A, bob)).toEqual([P(1), P(4)]);
    expect(written(A, cy)).toBeNull();
  });

  it("a product Shopify no longer has (its webhook not in yet) is refused for that customer only, the others written", async () => {
    const [ada, bob, cy, dee] = members;
    await addProduct(A, 6);
    await replaceRecommendations(
      A,
      [
        { customerId: ada, products: [P(6), P(1)] },
        { customerId: bob, products: [P(1), P(4)] },
        { customerId: cy, products: [P(4), P(1)] },
        { customerId: dee, products: [P(1)] },
      ],
      AS_OF,
    );
    // Shopify deleted P6; the app has not heard yet (the webhook is held back) and still holds it ACTIVE
    const deletion: Parameters<typeof env.shopify.webhooks.deliverBatch>[0][number][] = [];
    const stop = env.shopify.admin.onEvent((event: SimulatorEvent) => {
      if (event.shop === A && event.topic === "products/delete") deletion.push(env.shopify.webhookEventOf(event));
    });
    env.shopify.withoutDelivery(A, () => env.shopify.admin.deleteProduct(A, P(6)));
    stop();
    expect(deletion).toHaveLength(1);
    expect((await prisma.product.findUnique({ where: { shop_id: { shop: A, id: P(6) } } }))?.deletedAt).toBeNull();
    const result = await sync(A);
    expect(result).toMatchObject({ status: "done", failed: 1 });
    const failures = await syncFailures(A);
    expect(failures.map((f) => [f.customerId, f.code])).toEqual([[ada, "metafieldsSet.INVALID_VALUE"]]);
    expect(failures[0].message).toBe(`Value references non-existent resource ${P(6)}.`);
    expect(written(A, ada)).toEqual([P(4)]); // as before: nothing of the refused write
    expect(written(A, bob)).toEqual([P(1), P(4)]);
    expect(written(A, cy)).toEqual([P(4), P(1)]);
    expect(written(A, dee)).toEqual([P(1)]);
    // Once the app knows (the products/delete webhook), the next sync writes the rest
    await deliver(deletion);
    expect(await sync(A)).toMatchObject({ status: "done", failed: 0, changed: 1 });
    expect(written(A, ada)).toEqual([P(1)]);
    expect(await syncFailures(A)).toEqual([]);
  });

  it("leave the metafield as soon as their product's webhook says it is deleted or off sale: the webhook queues the sync (no affinity run)", async () => {
    const [ada, bob, cy, dee] = members;
    for (const n of [10, 11]) await addProduct(A, n);
    for (const n of [12, 13]) await addProduct(B, n);
    await replaceRecommendations(
      A,
      [
        { customerId: ada, products: [P(10), P(1)] },
        { customerId: bob, products: [P(11), P(4)] },
        { customerId: cy, products: [P(10)] },
        // A row of shop A naming the gid of B's product 13 (ids are per shop: A may even have a product of that id)
        { customerId: dee, products: [P(13), P(3), P(1)] },
      ],
      AS_OF,
    );
    await replaceRecommendations(B, [{ customerId: bMember, products: [P(12), P(9)] }], AS_OF);
    expect(await sync(A)).toMatchObject({ status: "done", failed: 0 });
    expect(await sync(B)).toMatchObject({ status: "done", failed: 0 });
    expect(written(A, ada)).toEqual([P(10), P(1)]);
    expect(written(A, bob)).toEqual([P(11), P(4)]);
    expect(written(A, cy)).toEqual([P(10)]);
    expect(written(B, bMember)).toEqual([P(12), P(9)]);
    const syncs = async (shop: string) => jobRows(shop, { kind: SYNC, state: "queued" });
    await deleteJobs(A, SYNC);
    await deleteJobs(B, SYNC);
    const everyoneIn = (shop: string, ids: readonly string[]) => ids.map((id) => written(shop, id));
    const aBefore = everyoneIn(A, members);

    // Shop B deletes product 13, which none of B's customers is recommended: no sync anywhere (A's row naming the
    // same gid is A's), and A's catalogue is untouched
    const aHeld13 = await prisma.product.findUnique({ where: { shop_id: { shop: A, id: P(13) } } });
    await inShopify(B, () => env.shopify.admin.deleteProduct(B, P(13)));
    expect(await prisma.product.findUnique({ where: { shop_id: { shop: B, id: P(13) } } })).toMatchObject({
      deletedAt: expect.any(Date),
    });
    expect(await prisma.product.findUnique({ where: { shop_id: { shop: A, id: P(13) } } })).toEqual(aHeld13);
    expect(await syncs(B)).toEqual([]);
    expect(await syncs(A)).toEqual([]);
    // Deleting a draft (P3, in Dee's stored list but never shown) queues nothing: no metafield can hold it
    await inShopify(A, () => env.shopify.admin.deleteProduct(A, P(3)));
    expect(await prisma.product.findUnique({ where: { shop_id: { shop: A, id: P(3) } } })).toMatchObject({
      deletedAt: expect.any(Date),
    });
    expect(await syncs(A)).toEqual([]);
    // An edit that keeps a recommended product on sale (its title) queues nothing either
    await nextSecond();
    await inShopify(A, () => env.shopify.admin.updateProduct(A, P(11), { title: "Tea 11, new season" }));
    expect(await prisma.product.findUnique({ where: { shop_id: { shop: A, id: P(11) } } })).toMatchObject({
      title: "Tea 11, new season",
      status: "ACTIVE",
    });
    expect(await syncs(A)).toEqual([]);

    // Shop A deletes product 10 and archives product 11: one sync of A queued, by the webhooks themselves
    await inShopify(A, () => env.shopify.admin.deleteProduct(A, P(10)));
    const deletion = lastDelivered;
    const queued = await syncs(A);
    expect(queued.map((j) => [j.key, JSON.parse(j.payload)])).toEqual([[SYNC, { reason: "products" }]]);
    await nextSecond();
    await inShopify(A, () => env.shopify.admin.updateProduct(A, P(11), { status: "ARCHIVED" }));
    expect((await syncs(A)).map((j) => j.id)).toEqual([queued[0].id]);
    expect(await syncs(B)).toEqual([]);

    // The queued sync runs (as the worker would): the metafields no longer list them
    const runQueuedSyncs = async (shop: string) => {
      const queue = testQueue();
      const worker = queue.work({ [SYNC]: syncJob({ clientFor: env.clientFor, now }) }, { pollMs: 20 });
      // The sync waits SYNC_COALESCE_MS for the moments' other events
      await expect
        .poll(async () => (await jobRows(shop, { kind: SYNC, state: "done" })).length, { timeout: 20_000 })
        .toBe(1);
      await worker.stop();
    };
    await runQueuedSyncs(A);
    expect(written(A, ada)).toEqual([P(1)]);
    expect(written(A, bob)).toEqual([P(4)]);
    expect(written(A, cy)).toBeNull();
    const run = await prisma.syncRun.findFirstOrThrow({ where: { shop: A }, orderBy: { startedAt: "desc" } });
    expect(run).toMatchObject({ reason: "products", status: "done" });
    // Shop B's own member is as before
    expect(written(B, bMember)).toEqual([P(12), P(9)]);
    // The deletion delivered again, with duplicates, queues nothing (a repeat of a delivery is claimed already; the
    // product is deleted already, so the tombstone changes nothing)
    const again = await env.shopify.webhooks.deliverBatch(deletion, { duplicates: 2 });
    expect(again.length).toBeGreaterThan(1);
    expect(again.every((o) => o.delivered)).toBe(true);
    expect(await syncs(A)).toEqual([]);

    // Shop B deletes product 12, which its member is recommended: B's sync, never A's
    const aAfter = everyoneIn(A, members);
    await inShopify(B, () => env.shopify.admin.deleteProduct(B, P(12)));
    expect(await syncs(A)).toEqual([]);
    expect(await syncs(B)).toHaveLength(1);
    await runQueuedSyncs(B);
    expect(written(B, bMember)).toEqual([P(9)]);
    expect(everyoneIn(A, members)).toEqual(aAfter);
    // Only the three customers whose lists named A's deleted or archived products changed in A
    const changed = members.filter((_, i) => JSON.stringify(aBefore[i]) !== JSON.stringify(aAfter[i]));
    expect(changed.sort()).toEqual([ada, bob, cy].sort());
  });

  it("are carried by the win-back campaign's Flow trigger", async () => {
    // The win-back offer, to every segment the shop's customers are in (the audience itself is campaigns.test.ts's)
    const segments = [
      ...new Set((await prisma.customerState.findMany({ where: { shop: A } })).map((s) => s.segment)),
    ].filter((s) => (GRID_SEGMENT_KEYS as readonly string[]).includes(s));
    const form = {
      ...campaignFormValues(await templateDefinition(A, "win_back"), "USD"),
      segments,
      holdoutPercent: "0",
    };
    const saved = await createCampaignFromForm(A, form, AS_OF);
    if (!saved.ok) throw new Error(JSON.stringify(saved.issues));
    // Recommendations for every customer, so whoever the audience holds has some
    await replaceRecommendations(
      A,
      members.map((customerId) => ({ customerId, products: [P(4), P(3), P(1)] })),
      AS_OF,
    );
    const before = simulated(A).flowTriggers.length;
    const run = await runCampaigns(A, { client: await env.clientFor(A), now });
    const triggers = simulated(A)
      .flowTriggers.slice(before)
      .filter((t) => t.handle === "campaign-offer-issued");
    expect(triggers.length).toBeGreaterThan(0);
    const recipients = await prisma.campaignRecipient.count({
      where: { shop: A, campaignId: saved.campaign.id, holdout: false },
    });
    expect(run).toMatchObject({ triggers: recipients });
    expect(triggers).toHaveLength(recipients);
    for (const t of triggers) {
      expect(t.payload["recommended products"]).toBe("Tea 4 · Tea 1");
      expect(t.payload["recommended product handles"]).toBe("tea-4,tea-1");
    }
  });

  it("are deleted from Shopify with everything else the app wrote when it cleans up", async () => {
    expect(members.some((id) => written(A, id) !== null)).toBe(true);
    const result = await syncShop(A, { client: await env.clientFor(A), reason: "manual", mode: "cleanup", now });
    expect(result).toMatchObject({ status: "done", failed: 0 });
    for (const id of members) expect(written(A, id), id).toBeNull();
    // Shop B's are its own
    expect(written(B, bMember)).toEqual([P(9)]);
  });
});

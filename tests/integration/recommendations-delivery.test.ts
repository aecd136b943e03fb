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
import { syncFailures } from "../../app/models/sync.server";
import { campaignFormValues } from "../../app/domain/campaigns";
import { GRID_SEGMENT_KEYS } from "../../app/domain/segments";
import { writeShopFile } from "../../simulator/generator/index";
import type { ProductRecord } from "../../simulator/admin/records";
import { openApp, startLocalShopifyAndApp } from "../support/local-shopify";
import { testQueue } from "../support/queue";

const A = "picks-a.myshopify.com";
const B = "picks-b.myshopify.com";
const AS_OF = new Date("2026-11-01T00:00:00.000Z");
const APP_NS = "app--1";
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;
const now = () => AS_OF;
const P = (n: number) => `gid://shopify/Product/${n}`;
const sync = async (shop: string) => syncShop(shop, { client: await env.clientFor(shop), reason: "manual", now });
const simulated = (shop: string) => env.shopify.admin.shops.getShop(shop)!;
const written = (shop: string, customerId: string): string[] | null => {
  const field = simulated(shop).getMetafield(customerId, APP_NS, "recommendations");
  return field ? (JSON.parse(field.value) as string[]) : null;
};

/** A product in the simulated shop and, as the catalogue sync holds it, in the app's Product table. */
async function addProduct(shop: string, n: number, status: "ACTIVE" | "DRAFT" = "ACTIVE") {
  const record: ProductRecord = {
    __typename: "Product",
    id: P(n),
    title: `Tea ${n}`,
    handle: `tea-${n}`,
    status,
    productType: "Tea",
    vendor: "Leaf",
    featuredImage: { url: `https://cdn.example/files/tea-${n}.jpg?v=1`, altText: null, width: 600, height: 600 },
    createdAt: "2026-01-01T00:00:00Z",
    updatedAt: "2026-01-01T00:00:00Z",
  };
  simulated(shop).products.set(record);
  await prisma.product.create({
    data: {
      shop,
      id: record.id,
      title: record.title,
      handle: record.handle,
      status,
      productType: "Tea",
      vendor: "Leaf",
    },
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
    // Every member but Bob: P3 is a draft, P7 unknown to the app; Bob has none
    await replaceRecommendations(
      A,
      members
        .filter((id) => id !== bob)
        .map((customerId) => ({ customerId, products: [P(3), P(2), P(7), P(1), P(4)] })),
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
    // P2 is deleted in Shopify (the app marks it deleted), P5 goes back to draft
    simulated(A).products.delete(P(2));
    await prisma.product.update({ where: { shop_id: { shop: A, id: P(2) } }, data: { deletedAt: AS_OF } });
    await prisma.product.update({ where: { shop_id: { shop: A, id: P(5) } }, data: { status: "DRAFT" } });
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
    // Shopify deleted P6; the app has not heard yet and still holds it ACTIVE
    simulated(A).products.delete(P(6));
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
    await prisma.product.update({ where: { shop_id: { shop: A, id: P(6) } }, data: { deletedAt: AS_OF } });
    expect(await sync(A)).toMatchObject({ status: "done", failed: 0, changed: 1 });
    expect(written(A, ada)).toEqual([P(1)]);
    expect(await syncFailures(A)).toEqual([]);
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

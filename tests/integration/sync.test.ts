// Sync back to the store against the local Shopify: after backfill + recompute + sync the simulated shop's tags and
// metafields equal the app's state exactly; the merchant's tags are never touched (not even ones that look like the
// app's); a second sync sends nothing; refusals are recorded per customer; throttling, 429/5xx storms and a kill
// mid-sync end in the same final state; clean-up removes exactly what the app wrote.
import path from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { prisma } from "../../app/db.server";
import { SEGMENT_CREATE_MUTATION, SEGMENT_DELETE_MUTATION } from "../../app/shopify/documents";
import { testQueue } from "../support/queue";
import { backfillJob } from "../../app/jobs/backfill.server";
import { customerChangedJob } from "../../app/jobs/recompute.server";
import { CUSTOMER_CHANGED } from "../../app/jobs/contracts";
import { recomputeShop } from "../../app/services/recompute.server";
import { syncScopeFor, syncShop, type SyncResult } from "../../app/services/sync.server";
import { INTERRUPTED, saveSyncSettings, syncFailures } from "../../app/models/sync.server";
import { saveTierProgramVersion, getActiveTierProgram } from "../../app/models/tier-program.server";
import { writeShopFile } from "../../simulator/generator/index";
import { DEFAULT_SYNC_SETTINGS } from "../../app/domain/sync";
import { shopStatus } from "../../app/services/status.server";
import { openApp, startLocalShopifyAndApp } from "../support/local-shopify";

const SHOP = "syncing-shop.myshopify.com";
const OTHER = "untouched-shop.myshopify.com";
const AS_OF = new Date("2026-11-01T00:00:00.000Z");
const APP_NS = "app--1";
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;

const clientFor = (shop: string) => env.clientFor(shop);

async function sync(
  options: {
    mode?: "sync" | "cleanup";
    reason?: "manual" | "recompute";
    signal?: AbortSignal;
    fieldsPerRequest?: number;
    bulkThreshold?: number;
  } = {},
): Promise<SyncResult> {
  return syncShop(SHOP, { client: await clientFor(SHOP), reason: options.reason ?? "recompute", ...options });
}

const simulated = () => env.shopify.admin.shops.getShop(SHOP)!;

/** What the app's state says every customer must carry in Shopify: its tags, and its two metafields' values. */
async function expectedInShopify() {
  const states = await prisma.customerState.findMany({ where: { shop: SHOP }, orderBy: { customerId: "asc" } });
  return new Map(
    states.map((s) => [
      s.customerId,
      { tags: [`rfm:${s.segment}`, ...(s.tier ? [`tier:${s.tier}`] : [])], tier: s.tier },
    ]),
  );
}

/** The app's tags and metafields as the simulated shop holds them. */
function heldInShopify(ids: Iterable<string>) {
  const shop = simulated();
  return new Map(
    [...ids].map((id) => {
      const customer = shop.customers.get(id)!;
      const appTags = customer.tags.filter((t) => /^(rfm|tier):/.test(t) && !MERCHANT_TAGS.includes(t));
      return [id, { tags: appTags, tier: shop.getMetafield(id, APP_NS, "tier")?.value ?? null }];
    }),
  );
}

async function expectShopifyToMatchState() {
  const expected = await expectedInShopify();
  const held = heldInShopify(expected.keys());
  for (const [id, want] of expected) {
    const got = held.get(id)!;
    expect(got.tags.sort(), id).toEqual(want.tags.sort());
    expect(got.tier, id).toBe(want.tier);
  }
  return expected.size;
}

// Tags the merchant put on customers before the app came: one plain, two under the app's prefixes.
const MERCHANT_TAGS = ["vip", "rfm:handpicked", "Tier:Legacy"];
let tagged: string[] = [];

beforeAll(async () => {
  env = await startLocalShopifyAndApp();
  for (const [shop, seed] of [
    [SHOP, 31],
    [OTHER, 32],
  ] as const) {
    const file = path.join(inject("testRunDir"), `${shop}.jsonl`);
    await writeShopFile({ preset: "demo", seed, customers: 40, shopDomain: shop, endDate: AS_OF.toISOString() }, file, {
      truthFile: false,
    });
    const state = await env.shopify.admin.shops.loadShopFile(file);
    // Advanced plan (4000 points, 200/s): the same pacing as standard at half the waiting (the benchmark runs standard).
    state.record.plan = "advanced";
    env.shopify.install(shop);
    expect((await openApp(env.app.url, env.shopify, shop)).status).toBe(200);
  }
  tagged = [...simulated().customers.values()].slice(0, 3).map((c) => c.id);
  for (const id of tagged)
    simulated()
      .customers.get(id)!
      .tags.push(...MERCHANT_TAGS);
  const queue = testQueue();
  const worker = queue.work({ backfill: backfillJob({ queue, clientFor }) }, { pollMs: 20 });
  await worker.idle();
  await worker.stop();
  await recomputeShop(SHOP, { asOf: AS_OF, reason: "backfill" });
});

describe("sync", () => {
  it("writes every customer's tags and tier metafields, in few requests, leaving the merchant's tags alone", async () => {
    const before = env.shopify.admin.requests.forShop(SHOP).length;
    const result = await sync();
    expect(result).toMatchObject({ status: "done", failed: 0 });
    const customers = await expectShopifyToMatchState();
    expect(result.changed).toBe(customers);
    expect(result.synced).toBe(customers);
    // The merchant's tags are all still there, including those under the app's prefixes
    for (const id of tagged) expect(simulated().customers.get(id)!.tags).toEqual(expect.arrayContaining(MERCHANT_TAGS));
    // The status metafield is the storefront's JSON
    const someone = (await prisma.customerState.findFirstOrThrow({ where: { shop: SHOP, tier: { not: null } } }))
      .customerId;
    const status = JSON.parse(simulated().getMetafield(someone, APP_NS, "status")!.value);
    expect(status).toMatchObject({
      tier: expect.any(String),
      tier_name: expect.any(String),
      spend_in_window: expect.stringMatching(/^\d+(\.\d+)?$/),
      currency: expect.any(String),
    });
    // Batched: one segment per tier, one read of tags, and a handful of mutation requests for 40 customers
    const tiers = (await getActiveTierProgram(SHOP)).program.tiers.length;
    expect(result.requests).toBeLessThanOrEqual(tiers + 1 + Math.ceil(customers / 50) + 1);
    expect(env.shopify.admin.requests.forShop(SHOP).length - before).toBe(result.requests);
    // The other shop was never written
    expect(
      [...env.shopify.admin.shops.getShop(OTHER)!.customers.values()].every(
        (c) => !c.tags.some((t) => t.startsWith("rfm:")),
      ),
    ).toBe(true);
  });

  it("sends nothing the second time", async () => {
    const result = await sync();
    expect(result).toMatchObject({ status: "done", changed: 0, requests: 0 });
  });

  it("moves tier tags and metafields when tiers change, removing only the app's own tags", async () => {
    const { program } = await getActiveTierProgram(SHOP);
    // Raise every threshold above the lowest tenfold: most customers drop a tier.
    const harder = {
      ...program,
      tiers: program.tiers.map((t, i) => (i === 0 ? t : { ...t, threshold: t.threshold * 10 })),
    };
    await saveTierProgramVersion(SHOP, harder);
    const recompute = await recomputeShop(SHOP, { asOf: AS_OF, reason: "rules" });
    expect(recompute.moves).toBeGreaterThan(0);
    const result = await sync();
    expect(result.status).toBe("done");
    expect(result.changed).toBeGreaterThan(0);
    await expectShopifyToMatchState();
    for (const id of tagged) expect(simulated().customers.get(id)!.tags).toEqual(expect.arrayContaining(MERCHANT_TAGS));
  });

  it("sends one Flow trigger per tier or segment move (none for the first scoring), never twice", async () => {
    // The first sync (after the backfill's scoring) sent none; the rules change above moved customers
    const moves = await prisma.customerStateChange.findMany({
      where: { shop: SHOP, reason: "rules" },
      orderBy: { id: "asc" },
    });
    expect(moves.length).toBeGreaterThan(0);
    const received = simulated().flowTriggers;
    expect(received).toHaveLength(moves.length);
    expect(await prisma.customerStateChange.count({ where: { shop: SHOP, flowSentAt: null } })).toBe(0);
    const tierMove = moves.find((m) => m.kind === "tier")!;
    expect(received).toContainEqual(
      expect.objectContaining({
        handle: "loyalty-tier-changed",
        payload: {
          customer_id: Number(tierMove.customerId.split("/").pop()),
          "from tier": expect.any(String),
          "to tier": expect.any(String),
          direction: "down",
        },
      }),
    );
    // A rerun sends nothing again
    const again = await sync();
    expect(again.flowTriggers).toEqual({ sent: 0, refused: 0 });
    expect(simulated().flowTriggers).toHaveLength(moves.length);
  });

  it("keeps one customer segment per tier and, for perks given as codes, a code limited to it, updated and deleted with the perks", async () => {
    const shop = simulated();
    const segmentsByName = () => new Map([...shop.segments.values()].map((seg) => [seg.name, seg]));
    // Every tier has its segment, selecting the tier tag; no perk yet, no code
    const { program } = await getActiveTierProgram(SHOP);
    for (const tier of program.tiers) {
      expect(segmentsByName().get(`Loyalty tier: ${tier.name}`)?.query).toBe(
        `customer_tags CONTAINS 'tier:${tier.key}'`,
      );
    }
    expect(shop.discounts.size).toBe(0);

    // When the merchant gives gold 10 % and platinum 15 %, as codes
    const withPerks = {
      ...program,
      tiers: program.tiers.map((t) =>
        t.key === "gold"
          ? { ...t, perks: { ...t.perks, discountPercent: 10, delivery: "code" as const } }
          : t.key === "platinum"
            ? { ...t, perks: { ...t.perks, discountPercent: 15, delivery: "code" as const } }
            : t,
      ),
    };
    await saveTierProgramVersion(SHOP, withPerks);
    const first = await sync();
    expect(first).toMatchObject({ status: "done", tierFailures: [] });
    const code = (c: string) => {
      const id = shop.discountCodes.get(c.toLowerCase());
      return id ? shop.discounts.get(id) : undefined;
    };
    const gold = segmentsByName().get("Loyalty tier: Gold")!;
    expect(code("GOLD-10")).toMatchObject({
      value: { kind: "percentage", percentage: 0.1 },
      buyers: { kind: "segments", ids: [gold.id] },
      endsAt: null,
    });
    expect(code("PLATINUM-15")).toMatchObject({ value: { kind: "percentage", percentage: 0.15 }, endsAt: null });
    const goldId = code("GOLD-10")!.id;
    // And the segment's members are exactly the gold customers
    const golds = (await prisma.customerState.findMany({ where: { shop: SHOP, tier: "gold" } }))
      .map((c) => c.customerId)
      .sort();
    const members = [...shop.customers.values()]
      .filter((c) => c.tags.includes("tier:gold"))
      .map((c) => c.id)
      .sort();
    expect(members).toEqual(golds);

    // When gold goes to 12 %, platinum loses its perk and silver is removed
    await saveTierProgramVersion(SHOP, {
      ...withPerks,
      tiers: withPerks.tiers
        .filter((t) => t.key !== "silver")
        .map((t) =>
          t.key === "gold"
            ? { ...t, perks: { ...t.perks, discountPercent: 12 } }
            : t.key === "platinum"
              ? { ...t, perks: { ...t.perks, discountPercent: null } }
              : t,
        ),
    });
    await recomputeShop(SHOP, { asOf: AS_OF, reason: "rules" });
    const second = await sync();
    expect(second).toMatchObject({ status: "done", tierFailures: [], failed: 0 });
    // Then the same discount carries the new code and value, platinum's is deleted, silver's segment is gone
    expect(code("GOLD-10")).toBeUndefined();
    expect(code("GOLD-12")).toMatchObject({
      id: goldId,
      value: { percentage: 0.12 },
      buyers: { ids: [gold.id] },
      endsAt: null,
    });
    expect(code("PLATINUM-15")).toBeUndefined();
    expect(segmentsByName().has("Loyalty tier: Silver")).toBe(false);
    expect(shop.discounts.size).toBe(1);
    await expectShopifyToMatchState();
    // And nothing is sent again while nothing changes
    expect((await sync()).requests).toBe(0);

    // When the merchant turns tier discounts off, then segments too: codes go, segments go; turned on again, both
    // return
    await saveSyncSettings(SHOP, { ...DEFAULT_SYNC_SETTINGS, codes: false });
    await sync();
    expect(code("GOLD-12")).toBeUndefined();
    expect(segmentsByName().has("Loyalty tier: Gold")).toBe(true);
    await saveSyncSettings(SHOP, { ...DEFAULT_SYNC_SETTINGS, segments: false, codes: false });
    await sync();
    expect(shop.segments.size).toBe(0);
    await saveSyncSettings(SHOP, DEFAULT_SYNC_SETTINGS);
    const again = await sync();
    expect(
      again.tierFailures,
      JSON.stringify(await prisma.tierSegment.findMany({ where: { shop: SHOP, failure: { not: null } } })),
    ).toEqual([]);
    const goldAgain = segmentsByName().get("Loyalty tier: Gold")!;
    expect(code("GOLD-12")).toMatchObject({ endsAt: null, buyers: { kind: "segments", ids: [goldAgain.id] } });
    expect(shop.discounts.size).toBe(1);
  });

  it("records a customer Shopify refuses, syncs the rest, and tries the refused one again later", async () => {
    // A customer already at Shopify's 250-tag limit, moved to another segment prefix so the app must add a tag
    const full = (
      await prisma.customerState.findFirstOrThrow({ where: { shop: SHOP }, orderBy: { customerId: "desc" } })
    ).customerId;
    const customer = simulated().customers.get(full)!;
    while (customer.tags.length < 250) customer.tags.push(`filler-${customer.tags.length}`);
    await saveSyncSettings(SHOP, { ...DEFAULT_SYNC_SETTINGS, rfmPrefix: "segment:", tierPrefix: "tier:" });
    const result = await sync();
    expect(result).toMatchObject({ status: "done", failed: 1 });
    expect(await syncFailures(SHOP)).toEqual([
      expect.objectContaining({
        customerId: full,
        code: "tagsAdd.tags",
        message: expect.stringContaining("250"),
        failures: 1,
      }),
    ]);
    // And the shop's status (CLI `status`, the admin) says so, with what the run spent
    expect((await shopStatus(SHOP)).sync).toMatchObject({
      pending: 0,
      inFlight: 0,
      customersFailing: 1,
      failures: [expect.objectContaining({ customerId: full, message: expect.stringContaining("250") })],
      lastRun: { status: "done", failed: 1, requests: result.requests, costPoints: result.costPoints },
      tiers: expect.arrayContaining([
        expect.objectContaining({ tier: "gold", segment: "Loyalty tier: Gold", failure: null }),
      ]),
    });
    // Everyone else moved from rfm: to segment: (the app's old tags removed), the refused customer kept the
    // old one: nothing half-written
    const others = [...(await expectedInShopify()).keys()].filter((id) => id !== full);
    for (const id of others) {
      const tags = simulated().customers.get(id)!.tags;
      expect(
        tags.some((t) => t.startsWith("segment:")),
        id,
      ).toBe(true);
      expect(
        tags.filter((t) => t.startsWith("rfm:") && t !== "rfm:handpicked"),
        id,
      ).toEqual([]);
    }
    // Room made: the next sync writes it
    customer.tags.splice(
      customer.tags.findIndex((t) => t.startsWith("filler-")),
      10,
    );
    const again = await sync();
    expect(again).toMatchObject({ status: "done", failed: 0, synced: 1 });
    expect(await syncFailures(SHOP)).toEqual([]);
    await saveSyncSettings(SHOP, { ...DEFAULT_SYNC_SETTINGS, rfmPrefix: "rfm:", tierPrefix: "tier:" });
    await sync();
    await expectShopifyToMatchState();
  });

  it("ends in the same state through THROTTLED answers, 429s and 5xx, and after a kill mid-sync", async () => {
    await saveSyncSettings(SHOP, { ...DEFAULT_SYNC_SETTINGS, rfmPrefix: "seg:", tierPrefix: "level:" });
    const { faults } = env.shopify.admin;
    faults.inject({ kind: "throttled" }, { times: 2, shop: SHOP });
    faults.inject({ kind: "http", status: 429, retryAfter: 0.05 }, { times: 1, shop: SHOP });
    faults.inject({ kind: "http", status: 503 }, { times: 2, shop: SHOP });
    // Killed once the first request went out (10 mutations a request, so the run takes several)
    const controller = new AbortController();
    const stop = env.shopify.admin.onEvent(() => controller.abort(new Error("killed")));
    await expect(sync({ signal: controller.signal, fieldsPerRequest: 10 })).rejects.toThrow("killed");
    stop();
    const rerun = await sync({ fieldsPerRequest: 10 });
    expect(faults.pending()).toEqual([]); // every fault was met by one of the two runs
    faults.clear();
    expect(rerun).toMatchObject({ status: "done", failed: 0 });
    expect(rerun.synced).toBeLessThan(rerun.considered); // only what the killed run had not written
    const held = heldInShopify((await expectedInShopify()).keys());
    const states = await prisma.customerState.findMany({ where: { shop: SHOP } });
    for (const s of states) {
      const tags = simulated().customers.get(s.customerId)!.tags;
      expect(tags, s.customerId).toContain(`seg:${s.segment}`);
      if (s.tier) expect(tags, s.customerId).toContain(`level:${s.tier}`);
      expect(
        tags.filter((t) => /^(rfm|tier):/.test(t) && !MERCHANT_TAGS.includes(t)),
        s.customerId,
      ).toEqual([]);
      expect(held.get(s.customerId)!.tier).toBe(s.tier);
    }
    expect((await sync()).requests).toBe(0);
  });

  it("cleans up exactly what the app wrote: its tags and metafields, never the merchant's", async () => {
    const result = await sync({ mode: "cleanup" });
    expect(result.status).toBe("done");
    for (const customer of simulated().customers.values()) {
      const appTags = customer.tags.filter((t) => /^(seg|level|rfm|tier):/i.test(t) && !MERCHANT_TAGS.includes(t));
      expect(appTags, customer.id).toEqual([]);
      expect(simulated().getMetafield(customer.id, APP_NS, "tier"), customer.id).toBeUndefined();
      expect(simulated().getMetafield(customer.id, APP_NS, "status"), customer.id).toBeUndefined();
    }
    for (const id of tagged) expect(simulated().customers.get(id)!.tags).toEqual(expect.arrayContaining(MERCHANT_TAGS));
    // The tier segments are gone and their codes no longer run
    expect(simulated().segments.size).toBe(0);
    expect([...simulated().discounts.values()].every((d) => d.endsAt !== null)).toBe(true);
  });

  it("goes through bulk operations above the threshold, reading unknown tags in bulk, and ends in the same state", async () => {
    await saveSyncSettings(SHOP, DEFAULT_SYNC_SETTINGS);
    // Forget what was written, so every customer's tags are unknown again (as on a first sync)
    await prisma.customerSync.deleteMany({ where: { shop: SHOP } });
    const bulkBefore = simulated().bulkOperations.size;
    const result = await sync({ bulkThreshold: 10 });
    expect(result).toMatchObject({ status: "done", failed: 0 });
    expect(result.synced).toBe(result.changed);
    await expectShopifyToMatchState();
    for (const id of tagged) expect(simulated().customers.get(id)!.tags).toEqual(expect.arrayContaining(MERCHANT_TAGS));
    // One bulk query for tags, bulk mutations for tags and metafields: a few requests, no matter how many customers
    const operations = [...simulated().bulkOperations.values()].slice(bulkBefore);
    expect(operations.map((o) => [o.type, o.status])).toEqual([
      ["QUERY", "COMPLETED"],
      ["MUTATION", "COMPLETED"],
      ["MUTATION", "COMPLETED"],
    ]);
    expect(result.requests).toBeLessThan(40);
    expect((await sync()).requests).toBe(0);
  });

  it("fires a Flow trigger once for a tier move that arrived by duplicated webhooks", async () => {
    // A member places a big order; Shopify delivers orders/create and orders/paid, and then the same event three more times
    const member = (
      await prisma.customerState.findFirstOrThrow({
        where: { shop: SHOP, tier: "member" },
        orderBy: { customerId: "asc" },
      })
    ).customerId;
    const order = env.shopify.admin.placeOrder(SHOP, { customerId: member, total: "25000.00" });
    const event = {
      shop: simulated().record,
      topic: "orders/create",
      resource: order,
      triggeredAt: new Date().toISOString(),
    } as Parameters<typeof env.shopify.webhooks.deliverBatch>[0][number];
    const outcomes = await env.shopify.webhooks.deliverBatch([event], { duplicates: 2 });
    await env.shopify.webhooks.drain();
    // Three deliveries of one event, each answered 200; the order is in the ledger once
    const batch = env.shopify.webhooks.log.filter(
      (e) => e.topic === "orders/create" && e.eventId === outcomes[0].eventId,
    );
    expect(batch).toHaveLength(3);
    expect(batch.every((e) => e.status === 200)).toBe(true);
    await expect.poll(() => prisma.order.count({ where: { shop: SHOP, id: order.id } })).toBe(1);
    // The app queued the customer's update once; it runs, then the sync
    const queue = testQueue();
    const worker = queue.work({ [CUSTOMER_CHANGED]: customerChangedJob({ queue }) }, { pollMs: 20 });
    await worker.idle();
    await worker.stop();
    const moves = await prisma.customerStateChange.findMany({
      where: { shop: SHOP, customerId: member, reason: "order" },
    });
    expect(moves.map((m) => m.kind)).toContain("tier");
    const before = simulated().flowTriggers.length;
    expect((await sync()).flowTriggers).toEqual({ sent: moves.length, refused: 0 });
    expect((await sync()).flowTriggers).toEqual({ sent: 0, refused: 0 });
    const mine = simulated().flowTriggers.slice(before);
    expect(mine).toHaveLength(moves.length);
    expect(mine.find((t) => t.handle === "loyalty-tier-changed")?.payload).toMatchObject({
      customer_id: Number(member.split("/").pop()),
      "from tier": "Member",
      direction: "up",
    });
  });

  it("never takes its own tags for the merchant's after a write Shopify applied but the app did not record", async () => {
    // Found by npm run reliability:faults (a worker killed, or PostgreSQL restarted, between Shopify applying a
    // write and the app recording it). A first sync for everyone: the customers' tags are read, then written.
    await sync({ mode: "cleanup" });
    await prisma.customerSync.deleteMany({ where: { shop: SHOP } });
    const real = await clientFor(SHOP);
    let lost = 0;
    const lossy = Object.create(real) as typeof real;
    lossy.request = (async (query: string, variables?: Record<string, unknown>) => {
      const answer = await real.request(query, variables);
      // Shopify applied the first write; its answer never reaches the app (the process dies, the connection drops).
      if (/tagsAdd/.test(query) && lost++ === 0) throw new Error("answer lost");
      return answer;
    }) as typeof real.request;
    const first = await syncShop(SHOP, { client: lossy, reason: "recompute", fieldsPerRequest: 10 });
    expect(first.status).toBe("failed");
    expect(await sync()).toMatchObject({ status: "done", failed: 0 });
    await expectShopifyToMatchState();
    // Only the merchant's tags are recorded as theirs, so a clean-up removes every tag the app wrote.
    for (const row of await prisma.customerSync.findMany({ where: { shop: SHOP } })) {
      for (const tag of JSON.parse(row.foreignTags ?? "[]") as string[])
        expect(MERCHANT_TAGS, row.customerId).toContain(tag);
    }
    await sync({ mode: "cleanup" });
    for (const customer of simulated().customers.values()) {
      expect(
        customer.tags.filter((t) => /^(rfm|tier):/i.test(t) && !MERCHANT_TAGS.includes(t)),
        customer.id,
      ).toEqual([]);
    }
  });

  it("removes a tag it sent but never saw confirmed once the customer moves on", async () => {
    // A write Shopify applied whose answer the app never got (the process killed, the connection dropped), then the
    // customer's segment changes again before the next sync: the tag of the lost write is the app's to remove.
    await sync();
    const movers = (
      await prisma.customerState.findMany({ where: { shop: SHOP }, orderBy: { customerId: "asc" }, take: 3 })
    ).map((s) => s.customerId);
    const moveTo = (segment: string) =>
      prisma.customerState.updateMany({ where: { shop: SHOP, customerId: { in: movers } }, data: { segment } });
    await moveTo("cant_lose");
    const real = await clientFor(SHOP);
    const lossy = Object.create(real) as typeof real;
    lossy.request = (async (query: string, variables?: Record<string, unknown>) => {
      const answer = await real.request(query, variables);
      if (/tagsAdd/.test(query)) throw new Error("answer lost");
      return answer;
    }) as typeof real.request;
    expect((await syncShop(SHOP, { client: lossy, reason: "recompute" })).status).toBe("failed");
    for (const id of movers) expect(simulated().customers.get(id)!.tags).toContain("rfm:cant_lose");
    await moveTo("hibernating");
    expect(await sync()).toMatchObject({ status: "done", failed: 0 });
    await expectShopifyToMatchState();
    for (const id of movers) expect(simulated().customers.get(id)!.tags).not.toContain("rfm:cant_lose");
    expect(await prisma.customerSync.count({ where: { shop: SHOP, pendingTags: { not: null } } })).toBe(0);
  });

  it("closes a run a killed process left running when the next run starts", async () => {
    const orphan = await prisma.syncRun.create({ data: { shop: SHOP, reason: "recompute", status: "running" } });
    const other = await prisma.syncRun.create({ data: { shop: OTHER, reason: "recompute", status: "running" } });
    expect(await sync()).toMatchObject({ status: "done" });
    expect(await prisma.syncRun.findUniqueOrThrow({ where: { id: orphan.id } })).toMatchObject({
      status: "failed",
      error: INTERRUPTED,
    });
    expect((await prisma.syncRun.findUniqueOrThrow({ where: { id: other.id } })).status).toBe("running"); // another shop's: untouched
    await prisma.syncRun.delete({ where: { id: other.id } });
  });

  it("adopts the tier segments and codes its lost creates made, never a merchant's segment of the same name", async () => {
    await saveSyncSettings(SHOP, DEFAULT_SYNC_SETTINGS);
    const { program } = await getActiveTierProgram(SHOP);
    await saveTierProgramVersion(SHOP, {
      ...program,
      tiers: program.tiers.map((t) => (t.key === "gold" ? { ...t, perks: { ...t.perks, discountPercent: 10 } } : t)),
    });
    expect((await sync()).tierFailures).toEqual([]);
    const shop = simulated();
    const before = { segments: shop.segments.size, discounts: shop.discounts.size };
    expect(before.discounts).toBeGreaterThan(0);
    // Given Shopify holds every tier segment and code but the app recorded none (the creates' answers were lost)
    await prisma.tierSegment.deleteMany({ where: { shop: SHOP } });
    // When the sync runs again, each create is told the name or code is taken: they are the app's, adopted
    expect(await sync()).toMatchObject({ status: "done", tierFailures: [] });
    expect([shop.segments.size, shop.discounts.size]).toEqual([before.segments, before.discounts]);
    expect(await prisma.tierSegment.count({ where: { shop: SHOP, failure: { not: null } } })).toBe(0);
    expect((await sync()).requests).toBe(0);

    // Given a merchant's own segment under a tier segment's name (another query), the app's gone and unrecorded
    const client = await clientFor(SHOP);
    const gold = await prisma.tierSegment.findUniqueOrThrow({
      where: { shop_tierKey: { shop: SHOP, tierKey: "gold" } },
    });
    await client.request(SEGMENT_DELETE_MUTATION, { id: gold.segmentId });
    const theirs = await client.request<{ segmentCreate: { segment: { id: string } } }>(SEGMENT_CREATE_MUTATION, {
      name: gold.segmentName,
      query: "customer_tags CONTAINS 'vip'",
    });
    await prisma.tierSegment.delete({ where: { shop_tierKey: { shop: SHOP, tierKey: "gold" } } });
    // Then the app does not take it over: the tier's failure says why, the merchant's segment is unchanged
    expect((await sync()).tierFailures).toEqual(["gold"]);
    expect(
      (await prisma.tierSegment.findUniqueOrThrow({ where: { shop_tierKey: { shop: SHOP, tierKey: "gold" } } }))
        .failure,
    ).toMatch(/^segmentCreate: .*taken/);
    expect(shop.segments.get(theirs.segmentCreate.segment.id)).toMatchObject({
      name: gold.segmentName,
      query: "customer_tags CONTAINS 'vip'",
    });
    await client.request(SEGMENT_DELETE_MUTATION, { id: theirs.segmentCreate.segment.id });
    expect((await sync()).tierFailures).toEqual([]);
  });

  it("blames a refused metafield write on the customer its field path names, and writes the others of the call", async () => {
    // Found by the strict local Shopify (issue #18): metafieldsSet's elementIndex names an element of a list value and
    // is null otherwise, so the customer at fault is the one `field` names, ["metafields", "<input>", …].
    await sync();
    await prisma.customerSync.deleteMany({ where: { shop: SHOP } });
    // Given a customer deleted in Shopify whose customers/delete the app has not received yet
    const ids = [...(await expectedInShopify()).keys()];
    const gone = ids[1];
    env.shopify.withoutDelivery(SHOP, () => env.shopify.admin.deleteCustomer(SHOP, gone));
    // When every customer is written again (12 customers to a metafieldsSet call)
    const result = await sync();
    // Then only the deleted customer fails, for its own owner id, and everyone else in its call is written
    expect(result).toMatchObject({ status: "done", failed: 1 });
    expect((await syncFailures(SHOP)).map((f) => f.customerId)).toEqual([gone]);
    const held = heldInShopify(ids.filter((id) => id !== gone));
    const expected = await expectedInShopify();
    for (const [id, got] of held) expect(got.tier, id).toBe(expected.get(id)!.tier);
  });
});

// "Changed since last sync" (docs/rules.md#sync): the database marks a customer in the transaction of the change;
// a sync after customer events reads the marked customers only, and clears a mark only at the version it read.
describe("sync of the customers changed since the last sync", () => {
  const dueRows = (shop: string) =>
    prisma.customerSyncDue.findMany({ where: { shop }, orderBy: { customerId: "asc" } });
  /** Moves one customer through the real path: an order at the local Shopify, its webhook, the customer-changed job. */
  async function placeBigOrder(customerId: string) {
    const order = env.shopify.admin.placeOrder(SHOP, { customerId, total: "90000.00" });
    await env.shopify.webhooks.deliverBatch([
      {
        shop: simulated().record,
        topic: "orders/create",
        resource: order,
        triggeredAt: new Date().toISOString(),
      } as Parameters<typeof env.shopify.webhooks.deliverBatch>[0][number],
    ]);
    await expect.poll(() => prisma.order.count({ where: { shop: SHOP, id: order.id } })).toBe(1);
    await settle();
  }
  /** Shopify holds the customer's current state: their segment and tier tags and their tier metafield. */
  async function expectCustomerToMatchState(id: string) {
    const state = await prisma.customerState.findUniqueOrThrow({
      where: { shop_customerId: { shop: SHOP, customerId: id } },
    });
    const customer = simulated().customers.get(id)!;
    expect(customer.tags).toContain(`rfm:${state.segment}`);
    if (state.tier) expect(customer.tags).toContain(`tier:${state.tier}`);
    expect(simulated().getMetafield(id, APP_NS, "tier")?.value ?? null).toBe(state.tier);
  }
  /** Customers written without a refusal (the test above deleted one in Shopify), the first `n` by id. */
  const writtenCustomers = async (n: number, skip = 0) =>
    (
      await prisma.customerSync.findMany({
        where: { shop: SHOP, failedAt: null },
        orderBy: { customerId: "asc" },
        skip,
        take: n,
      })
    ).map((r) => r.customerId);
  /** The webhooks Shopify has to send delivered, and the customer-changed jobs they queued run. */
  async function settle() {
    await env.shopify.webhooks.drain();
    const queue = testQueue();
    const worker = queue.work({ [CUSTOMER_CHANGED]: customerChangedJob({ queue }) }, { pollMs: 20 });
    await worker.idle();
    await worker.stop();
  }

  beforeAll(async () => {
    // The customer-changed jobs of the webhooks the tests above caused have run (each customer's state computed as of
    // today, not the recompute's AS_OF: most move), and every customer is written.
    await settle();
    await sync({ reason: "manual" });
    await settle();
    await syncShop(SHOP, { client: await clientFor(SHOP), reason: "customer" });
    // The customer the test above deleted in Shopify stays due while Shopify refuses them (a refused write keeps its
    // mark): left out here, so that each test counts its own customers.
    await prisma.customerSyncDue.deleteMany({ where: { shop: SHOP } });
  });

  it("has its triggers in the migrated database (SQLite drops them when a migration redefines the table)", async () => {
    const names =
      (await prisma
        .$queryRawUnsafe<
          { name: string }[]
        >(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%sync_due%'`)
        .catch(() => null)) ??
      (await prisma.$queryRawUnsafe<{ name: string }[]>(
        `SELECT tgname::text AS name FROM pg_trigger WHERE tgname LIKE '%sync_due%'`,
      ));
    expect(names.map((n) => n.name).sort()).toEqual([
      "CustomerState_sync_due_insert",
      "CustomerState_sync_due_update",
      "PointsEntry_sync_due_insert",
    ]);
  });

  it("marks a customer when a synced part of their state changes or their journal grows, and only then", async () => {
    const [a, b] = await writtenCustomers(2);
    // A column the sync does not write (the R score): no mark
    await prisma.customerState.updateMany({ where: { shop: SHOP, customerId: a }, data: { r: { increment: 1 } } });
    expect(await dueRows(SHOP)).toEqual([]);
    // The segment (a tag) and the tier progress (the status metafield): a mark, bumped by each change
    const { segment, spendInWindowMinor } = await prisma.customerState.findUniqueOrThrow({
      where: { shop_customerId: { shop: SHOP, customerId: a } },
    });
    await prisma.customerState.updateMany({ where: { shop: SHOP, customerId: a }, data: { segment: "cant_lose" } });
    await prisma.customerState.updateMany({
      where: { shop: SHOP, customerId: a },
      data: { spendInWindowMinor: (spendInWindowMinor ?? 0n) + 1n },
    });
    expect(await dueRows(SHOP)).toEqual([{ shop: SHOP, customerId: a, version: 2 }]);
    // A points journal entry (the points metafield)
    const entry = await prisma.pointsEntry.create({
      data: {
        shop: SHOP,
        customerId: b,
        kind: "bonus",
        points: 10n,
        sourceKey: "test:sync-due",
        ruleVersion: 1,
        effectiveAt: AS_OF,
        availableAt: AS_OF,
      },
    });
    expect((await dueRows(SHOP)).map((r) => r.customerId)).toEqual([a, b].sort());
    // Put back as it was: the marks stay until a sync finds the customers written
    await prisma.pointsEntry.delete({ where: { id: entry.id } });
    await prisma.customerState.updateMany({
      where: { shop: SHOP, customerId: a },
      data: { segment, spendInWindowMinor, r: { decrement: 1 } },
    });
    const before = env.shopify.admin.requests.forShop(SHOP).length;
    const result = await syncShop(SHOP, { client: await clientFor(SHOP), reason: "customer" });
    // Both read, found written as they are, cleared: no write sent (a Flow trigger of an earlier move may go)
    expect(result).toMatchObject({ status: "done", considered: 2, changed: 0 });
    const sent = env.shopify.admin.requests.forShop(SHOP).slice(before);
    expect(sent.filter((r) => /tagsAdd|tagsRemove|metafieldsSet|metafieldsDelete/.test(r.document ?? ""))).toEqual([]);
    expect(await dueRows(SHOP)).toEqual([]);
  });

  it("after one customer's order, reads and writes that customer only, and leaves another shop's marks alone", async () => {
    const states = await prisma.customerState.count({ where: { shop: SHOP } });
    expect(states).toBeGreaterThan(30);
    const [mover] = await writtenCustomers(1, 10);
    // Another shop holds a mark for the same customer id
    await prisma.customerSyncDue.create({ data: { shop: OTHER, customerId: mover, version: 7 } });
    await placeBigOrder(mover);
    expect((await dueRows(SHOP)).map((r) => r.customerId)).toEqual([mover]);
    const before = env.shopify.admin.requests.forShop(SHOP).length;
    const result = await syncShop(SHOP, { client: await clientFor(SHOP), reason: "customer" });
    // One customer read of the shop's states, one written, in one mutation request (plus the tier move's Flow trigger)
    expect(result).toMatchObject({ status: "done", considered: 1, changed: 1, synced: 1, failed: 0 });
    const sent = env.shopify.admin.requests.forShop(SHOP).slice(before);
    expect(sent).toHaveLength(result.requests);
    const writes = sent.filter((r) => /tagsAdd|tagsRemove|metafieldsSet|metafieldsDelete/.test(r.document ?? ""));
    expect(writes).toHaveLength(1);
    const owners = JSON.stringify(writes[0].variables).match(/gid:\/\/shopify\/Customer\/\d+/g) ?? [];
    expect(new Set(owners)).toEqual(new Set([mover]));
    await expectCustomerToMatchState(mover);
    // Cleared for this shop only
    expect(await dueRows(SHOP)).toEqual([]);
    expect(await dueRows(OTHER)).toEqual([{ shop: OTHER, customerId: mover, version: 7 }]);
    await prisma.customerSyncDue.deleteMany({ where: { shop: OTHER } });
    // Nothing changed since: a sync for customer events reads no state and writes nothing
    expect(await syncShop(SHOP, { client: await clientFor(SHOP), reason: "customer" })).toMatchObject({
      considered: 0,
      changed: 0,
    });
  });

  it("keeps a change made while the sync runs for the next sync", async () => {
    const [x] = await writtenCustomers(1);
    const moveTo = (segment: string) =>
      prisma.customerState.updateMany({ where: { shop: SHOP, customerId: x }, data: { segment } });
    const original = (
      await prisma.customerState.findUniqueOrThrow({ where: { shop_customerId: { shop: SHOP, customerId: x } } })
    ).segment;
    await moveTo("cant_lose");
    const real = await clientFor(SHOP);
    const racing = Object.create(real) as typeof real;
    let moved = false;
    racing.request = (async (query: string, variables?: Record<string, unknown>) => {
      // The customer moves again (a webhook on another worker) after the sync read them, before it records its write
      if (!moved && /tagsAdd/.test(query)) {
        moved = true;
        await moveTo("hibernating");
      }
      return real.request(query, variables);
    }) as typeof real.request;
    const first = await syncShop(SHOP, { client: racing, reason: "customer" });
    expect(first).toMatchObject({ status: "done", considered: 1, synced: 1 });
    expect(moved).toBe(true);
    // Shopify holds what the sync read; the later change is still marked
    expect(simulated().customers.get(x)!.tags).toContain("rfm:cant_lose");
    expect(await dueRows(SHOP)).toEqual([{ shop: SHOP, customerId: x, version: 2 }]);
    // The next sync writes it
    expect(await syncShop(SHOP, { client: real, reason: "customer" })).toMatchObject({ considered: 1, synced: 1 });
    expect(simulated().customers.get(x)!.tags).toContain("rfm:hibernating");
    expect(simulated().customers.get(x)!.tags).not.toContain("rfm:cant_lose");
    await expectCustomerToMatchState(x);
    expect(await dueRows(SHOP)).toEqual([]);
    await moveTo(original);
    await sync();
  });

  it("takes the changed customers alone only for customer events; a refused write stays marked", async () => {
    expect(syncScopeFor("customer")).toBe("changed");
    for (const reason of ["recompute", "manual", "settings", "backfill", "products"] as const)
      expect(syncScopeFor(reason)).toBe("all");
    expect(syncScopeFor("customer", "cleanup")).toBe("all");
    // A customer Shopify refuses (deleted there, the app not told yet) keeps their mark and is tried again
    const [y] = await writtenCustomers(1, 5);
    await prisma.customerState.updateMany({ where: { shop: SHOP, customerId: y }, data: { segment: "cant_lose" } });
    env.shopify.withoutDelivery(SHOP, () => env.shopify.admin.deleteCustomer(SHOP, y));
    const refused = await syncShop(SHOP, { client: await clientFor(SHOP), reason: "customer" });
    expect(refused).toMatchObject({ status: "done", considered: 1, failed: 1 });
    expect((await dueRows(SHOP)).map((r) => r.customerId)).toEqual([y]);
  });
});

// Tier perks as real Shopify discounts (docs/rules.md#perks), against the strict local Shopify (every document
// checked against the Admin 2026-04 schema): every perk the editor offers exists in Shopify after save and sync —
// automatic or as codes, limited to the tier's segment — and is edited, replaced and deleted with the programme;
// a refusal (the shop's automatic-discount limit) is recorded and the rest goes on; a lost create is found, not
// repeated; clean-up deletes everything. Simulated checkouts: a Silver member gets Silver's perks and not Gold's,
// and after an order moves them to Gold (webhook → recompute → sync) their next checkout gets Gold's.
import path from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { prisma } from "../../app/db.server";
import { CUSTOMER_CHANGED, SYNC } from "../../app/jobs/contracts";
import { customerChangedJob } from "../../app/jobs/recompute.server";
import type { JobQueue } from "../../app/jobs/queue";
import { backfillJob } from "../../app/jobs/backfill.server";
import { recomputeShop, recomputeShopAndFollowUp } from "../../app/services/recompute.server";
import { syncShop } from "../../app/services/sync.server";
import { saveSyncSettings } from "../../app/models/sync.server";
import { getActiveTierProgram, saveTierProgramVersion } from "../../app/models/tier-program.server";
import { DEFAULT_SYNC_SETTINGS } from "../../app/domain/sync";
import type { TierPerks, TierProgram } from "../../app/domain/tiers";
import { DISCOUNT_AUTOMATIC_BASIC_CREATE_MUTATION } from "../../app/shopify/documents";
import { writeShopFile } from "../../simulator/generator/index";
import type { DiscountRecord } from "../../simulator/admin/records";
import { testQueue } from "../support/queue";
import { openApp, startLocalShopifyAndApp } from "../support/local-shopify";

const SHOP = "perks-shop.myshopify.com";
const AS_OF = new Date("2026-11-01T00:00:00.000Z");
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;
let base: TierProgram;

const simulated = () => env.shopify.admin.shops.getShop(SHOP)!;
const sync = async (mode: "sync" | "cleanup" = "sync") =>
  syncShop(SHOP, { client: await env.clientFor(SHOP), reason: "manual", mode });
const discounts = () => [...simulated().discounts.values()] as DiscountRecord[];
const titled = (title: string) => discounts().find((d) => d.title === title);
const segmentOf = (tier: string) => [...simulated().segments.values()].find((s) => s.query.includes(`'tier:${tier}'`))!;

/** Saves the default programme with these perks per tier key (everything else as the default has it). */
async function savePerks(perks: Record<string, Partial<TierPerks>>, rename: Record<string, string> = {}) {
  await saveTierProgramVersion(SHOP, {
    ...base,
    tiers: base.tiers.map((t) => ({
      ...t,
      name: rename[t.key] ?? t.name,
      perks: { ...t.perks, ...perks[t.key] },
    })),
  });
}

beforeAll(async () => {
  env = await startLocalShopifyAndApp();
  const file = path.join(inject("testRunDir"), `${SHOP}.jsonl`);
  await writeShopFile(
    { preset: "demo", seed: 47, customers: 40, shopDomain: SHOP, endDate: AS_OF.toISOString() },
    file,
    {
      truthFile: false,
    },
  );
  const state = await env.shopify.admin.shops.loadShopFile(file);
  state.record.plan = "advanced";
  env.shopify.install(SHOP);
  expect((await openApp(env.app.url, env.shopify, SHOP)).status).toBe(200);
  const queue = testQueue();
  const worker = queue.work({ backfill: backfillJob({ queue, clientFor: env.clientFor }) }, { pollMs: 20 });
  await worker.idle();
  await worker.stop();
  await recomputeShop(SHOP, { asOf: AS_OF, reason: "backfill" });
  base = (await getActiveTierProgram(SHOP)).program;
});

describe("tier perks as Shopify discounts", () => {
  it("creates every perk the editor offers, limited to the tier's segment; a second sync sends nothing", async () => {
    await savePerks({
      silver: { discountPercent: 5 },
      gold: { discountPercent: 10, freeShipping: true, freeShippingMaxPriceMinor: 2000, minimumSubtotalMinor: 5000 },
      platinum: {
        discountPercent: 15,
        freeShipping: true,
        delivery: "code",
        combinesWith: { orderDiscounts: true, productDiscounts: true, shippingDiscounts: true },
      },
    });
    const result = await sync();
    expect(result).toMatchObject({ status: "done", tierFailures: [] });
    expect(discounts()).toHaveLength(5);
    expect(titled("Loyalty tier: Silver — 5% off")).toMatchObject({
      method: "automatic",
      value: { kind: "percentage", percentage: 0.05 },
      buyers: { kind: "segments", ids: [segmentOf("silver").id] },
      combinesWith: { orderDiscounts: false, productDiscounts: false, shippingDiscounts: true },
      minimumSubtotal: null,
      endsAt: null,
    });
    expect(titled("Loyalty tier: Gold — 10% off")).toMatchObject({
      method: "automatic",
      value: { percentage: 0.1 },
      minimumSubtotal: { amount: "50.00" },
      buyers: { ids: [segmentOf("gold").id] },
    });
    expect(titled("Loyalty tier: Gold — free shipping")).toMatchObject({
      method: "automatic",
      value: { kind: "freeShipping", maximumShippingPrice: { amount: "20.00" } },
      minimumSubtotal: { amount: "50.00" },
      combinesWith: { orderDiscounts: true, productDiscounts: false, shippingDiscounts: false },
    });
    expect(titled("Loyalty tier: Platinum — 15% off")).toMatchObject({
      method: "code",
      codes: [expect.objectContaining({ code: "PLATINUM-15" })],
      combinesWith: { orderDiscounts: true, productDiscounts: true, shippingDiscounts: true },
      appliesOncePerCustomer: false,
    });
    expect(titled("Loyalty tier: Platinum — free shipping")).toMatchObject({
      method: "code",
      codes: [expect.objectContaining({ code: "PLATINUM-SHIP" })],
      value: { kind: "freeShipping", maximumShippingPrice: null },
    });
    expect((await sync()).requests).toBe(0);
  });

  it("edits in place, replaces what an edit cannot change, and deletes perks and tiers that go", async () => {
    const goldPercent = titled("Loyalty tier: Gold — 10% off")!.id;
    const goldShipping = titled("Loyalty tier: Gold — free shipping")!.id;
    const platinumPercent = titled("Loyalty tier: Platinum — 15% off")!.id;
    // Gold 12 % (same discount), its maximum shipping price removed (replaced); Platinum's percentage automatic now
    // (replaced) and its free shipping gone (deleted); Silver removed (deleted with its segment); Member renamed
    await saveTierProgramVersion(SHOP, {
      ...base,
      tiers: base.tiers
        .filter((t) => t.key !== "silver")
        .map((t) => ({
          ...t,
          name: t.key === "gold" ? "Gold & <Co>" : t.name,
          perks:
            t.key === "gold"
              ? { ...t.perks, discountPercent: 12, freeShipping: true, minimumSubtotalMinor: 5000 }
              : t.key === "platinum"
                ? { ...t.perks, discountPercent: 15 }
                : t.perks,
        })),
    });
    await recomputeShop(SHOP, { asOf: AS_OF, reason: "rules" });
    expect(await sync()).toMatchObject({ status: "done", tierFailures: [] });
    const percent = titled("Loyalty tier: Gold & <Co> — 12% off")!;
    expect(percent.id).toBe(goldPercent);
    expect(percent.value).toEqual({ kind: "percentage", percentage: 0.12 });
    const shipping = titled("Loyalty tier: Gold & <Co> — free shipping")!;
    expect(shipping.id).not.toBe(goldShipping);
    expect(shipping.value).toEqual({ kind: "freeShipping", maximumShippingPrice: null });
    expect(simulated().discounts.get(goldShipping)).toBeUndefined();
    const platinum = titled("Loyalty tier: Platinum — 15% off")!;
    expect(platinum).toMatchObject({ method: "automatic", codes: [] });
    expect(simulated().discounts.get(platinumPercent)).toBeUndefined();
    expect(titled("Loyalty tier: Platinum — free shipping")).toBeUndefined();
    expect(titled("Loyalty tier: Silver — 5% off")).toBeUndefined();
    expect(discounts()).toHaveLength(3);
    expect(await prisma.tierDiscount.count({ where: { shop: SHOP } })).toBe(3);
    expect((await sync()).requests).toBe(0);
  });

  it("records Shopify's refusal (the automatic-discount limit) on the tier, syncs the rest, and succeeds later", async () => {
    // The merchant's own 23 automatic discounts: with the app's 3, the shop is at Shopify's 25 active + 1
    const client = await env.clientFor(SHOP);
    const mine: string[] = [];
    for (let i = 0; i < 22; i++) {
      const made = await client.request<{ discountAutomaticBasicCreate: { automaticDiscountNode: { id: string } } }>(
        DISCOUNT_AUTOMATIC_BASIC_CREATE_MUTATION,
        {
          automaticBasicDiscount: {
            title: `Merchant sale ${i}`,
            startsAt: "2026-01-01T00:00:00Z",
            customerGets: { value: { percentage: 0.01 }, items: { all: true } },
            context: { all: "ALL" },
          },
        },
      );
      mine.push(made.discountAutomaticBasicCreate.automaticDiscountNode.id);
    }
    // When Member gets free shipping (a 26th automatic discount)
    const { program } = await getActiveTierProgram(SHOP);
    await saveTierProgramVersion(SHOP, {
      ...program,
      tiers: program.tiers.map((t) => (t.key === "member" ? { ...t, perks: { ...t.perks, freeShipping: true } } : t)),
    });
    const refused = await sync();
    expect(refused.status).toBe("done");
    expect(refused.tierFailures).toEqual(["member"]);
    const row = await prisma.tierDiscount.findUniqueOrThrow({
      where: { shop_tierKey_kind: { shop: SHOP, tierKey: "member", kind: "shipping" } },
    });
    expect(row).toMatchObject({ discountId: null, pendingSpec: null });
    expect(row.failure).toMatch(/^discountAutomaticFreeShippingCreate: .*25 automatic discounts/);
    expect(discounts()).toHaveLength(25);
    // The merchant ends one of theirs: the next sync creates Member's
    await client.request(
      `#graphql
      mutation End($id: ID!) { discountAutomaticDelete(id: $id) { deletedAutomaticDiscountId userErrors { message } } }`,
      { id: mine[0] },
    );
    expect((await sync()).tierFailures).toEqual([]);
    expect(titled("Loyalty tier: Member — free shipping")).toMatchObject({ method: "automatic" });
    for (const id of mine.slice(1))
      await client.request(
        `#graphql
        mutation End($id: ID!) { discountAutomaticDelete(id: $id) { deletedAutomaticDiscountId userErrors { message } } }`,
        { id },
      );
  });

  it("finds an automatic discount whose create answer was lost instead of making a second", async () => {
    const row = await prisma.tierDiscount.findUniqueOrThrow({
      where: { shop_tierKey_kind: { shop: SHOP, tierKey: "member", kind: "shipping" } },
    });
    const count = discounts().length;
    // Given the app sent the create (recorded as pending) but never recorded Shopify's answer
    await prisma.tierDiscount.update({
      where: { shop_tierKey_kind: { shop: SHOP, tierKey: "member", kind: "shipping" } },
      data: { discountId: null, method: null, spec: null, pendingSpec: row.spec },
    });
    // Then the next sync adopts it: no second discount, nothing left pending
    expect((await sync()).tierFailures).toEqual([]);
    expect(discounts()).toHaveLength(count);
    expect(
      await prisma.tierDiscount.findUniqueOrThrow({
        where: { shop_tierKey_kind: { shop: SHOP, tierKey: "member", kind: "shipping" } },
      }),
    ).toMatchObject({ discountId: row.discountId, pendingSpec: null, spec: row.spec });
    expect((await sync()).requests).toBe(0);
  });

  it("deletes every discount when tier discounts are turned off, makes them again when on, and clean-up deletes all", async () => {
    await saveSyncSettings(SHOP, { ...DEFAULT_SYNC_SETTINGS, codes: false });
    await sync();
    expect(discounts()).toHaveLength(0);
    expect(simulated().segments.size).toBeGreaterThan(0);
    await saveSyncSettings(SHOP, DEFAULT_SYNC_SETTINGS);
    expect((await sync()).tierFailures).toEqual([]);
    expect(discounts()).toHaveLength(4);
    expect(await sync("cleanup")).toMatchObject({ status: "done", tierFailures: [] });
    expect(discounts()).toHaveLength(0);
    expect(simulated().segments.size).toBe(0);
    expect(await prisma.tierDiscount.count({ where: { shop: SHOP } })).toBe(0);
  });
});

describe("simulated checkouts", () => {
  it("a Silver member gets Silver's perks and not Gold's; after an order moves them to Gold, the next checkout gets Gold's", async () => {
    await saveTierProgramVersion(SHOP, {
      ...base,
      tiers: base.tiers.map((t) => ({
        ...t,
        perks:
          t.key === "silver"
            ? { ...t.perks, discountPercent: 5 }
            : t.key === "gold"
              ? { ...t.perks, discountPercent: 10, freeShipping: true }
              : t.perks,
      })),
    });
    await recomputeShop(SHOP, { asOf: new Date(), reason: "rules" });
    expect((await sync()).tierFailures).toEqual([]);
    const silver = await prisma.customerState.findFirstOrThrow({
      where: { shop: SHOP, tier: "silver" },
      orderBy: { customerId: "asc" },
    });
    const cart = { customerId: silver.customerId, subtotal: "100.00", shipping: "8.00" };
    const before = env.shopify.admin.checkout(SHOP, cart);
    expect(before.applied.map((a) => [a.title, a.amount])).toEqual([["Loyalty tier: Silver — 5% off", "5.00"]]);
    expect(before.total).toBe("103.00");

    // An order big enough for Gold: Shopify's webhooks reach the app, the customer is recomputed, the sync moves the tag
    const { order } = env.shopify.admin.placeOrderAtCheckout(SHOP, {
      customerId: silver.customerId,
      subtotal: ((Number(silver.amountToNextMinor) / 100) * 1.2 + 100).toFixed(2),
      shipping: "0.00",
    });
    await env.shopify.webhooks.drain();
    await expect.poll(() => prisma.order.count({ where: { shop: SHOP, id: order.id } })).toBe(1);
    const queue = testQueue();
    const worker = queue.work({ [CUSTOMER_CHANGED]: customerChangedJob({ queue }) }, { pollMs: 20 });
    await worker.idle();
    await worker.stop();
    expect(
      (
        await prisma.customerState.findUniqueOrThrow({
          where: { shop_customerId: { shop: SHOP, customerId: silver.customerId } },
        })
      ).tier,
    ).toBe("gold");
    await sync();
    const after = env.shopify.admin.checkout(SHOP, cart);
    expect(after.applied.map((a) => [a.title, a.amount]).sort()).toEqual([
      ["Loyalty tier: Gold — 10% off", "10.00"],
      ["Loyalty tier: Gold — free shipping", "8.00"],
    ]);
    expect(after.total).toBe("90.00");
    // Someone who is in neither tier gets neither
    const member = await prisma.customerState.findFirstOrThrow({ where: { shop: SHOP, tier: "member" } });
    expect(env.shopify.admin.checkout(SHOP, { ...cart, customerId: member.customerId }).applied).toEqual([]);
  });
});

describe("saving perks in the tier editor", () => {
  it("reaches Shopify with no membership change: the save's recompute queues the sync that makes the discount", async () => {
    const { program } = await getActiveTierProgram(SHOP);
    const title = "Loyalty tier: Platinum — 20% off";
    expect(titled(title)).toBeUndefined();
    const asOf = new Date();
    await recomputeShop(SHOP, { asOf, reason: "manual" });
    // Only a perk changes: nobody moves tier
    const saved = await saveTierProgramVersion(SHOP, {
      ...program,
      tiers: program.tiers.map((t) =>
        t.key === "platinum" ? { ...t, perks: { ...t.perks, discountPercent: 20 } } : t,
      ),
    });
    expect(saved).toBeGreaterThan(0);
    // The rules recompute changes no state, and still queues a sync (a queue that records what it is given)
    const queued: string[] = [];
    const recording = {
      enqueue: async (_shop: string, kind: string) => {
        queued.push(kind);
        return null;
      },
    } as unknown as JobQueue;
    const result = await recomputeShopAndFollowUp(SHOP, { asOf, reason: "rules", queue: recording });
    expect(result).toMatchObject({ changed: 0, removed: 0 });
    expect(queued).toContain(SYNC);
    // The sync it queued makes the discount
    await sync();
    expect(titled(title)).toMatchObject({ method: "automatic", value: { percentage: 0.2 } });
  });
});

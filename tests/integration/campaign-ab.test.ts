// An A/B-tested campaign end to end on the local Shopify (issue #24 item 3): offer A vs offer B plus a holdout, each
// recipient's variant by the stable hash, one discount per variant batch carrying that variant's offer, codes that
// work only for their own recipients at the simulated checkout (refused to the other variant and to the holdout), the
// test's report, the merchant ending the test (bad requests refused, other shops kept out), and the next run sending
// the winner to the rest of the audience while the holdout stays.
import path from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { prisma } from "../../app/db.server";
import { testQueue } from "../support/queue";
import { backfillJob } from "../../app/jobs/backfill.server";
import { recomputeShop } from "../../app/services/recompute.server";
import {
  campaignReport,
  createCampaignFromForm,
  getCampaign,
  recipientsCsv,
  runCampaigns,
  submitCampaign,
  templateDefinition,
  updateCampaignFromForm,
} from "../../app/services/campaigns.server";
import { campaignFormValues, inHoldout } from "../../app/domain/campaigns";
import { pickVariant } from "../../app/domain/campaign-variants";
import { campaignAbTest } from "../../app/models/campaign-variants.server";
import { writeShopFile } from "../../simulator/generator/index";
import { eraseShopData } from "../../app/models/privacy.server";
import { openApp, startLocalShopifyAndApp } from "../support/local-shopify";

const SHOP = "ab-test-shop.myshopify.com";
const OTHER = "ab-other-shop.myshopify.com";
const AS_OF = new Date("2026-11-01T00:00:00.000Z");
const DAY = 86_400_000;
const APP_NS = "app--1";
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;

const clientFor = (shop: string) => env.clientFor(shop);
const simulated = () => env.shopify.admin.shops.getShop(SHOP)!;
const run = async (now: Date) => runCampaigns(SHOP, { client: await clientFor(SHOP), now: () => now });
const members = (campaignId: string) =>
  prisma.campaignRecipient.findMany({ where: { shop: SHOP, campaignId }, orderBy: { id: "asc" } });
const discountOf = (code: string) => simulated().discounts.get(simulated().discountCodes.get(code.toLowerCase())!)!;
const form = (fields: Record<string, string>) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
};

let campaignId = "";

beforeAll(async () => {
  env = await startLocalShopifyAndApp();
  for (const [shop, seed] of [
    [SHOP, 43],
    [OTHER, 44],
  ] as const) {
    const file = path.join(inject("testRunDir"), `${shop}.jsonl`);
    await writeShopFile(
      { preset: "demo", seed, customers: 120, shopDomain: shop, endDate: AS_OF.toISOString() },
      file,
      {
        truthFile: false,
      },
    );
    const state = await env.shopify.admin.shops.loadShopFile(file);
    state.record.plan = "advanced";
    env.shopify.install(shop);
    expect((await openApp(env.app.url, env.shopify, shop)).status).toBe(200);
  }
  const queue = testQueue();
  const worker = queue.work({ backfill: backfillJob({ queue, clientFor }) }, { pollMs: 20 });
  await worker.idle();
  await worker.stop();
  await recomputeShop(SHOP, { asOf: AS_OF, reason: "backfill" });
});

describe("an A/B-tested win-back campaign", () => {
  it("refuses a variant B with bad fields or the same offer as A, field by field, and saves nothing", async () => {
    const base = { ...campaignFormValues(await templateDefinition(SHOP, "win_back"), "USD"), holdoutPercent: "20" };
    const bad = await createCampaignFromForm(SHOP, {
      ...base,
      variantB: "on",
      variantBOfferKind: "percentage",
      variantBOfferValue: "150",
      variantBMinimumSubtotal: "abc",
    });
    expect(bad.ok === false && bad.issues.map((i) => i.path[0]).sort()).toEqual([
      "variantBMinimumSubtotal",
      "variantBOfferValue",
    ]);
    const same = await createCampaignFromForm(SHOP, {
      ...base,
      variantB: "on",
      variantBOfferKind: "fixed_amount",
      variantBOfferValue: "10",
      variantBMinimumSubtotal: "50",
    });
    expect(same.ok === false && same.issues[0].key).toBe("variant_same_offer");
    expect(await prisma.campaign.count({ where: { shop: SHOP } })).toBe(0);
    expect(await prisma.campaignVariant.count({ where: { shop: SHOP } })).toBe(0);
  });

  it("assigns each recipient a variant by the stable hash, with one discount per variant carrying its offer", async () => {
    // Given offer A = 10.00 off 50.00 (the win-back template) and offer B = 15 % off without minimum, 20 % holdout
    const saved = await createCampaignFromForm(
      SHOP,
      {
        ...campaignFormValues(await templateDefinition(SHOP, "win_back"), "USD"),
        name: "Win-back A/B",
        codePrefix: "AB-",
        holdoutPercent: "20",
        variantB: "on",
        variantBOfferKind: "percentage",
        variantBOfferValue: "15",
        variantBMinimumSubtotal: "",
      },
      AS_OF,
    );
    if (!saved.ok) throw new Error(JSON.stringify(saved.issues));
    campaignId = saved.campaign.id;
    const ab = (await campaignAbTest(SHOP, campaignId))!;
    expect(ab.variants.map((v) => [v.key, v.offer.kind, v.offer.value, v.offer.minimumSubtotalMinor])).toEqual([
      ["A", "fixed_amount", 1000, 5000],
      ["B", "percentage", 15, null],
    ]);
    // When it runs
    await run(AS_OF);
    const rows = await members(campaignId);
    const recipients = rows.filter((m) => !m.holdout);
    // Then the holdout is the holdout hash's, and every recipient's variant is the variant hash's
    for (const m of rows) {
      expect(m.holdout, m.customerId).toBe(inHoldout(campaignId, m.customerId, 20));
      expect(m.variant, m.customerId).toBe(m.holdout ? null : pickVariant(campaignId, m.customerId, ab.variants));
    }
    const a = recipients.filter((m) => m.variant === "A");
    const b = recipients.filter((m) => m.variant === "B");
    expect(a.length).toBeGreaterThan(0);
    expect(b.length).toBeGreaterThan(0);
    expect(rows.some((m) => m.holdout)).toBe(true);
    // Each code is issued in a discount of its own variant only, with that variant's offer
    for (const r of recipients) {
      expect(r.issuedAt, r.customerId).not.toBeNull();
      const discount = discountOf(r.code!);
      const sameDiscount = recipients.filter((x) => x.discountId === r.discountId);
      expect(new Set(sameDiscount.map((x) => x.variant))).toEqual(new Set([r.variant]));
      expect(discount.buyers.kind === "customers" && [...discount.buyers.ids].sort()).toEqual(
        sameDiscount.map((x) => x.customerId).sort(),
      );
      const offers = JSON.parse(simulated().getMetafield(r.customerId, APP_NS, "offers")!.value).offers;
      const mine = offers.find((o: { code: string }) => o.code === r.code);
      if (r.variant === "A") {
        expect(discount.value).toMatchObject({ kind: "amount", amount: { amount: "10.00" } });
        expect(discount.minimumSubtotal?.amount).toBe("50.00");
        expect(mine).toMatchObject({ offer: "10.00 USD", minimum_subtotal: "50.00" });
      } else {
        expect(discount.value).toMatchObject({ kind: "percentage", percentage: 0.15 });
        expect(discount.minimumSubtotal ?? null).toBeNull();
        expect(mine).toMatchObject({ offer: "15%", minimum_subtotal: null });
      }
    }
    const triggers = simulated().flowTriggers.filter((t) => t.payload["campaign id"] === campaignId);
    expect(triggers.map((t) => [t.payload.code, t.payload.offer]).sort()).toEqual(
      recipients.map((r) => [r.code, r.variant === "A" ? "10.00 USD" : "15%"]).sort(),
    );
  });

  it("lets each code work only for its recipient: refused to the other variant and to the holdout at checkout", async () => {
    const rows = await members(campaignId);
    const a = rows.find((m) => m.variant === "A")!;
    const b = rows.find((m) => m.variant === "B")!;
    const held = rows.find((m) => m.holdout)!;
    const at = new Date(AS_OF.getTime() + 3 * DAY).toISOString();
    const attempt = (customerId: string, code: string) => () =>
      env.shopify.admin.placeOrder(SHOP, {
        customerId,
        total: "60.00",
        totalDiscounts: "10.00",
        discountCodes: [code],
        processedAt: at,
      });
    expect(attempt(b.customerId, a.code!)).toThrow(/not eligible/);
    expect(attempt(held.customerId, a.code!)).toThrow(/not eligible/);
    expect(attempt(a.customerId, b.code!)).toThrow(/not eligible/);
    expect(attempt(held.customerId, b.code!)).toThrow(/not eligible/);
    // Its own recipient can use it
    const order = attempt(b.customerId, b.code!)();
    expect(order.id).toBeTruthy();
    await env.shopify.webhooks.drain();
    await expect.poll(() => prisma.order.count({ where: { shop: SHOP, id: order.id } })).toBe(1);
  });

  it("assigns no one twice on a rerun, and reports the arms (A, B, holdout) with the test running", async () => {
    const before = await members(campaignId);
    await run(new Date(AS_OF.getTime() + DAY));
    expect(await members(campaignId)).toHaveLength(before.length);
    const report = (await campaignReport(SHOP, campaignId))!;
    const ab = report.ab!;
    expect(ab.winner).toBeNull();
    expect(ab.endedAt).toBeNull();
    const count = (pred: (m: (typeof before)[number]) => boolean) => before.filter(pred).length;
    const arm = (k: string) => ab.arms.find((x) => x.key === k)!;
    expect(arm("A").units + arm("A").inWindow).toBe(count((m) => m.variant === "A"));
    expect(arm("B").units + arm("B").inWindow).toBe(count((m) => m.variant === "B"));
    expect(arm("holdout").units + arm("holdout").inWindow).toBe(count((m) => m.holdout));
    // A handful of customers cannot decide anything
    expect(ab.verdict).toEqual({ kind: "not_enough_data" });
    expect(report.recipients.find((r) => r.variant === "B")).toBeTruthy();
    // The CSV says each member's variant (empty for the holdout)
    const csv = (await recipientsCsv(SHOP, campaignId))!.csv.trim().split("\n");
    expect(csv[0]).toBe("customer_id,group,variant,assigned_at,code,expires_at,issued,redeemed,failure");
    for (const m of before) {
      const line = csv.find((l) => l.startsWith(`${m.customerId},`))!;
      expect(line.split(",").slice(1, 3)).toEqual(m.holdout ? ["holdout", ""] : ["recipient", m.variant]);
    }
  });

  it("keeps the test's offers and window fixed on an edit; other settings can change", async () => {
    const current = (await getCampaign(SHOP, campaignId))!;
    const values = campaignFormValues(current, "USD");
    const changedOffer = await updateCampaignFromForm(SHOP, campaignId, { ...values, offerValue: "12" });
    expect(changedOffer).toMatchObject({ ok: false, issues: [{ path: ["offerValue"], key: "offer_fixed_in_test" }] });
    const changedWindow = await updateCampaignFromForm(SHOP, campaignId, { ...values, expiryDays: "45" });
    expect(changedWindow).toMatchObject({ ok: false, issues: [{ path: ["expiryDays"], key: "offer_fixed_in_test" }] });
    expect((await getCampaign(SHOP, campaignId))!.offer).toEqual(current.offer);
    const renamed = await updateCampaignFromForm(SHOP, campaignId, { ...values, name: "Win-back A/B (spring)" });
    expect(renamed).toMatchObject({ ok: true, campaign: { name: "Win-back A/B (spring)" } });
  });

  it("ends the test once, for the shop's own campaign and a known variant only", async () => {
    const queue = testQueue();
    // Another shop cannot end it (nothing found), and nothing changes
    expect(await submitCampaign(OTHER, campaignId, form({ intent: "end_test", winner: "B" }), { queue })).toBeNull();
    // An unknown variant is refused with a clear message
    const unknown = await submitCampaign(SHOP, campaignId, form({ intent: "end_test", winner: "C" }), { queue });
    expect(unknown).toMatchObject({ ok: false, issues: [{ key: "unknown_variant" }] });
    expect((await campaignAbTest(SHOP, campaignId))!.test).toEqual({ endedAt: null, winner: null });
    // The merchant ends it with B
    const endAt = new Date(AS_OF.getTime() + 40 * DAY);
    const ended = await submitCampaign(SHOP, campaignId, form({ intent: "end_test", winner: "B" }), {
      queue,
      now: endAt,
    });
    expect(ended).toEqual({ ok: true, intent: "end_test", id: campaignId });
    // Twice: refused, and the first winner stays
    const again = await submitCampaign(SHOP, campaignId, form({ intent: "end_test", winner: "A" }), { queue });
    expect(again).toMatchObject({ ok: false, issues: [{ key: "test_already_ended" }] });
    expect((await campaignAbTest(SHOP, campaignId))!.test).toEqual({ endedAt: endAt, winner: "B" });
    // A campaign without a test cannot be "ended"
    const plain = await createCampaignFromForm(SHOP, {
      ...campaignFormValues(await templateDefinition(SHOP, "vip_reward"), "USD"),
    });
    if (!plain.ok) throw new Error(JSON.stringify(plain.issues));
    const notATest = await submitCampaign(SHOP, plain.campaign.id, form({ intent: "end_test", winner: "A" }), {
      queue,
    });
    expect(notATest).toMatchObject({ ok: false, issues: [{ key: "not_a_test" }] });
  });

  it("sends the winner to the rest of the audience afterwards; the holdout stays and the test's figures are frozen", async () => {
    const testPhase = await members(campaignId);
    const frozen = (await campaignReport(SHOP, campaignId))!.ab!;
    // After the cooldown (90 days) the whole audience matches again
    const later = new Date(AS_OF.getTime() + 100 * DAY);
    await run(later);
    const rows = await members(campaignId);
    const fresh = rows.slice(testPhase.length);
    expect(fresh.length).toBeGreaterThan(0);
    for (const m of fresh) {
      // The same customers are held out (the hash), everyone else gets the winner's offer
      expect(m.holdout, m.customerId).toBe(inHoldout(campaignId, m.customerId, 20));
      if (m.holdout) continue;
      expect(m.variant).toBe("B");
      expect(discountOf(m.code!).value).toMatchObject({ kind: "percentage", percentage: 0.15 });
    }
    const formerlyA = fresh.filter((m) => testPhase.some((t) => t.customerId === m.customerId && t.variant === "A"));
    expect(formerlyA.length).toBeGreaterThan(0);
    const report = (await campaignReport(SHOP, campaignId))!.ab!;
    expect(report.winner).toBe("B");
    expect(report.afterEnd).toBe(fresh.filter((m) => !m.holdout).length);
    expect(report.arms).toEqual(frozen.arms);
    expect(report.bVsA).toEqual(frozen.bVsA);
  });

  it("leaves nothing of the test when the shop is erased", async () => {
    expect(await prisma.campaignVariant.count({ where: { shop: SHOP } })).toBeGreaterThan(0);
    await eraseShopData(SHOP, new Date());
    expect(await prisma.campaignVariant.count({ where: { shop: SHOP } })).toBe(0);
    expect(await prisma.campaignRecipient.count({ where: { shop: SHOP } })).toBe(0);
    expect(await prisma.campaign.count({ where: { shop: SHOP } })).toBe(0);
  });
});

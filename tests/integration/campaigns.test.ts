// A win-back campaign end to end on the local Shopify: the audience from the scored ledger, a deterministic holdout,
// unique single-use codes limited to their recipients created in the simulated shop (valid at its checkout), the
// offers metafield and one "Campaign offer issued" Flow trigger per recipient; an order redeeming a code arrives by
// webhook and is attributed; holdout customers get nothing; a rerun sends nothing; a run killed midway converges.
import path from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { prisma } from "../../app/db.server";
import { testQueue } from "../support/queue";
import { backfillJob } from "../../app/jobs/backfill.server";
import { recomputeShop } from "../../app/services/recompute.server";
import {
  campaignReport,
  createCampaignFromForm,
  runCampaigns,
  templateDefinition,
} from "../../app/services/campaigns.server";
import { campaignFormValues, inHoldout } from "../../app/domain/campaigns";
import { writeShopFile } from "../../simulator/generator/index";
import { eraseCustomerData, eraseShopData } from "../../app/models/privacy.server";
import { openApp, startLocalShopifyAndApp } from "../support/local-shopify";
import { CAMPAIGNS, CUSTOMER_CHANGED } from "../../app/jobs/contracts";
import { customerChangedJob } from "../../app/jobs/recompute.server";
import { campaignsJob } from "../../app/jobs/campaigns.server";
import {
  customerGroups,
  markWithdrawn,
  openCodesOfCustomersWhoOrdered,
  signupCustomers,
} from "../../app/models/campaign-signups.server";

const SHOP = "campaign-shop.myshopify.com";
const OTHER = "quiet-shop.myshopify.com";
const AS_OF = new Date("2026-11-01T00:00:00.000Z");
const DAY = 86_400_000;
const APP_NS = "app--1";
const WIN_BACK_SEGMENTS = ["at_risk", "cant_lose", "hibernating"];
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;

const clientFor = (shop: string) => env.clientFor(shop);
const simulated = () => env.shopify.admin.shops.getShop(SHOP)!;
const run = async (now = AS_OF) => runCampaigns(SHOP, { client: await clientFor(SHOP), now: () => now });

let campaignId = "";

beforeAll(async () => {
  env = await startLocalShopifyAndApp();
  for (const [shop, seed] of [
    [SHOP, 41],
    [OTHER, 42],
  ] as const) {
    const file = path.join(inject("testRunDir"), `${shop}.jsonl`);
    await writeShopFile({ preset: "demo", seed, customers: 80, shopDomain: shop, endDate: AS_OF.toISOString() }, file, {
      truthFile: false,
    });
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
  await recomputeShop(OTHER, { asOf: AS_OF, reason: "backfill" });
});

describe("a win-back campaign", () => {
  it("issues a unique code to every matching customer outside a deterministic holdout, in Shopify, with metafield and Flow trigger", async () => {
    // Given the win-back template with a 30 % holdout, started at AS_OF
    const form = { ...campaignFormValues(await templateDefinition(SHOP, "win_back"), "USD"), holdoutPercent: "30" };
    const saved = await createCampaignFromForm(SHOP, form, AS_OF);
    if (!saved.ok) throw new Error(JSON.stringify(saved.issues));
    campaignId = saved.campaign.id;
    // When the campaign runs
    const result = await run();
    // Then everyone in at_risk, cant_lose and hibernating is a member, held out exactly when the hash says so
    const audience = (
      await prisma.customerState.findMany({
        where: { shop: SHOP, segment: { in: WIN_BACK_SEGMENTS } },
        orderBy: { customerId: "asc" },
      })
    ).map((s) => s.customerId);
    expect(audience.length).toBeGreaterThan(5);
    const members = await prisma.campaignRecipient.findMany({
      where: { shop: SHOP, campaignId },
      orderBy: { customerId: "asc" },
    });
    expect(members.map((m) => m.customerId)).toEqual(audience);
    for (const m of members) expect(m.holdout, m.customerId).toBe(inHoldout(campaignId, m.customerId, 30));
    const recipients = members.filter((m) => !m.holdout);
    const holdout = members.filter((m) => m.holdout);
    expect(holdout.length).toBeGreaterThan(0);
    expect(recipients.length).toBeGreaterThan(0);
    expect(result).toMatchObject({
      assigned: recipients.length,
      heldOut: holdout.length,
      issued: recipients.length,
      failed: 0,
      triggers: recipients.length,
    });
    // Each recipient's code is unique and lives in the simulated shop: single-use, once per customer, limited to its
    // batch of recipients, ending 30 days after issue, minimum 50.00, 10.00 off
    expect(new Set(recipients.map((r) => r.code)).size).toBe(recipients.length);
    for (const r of recipients) {
      const discountId = simulated().discountCodes.get(r.code!.toLowerCase());
      const discount = simulated().discounts.get(discountId!)!;
      expect(discount.usageLimit).toBe(1);
      expect(discount.appliesOncePerCustomer).toBe(true);
      expect(discount.buyers.kind === "customers" && discount.buyers.ids).toContain(r.customerId);
      expect(discount.endsAt).toBe(new Date(AS_OF.getTime() + 30 * DAY).toISOString());
      expect(discount.minimumSubtotal?.amount).toBe("50.00");
      expect(discount.value).toMatchObject({ kind: "amount", amount: { amount: "10.00" } });
      // The offers metafield carries the code
      const offers = JSON.parse(simulated().getMetafield(r.customerId, APP_NS, "offers")!.value);
      expect(offers.offers).toEqual([
        expect.objectContaining({ code: r.code, campaign: "Win-back", offer: "10.00 USD", minimum_subtotal: "50.00" }),
      ]);
    }
    // One Flow trigger per recipient, none for the holdout
    const triggers = simulated().flowTriggers.filter((t) => t.handle === "campaign-offer-issued");
    expect(triggers.map((t) => t.payload.code).sort()).toEqual(recipients.map((r) => r.code).sort());
    const heldOutNumbers = new Set(holdout.map((h) => Number(h.customerId.split("/").pop())));
    expect(triggers.some((t) => heldOutNumbers.has(t.payload.customer_id as number))).toBe(false);
    for (const h of holdout) {
      expect(h.code).toBeNull();
      expect(simulated().getMetafield(h.customerId, APP_NS, "offers")).toBeFalsy();
    }
  });

  it("sends nothing on a rerun the same day, and reaches nobody twice within the cooldown the next day", async () => {
    const before = env.shopify.admin.requests.forShop(SHOP).length;
    const again = await run();
    expect(again).toMatchObject({ assigned: 0, heldOut: 0, issued: 0, metafields: 0, triggers: 0 });
    expect(env.shopify.admin.requests.forShop(SHOP).length).toBe(before);
    const nextDay = await run(new Date(AS_OF.getTime() + DAY));
    expect(nextDay).toMatchObject({ assigned: 0, heldOut: 0 });
  });

  it("attributes an order that redeems a code (by webhook) and compares recipients with the holdout", async () => {
    const members = await prisma.campaignRecipient.findMany({
      where: { shop: SHOP, campaignId },
      orderBy: { id: "asc" },
    });
    const recipient = members.find((m) => !m.holdout)!;
    const heldOut = members.find((m) => m.holdout)!;
    const at = new Date(AS_OF.getTime() + 5 * DAY).toISOString();
    // Checkout refuses the code to a holdout customer (it is limited to its recipients)
    expect(() =>
      env.shopify.admin.placeOrder(SHOP, {
        customerId: heldOut.customerId,
        total: "60.00",
        totalDiscounts: "10.00",
        discountCodes: [recipient.code!],
        processedAt: at,
      }),
    ).toThrow(/not eligible/);
    // The recipient redeems their code; a holdout customer buys without one
    const redeemed = env.shopify.admin.placeOrder(SHOP, {
      customerId: recipient.customerId,
      total: "70.00",
      totalDiscounts: "10.00",
      discountCodes: [recipient.code!],
      processedAt: at,
    });
    const bought = env.shopify.admin.placeOrder(SHOP, {
      customerId: heldOut.customerId,
      total: "40.00",
      processedAt: at,
    });
    await env.shopify.webhooks.drain();
    await expect
      .poll(() => prisma.order.count({ where: { shop: SHOP, id: { in: [redeemed.id, bought.id] } } }))
      .toBe(2);
    expect(await prisma.order.findFirstOrThrow({ where: { shop: SHOP, id: redeemed.id } })).toMatchObject({
      discountMinor: 1000n,
      valueMinor: 7000n,
    });
    // The code is used up in Shopify
    expect(() =>
      env.shopify.admin.placeOrder(SHOP, {
        customerId: recipient.customerId,
        total: "70.00",
        totalDiscounts: "10.00",
        discountCodes: [recipient.code!],
        processedAt: at,
      }),
    ).toThrow(/used up|once per customer/);

    const report = (await campaignReport(SHOP, campaignId))!;
    const nT = members.filter((m) => !m.holdout).length;
    const nH = members.filter((m) => m.holdout).length;
    // Orders of every member in their 30-day window, from the ledger: only the two new ones (the history is older)
    expect(report.stats).toMatchObject({
      recipients: nT,
      holdout: nH,
      redemptions: 1,
      redemptionRate: 1 / nT,
      redeemedRevenueMinor: 7000,
      discountCostMinor: 1000,
      conversionRecipients: 1 / nT,
      conversionHoldout: 1 / nH,
    });
    expect(report.stats.incrementalRevenueMinor).toBeCloseTo((7000 / nT - 4000 / nH) * nT, 6);
    expect(report.stats.incrementalRevenueInterval).not.toBeNull();
    expect(report.recipients.find((r) => r.code === recipient.code)).toMatchObject({ redeemed: true, issued: true });
    expect(report.recipients.filter((r) => r.redeemed)).toHaveLength(1);
  });

  it("keeps to its shop", async () => {
    expect(await campaignReport(OTHER, campaignId)).toBeNull();
    expect(await prisma.campaignRecipient.count({ where: { shop: OTHER } })).toBe(0);
    expect(env.shopify.admin.shops.getShop(OTHER)!.discounts.size).toBe(0);
  });

  it("forgets a redacted customer's codes and holdout membership, and a redacted shop's campaigns", async () => {
    const member = (await prisma.campaignRecipient.findFirstOrThrow({ where: { shop: SHOP, campaignId } })).customerId;
    const erased = await eraseCustomerData(SHOP, member, []);
    expect(erased.campaignRecipients).toBeGreaterThan(0);
    expect(await prisma.campaignRecipient.count({ where: { shop: SHOP, customerId: member } })).toBe(0);
    await createCampaignFromForm(OTHER, campaignFormValues(await templateDefinition(OTHER, "welcome"), "USD"), AS_OF);
    await runCampaigns(OTHER, { client: await clientFor(OTHER), now: () => AS_OF });
    await eraseShopData(OTHER, AS_OF);
    expect(await prisma.campaign.count({ where: { shop: OTHER } })).toBe(0);
    expect(await prisma.campaignRecipient.count({ where: { shop: OTHER } })).toBe(0);
  });

  it("converges after a run dies between Shopify creating codes and the app recording them", async () => {
    // Given a new customer segment entry: a second campaign on the same segments (no holdout) whose delivery is
    // interrupted after Shopify took the codes — simulated by forgetting what the app recorded
    const form = {
      ...campaignFormValues(await templateDefinition(SHOP, "win_back"), "USD"),
      name: "Second chance",
      codePrefix: "SECOND-",
      holdoutPercent: "0",
    };
    const saved = await createCampaignFromForm(SHOP, form, AS_OF);
    if (!saved.ok) throw new Error(JSON.stringify(saved.issues));
    const first = await run(new Date(AS_OF.getTime() + 2 * DAY));
    expect(first.failed).toBe(0);
    const rows = await prisma.campaignRecipient.findMany({
      where: { shop: SHOP, campaignId: saved.campaign.id },
      orderBy: { id: "asc" },
    });
    await prisma.campaignRecipient.updateMany({
      where: { shop: SHOP, id: { in: rows.slice(1).map((r) => r.id) } },
      data: { issuedAt: null, metafieldAt: null, flowSentAt: null },
    });
    const triggersBefore = simulated().flowTriggers.length;
    // When it runs again, Shopify answers "taken" for codes it already has: they are recognised as this discount's
    const second = await run(new Date(AS_OF.getTime() + 2 * DAY));
    expect(second).toMatchObject({ issued: rows.length - 1, failed: 0 });
    const after = await prisma.campaignRecipient.findMany({
      where: { shop: SHOP, campaignId: saved.campaign.id },
      orderBy: { id: "asc" },
    });
    expect(after.every((r) => r.issuedAt && r.metafieldAt && r.flowSentAt && r.failure === null)).toBe(true);
    expect(after.map((r) => r.code)).toEqual(rows.map((r) => r.code));
    // One discount holds all its codes, and each was created once
    const discountIds = new Set(after.map((r) => simulated().discountCodes.get(r.code!.toLowerCase())));
    expect(discountIds.size).toBe(Math.ceil(rows.length / 250));
    expect(simulated().flowTriggers.length - triggersBefore).toBe(rows.length - 1);
  });
});

describe("a sign-up welcome campaign (first order only)", () => {
  let welcomeId = "";
  const signups: string[] = [];
  /** The jobs a ledger write queues, worked as the app's workers do: customer-changed, then the campaigns run. */
  const workJobs = async (until: () => Promise<boolean>) => {
    const queue = testQueue();
    const worker = queue.work(
      { [CUSTOMER_CHANGED]: customerChangedJob({ queue }), [CAMPAIGNS]: campaignsJob({ clientFor }) },
      { pollMs: 20 },
    );
    try {
      await expect.poll(until, { timeout: 30_000, interval: 200 }).toBe(true);
      await worker.idle();
    } finally {
      await worker.stop();
    }
  };
  const welcomeMembers = () =>
    prisma.campaignRecipient.findMany({ where: { shop: SHOP, campaignId: welcomeId }, orderBy: { customerId: "asc" } });

  it("welcomes customers who sign up (customers/create queues the run), holdout by the hash, each a code for them only", async () => {
    // Only the welcome campaign runs from here on
    await prisma.campaign.updateMany({ where: { shop: SHOP }, data: { status: "paused" } });
    const form = { ...campaignFormValues(await templateDefinition(SHOP, "welcome"), "USD"), holdoutPercent: "50" };
    const saved = await createCampaignFromForm(SHOP, form, new Date(Date.now() - 1_000));
    if (!saved.ok) throw new Error(JSON.stringify(saved.issues));
    welcomeId = saved.campaign.id;
    expect(saved.campaign.audience).toEqual({ kind: "signup", marketingOnly: false });
    // When at least twelve shoppers create an account (customers/create reaches the app by webhook). The campaign's
    // id is random, so the 50 % hash split is too: more sign up until the next test has three recipients and one
    // held out (12 alone leave fewer than three recipients about once in 50 runs)
    const recipientsSoFar = () => signups.filter((id) => !inHoldout(welcomeId, id, 50)).length;
    for (let i = 0; signups.length < 12 || recipientsSoFar() < 3 || recipientsSoFar() === signups.length; i++) {
      if (i >= 60) throw new Error("60 sign-ups did not give three recipients and one held out");
      signups.push(env.shopify.admin.createCustomer(SHOP, { firstName: `New${i}`, email: `new${i}@example.com` }).id);
    }
    signups.sort();
    const n = signups.length;
    await env.shopify.webhooks.drain();
    await expect.poll(() => prisma.customer.count({ where: { shop: SHOP, id: { in: signups } } })).toBe(n);
    // Then the jobs the ledger write queued assign them within seconds, without any scoring run
    await workJobs(async () => (await welcomeMembers()).filter((m) => m.holdout || m.issuedAt).length === n);
    const members = await welcomeMembers();
    // Only the sign-ups: the customers of the history have ordered or signed up before the campaign
    expect(members.map((m) => m.customerId)).toEqual(signups);
    for (const m of members) {
      expect(m.holdout, m.customerId).toBe(inHoldout(welcomeId, m.customerId, 50));
      // Recorded as who they were when chosen: prospects, no tier
      expect(m).toMatchObject({ segment: "prospect", tier: null });
    }
    const recipients = members.filter((m) => !m.holdout);
    const holdout = members.filter((m) => m.holdout);
    expect(recipients.length).toBeGreaterThanOrEqual(2);
    expect(holdout.length).toBeGreaterThanOrEqual(1);
    for (const r of recipients) {
      expect(r.code).toMatch(/^WELCOME-[2-9A-HJKMNP-Z]{10}$/);
      const discount = simulated().discounts.get(simulated().discountCodes.get(r.code!.toLowerCase())!)!;
      expect(discount.buyers.kind === "customers" && discount.buyers.ids).toContain(r.customerId);
      expect(discount.value).toMatchObject({ kind: "percentage" });
    }
    // Holdout sign-ups get nothing: no code, no offers metafield, no Flow trigger
    const triggered = new Set(
      simulated()
        .flowTriggers.filter((t) => t.handle === "campaign-offer-issued" && t.payload["campaign id"] === welcomeId)
        .map((t) => t.payload.customer_id),
    );
    expect(triggered.size).toBe(recipients.length);
    for (const h of holdout) {
      expect(h.code).toBeNull();
      expect(simulated().getMetafield(h.customerId, APP_NS, "offers")).toBeFalsy();
      expect(triggered.has(Number(h.customerId.split("/").pop()))).toBe(false);
    }
  });

  it("takes the welcome code on the first order at the simulated checkout, and withdraws it after a first order without it", async () => {
    const members = await welcomeMembers();
    const [first, second, third] = members.filter((m) => !m.holdout);
    const heldOut = members.find((m) => m.holdout)!;
    const sim = env.shopify.admin;
    // The codes start when their customers were chosen; the simulated checkout's clock counts whole seconds
    const startsAt = Math.max(...members.map((m) => m.assignedAt.getTime()));
    await new Promise((done) => setTimeout(done, Math.max(0, startsAt + 1_000 - Date.now())));
    // A holdout sign-up cannot use a recipient's code
    expect(() =>
      sim.placeOrderAtCheckout(SHOP, { customerId: heldOut.customerId, subtotal: "80.00", codes: [first.code!] }),
    ).toThrow(/not eligible/);
    // The first recipient's first order with their code: 10 % off at checkout
    const welcomed = sim.placeOrderAtCheckout(SHOP, {
      customerId: first.customerId,
      subtotal: "80.00",
      codes: [first.code!],
    });
    expect(welcomed.checkout.totalDiscounts).toBe("8.00");
    // The second recipient's first order comes without the code; the holdout customer orders too
    sim.placeOrderAtCheckout(SHOP, { customerId: second.customerId, subtotal: "50.00" });
    sim.placeOrderAtCheckout(SHOP, { customerId: heldOut.customerId, subtotal: "30.00" });
    await env.shopify.webhooks.drain();
    // The orders' webhooks queue the run that withdraws the second recipient's code in Shopify
    await workJobs(async () => {
      const row = await prisma.campaignRecipient.findFirst({ where: { shop: SHOP, id: second.id } });
      return row?.retiredAt != null && row.metafieldAt != null;
    });
    expect(() =>
      sim.placeOrderAtCheckout(SHOP, { customerId: second.customerId, subtotal: "50.00", codes: [second.code!] }),
    ).toThrow(/not eligible|expired|not active/i);
    // Removed from the discount's customers (the batch's other recipients keep theirs)
    const discount = simulated().discounts.get(simulated().discountCodes.get(second.code!.toLowerCase())!)!;
    expect(discount.buyers.kind === "customers" && discount.buyers.ids).not.toContain(second.customerId);
    expect(discount.buyers.kind === "customers" && discount.buyers.ids).toContain(third.customerId);
    // ...and from their offers metafield; the others' codes still work for them
    const offers = JSON.parse(simulated().getMetafield(second.customerId, APP_NS, "offers")!.value);
    expect(offers.offers.map((o: { code: string }) => o.code)).not.toContain(second.code);
    expect(sim.checkout(SHOP, { customerId: third.customerId, subtotal: "20.00", codes: [third.code!] })).toMatchObject(
      {
        totalDiscounts: "2.00",
      },
    );
    const after = await prisma.campaignRecipient.findFirstOrThrow({ where: { shop: SHOP, id: first.id } });
    expect(after.retiredAt).toBeNull(); // redeemed, not withdrawn

    // The report: redemption, conversion and "first order within 30 days of sign-up", by group
    const report = (await campaignReport(SHOP, welcomeId))!;
    const nT = members.filter((m) => !m.holdout).length;
    const nH = members.filter((m) => m.holdout).length;
    expect(report.stats).toMatchObject({
      recipients: nT,
      holdout: nH,
      redemptions: 1,
      redeemedRevenueMinor: 7200,
      conversionRecipients: 2 / nT,
      conversionHoldout: 1 / nH,
    });
    // Decided so far: the three who ordered (the others' 30 days are not over)
    expect(report.groups.firstOrder).toMatchObject({
      days: 30,
      recipients: 2,
      holdout: 1,
      rateRecipients: 1,
      rateHoldout: 1,
    });
    // Everyone was a prospect without a tier when chosen: one row each, equal to the whole campaign
    expect(report.groups.segments).toEqual([
      expect.objectContaining({
        key: "prospect",
        recipients: nT,
        holdout: nH,
        conversionRecipients: 2 / nT,
        conversionHoldout: 1 / nH,
        revenuePerRecipientMinor: (7200 + 5000) / nT,
        redemptions: 1,
      }),
    ]);
    expect(report.groups.tiers).toEqual([expect.objectContaining({ key: null, recipients: nT, holdout: nH })]);
  });

  it("deactivates a sign-up's own discount when nobody else holds a code of it", async () => {
    // Given a later sign-up, alone in their run (no holdout now), so alone in their discount
    await prisma.campaign.updateMany({ where: { shop: SHOP, id: welcomeId }, data: { holdoutPercent: 0 } });
    const late = env.shopify.admin.createCustomer(SHOP, { firstName: "Late", email: "late@example.com" }).id;
    await env.shopify.webhooks.drain();
    const lateRow = () =>
      prisma.campaignRecipient.findFirst({ where: { shop: SHOP, campaignId: welcomeId, customerId: late } });
    await workJobs(async () => (await lateRow())?.issuedAt != null);
    const row = (await lateRow())!;
    const discountId = simulated().discountCodes.get(row.code!.toLowerCase())!;
    expect(await prisma.campaignRecipient.count({ where: { shop: SHOP, discountId: row.discountId } })).toBe(1);
    await new Promise((done) => setTimeout(done, Math.max(0, row.assignedAt.getTime() + 1_000 - Date.now())));
    // When their first order comes without the code
    env.shopify.admin.placeOrderAtCheckout(SHOP, { customerId: late, subtotal: "40.00" });
    await env.shopify.webhooks.drain();
    await workJobs(async () => (await lateRow())?.retiredAt != null);
    // Then the discount is ended in Shopify and the code refused at checkout
    expect(Date.parse(simulated().discounts.get(discountId)!.endsAt!)).toBeLessThanOrEqual(Date.now());
    expect(() =>
      env.shopify.admin.placeOrderAtCheckout(SHOP, { customerId: late, subtotal: "40.00", codes: [row.code!] }),
    ).toThrow(/expired|not active|ended/i);
  });

  it("reaches only sign-ups Shopify says accept email marketing when the campaign is for subscribers only", async () => {
    const form = {
      ...campaignFormValues(await templateDefinition(SHOP, "welcome"), "USD"),
      name: "Welcome subscribers",
      codePrefix: "SUBSCRIBED-",
      holdoutPercent: "0",
      signupMarketingOnly: true,
    };
    const saved = await createCampaignFromForm(SHOP, form, new Date(Date.now() - 1_000));
    if (!saved.ok) throw new Error(JSON.stringify(saved.issues));
    expect(saved.campaign.audience).toEqual({ kind: "signup", marketingOnly: true });
    const sim = env.shopify.admin;
    const yes = sim.createCustomer(SHOP, { email: "yes@example.com", emailMarketingState: "SUBSCRIBED" }).id;
    const pending = sim.createCustomer(SHOP, { email: "pending@example.com", emailMarketingState: "PENDING" }).id;
    const never = sim.createCustomer(SHOP, { email: "never@example.com" }).id;
    await env.shopify.webhooks.drain();
    await expect
      .poll(() => prisma.customer.count({ where: { shop: SHOP, id: { in: [yes, pending, never] } } }))
      .toBe(3);
    await run(new Date());
    const members = await prisma.campaignRecipient.findMany({ where: { shop: SHOP, campaignId: saved.campaign.id } });
    expect(members.map((m) => m.customerId)).toEqual([yes]);
    // Consent given later: the next run welcomes them
    sim.updateCustomer(SHOP, never, { emailMarketingState: "SUBSCRIBED" });
    await run(new Date());
    const after = await prisma.campaignRecipient.findMany({ where: { shop: SHOP, campaignId: saved.campaign.id } });
    expect(after.map((m) => m.customerId).sort()).toEqual([yes, never].sort());
    await prisma.campaign.updateMany({ where: { shop: SHOP, id: saved.campaign.id }, data: { status: "paused" } });
  });

  it("breaks the win-back report down by the segment each member had when chosen, as the definition computes", async () => {
    const members = await prisma.campaignRecipient.findMany({ where: { shop: SHOP, campaignId } });
    const report = (await campaignReport(SHOP, campaignId))!;
    const segments = [...new Set(members.map((m) => m.segment))];
    expect(segments.every((s) => s !== null && WIN_BACK_SEGMENTS.includes(s))).toBe(true);
    expect(report.groups.segments.map((r) => r.key).sort()).toEqual([...segments].sort());
    for (const row of report.groups.segments) {
      const inGroup = members.filter((m) => m.segment === row.key && (m.holdout || m.issuedAt));
      expect(row.recipients + row.holdout, String(row.key)).toBe(inGroup.length);
      expect(row.holdout).toBe(inGroup.filter((m) => m.holdout).length);
    }
    // The redeemed order (70.00 with a code) lands in its recipient's group
    const redeemer = members.find((m) => m.code && report.recipients.find((r) => r.code === m.code)?.redeemed);
    if (redeemer) {
      const row = report.groups.segments.find((r) => r.key === redeemer.segment)!;
      expect(row.redemptions).toBe(1);
    }
    expect(report.groups.firstOrder).toBeNull();
  });

  it("keeps sign-ups, groups and withdrawals to their shop", async () => {
    const otherSignups = await signupCustomers(OTHER, null);
    expect(otherSignups.some((id) => signups.includes(id))).toBe(false);
    expect((await customerGroups(OTHER, signups)).size).toBe(0);
    expect(await openCodesOfCustomersWhoOrdered(OTHER, welcomeId, new Date())).toEqual([]);
    const row = (await welcomeMembers()).find((m) => !m.holdout && m.retiredAt === null)!;
    await markWithdrawn(OTHER, row.id, new Date());
    expect((await prisma.campaignRecipient.findFirstOrThrow({ where: { id: row.id } })).retiredAt).toBeNull();
    expect(await campaignReport(OTHER, welcomeId)).toBeNull();
  });
});

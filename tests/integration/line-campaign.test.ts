// Issue #25's proof for LINE, on the local Shopify and the local LINE with the built app: the merchant connects LINE
// (Messaging API and LINE Login) through the app's Channels page; a Thai shopper links LINE from the loyalty page
// through the storefront's app proxy and the local LINE Login, adding the OA as a friend; the merchant sets the
// campaign's LINE option to push with the campaign form; the campaigns job issues the codes in Shopify and queues the LINE producer, which queues the sender; the local LINE
// received a Thai Flex message with that shopper's own code and expiry; the shopper orders with the code at the
// simulated checkout and the campaign's report attributes it. Then: a retried send (the connection dropped after LINE
// accepted) is delivered once; 429 then success; the monthly limit; an unlinked shopper gets nothing; a multicast
// campaign reaches each linked recipient once. (Racing senders, a killed sender, 5xx → refused, 1,200-recipient
// multicast batches and shop isolation: tests/unit/line-sending.test.ts, on both databases.)
import path from "node:path";
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { createLocalLine } from "../../simulator/line/index";
import { writeShopFile } from "../../simulator/generator/index";
import { mintSessionToken } from "../../simulator/app-bridge/session-token";
import { BROWSER_HEADERS, TEST_API_KEY, TEST_API_SECRET } from "../support/test-env";

const SHOP = "line-campaign.myshopify.com";
const AS_OF = new Date("2026-11-01T00:00:00.000Z");
const DAY = 86_400_000;
const CHANNEL_ID = "1657000101";
const LOGIN_ID = "2000000101";
const LOGIN_SECRET = randomBytes(16).toString("hex");
const TOKEN = randomBytes(96).toString("base64");
const SECRET = randomBytes(16).toString("hex");
const line = createLocalLine();
line.addChannel({ channelId: CHANNEL_ID, channelSecret: SECRET, accessToken: TOKEN, monthlyQuota: null });
const lineServer = await line.listen();
process.env.LINE_API_ORIGIN = lineServer.url;
process.env.LINE_ACCESS_ORIGIN = lineServer.url;
process.env.CHANNEL_SECRETS_KEY = randomBytes(32).toString("base64");

const { prisma } = await import("../../app/db.server");
const { openApp, startLocalShopifyAndApp } = await import("../support/local-shopify");
const { testQueue } = await import("../support/queue");
const { backfillJob } = await import("../../app/jobs/backfill.server");
const { recomputeShop } = await import("../../app/services/recompute.server");
const { campaignReport, createCampaignFromForm, templateDefinition } = await import(
  "../../app/services/campaigns.server"
);
const { campaignFormValues } = await import("../../app/domain/campaigns");
const { campaignsJob } = await import("../../app/jobs/campaigns.server");
const { channelEventsJob } = await import("../../app/jobs/channel-events.server");
const { lineSendJob } = await import("../../app/jobs/line-send.server");
const { CAMPAIGNS, CHANNEL_EVENTS, LINE_SEND, enqueueCampaigns } = await import("../../app/jobs/contracts");
const { produceLineMessages } = await import("../../app/services/channel-events.server");
const { sendLineMessages } = await import("../../app/services/line-send.server");
const { campaignMessageCounts } = await import("../../app/models/channel-messages.server");
const { saveLineLink } = await import("../../app/models/line-links.server");
const { lineLinkFlow } = await import("../support/line-link");

let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;
let clock = AS_OF;
const now = () => clock;
const userOf = (customerId: string) => `U${customerId.split("/").pop()!.padStart(32, "0")}`;
const delivered = (userId: string) => line.deliveries(CHANNEL_ID).filter((d) => d.to === userId);

/** Links more customers' LINE accounts for the retry/quota/multicast cases (the model's write; the proof's shopper links
 * through the real flow, and every step of it is tested in tests/integration/line-link.test.ts). */
async function link(customerId: string, { locale = "th", following = true } = {}) {
  const userId = userOf(customerId);
  line.follow(CHANNEL_ID, { userId, displayName: customerId });
  await saveLineLink({
    shop: SHOP,
    customerId,
    lineUserId: userId,
    displayName: null,
    locale,
    following,
    linkedAt: clock,
    followAt: clock,
  });
  return userId;
}

const adminHeaders = () => ({
  ...BROWSER_HEADERS,
  Authorization: `Bearer ${mintSessionToken({ shop: SHOP, apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET })}`,
});

/** A win-back campaign (created at the test's clock), whose LINE option the merchant then sets with the campaign
 * form on the campaign's page: the form's action over HTTP, as the admin's fetcher posts it. */
async function newCampaign(lineMode: "push" | "multicast", holdoutPercent = "0") {
  const values = { ...campaignFormValues(await templateDefinition(SHOP, "win_back"), "USD"), holdoutPercent };
  const saved = await createCampaignFromForm(SHOP, values, clock);
  if (!saved.ok) throw new Error(JSON.stringify(saved.issues));
  const id = saved.campaign.id;
  const form = new URLSearchParams({ intent: "save" });
  for (const [k, v] of Object.entries(values)) {
    if (Array.isArray(v)) for (const x of v) form.append(k, String(x));
    else form.set(k, typeof v === "boolean" ? (v ? "on" : "off") : String(v));
  }
  form.set("lineMode", lineMode);
  const res = await fetch(
    `${env.app.url}/app/campaigns/${id}?_data=${encodeURIComponent("routes/app.campaigns.$id")}`,
    {
      method: "POST",
      headers: adminHeaders(),
      body: form,
    },
  );
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ ok: true, id });
  expect((await prisma.campaign.findUniqueOrThrow({ where: { id } })).lineMode).toBe(lineMode);
  return id;
}

/** Runs the campaigns job and what it queues (the LINE producer, then the sender) until the queue is idle. */
async function runCampaignsThroughJobs() {
  const queue = testQueue();
  const worker = queue.work(
    {
      [CAMPAIGNS]: campaignsJob({ clientFor: env.clientFor, queue, now }),
      [CHANNEL_EVENTS]: channelEventsJob({ queue, now }),
      [LINE_SEND]: lineSendJob({ queue, now }),
    },
    { pollMs: 20 },
  );
  await enqueueCampaigns(queue, SHOP, "manual");
  await worker.idle();
  await worker.stop();
  return queue;
}

beforeAll(async () => {
  env = await startLocalShopifyAndApp();
  const file = path.join(inject("testRunDir"), `${SHOP}.jsonl`);
  await writeShopFile(
    { preset: "demo", seed: 52, customers: 60, shopDomain: SHOP, endDate: AS_OF.toISOString() },
    file,
    {
      truthFile: false,
    },
  );
  const state = await env.shopify.admin.shops.loadShopFile(file);
  state.record.plan = "advanced";
  state.record.primaryLocale = "th"; // a Thai shop: its shoppers link LINE in Thai
  env.shopify.install(SHOP);
  expect((await openApp(env.app.url, env.shopify, SHOP)).status).toBe(200);
  const queue = testQueue();
  const worker = queue.work({ backfill: backfillJob({ queue, clientFor: env.clientFor }) }, { pollMs: 20 });
  await worker.idle();
  await worker.stop();
  await recomputeShop(SHOP, { asOf: AS_OF, reason: "backfill" });
  // The merchant connects the shop's LINE OA and its LINE Login channel on the Channels page of the built app (sealed
  // at rest); the Login channel's callback is the storefront's, and it is linked to the OA (the add-friend offer)
  line.login.addChannel({
    channelId: LOGIN_ID,
    channelSecret: LOGIN_SECRET,
    callbackUrls: [env.shopify.storefront.proxyUrl(SHOP, "/line/callback")],
    linkedBotChannelId: CHANNEL_ID,
  });
  const connections: Record<string, string>[] = [
    { channel: "line-messaging", channelId: CHANNEL_ID, channelSecret: SECRET, accessToken: TOKEN },
    { channel: "line-login", channelId: LOGIN_ID, channelSecret: LOGIN_SECRET },
  ];
  for (const fields of connections) {
    const res = await fetch(`${env.app.url}/app/channels?_data=routes%2Fapp.channels`, {
      method: "POST",
      headers: adminHeaders(),
      body: new URLSearchParams({ intent: "save", ...fields }),
    });
    expect(res.status).toBe(200);
  }
  return () => lineServer.close();
});

describe("a campaign through LINE", () => {
  let campaignId = "";
  let shopper = "";
  let shopperUser = "";
  let unlinked = "";

  it("push: the linked Thai shopper gets a Flex message with their own code and expiry; nobody else gets one", async () => {
    const audience = await prisma.customerState.findMany({
      where: { shop: SHOP, segment: { in: ["at_risk", "cant_lose", "hibernating"] } },
      orderBy: { customerId: "asc" },
    });
    expect(audience.length).toBeGreaterThan(3);
    shopper = audience[0].customerId;
    unlinked = audience[1].customerId;
    // The shopper links LINE from the loyalty page: storefront → app proxy → LINE Login (adds the OA) → callback
    shopperUser = userOf(shopper);
    line.login.signIn({ userId: shopperUser, displayName: "สมหญิง รักดี" });
    line.login.setConsent({ mode: "auto", addFriend: true });
    expect(await lineLinkFlow(env.shopify).link(SHOP, shopper)).toBe("linked");
    expect(
      await prisma.lineLink.findUniqueOrThrow({ where: { shop_customerId: { shop: SHOP, customerId: shopper } } }),
    ).toMatchObject({ lineUserId: shopperUser, locale: "th", following: true });
    campaignId = await newCampaign("push");
    await runCampaignsThroughJobs();
    const recipient = await prisma.campaignRecipient.findFirstOrThrow({
      where: { shop: SHOP, campaignId, customerId: shopper },
    });
    expect(recipient.code).toBeTruthy();
    const got = delivered(shopperUser);
    expect(got).toHaveLength(1);
    expect(got[0].operation).toBe("pushMessage");
    const message = got[0].messages[0] as { type: string; altText: string };
    expect(message.type).toBe("flex");
    const text = JSON.stringify(got[0].messages);
    expect(text).toContain(recipient.code!);
    expect(text).toContain("ใช้โค้ด");
    // the expiry, in Thai with the Buddhist-era year
    expect(text).toContain(String(recipient.expiresAt!.getUTCFullYear() + 543));
    // only the linked shopper: the campaign's other recipients (not linked) got nothing
    expect(line.deliveries(CHANNEL_ID)).toHaveLength(1);
    expect(delivered(userOf(unlinked))).toHaveLength(0);
    const rows = await prisma.channelMessage.findMany({ where: { shop: SHOP, sourceKey: `campaign:${campaignId}` } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ customerId: shopper, state: "sent", requestId: got[0].requestId });
    expect(await campaignMessageCounts(SHOP, campaignId)).toMatchObject({ sent: 1, pending: 0, waitingForQuota: 0 });
  });

  it("the shopper orders with the code at the simulated checkout and the campaign's report attributes it", async () => {
    const recipient = await prisma.campaignRecipient.findFirstOrThrow({
      where: { shop: SHOP, campaignId, customerId: shopper },
    });
    const order = env.shopify.admin.placeOrder(SHOP, {
      customerId: shopper,
      total: "70.00",
      totalDiscounts: "10.00",
      discountCodes: [recipient.code!],
      processedAt: new Date(AS_OF.getTime() + 2 * DAY).toISOString(),
    });
    await env.shopify.webhooks.drain();
    await expect.poll(() => prisma.order.count({ where: { shop: SHOP, id: order.id } })).toBe(1);
    const report = (await campaignReport(SHOP, campaignId))!;
    expect(report.stats).toMatchObject({ redemptions: 1, redeemedRevenueMinor: 7000 });
  });

  it("a retried send is delivered once; 429 then success; the monthly limit waits; an unlinked shopper gets nothing", async () => {
    const audience = await prisma.campaignRecipient.findMany({
      where: { shop: SHOP, campaignId, holdout: false, customerId: { notIn: [shopper, unlinked] } },
      orderBy: { customerId: "asc" },
    });
    const [a, b, c, d] = audience.map((r) => r.customerId);
    const users = [await link(a), await link(b, { locale: "en" }), await link(c), await link(d)];
    clock = new Date(AS_OF.getTime() + DAY);
    // The linked ones get rows on the next producer pass (a new campaign run reached them before they linked)
    expect((await produceLineMessages(SHOP, { now: clock }))["campaign-offer"]).toBe(4);
    // The connection drops after LINE accepted the first push it gets; the second gets a 429. The sender's pushes are
    // in flight together, so which of a, b, c reaches LINE first is not fixed: the rows say who got what.
    line.faults.inject({ kind: "timeout-after-accept" }, { operation: "pushMessage" });
    line.faults.inject({ kind: "http", status: 429 }, { operation: "pushMessage" });
    await prisma.lineLink.delete({ where: { shop_customerId: { shop: SHOP, customerId: d } } }); // d unlinks
    const first = await sendLineMessages(SHOP, { now });
    expect(first).toMatchObject({ sent: 1, skipped: 1, monthlyLimit: false });
    const waiting = await prisma.channelMessage.findMany({
      where: { shop: SHOP, sourceKey: `campaign:${campaignId}`, customerId: { in: [a, b, c] }, state: "pending" },
    });
    expect(waiting).toHaveLength(2);
    const dropped = waiting.find((r) => r.attempts === 1); // a failed attempt (may have been delivered): same key next
    const throttled = waiting.find((r) => r.attempts === 0); // the 429: nothing sent, not counted as an attempt
    expect(dropped && throttled).toBeTruthy();
    expect(throttled!.lastError).toMatch(/^rate-limited/);
    expect(delivered(userOf(dropped!.customerId))).toHaveLength(1); // accepted before the connection dropped
    expect(delivered(userOf(throttled!.customerId))).toHaveLength(0);
    clock = new Date(clock.getTime() + 10 * 60_000);
    const second = await sendLineMessages(SHOP, { now });
    expect(second.sent).toBe(2); // the dropped one's retry answered 409 (counted sent, delivered once) and the 429'd one
    for (const u of users.slice(0, 3)) expect(delivered(u)).toHaveLength(1);
    expect(delivered(users[3])).toHaveLength(0);
    expect(line.requests().some((r) => r.status === 409)).toBe(true);
    expect(JSON.stringify(delivered(users[1])[0].messages)).toContain("Use code"); // b's link is in English

    // The monthly limit: a new push campaign waits (nothing delivered), the report's counts say so; raised → sent
    const e = audience[4].customerId;
    const eUser = await link(e);
    line.setMonthlyQuota(CHANNEL_ID, line.usage(CHANNEL_ID));
    await produceLineMessages(SHOP, { now: clock }); // e's row for the first campaign
    const limited = await sendLineMessages(SHOP, { now });
    expect(limited).toMatchObject({ sent: 0, monthlyLimit: true });
    expect(await campaignMessageCounts(SHOP, campaignId)).toMatchObject({ pending: 1, waitingForQuota: 1 });
    expect(delivered(eUser)).toHaveLength(0);
    line.setMonthlyQuota(CHANNEL_ID, null);
    clock = new Date(clock.getTime() + 61 * 60_000);
    expect((await sendLineMessages(SHOP, { now })).sent).toBe(1);
    expect(delivered(eUser)).toHaveLength(1);
  });

  it("multicast: one announcement per batch to every linked recipient once, with a button to the loyalty page", async () => {
    clock = new Date(AS_OF.getTime() + 2 * DAY);
    // Every customer of the shop links LINE (Thai for even ids, English for odd)
    const linkedIds = new Set((await prisma.lineLink.findMany({ where: { shop: SHOP } })).map((l) => l.customerId));
    for (const c of await prisma.customer.findMany({ where: { shop: SHOP }, select: { id: true } })) {
      if (!linkedIds.has(c.id)) await link(c.id, { locale: Number(c.id.split("/").pop()) % 2 === 0 ? "th" : "en" });
    }
    const id = await newCampaign("multicast");
    const before = line.requests().filter((r) => r.operationId === "multicast").length;
    await runCampaignsThroughJobs();
    const rows = await prisma.channelMessage.findMany({ where: { shop: SHOP, sourceKey: `campaign:${id}` } });
    const issued = await prisma.campaignRecipient.count({
      where: { shop: SHOP, campaignId: id, holdout: false, issuedAt: { not: null } },
    });
    expect(rows).toHaveLength(issued); // every recipient is linked and follows
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.state === "sent" && r.batchKey !== null)).toBe(true);
    const batches = new Set(rows.map((r) => r.batchKey)).size;
    expect(line.requests().filter((r) => r.operationId === "multicast").length - before).toBe(batches);
    const multicasts = line.deliveries(CHANNEL_ID).filter((d) => d.operation === "multicast");
    for (const r of rows) {
      const link = await prisma.lineLink.findUniqueOrThrow({
        where: { shop_customerId: { shop: SHOP, customerId: r.customerId } },
      });
      expect(multicasts.filter((d) => d.to === link.lineUserId)).toHaveLength(1);
    }
    expect(JSON.stringify(multicasts[0].messages)).toContain(`https://${SHOP}/apps/loyalty`);
  });
});

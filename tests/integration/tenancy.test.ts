// Multi-tenancy: a session for shop A reads only A's rows, and A's model calls cannot touch B's.
import { beforeAll, describe, expect, it } from "vitest";
import { adminHostParam, mintSessionToken } from "../../simulator/app-bridge/session-token";
import { getInstallOverview } from "../../app/models/shop.server";
import { collectCustomerData, eraseCustomerData, eraseShopData } from "../../app/models/privacy.server";
import { deleteSessions } from "../../app/models/session.server";
import { getQueue } from "../../app/jobs/runtime.server";
import { prisma } from "../../app/db.server";
import { ensureAggregates } from "../../app/models/customer-aggregates.server";
import {
  customerGroups,
  markWithdrawn,
  openCodesOfCustomersWhoOrdered,
  signupCustomers,
  signupFacts,
} from "../../app/models/campaign-signups.server";
import { createCampaign } from "../../app/models/campaigns.server";
import { campaignAbTest, endAbTest, saveVariants } from "../../app/models/campaign-variants.server";
import { campaignVariants } from "../../app/domain/campaign-variants";
import { campaignTemplate } from "../../app/domain/campaigns";
import { startApp } from "../support/app-server";
import { addCustomerWithOrders, installShop, snapshotShop } from "../support/shops";
import { BROWSER_HEADERS, TEST_API_KEY, TEST_API_SECRET } from "../support/test-env";

const A = "shop-a.myshopify.com";
const B = "shop-b.myshopify.com";
let appUrl: string;
let customerOfB: string;

beforeAll(async () => {
  await installShop(A);
  await installShop(B);
  await addCustomerWithOrders(A, 1, [11]);
  customerOfB = await addCustomerWithOrders(B, 2, [21, 22]);
  await prisma.job.create({ data: { id: "job-b", shop: B, kind: "backfill" } });
  ({ url: appUrl } = await startApp());
});

describe("shop A cannot read shop B", () => {
  it("the admin shows A's session only A's ledger counts", async () => {
    const token = mintSessionToken({ shop: A, apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET });
    const response = await fetch(`${appUrl}/app?_data=routes%2Fapp._index`, {
      headers: { ...BROWSER_HEADERS, Authorization: `Bearer ${token}` },
    });
    expect(await response.json()).toMatchObject({ shop: A, customers: 1, orders: 1, jobs: {} });
  });

  it("a token naming shop B but signed for A's session cannot be turned into B's data by a shop parameter", async () => {
    const token = mintSessionToken({ shop: A, apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET });
    const response = await fetch(`${appUrl}/app?_data=routes%2Fapp._index&shop=${B}&host=${adminHostParam(B)}`, {
      headers: { ...BROWSER_HEADERS, Authorization: `Bearer ${token}` },
    });
    const data = await response.json();
    expect(data.shop).toBe(A);
    expect(data.orders).toBe(1);
  });

  it("model reads scoped to A do not see B's customer", async () => {
    // B's customer redeemed in B: A's report shows none of it.
    await prisma.redemption.create({
      data: {
        shop: B,
        id: "redemption-of-b",
        customerId: customerOfB,
        rewardId: "reward-of-b",
        token: "t",
        points: 10,
        kind: "free_shipping",
        currencyCode: "USD",
        state: "confirmed",
        code: "ABCDEFGH23456789",
      },
    });
    // B's maintained aggregates (built from B's ledger) hold B's customer: A's report shows none of it either.
    await ensureAggregates(B);
    // B's Klaviyo record of the customer (docs/klaviyo.md): B's report has it, A's does not
    await prisma.klaviyoProfile.create({
      data: { shop: B, customerId: customerOfB, subscribed: true, digest: "b-digest" },
    });
    const report = await collectCustomerData(A, customerOfB, ["gid://shopify/Order/21"]);
    expect((await collectCustomerData(B, customerOfB, [])).klaviyo).toMatchObject({ digest: "b-digest" });
    expect((await collectCustomerData(B, customerOfB, [])).redemptions).toHaveLength(1);
    expect((await collectCustomerData(B, customerOfB, [])).aggregate).toMatchObject({ orderCount: 2 });
    expect(report).toEqual({
      customer: null,
      orders: [],
      refunds: [],
      state: null,
      history: [],
      sync: null,
      campaigns: [],
      points: [],
      redemptions: [],
      birthday: null,
      imports: [],
      pointsTriggers: [],
      referrals: [],
      orderLines: [],
      refundLines: [],
      prediction: null,
      recommendations: null,
      shopifyStats: null,
      aggregate: null,
      line: { link: null, attempts: [] },
      channelMessages: [],
      klaviyo: null,
    });
    expect((await getInstallOverview(A)).customers).toBe(1);
  });
});

describe("LINE links stay in their shop", () => {
  it("A's calls cannot spend B's link attempt, change B's following, or unlink B's customer", async () => {
    const { deleteLineLink, setFollowing, spendLoginAttempt } = await import("../../app/models/line-links.server");
    const lineUserId = `U${"7".repeat(32)}`;
    await prisma.lineLink.create({
      data: { shop: B, customerId: customerOfB, lineUserId, locale: "en", following: true, linkedAt: new Date() },
    });
    const state = "s".repeat(43);
    await prisma.lineLoginAttempt.create({
      data: {
        state,
        shop: B,
        customerId: customerOfB,
        codeVerifier: "v".repeat(64),
        nonce: "n".repeat(43),
        redirectUri: "https://b.example/apps/loyalty/line/callback",
        locale: "en",
        expiresAt: new Date(Date.now() + 600_000),
      },
    });
    expect(await spendLoginAttempt(A, state)).toBeNull();
    expect(await setFollowing(A, lineUserId, false, new Date(Date.now() + 1000))).toBe(false);
    expect(await deleteLineLink(A, customerOfB)).toBe(0);
    expect(await prisma.lineLink.findFirstOrThrow({ where: { shop: B, customerId: customerOfB } })).toMatchObject({
      following: true,
    });
    expect(await prisma.lineLoginAttempt.count({ where: { shop: B, state } })).toBe(1);
    // B's own calls do (so the checks above can fail)
    expect((await spendLoginAttempt(B, state))?.customerId).toBe(customerOfB);
    expect(await setFollowing(B, lineUserId, false, new Date(Date.now() + 1000))).toBe(true);
  });
});

describe("sign-up campaigns and the report by group stay in their shop", () => {
  it("A's reads do not find B's sign-ups, groups or open welcome codes, and A cannot withdraw B's code", async () => {
    const signup = "gid://shopify/Customer/90";
    await prisma.customer.create({ data: { shop: B, id: signup, sourceCreatedAt: new Date() } });
    const welcome = await createCampaign(B, campaignTemplate("welcome", "USD"), new Date(Date.now() - 60_000));
    const code = await prisma.campaignRecipient.create({
      data: {
        shop: B,
        campaignId: welcome.id,
        customerId: customerOfB,
        holdout: false,
        assignedAt: new Date(),
        code: "WELCOME-OFB",
        expiresAt: new Date(Date.now() + 86_400_000),
        discountId: "gid://shopify/DiscountCodeNode/1",
        issuedAt: new Date(),
        segment: "champions",
      },
    });
    await prisma.customerState.create({
      data: { shop: B, customerId: signup, segment: "prospect", computedAt: new Date() },
    });
    // B's own reads find them (so the checks below can fail)
    expect((await customerGroups(B, [signup])).get(signup)).toEqual({ segment: "prospect", tier: null });
    expect(await signupCustomers(B, null)).toContain(signup);
    expect((await signupFacts(B, [customerOfB])).get(customerOfB)?.firstOrderAt).not.toBeNull();
    expect((await openCodesOfCustomersWhoOrdered(B, welcome.id, new Date())).map((r) => r.code)).toEqual([
      "WELCOME-OFB",
    ]);
    // A's do not
    expect(await signupCustomers(A, null)).not.toContain(signup);
    expect((await customerGroups(A, [customerOfB, signup])).size).toBe(0);
    expect((await signupFacts(A, [customerOfB, signup])).size).toBe(0);
    expect(await openCodesOfCustomersWhoOrdered(A, welcome.id, new Date())).toEqual([]);
    await markWithdrawn(A, code.id, new Date());
    expect((await prisma.campaignRecipient.findFirstOrThrow({ where: { id: code.id } })).retiredAt).toBeNull();
  });
});

describe("referrals stay in their shop", () => {
  it("A's reads do not find B's referral code or referrals, and A's transitions cannot move them", async () => {
    const referrals = await import("../../app/models/referrals.server");
    await prisma.referralMember.create({ data: { shop: B, customerId: customerOfB, code: "B2B2B2B2B2" } });
    const row = await prisma.referral.create({
      data: {
        shop: B,
        id: "00000000-0000-4000-8000-00000000000b",
        referrerId: customerOfB,
        friendEmail: "friend-of-b@example.com",
        emailKey: "friend-of-b@example.com",
        token: "token-of-b",
        code: "REF-OFBOFBOFBOFB",
        offer: JSON.stringify({ kind: "percentage", value: 10, minimumSubtotalMinor: null }),
        currencyCode: "USD",
        expiresAt: new Date(Date.now() + 86_400_000),
        state: "ordered",
        orderId: "gid://shopify/Order/21",
        orderedAt: new Date(),
      },
    });
    // B's own reads find them (so the checks below can fail)
    expect(await referrals.memberByCode(B, "B2B2B2B2B2")).toMatchObject({ customerId: customerOfB });
    expect((await referrals.listReferrals(B)).map((r) => r.id)).toEqual([row.id]);
    // A's do not
    expect(await referrals.memberByCode(A, "B2B2B2B2B2")).toBeNull();
    expect(await referrals.getReferral(A, row.id)).toBeNull();
    expect(await referrals.referralOfEmail(A, "friend-of-b@example.com")).toBeNull();
    expect(await referrals.listReferrals(A)).toEqual([]);
    expect(await referrals.openReferrals(A)).toEqual([]);
    expect(await referrals.referralFunnel(A)).toMatchObject({ linksFollowed: 0, codesIssued: 0, firstOrders: 0 });
    expect((await collectCustomerData(A, customerOfB, [])).referrals).toEqual([]);
    expect(await referrals.markRewarded(A, row.id, 500, new Date())).toBe(false);
    expect(await referrals.markRefused(A, row.id, "cap_total")).toBe(false);
    await referrals.countVisit(A, "B2B2B2B2B2");
    expect(await prisma.referral.findUniqueOrThrow({ where: { shop_id: { shop: B, id: row.id } } })).toMatchObject({
      state: "ordered",
      rewardPoints: null,
    });
    expect((await prisma.referralMember.findFirstOrThrow({ where: { shop: B } })).visits).toBe(0);
    expect((await collectCustomerData(B, customerOfB, [])).referrals).toHaveLength(2);
  });
});

describe("A/B tests stay in their shop", () => {
  it("A cannot read B's variants nor end B's test", async () => {
    const offer = campaignTemplate("win_back", "USD");
    const test = await createCampaign(B, offer, new Date());
    await saveVariants(
      B,
      test.id,
      campaignVariants(offer.offer, {
        offer: { kind: "percentage", value: 15, minimumSubtotalMinor: null },
        weightA: 50,
        weightB: 50,
      }),
    );
    expect((await campaignAbTest(B, test.id))!.variants.map((v) => v.key)).toEqual(["A", "B"]);
    expect(await campaignAbTest(A, test.id)).toBeNull();
    expect(await endAbTest(A, test.id, "B", new Date())).toBe(false);
    expect((await campaignAbTest(B, test.id))!.test).toEqual({ endedAt: null, winner: null });
    // B's own end works (so the check above can fail)
    expect(await endAbTest(B, test.id, "B", new Date())).toBe(true);
  });
});

describe("shop A cannot change shop B", () => {
  it("erasing, cancelling and deleting in A's name leaves every row of B as it was", async () => {
    const before = await snapshotShop(B);
    const aggregatesOfB = () => prisma.customerAggregate.findMany({ where: { shop: B } });
    const aggregatesBefore = await aggregatesOfB();
    await eraseCustomerData(A, customerOfB, ["gid://shopify/Order/21", "gid://shopify/Order/22"]);
    await getQueue().cancelShop(A);
    await deleteSessions(A);
    await eraseShopData(A, new Date());
    expect(await snapshotShop(B)).toEqual(before);
    expect(await prisma.klaviyoProfile.count({ where: { shop: B, customerId: customerOfB } })).toBe(1);
    expect(aggregatesBefore).toHaveLength(1);
    expect(await aggregatesOfB()).toEqual(aggregatesBefore);
  });
});

describe("channel connections stay in their shop", () => {
  it("A's list does not show B's connection, and A's disconnect and shop/redact leave B's sealed row as it was", async () => {
    const channels = await import("../../app/models/channel-connections.server");
    await channels.upsertConnection(B, "klaviyo", { publicId: null, secrets: "v1.k.n.t.sealed-b", keyId: "k" });
    await channels.upsertConnection(A, "klaviyo", { publicId: null, secrets: "v1.k.n.t.sealed-a", keyId: "k" });
    const before = await prisma.channelConnection.findMany({ where: { shop: B } });
    expect((await channels.listConnections(A)).map((c) => c.channel)).toEqual(["klaviyo"]);
    expect(JSON.stringify(await channels.listConnections(A))).not.toContain("sealed");
    expect((await channels.getSealedConnection(A, "klaviyo"))!.secrets).toBe("v1.k.n.t.sealed-a");
    expect(await channels.recordTest(A, "line-messaging", { status: "failed", lastError: null, at: new Date() })).toBe(
      0,
    );
    expect(await channels.deleteConnection(A, "klaviyo")).toBe(1);
    await eraseShopData(A, new Date());
    expect(await prisma.channelConnection.findMany({ where: { shop: B } })).toEqual(before);
    expect(await prisma.channelConnection.count({ where: { shop: A } })).toBe(0);
  });
});

describe("LINE templates and a campaign's LINE side stay in their shop", () => {
  it("A reads its own templates, A's save and restore and shop/redact leave B's rows; A cannot set B's campaign's LINE mode", async () => {
    const templates = await import("../../app/models/channel-templates.server");
    const campaignLine = await import("../../app/models/campaign-line.server");
    const setting = (title: string) => ({
      enabled: true,
      en: { title, body: "{tier}", button: "Go" },
      th: { title, body: "{tier}", button: "ไป" },
    });
    await templates.saveLineTemplate(B, "tier-reached", setting("B's {tier}"));
    const before = await prisma.channelTemplate.findMany({ where: { shop: B } });
    expect((await templates.lineTemplates(A))["tier-reached"].en.title).toBe("Welcome to {tier}!");
    await templates.saveLineTemplate(A, "tier-reached", setting("A's {tier}"));
    expect((await templates.lineTemplates(A))["tier-reached"].en.title).toBe("A's {tier}");
    expect(await templates.resetLineTemplate(A, "tier-reached")).toBe(1);
    await templates.saveLineTemplate(A, "points-earned", setting("A's {points}"));
    await eraseShopData(A, new Date());
    expect(await prisma.channelTemplate.count({ where: { shop: A } })).toBe(0);
    expect(await prisma.channelTemplate.findMany({ where: { shop: B } })).toEqual(before);
    expect((await templates.lineTemplates(B))["tier-reached"].en.title).toBe("B's {tier}");

    const campaignOfB = await prisma.campaign.create({
      data: {
        shop: B,
        name: "B",
        template: "custom",
        audience: JSON.stringify({ kind: "first_order" }),
        schedule: "entry",
        offerKind: "percentage",
        offerValue: 10,
        expiryDays: 30,
        holdoutPercent: 0,
        cooldownDays: 30,
        codePrefix: "B-",
      },
    });
    expect(await campaignLine.setCampaignLineMode(A, campaignOfB.id, "push")).toBe(false);
    expect(await campaignLine.campaignLineMode(A, campaignOfB.id)).toBeNull();
    expect(await campaignLine.campaignLineMode(B, campaignOfB.id)).toBe("off");
    expect(await campaignLine.setCampaignLineMode(B, campaignOfB.id, "push")).toBe(true);
    expect(await campaignLine.campaignLineMode(B, campaignOfB.id)).toBe("push");
  });
});

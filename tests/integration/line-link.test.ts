// The shopper's LINE link (docs/line-link.md) over real HTTP: the built app behind the local Shopify's storefront and
// app proxy (the shopper's cookie, Shopify's signed query), against the local LINE (Messaging API + LINE Login). The
// full flow (state, PKCE S256, nonce, bot_prompt, id_token, profile, friendship), every refusal of the callback
// (unknown, reused, expired, another customer's, another shop's, cancelled, an account linked to someone else) with
// nothing written, unlink, and LINE's webhooks into the app (signed, forged, unsigned, malformed, old, redelivered,
// unlinked users, another shop's secret).
import { createHash, randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { setShopSettings } from "../../app/models/shop.server";
import { createLocalLine, signLineWebhook } from "../../simulator/line/index";
import { openApp, startLocalShopifyAndApp, testShopRecord } from "../support/local-shopify";
import { mintSessionToken } from "../../simulator/app-bridge/session-token";
import { BROWSER_HEADERS, TEST_API_KEY, TEST_API_SECRET } from "../support/test-env";
import { lineFormAction, lineFormToken, lineLinkFlow } from "../support/line-link";

const A = "line-link-a.myshopify.com";
const B = "line-link-b.myshopify.com";
const C = "line-link-c.myshopify.com"; // LINE not connected
const line = createLocalLine();
const CH: Record<string, { bot: string; login: string }> = {
  [A]: { bot: "1657000101", login: "2000000101" },
  [B]: { bot: "1657000102", login: "2000000102" },
};
const secrets = new Map<string, string>();
const hexSecret = () => randomBytes(16).toString("hex");
const user = (n: number, displayName: string) => ({ userId: `U${String(n).padStart(32, "0")}`, displayName });
const SOMCHAI = user(1, "สมชาย ใจดี");
const ADA = user(2, "Ada L.");
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;
let lineUrl = "";
const people: Record<string, string[]> = {};

beforeAll(async () => {
  const server = await line.listen();
  lineUrl = server.url;
  process.env.LINE_API_ORIGIN = server.url;
  process.env.LINE_ACCESS_ORIGIN = server.url;
  process.env.CHANNEL_SECRETS_KEY = randomBytes(32).toString("base64");
  env = await startLocalShopifyAndApp();
  flow = lineLinkFlow(env.shopify);
  const { saveConnection } = await import("../../app/services/channels.server");
  const { keyringFrom } = await import("../../app/services/secret-box.server");
  const keyring = keyringFrom(process.env.CHANNEL_SECRETS_KEY);
  for (const shop of [A, B, C]) {
    env.shopify.admin.shops.addShop(testShopRecord(shop, { currencyCode: "THB", ianaTimezone: "Asia/Bangkok" }));
    people[shop] = [0, 1, 2].map(
      (i) => env.shopify.admin.createCustomer(shop, { firstName: `P${i}`, email: `p${i}@${shop}` }).id,
    );
    env.shopify.install(shop);
    expect((await openApp(env.app.url, env.shopify, shop)).status).toBe(200);
    await setShopSettings(shop, { currencyCode: "THB", timezone: "Asia/Bangkok", locale: shop === A ? "th" : "en" });
    if (shop === C) continue;
    const bot = {
      channelId: CH[shop].bot,
      channelSecret: hexSecret(),
      accessToken: randomBytes(60).toString("base64"),
    };
    secrets.set(shop, bot.channelSecret);
    line.addChannel({ ...bot, displayName: `${shop} OA` });
    const login = { channelId: CH[shop].login, channelSecret: hexSecret() };
    line.login.addChannel({
      ...login,
      callbackUrls: [env.shopify.storefront.proxyUrl(shop, "/line/callback")],
      linkedBotChannelId: bot.channelId,
    });
    expect(await saveConnection(shop, "line-messaging", bot, keyring)).toEqual({ ok: true });
    expect(await saveConnection(shop, "line-login", login, keyring)).toEqual({ ok: true });
  }
  return () => server.close();
});

let flow: ReturnType<typeof lineLinkFlow>;
const page = (shop: string, customerId: string, query = "") => flow.page(shop, customerId, query);
const action = lineFormAction;
const start = (shop: string, customerId: string) => flow.start(shop, customerId);
const authorize = (url: URL) => flow.authorize(url);
const callback = (shop: string, customerId: string | null, back: URL, extra = "") =>
  flow.callback(shop, customerId, back, extra);

const linkOf = (shop: string, customerId: string) =>
  prisma.lineLink.findUnique({ where: { shop_customerId: { shop, customerId } } });

describe("linking", () => {
  it("a shop without both LINE channels offers no link; a connected one does, in its language", async () => {
    expect(action(await page(C, people[C][0]), "link")).toBeNull();
    const th = await page(A, people[A][0]);
    expect(th).toContain("เชื่อมต่อ LINE");
    expect(th).toContain('name="origin" value="');
    const en = await page(B, people[B][0]);
    expect(en).toContain("Link LINE");
  });

  it("the full flow: state + PKCE S256 + nonce + bot_prompt; code exchanged; the link written with the friendship", async () => {
    line.login.signIn(SOMCHAI);
    line.login.setConsent({ mode: "auto", addFriend: true });
    const shopper = people[A][0];
    const url = await start(A, shopper);
    expect(url.origin).toBe(lineUrl);
    expect(url.pathname).toBe("/oauth2/v2.1/authorize");
    const q = url.searchParams;
    expect(Object.fromEntries(q)).toMatchObject({
      response_type: "code",
      client_id: CH[A].login,
      redirect_uri: env.shopify.storefront.proxyUrl(A, "/line/callback"),
      scope: "openid profile",
      bot_prompt: "aggressive",
      code_challenge_method: "S256",
      ui_locales: "th",
    });
    const attempt = await prisma.lineLoginAttempt.findUniqueOrThrow({ where: { state: q.get("state")! } });
    expect(attempt).toMatchObject({ shop: A, customerId: shopper, nonce: q.get("nonce"), locale: "th" });
    expect(createHash("sha256").update(attempt.codeVerifier).digest("base64url")).toBe(q.get("code_challenge"));
    expect(attempt.expiresAt.getTime() - Date.now()).toBeGreaterThan(9 * 60_000);
    const back = await authorize(url);
    expect(back.searchParams.get("friendship_status_changed")).toBe("true");
    expect(await callback(A, shopper, back)).toBe("linked");
    expect(await linkOf(A, shopper)).toMatchObject({
      lineUserId: SOMCHAI.userId,
      displayName: SOMCHAI.displayName,
      locale: "th",
      following: true,
    });
    expect(await prisma.lineLoginAttempt.count({ where: { shop: A } })).toBe(0);
    const html = await page(A, shopper, "line=linked");
    expect(html).toContain(`เชื่อมต่อกับ LINE แล้วในชื่อ <strong>${SOMCHAI.displayName}</strong>`);
    expect(html).toContain("คุณจะได้รับข้อความจากเราทาง LINE");
    expect(action(html, "unlink")).not.toBeNull();
    // The same callback again (a new signature: the shopper's own parameter): the state is spent
    const before = await linkOf(A, shopper);
    expect(await callback(A, shopper, back, "&again=1")).toBe("refused");
    expect(await linkOf(A, shopper)).toEqual(before);
  });

  it("refuses an unknown or missing state, another customer, another shop, an expired attempt, a cancel: nothing written", async () => {
    line.login.signIn(ADA);
    line.login.setConsent({ addFriend: false });
    const [, p1, p2] = people[B];
    const fake = new URL(env.shopify.storefront.proxyUrl(B, "/line/callback"));
    fake.search = `code=abc&state=${randomBytes(32).toString("base64url")}`;
    expect(await callback(B, p1, fake)).toBe("refused");
    fake.search = "code=abc";
    expect(await callback(B, p1, fake)).toBe("refused");
    // Started by p1, finished by p2 (or by a guest): refused, and the state is spent
    let back = await authorize(await start(B, p1));
    expect(await callback(B, p2, back)).toBe("refused");
    expect(await callback(B, p1, back, "&retry=1")).toBe("refused");
    back = await authorize(await start(B, p1));
    expect(await callback(B, null, back)).toBe("refused");
    // A's attempt brought to B's callback: not B's state
    line.login.signIn(SOMCHAI);
    const fromA = await authorize(await start(A, people[A][1]));
    const atB = new URL(env.shopify.storefront.proxyUrl(B, "/line/callback") + fromA.search);
    expect(await callback(B, p1, atB)).toBe("refused");
    expect(await prisma.lineLoginAttempt.count({ where: { shop: A } })).toBe(1); // A's is untouched
    // Expired (10 minutes)
    line.login.signIn(ADA);
    const url = await start(B, p1);
    await prisma.lineLoginAttempt.update({
      where: { state: url.searchParams.get("state")! },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(await callback(B, p1, await authorize(url))).toBe("expired");
    // Cancelled on LINE (nobody signed in: access_denied)
    line.login.signIn(null);
    const denied = await authorize(await start(B, p1));
    expect(denied.searchParams.get("error")).toBe("access_denied");
    expect(await callback(B, p1, denied)).toBe("cancelled");
    expect(await prisma.lineLink.count({ where: { shop: B } })).toBe(0);
    expect(await prisma.lineLoginAttempt.count({ where: { shop: B } })).toBe(0);
    expect(await page(B, p1, "line=cancelled")).toContain("Linking was cancelled on LINE. Nothing was changed.");
  });

  it("an account linked to another customer of the shop is refused; the same account in another shop is fine", async () => {
    line.login.signIn(ADA);
    const [p0, p1] = people[B];
    expect(await callback(B, p0, await authorize(await start(B, p0)))).toBe("linked");
    expect(await linkOf(B, p0)).toMatchObject({ lineUserId: ADA.userId, following: false, locale: "en" });
    expect(await callback(B, p1, await authorize(await start(B, p1)))).toBe("taken");
    expect(await linkOf(B, p1)).toBeNull();
    expect(await page(B, p1, "line=taken")).toContain("already linked to another customer of this shop");
    expect(await callback(A, people[A][2], await authorize(await start(A, people[A][2])))).toBe("linked");
    expect((await linkOf(A, people[A][2]))?.lineUserId).toBe(ADA.userId);
  });

  it("keeps at most 5 links in progress per customer (the newest); the oldest's state is gone", async () => {
    const shopper = people[B][2];
    const states: string[] = [];
    for (let i = 0; i < 6; i++) states.push((await start(B, shopper)).searchParams.get("state")!);
    const kept = await prisma.lineLoginAttempt.findMany({ where: { shop: B, customerId: shopper } });
    expect(kept.map((a) => a.state).sort()).toEqual(states.slice(1).sort());
    await prisma.lineLoginAttempt.deleteMany({ where: { shop: B, customerId: shopper } });
  });

  it("link and unlink refuse a form without the page's own token (403, in the shop's language): nothing changes", async () => {
    const { issueFormToken } = await import("../../app/services/form-tokens.server");
    const shopper = people[A][2]; // linked by the test before
    const other = people[A][1];
    const html = await page(A, shopper);
    const path = action(html, "unlink")!;
    const good = lineFormToken(html, "unlink")!;
    expect(good).toMatch(/^[A-Za-z0-9_-]{16}\.\d+\.[A-Za-z0-9_-]{32}$/);
    const linkPath = path.replace("/line/unlink", "/line/link");
    const now = Date.now();
    let n = 0;
    const send = (to: string, fields: Record<string, string>) =>
      env.shopify.storefront.fetch(A, `${to}&csrf=${++n}`, {
        method: "POST",
        customerId: shopper,
        headers: { ...BROWSER_HEADERS, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(fields),
        redirect: "manual",
      });
    const link = await linkOf(A, shopper);
    expect(link).not.toBeNull();
    const attempts = await prisma.lineLoginAttempt.count();
    const forged: [string, string | null][] = [
      ["none", null],
      ["another customer's", issueFormToken(A, other, "line-unlink", new Date(now))],
      ["another shop's", issueFormToken(B, shopper, "line-unlink", new Date(now))],
      ["another purpose's", issueFormToken(A, shopper, "line-link", new Date(now))],
      ["expired", issueFormToken(A, shopper, "line-unlink", new Date(now - 2 * 3_600_000 - 60_000))],
      ["tampered", good.replace(/^./, (c: string) => (c === "A" ? "B" : "A"))],
    ];
    for (const [label, token] of forged) {
      const res = await send(path, token ? { token } : {});
      expect(res.status, label).toBe(403);
      const body = await res.text();
      expect(body, label).toContain("ไม่สามารถรับแบบฟอร์มนี้ได้"); // shop A's language: Thai
      expect(body, label).toMatch(/<a class="lp_signin" href="[^"]*\/apps\/loyalty\/?">กลับไปที่หน้ารางวัลของคุณ<\/a>/);
    }
    // "Link LINE" posted cross-site (no token, or the unlink form's token): no attempt, no redirect to LINE.
    const origin = env.shopify.storefront.url(A, "").replace(/\/$/, "");
    for (const fields of [{ origin }, { origin, token: good }] as Record<string, string>[])
      expect((await send(linkPath, fields)).status).toBe(403);
    expect(await linkOf(A, shopper)).toEqual(link);
    expect(await prisma.lineLoginAttempt.count()).toBe(attempts);
  });

  it("unlink deletes the link at once; a guest's unlink changes nothing", async () => {
    const shopper = people[A][2];
    const html = await page(A, shopper);
    const path = action(html, "unlink")!;
    const token = lineFormToken(html, "unlink")!;
    const guest = await env.shopify.storefront.fetch(A, path, { method: "POST", redirect: "manual" });
    expect(guest.status).toBe(303);
    expect(await linkOf(A, shopper)).not.toBeNull();
    const res = await env.shopify.storefront.fetch(A, path, {
      method: "POST",
      customerId: shopper,
      headers: { ...BROWSER_HEADERS, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token }),
      redirect: "manual",
    });
    expect(res.status).toBe(303);
    expect(new URL(res.headers.get("location")!, "http://x").searchParams.get("line")).toBe("unlinked");
    expect(await linkOf(A, shopper)).toBeNull();
    expect(action(await page(A, shopper), "link")).not.toBeNull();
  });
});

describe("LINE webhooks into the app", () => {
  const hook = (shop: string) => `${env.app.url}/webhooks/line/${shop}`;
  const post = (shop: string, body: string, signature: string | null) =>
    fetch(hook(shop), {
      method: "POST",
      headers: { "content-type": "application/json", ...(signature ? { "x-line-signature": signature } : {}) },
      body,
    }).then((r) => r.status);

  it("follow/unfollow of a linked user change `following`; old events and redeliveries change nothing", async () => {
    const shopper = people[A][0];
    const linked = (await linkOf(A, shopper))!;
    expect(linked.following).toBe(true);
    const unfollow = line.block(CH[A].bot, SOMCHAI.userId);
    expect(await line.sendWebhook(CH[A].bot, hook(A), [unfollow])).toBe(200);
    expect((await linkOf(A, shopper))?.following).toBe(false);
    // Redelivered: no change; an event from before the last change: ignored
    expect(await line.sendWebhook(CH[A].bot, hook(A), [{ ...unfollow, deliveryContext: { isRedelivery: true } }])).toBe(
      200,
    );
    const old = { ...line.follow(CH[A].bot, SOMCHAI), timestamp: linked.linkedAt.getTime() - 60_000 };
    expect(await line.sendWebhook(CH[A].bot, hook(A), [old])).toBe(200);
    expect(await linkOf(A, shopper)).toMatchObject({ following: false, followAt: new Date(unfollow.timestamp) });
    const follow = { ...line.follow(CH[A].bot, SOMCHAI), timestamp: unfollow.timestamp + 1 };
    expect(await line.sendWebhook(CH[A].bot, hook(A), [follow])).toBe(200);
    expect((await linkOf(A, shopper))?.following).toBe(true);
  });

  it("LINE's verify request (no events) and unlinked users' events answer 200 and store nothing", async () => {
    expect(await line.sendWebhook(CH[A].bot, hook(A), [])).toBe(200);
    const before = await prisma.lineLink.findMany({ where: { shop: A }, orderBy: { customerId: "asc" } });
    const stranger = line.follow(CH[A].bot, user(99, "Stranger"));
    expect(await line.sendWebhook(CH[A].bot, hook(A), [stranger])).toBe(200);
    expect(await prisma.lineLink.findMany({ where: { shop: A }, orderBy: { customerId: "asc" } })).toEqual(before);
  });

  it("forged, unsigned, malformed, oversized, another shop's secret and unknown shops are refused; nothing changes", async () => {
    const before = await prisma.lineLink.findMany({ orderBy: [{ shop: "asc" }, { customerId: "asc" }] });
    const unfollow = line.block(CH[A].bot, SOMCHAI.userId);
    expect(await line.sendWebhook(CH[A].bot, hook(A), [unfollow], "forged")).toBe(401);
    const body = line.webhookBody(CH[A].bot, [unfollow]);
    expect(await post(A, body, null)).toBe(401);
    expect(await post(A, body, "not base64 at all")).toBe(401);
    // Signed with A's secret, posted to B's URL (B's link of the same LINE user stays)
    expect(await post(B, body, signLineWebhook(body, secrets.get(A)!))).toBe(401);
    // Signed correctly but not LINE's shape
    for (const bad of ["{", "[]", '{"destination":"x","events":[]}', '{"destination":"U' + "0".repeat(32) + '"}']) {
      expect(await post(A, bad, signLineWebhook(bad, secrets.get(A)!))).toBe(400);
    }
    const noUser = JSON.stringify({
      destination: `U${"a".repeat(32)}`,
      events: [{ type: "unfollow", timestamp: Date.now(), source: { type: "user" } }],
    });
    expect(await post(A, noUser, signLineWebhook(noUser, secrets.get(A)!))).toBe(400);
    expect(await post(C, body, signLineWebhook(body, secrets.get(A)!))).toBe(404);
    expect(await post("not-a-shop", body, signLineWebhook(body, secrets.get(A)!))).toBe(404);
    const big = " ".repeat(1_100_000);
    expect(await post(A, big, signLineWebhook(big, secrets.get(A)!))).toBe(413);
    expect(await prisma.lineLink.findMany({ orderBy: [{ shop: "asc" }, { customerId: "asc" }] })).toEqual(before);
  });
});

describe("the Channels page", () => {
  it("shows the shop's own webhook URL and the callback URL to enter in LINE's console", async () => {
    const token = mintSessionToken({ shop: A, apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET });
    const res = await fetch(`${env.app.url}/app/channels?_data=routes%2Fapp.channels`, {
      headers: { ...BROWSER_HEADERS, Authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    const data = (await res.json()) as { lineUrls: { webhookUrl: string; callbackUrl: string } };
    expect(data.lineUrls).toEqual({
      webhookUrl: `${env.app.url}/webhooks/line/${A}`,
      callbackUrl: `https://${A}/apps/loyalty/line/callback`,
    });
  });
});

describe("privacy", () => {
  it("customers/redact's erasure removes the link, attempts and channel messages; the data request lists the link", async () => {
    const { collectCustomerData, eraseCustomerData } = await import("../../app/models/privacy.server");
    const shopper = people[B][0];
    // A new link left in progress (the customer is linked: the form would show Unlink; the route accepts a relink
    // with a link form's token)
    const { issueFormToken } = await import("../../app/services/form-tokens.server");
    const res = await env.shopify.storefront.fetch(B, "/apps/loyalty/line/link/?f=privacy", {
      method: "POST",
      customerId: shopper,
      headers: { ...BROWSER_HEADERS, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        origin: env.shopify.storefront.url(B, "").replace(/\/$/, ""),
        token: issueFormToken(B, shopper, "line-link", new Date()),
      }),
      redirect: "manual",
    });
    expect(new URL(res.headers.get("location")!).pathname).toBe("/oauth2/v2.1/authorize");
    await prisma.channelMessage.create({
      data: { shop: B, channel: "line", customerId: shopper, event: "tier-reached", sourceKey: "t", retryKey: "k" },
    });
    const report = await collectCustomerData(B, shopper, []);
    expect(report.line.link).toMatchObject({ lineUserId: ADA.userId });
    expect(report.line.attempts).toHaveLength(1);
    expect(report.channelMessages).toHaveLength(1);
    // Shop A's report for the same customer id shows A's own link (or none), nothing of B's
    const inA = (await collectCustomerData(A, shopper, [])).line;
    expect(inA.attempts).toEqual([]);
    expect(inA.link).toEqual(await linkOf(A, shopper));
    expect(inA.link?.shop ?? A).toBe(A);
    expect(await eraseCustomerData(B, shopper, [])).toMatchObject({
      lineLinks: 1,
      lineLoginAttempts: 1,
      channelMessages: 1,
    });
    expect(await linkOf(B, shopper)).toBeNull();
    expect(await prisma.lineLoginAttempt.count({ where: { shop: B, customerId: shopper } })).toBe(0);
    expect(await prisma.channelMessage.count({ where: { shop: B, customerId: shopper } })).toBe(0);
    // A's links stay (erasure is per shop)
    expect(await linkOf(A, shopper)).toEqual(inA.link);
  });
});

describe("a channel change while a link is being finished", () => {
  it("a LINE Login channel ID saved while LINE answers the callback's token request: no link is written for the old channel", async () => {
    const { saveConnection } = await import("../../app/services/channels.server");
    const { keyringFrom } = await import("../../app/services/secret-box.server");
    const keyring = keyringFrom(process.env.CHANNEL_SECRETS_KEY);
    // Shop C gets LINE here (its own channels), so the other tests' links are not touched
    const bot = {
      channelId: "1657000103",
      channelSecret: hexSecret(),
      accessToken: randomBytes(60).toString("base64"),
    };
    line.addChannel({ ...bot, displayName: `${C} OA` });
    const login = { channelId: "2000000103", channelSecret: hexSecret() };
    line.login.addChannel({
      ...login,
      callbackUrls: [env.shopify.storefront.proxyUrl(C, "/line/callback")],
      linkedBotChannelId: bot.channelId,
    });
    expect(await saveConnection(C, "line-messaging", bot, keyring)).toEqual({ ok: true });
    expect(await saveConnection(C, "line-login", login, keyring)).toEqual({ ok: true });
    line.login.signIn(SOMCHAI);
    line.login.setConsent({ mode: "auto", addFriend: true });
    const shopper = people[C][0];
    const back = await authorize(await start(C, shopper));
    // The merchant saves another Login channel (another provider) while the app exchanges the shopper's code
    let saved: unknown = null;
    line.login.onNextToken(async () => {
      saved = await saveConnection(C, "line-login", { channelId: "2000000203", channelSecret: hexSecret() }, keyring);
    });
    const result = await callback(C, shopper, back);
    expect(saved).toEqual({ ok: true });
    // The user id LINE gave belongs to the old channel's provider: the link it would make must not outlive the change
    expect(await linkOf(C, shopper)).toBeNull();
    expect(result).toBe("unavailable");
    // The shopper links again from the page under the new channel (nothing of the old one is left to get in the way)
    expect(await prisma.lineLoginAttempt.count({ where: { shop: C } })).toBe(0);
  });
});

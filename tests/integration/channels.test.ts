// Channel connections through the built app's HTTP (admin session tokens), against the local LINE and Klaviyo:
// refused input changes nothing; saved secrets are sealed and never come back in the page's data; "test connection"
// reports what the vendor answered (connected, refused, throttled, unreachable); the app/uninstalled webhook erases
// the shop's connections; and a connection is the shop's own.
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { mintSessionToken } from "../../simulator/app-bridge/session-token";
import { createLocalLine } from "../../simulator/line/index";
import { createLocalKlaviyo } from "../../simulator/klaviyo/index";
import { startApp } from "../support/app-server";
import { installShop } from "../support/shops";
import { BROWSER_HEADERS, TEST_API_KEY, TEST_API_SECRET } from "../support/test-env";
import { postWebhook } from "../support/webhooks";

const A = "channels-a.myshopify.com";
const B = "channels-b.myshopify.com";
const TOKEN_A = randomBytes(129).toString("base64");
const SECRET_A = randomBytes(16).toString("hex");
const KEY_B = "pk_" + randomBytes(17).toString("hex");
const line = createLocalLine();
line.addChannel({ channelId: "1657000002", channelSecret: SECRET_A, accessToken: TOKEN_A, displayName: "Shop A OA" });
const klaviyo = createLocalKlaviyo();
klaviyo.addAccount({ privateKey: KEY_B, name: "Shop B" });
let appUrl: string;

beforeAll(async () => {
  const lineServer = await line.listen();
  const klaviyoServer = await klaviyo.listen();
  process.env.LINE_API_ORIGIN = lineServer.url;
  process.env.KLAVIYO_API_ORIGIN = klaviyoServer.url;
  process.env.CHANNEL_SECRETS_KEY = randomBytes(32).toString("base64");
  await installShop(A);
  await installShop(B);
  ({ url: appUrl } = await startApp());
  return async () => {
    await lineServer.close();
    await klaviyoServer.close();
  };
});

const auth = (shop: string) => ({
  ...BROWSER_HEADERS,
  Authorization: `Bearer ${mintSessionToken({ shop, apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET })}`,
});
async function act(shop: string, fields: Record<string, string>) {
  const res = await fetch(`${appUrl}/app/channels?_data=routes%2Fapp.channels`, {
    method: "POST",
    headers: auth(shop),
    body: new URLSearchParams(fields),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
async function pageData(shop: string) {
  const res = await fetch(`${appUrl}/app/channels?_data=routes%2Fapp.channels`, { headers: auth(shop) });
  expect(res.status).toBe(200);
  return res.text();
}
const row = (shop: string, channel: string) =>
  prisma.channelConnection.findUnique({ where: { shop_channel: { shop, channel } } });

describe("saving", () => {
  it("refuses malformed fields with each field's error and saves nothing; an unknown channel or intent is 400", async () => {
    const bad = await act(A, {
      intent: "save",
      channel: "line-messaging",
      channelId: "abc",
      channelSecret: SECRET_A,
      accessToken: "",
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ ok: false, errors: { channelId: "channelId", accessToken: "required" } });
    expect(await prisma.channelConnection.count({ where: { shop: A } })).toBe(0);
    expect((await act(A, { intent: "save", channel: "sms" })).status).toBe(400);
    expect((await act(A, { intent: "explode", channel: "klaviyo" })).status).toBe(400);
  });

  it("saves sealed; the page's data never carries the secrets back", async () => {
    const saved = await act(A, {
      intent: "save",
      channel: "line-messaging",
      channelId: "1657000002",
      channelSecret: SECRET_A,
      accessToken: TOKEN_A,
    });
    expect(saved).toEqual({ status: 200, body: { intent: "save", ok: true } });
    const stored = (await row(A, "line-messaging"))!;
    expect(stored.secrets).toMatch(/^v1\.[0-9a-f]{16}\./);
    expect(stored.keyId).toBe(stored.secrets.split(".")[1]);
    expect(stored.secrets).not.toContain(SECRET_A);
    const data = await pageData(A);
    expect(data).toContain("1657000002");
    expect(data).toContain('"status":"untested"');
    for (const secret of [SECRET_A, TOKEN_A.slice(0, 24), stored.secrets.slice(0, 40)])
      expect(data).not.toContain(secret);
  });
});

describe("test connection", () => {
  it("LINE: connected with the bot's name; a 429 says throttled; a dropped connection says unreachable", async () => {
    const ok = await act(A, { intent: "test", channel: "line-messaging" });
    expect(ok.body).toMatchObject({ intent: "test", ok: true });
    expect(String(ok.body.detail)).toContain("Shop A OA");
    expect((await row(A, "line-messaging"))!.status).toBe("connected");

    line.faults.inject({ kind: "http", status: 429 }, { operation: "getBotInfo" });
    expect((await act(A, { intent: "test", channel: "line-messaging" })).body).toMatchObject({
      ok: false,
      reason: "rate_limited",
    });
    expect((await row(A, "line-messaging"))!).toMatchObject({
      status: "failed",
      lastError: expect.stringMatching(/^rate_limited/),
    });

    line.faults.inject({ kind: "reset" }, { operation: "getBotInfo" });
    expect((await act(A, { intent: "test", channel: "line-messaging" })).body).toMatchObject({
      ok: false,
      reason: "unreachable",
    });
  });

  it("Klaviyo: B's key connects (with the pinned revision); a key Klaviyo does not know is refused", async () => {
    expect((await act(B, { intent: "save", channel: "klaviyo", privateKey: KEY_B })).status).toBe(200);
    expect((await act(B, { intent: "test", channel: "klaviyo" })).body).toMatchObject({ ok: true });
    expect(klaviyo.requests().at(-1)).toMatchObject({ operationId: "get_accounts", status: 200 });
    expect((await act(A, { intent: "save", channel: "klaviyo", privateKey: "pk_" + "0".repeat(34) })).status).toBe(200);
    expect((await act(A, { intent: "test", channel: "klaviyo" })).body).toMatchObject({
      ok: false,
      reason: "unauthorized",
    });
  });

  it("LINE Login is saved checked for form only, and its test says it cannot be tested yet", async () => {
    expect(
      (await act(A, { intent: "save", channel: "line-login", channelId: "2000000009", channelSecret: SECRET_A }))
        .status,
    ).toBe(200);
    expect((await act(A, { intent: "test", channel: "line-login" })).body).toMatchObject({
      ok: false,
      reason: "not_testable",
    });
    expect((await row(A, "line-login"))!.status).toBe("untested");
  });
});

describe("changing or disconnecting LINE", () => {
  const gid = (n: number) => `gid://shopify/Customer/${n}`;
  let n = 0;
  /** A shopper of `shop` who linked LINE, with a link in progress and a waiting and a sent LINE message. */
  async function linkedShopper(shop: string) {
    const customerId = gid(++n);
    await prisma.lineLink.create({
      data: {
        shop,
        customerId,
        lineUserId: `U${String(n).padStart(32, "0")}`,
        locale: "th",
        following: true,
        linkedAt: new Date(),
        followAt: new Date(),
      },
    });
    await prisma.lineLoginAttempt.create({
      data: {
        state: `state-${shop}-${n}`,
        shop,
        customerId,
        codeVerifier: "v".repeat(64),
        nonce: "n".repeat(43),
        redirectUri: `https://${shop}/apps/loyalty/line/callback`,
        locale: "th",
        expiresAt: new Date(Date.now() + 600_000),
      },
    });
    for (const state of ["pending", "sent"])
      await prisma.channelMessage.create({
        data: {
          shop,
          channel: "line",
          customerId,
          event: "tier-reached",
          sourceKey: `change:${n}:${state}`,
          state,
          retryKey: `${shop}-${n}-${state}`,
          ...(state === "sent" ? { sentAt: new Date(), requestId: "req-1" } : {}),
        },
      });
    return customerId;
  }
  const held = async (shop: string) => ({
    links: await prisma.lineLink.count({ where: { shop } }),
    attempts: await prisma.lineLoginAttempt.count({ where: { shop } }),
    pending: await prisma.channelMessage.count({ where: { shop, channel: "line", state: "pending" } }),
    sent: await prisma.channelMessage.count({ where: { shop, channel: "line", state: "sent" } }),
  });
  const lineLinked = async (shop: string) => (JSON.parse(await pageData(shop)) as { lineLinked: number }).lineLinked;
  const messaging = (channelId: string) => ({
    intent: "save",
    channel: "line-messaging",
    channelId,
    channelSecret: randomBytes(16).toString("hex"),
    accessToken: randomBytes(60).toString("base64"),
  });

  const confirmed = { confirmUnlink: "yes" };
  const refusal = (intent: string, linked: number) => ({
    status: 409,
    body: { intent, ok: false, reason: "confirm_unlink", linked },
  });

  it("another Messaging API channel id is refused until the merchant confirms (nothing changed), then unlinks the shop's shoppers (links, attempts, waiting messages); the same id with a new secret and token keeps them without asking; shop B untouched", async () => {
    await linkedShopper(A);
    await linkedShopper(A);
    await linkedShopper(B);
    expect(await lineLinked(A)).toBe(2);
    // Rotating the secret and token of the same channel: nothing ends, nothing to confirm.
    expect(await act(A, messaging("1657000002"))).toEqual({ status: 200, body: { intent: "save", ok: true } });
    expect(await held(A)).toEqual({ links: 2, attempts: 2, pending: 2, sent: 2 });
    // Another channel ID (a typo, say) without the confirmation: refused with A's own count, nothing saved or ended.
    const before = (await row(A, "line-messaging"))!;
    expect(await act(A, messaging("1657000003"))).toEqual(refusal("save", 2));
    expect(await act(A, { ...messaging("1657000003"), confirmUnlink: "no" })).toEqual(refusal("save", 2));
    expect(await row(A, "line-messaging")).toEqual(before);
    expect(await held(A)).toEqual({ links: 2, attempts: 2, pending: 2, sent: 2 });
    expect(await lineLinked(A)).toBe(2);
    // Confirmed: the links were the previous channel's.
    expect(await act(A, { ...messaging("1657000003"), ...confirmed })).toEqual({
      status: 200,
      body: { intent: "save", ok: true, unlinked: 2 },
    });
    expect((await row(A, "line-messaging"))!.publicId).toBe("1657000003");
    expect(await held(A)).toEqual({ links: 0, attempts: 0, pending: 0, sent: 2 });
    const skipped = await prisma.channelMessage.findMany({ where: { shop: A, channel: "line", state: "skipped" } });
    expect(skipped.map((m) => m.lastError)).toEqual([
      "LINE channel changed: the shopper's link belonged to the previous channel",
      "LINE channel changed: the shopper's link belonged to the previous channel",
    ]);
    expect(await lineLinked(A)).toBe(0);
    // Shop B's links, attempts and messages are its own.
    expect(await held(B)).toEqual({ links: 1, attempts: 1, pending: 1, sent: 1 });
  });

  it("another LINE Login channel id and disconnecting ask for the confirmation too, then unlink and say how many; none needed without links; B untouched", async () => {
    // A has no links left (B has one): another ID needs no confirmation — B's links are not A's to confirm
    expect(await act(A, messaging("1657000002"))).toEqual({ status: 200, body: { intent: "save", ok: true } });
    await linkedShopper(A);
    const login = (channelId: string) => ({
      intent: "save",
      channel: "line-login",
      channelId,
      channelSecret: randomBytes(16).toString("hex"),
    });
    expect(await act(A, login("2000000009"))).toEqual({ status: 200, body: { intent: "save", ok: true } });
    expect((await held(A)).links).toBe(1);
    expect(await act(A, login("2000000010"))).toEqual(refusal("save", 1));
    expect((await row(A, "line-login"))!.publicId).toBe("2000000009");
    expect(await held(A)).toMatchObject({ links: 1, attempts: 1, pending: 1 });
    expect(await act(A, { ...login("2000000010"), ...confirmed })).toEqual({
      status: 200,
      body: { intent: "save", ok: true, unlinked: 1 },
    });
    expect(await held(A)).toMatchObject({ links: 0, attempts: 0, pending: 0 });

    await linkedShopper(A);
    // Disconnecting without the confirmation: refused, the connection and the links stay
    expect(await act(A, { intent: "disconnect", channel: "line-login" })).toEqual(refusal("disconnect", 1));
    expect(await row(A, "line-login")).not.toBeNull();
    expect(await held(A)).toMatchObject({ links: 1, attempts: 1, pending: 1 });
    expect(await act(A, { intent: "disconnect", channel: "line-login", ...confirmed })).toEqual({
      status: 200,
      body: { intent: "disconnect", ok: true, unlinked: 1 },
    });
    expect(await row(A, "line-login")).toBeNull();
    expect(await held(A)).toMatchObject({ links: 0, attempts: 0, pending: 0 });
    expect(
      await prisma.channelMessage.count({
        where: { shop: A, state: "skipped", lastError: { startsWith: "LINE disconnected" } },
      }),
    ).toBe(1);
    // B cannot disconnect (or unlink) A's: B has no LINE connection (nothing to confirm), and its own link stays
    expect(await act(B, { intent: "disconnect", channel: "line-messaging" })).toEqual({
      status: 200,
      body: { intent: "disconnect", ok: true, unlinked: 0 },
    });
    expect(await row(A, "line-messaging")).not.toBeNull();
    expect(await held(B)).toEqual({ links: 1, attempts: 1, pending: 1, sent: 1 });
    // Connected again: links left from a channel no longer known (none is saved to compare with) end too, confirmed
    await linkedShopper(A);
    expect(await act(A, login("2000000009"))).toEqual(refusal("save", 1));
    expect(await row(A, "line-login")).toBeNull();
    expect(await act(A, { ...login("2000000009"), ...confirmed })).toEqual({
      status: 200,
      body: { intent: "save", ok: true, unlinked: 1 },
    });
    expect(await held(A)).toMatchObject({ links: 0, attempts: 0, pending: 0 });
  });
});

describe("one shop's connections", () => {
  it("A's page does not list B's, A cannot test B's, and B's sealed secrets copied into A's row do not open", async () => {
    expect(await pageData(A)).not.toContain(KEY_B);
    const dataA = JSON.parse(await pageData(A)) as { channels: { channel: string; connection: unknown }[] };
    const dataB = JSON.parse(await pageData(B)) as { channels: { channel: string; connection: unknown }[] };
    expect(dataB.channels.filter((c) => c.connection).map((c) => c.channel)).toEqual(["klaviyo"]);
    expect(dataA.channels.filter((c) => c.connection).map((c) => c.channel)).toEqual([
      "line-messaging",
      "line-login",
      "klaviyo",
    ]);
    expect((await act(B, { intent: "test", channel: "line-messaging" })).status).toBe(404);
    const ofB = (await row(B, "klaviyo"))!;
    await prisma.channelConnection.update({
      where: { shop_channel: { shop: A, channel: "klaviyo" } },
      data: { secrets: ofB.secrets, keyId: ofB.keyId },
    });
    expect((await act(A, { intent: "test", channel: "klaviyo" })).body).toMatchObject({
      ok: false,
      reason: "undecryptable",
    });
    // A's disconnect removes A's only
    expect((await act(A, { intent: "disconnect", channel: "klaviyo" })).status).toBe(200);
    expect(await row(A, "klaviyo")).toBeNull();
    expect(await row(B, "klaviyo")).not.toBeNull();
  });

  it("app/uninstalled erases the shop's connections at once, and only that shop's", async () => {
    const body = JSON.stringify({ id: 1 });
    const res = await postWebhook(appUrl, "/webhooks/app/uninstalled", { shop: A, topic: "app/uninstalled", body });
    expect(res.status).toBe(200);
    await expect.poll(() => prisma.channelConnection.count({ where: { shop: A } })).toBe(0);
    expect(await prisma.channelConnection.count({ where: { shop: B } })).toBe(1);
  });
});

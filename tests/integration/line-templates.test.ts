// LINE templates and the campaign's LINE side through the built app's HTTP (admin session tokens), against the local
// LINE: bad templates get each field's error and save nothing; a saved template is the shop's own (B cannot read,
// change or restore A's); the defaults switch on once LINE is connected; the campaign form refuses a LINE mode
// without a connection (nothing saved) and saves one with it; the quota warning's figures are LINE's quota and
// consumption against the linked, following members; the campaign page counts its LINE messages and the codes used.
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { campaignFormValues, campaignTemplate } from "../../app/domain/campaigns";
import { TIER_PALETTE, defaultTemplate } from "../../app/domain/line-messages";
import { defaultTierProgram, validateTierProgram } from "../../app/domain/tier-rules";
import { lineTemplates } from "../../app/models/channel-templates.server";
import { saveTierProgramVersion } from "../../app/models/tier-program.server";
import { mintSessionToken } from "../../simulator/app-bridge/session-token";
import { createLocalLine } from "../../simulator/line/index";
import { startApp } from "../support/app-server";
import { installShop } from "../support/shops";
import { BROWSER_HEADERS, TEST_API_KEY, TEST_API_SECRET } from "../support/test-env";

const A = "line-templates-a.myshopify.com";
const B = "line-templates-b.myshopify.com";
const CHANNEL_ID = "1657000301";
const TOKEN = randomBytes(96).toString("base64");
const SECRET = randomBytes(16).toString("hex");
const line = createLocalLine();
line.addChannel({ channelId: CHANNEL_ID, channelSecret: SECRET, accessToken: TOKEN, monthlyQuota: 5 });
let appUrl: string;
let lineUrl: string;

beforeAll(async () => {
  const lineServer = await line.listen();
  lineUrl = lineServer.url;
  process.env.LINE_API_ORIGIN = lineServer.url;
  process.env.CHANNEL_SECRETS_KEY = randomBytes(32).toString("base64");
  await installShop(A);
  await installShop(B);
  ({ url: appUrl } = await startApp());
  return () => lineServer.close();
});

const auth = (shop: string) => ({
  ...BROWSER_HEADERS,
  Authorization: `Bearer ${mintSessionToken({ shop, apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET })}`,
});
async function post(shop: string, route: string, routeId: string, fields: URLSearchParams | Record<string, string>) {
  const res = await fetch(`${appUrl}${route}?_data=${encodeURIComponent(routeId)}`, {
    method: "POST",
    headers: auth(shop),
    body: fields instanceof URLSearchParams ? fields : new URLSearchParams(fields),
  });
  const isJson = res.headers.get("content-type")?.includes("json");
  return {
    status: res.status,
    body: (isJson ? await res.json() : { text: await res.text() }) as Record<string, unknown>,
  };
}
async function load<T>(shop: string, route: string, routeId: string): Promise<T> {
  const res = await fetch(`${appUrl}${route}?_data=${encodeURIComponent(routeId)}`, { headers: auth(shop) });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}
const templatesPage = (shop: string) =>
  load<{
    connected: boolean;
    shop: { tierColour: string | null };
    previewTier: { key: string; name: string } | null;
    events: { event: string; custom: boolean; setting: { enabled: boolean; en: { title: string } } }[];
  }>(shop, "/app/line-messages", "routes/app.line-messages");
const saveTemplate = (shop: string, fields: Record<string, string>) =>
  post(shop, "/app/line-messages", "routes/app.line-messages", fields);

function templateFields(event: string, overrides: Record<string, string> = {}) {
  const en = defaultTemplate(event as "tier-reached", "en");
  const th = defaultTemplate(event as "tier-reached", "th");
  return {
    intent: "save",
    event,
    enabled: "on",
    "en.title": en.title,
    "en.body": en.body,
    "en.button": en.button,
    "th.title": th.title,
    "th.body": th.body,
    "th.button": th.button,
    ...overrides,
  };
}

describe("templates", () => {
  it("before LINE is connected: the defaults, switched off", async () => {
    const page = await templatesPage(A);
    expect(page.connected).toBe(false);
    expect(page.events.map((e) => e.event)).toEqual([
      "campaign-offer",
      "tier-reached",
      "tier-expiring",
      "points-earned",
      "points-expiring",
      "reward-redeemed",
    ]);
    expect(page.events.every((e) => !e.setting.enabled && !e.custom)).toBe(true);
    expect(page.events[1].setting.en.title).toBe("Welcome to {tier}!");
  });

  it("refuses bad fields (unknown or missing placeholders, empty, too long, stray brace) with each field's errors; nothing saved", async () => {
    const bad = await saveTemplate(
      A,
      templateFields("tier-reached", {
        "en.title": "Hello {name}",
        "en.body": "You did it",
        "th.button": "",
        "th.title": "ก".repeat(81),
        "th.body": "ยินดีด้วย {tier",
      }),
    );
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({
      ok: false,
      errors: {
        "en.title": [{ kind: "unknown-placeholder", placeholder: "name" }],
        "en.body": [{ kind: "missing-placeholder", placeholder: "tier" }],
        "th.title": [{ kind: "too-long", max: 80 }],
        "th.body": [{ kind: "unbalanced-brace" }, { kind: "missing-placeholder", placeholder: "tier" }],
        "th.button": [{ kind: "empty" }],
      },
    });
    expect(await prisma.channelTemplate.count({ where: { shop: A } })).toBe(0);
    expect((await saveTemplate(A, { ...templateFields("tier-reached"), event: "birthday" })).status).toBe(400);
    expect(await prisma.channelTemplate.count({ where: { shop: A } })).toBe(0);
  });

  it("saves a good template (Thai intact) and switch; the page shows it as edited", async () => {
    const ok = await saveTemplate(
      A,
      templateFields("tier-reached", { enabled: "off", "th.title": "ยินดีต้อนรับสู่ {tier} ค่ะ 🎉" }),
    );
    expect(ok).toEqual({ status: 200, body: { intent: "save", event: "tier-reached", ok: true } });
    const row = await prisma.channelTemplate.findUniqueOrThrow({
      where: { shop_channel_event: { shop: A, channel: "line", event: "tier-reached" } },
    });
    expect(row).toMatchObject({ enabled: false, titleTh: "ยินดีต้อนรับสู่ {tier} ค่ะ 🎉" });
    const page = await templatesPage(A);
    expect(page.events.find((e) => e.event === "tier-reached")).toMatchObject({
      custom: true,
      setting: { enabled: false },
    });
    expect((await lineTemplates(A))["tier-reached"].th.title).toBe("ยินดีต้อนรับสู่ {tier} ค่ะ 🎉");
  });

  it("is the shop's own: B sees its defaults, and B's save or restore leaves A's row as it was", async () => {
    const before = await prisma.channelTemplate.findMany({ where: { shop: A } });
    const pageB = await templatesPage(B);
    expect(pageB.events.find((e) => e.event === "tier-reached")).toMatchObject({ custom: false });
    expect(JSON.stringify(pageB)).not.toContain("ยินดีต้อนรับสู่ {tier} ค่ะ");
    expect(
      (await post(B, "/app/line-messages", "routes/app.line-messages", { intent: "restore", event: "tier-reached" }))
        .status,
    ).toBe(200);
    expect((await saveTemplate(B, templateFields("tier-reached", { "en.title": "B's {tier}" }))).status).toBe(200);
    expect(await prisma.channelTemplate.findMany({ where: { shop: A } })).toEqual(before);
    expect((await lineTemplates(B))["tier-reached"].en.title).toBe("B's {tier}");
  });

  it("restoring the defaults removes the row; with LINE connected, defaults are on", async () => {
    expect(
      (await post(A, "/app/line-messages", "routes/app.line-messages", { intent: "restore", event: "tier-reached" }))
        .body,
    ).toMatchObject({ ok: true });
    expect(await prisma.channelTemplate.count({ where: { shop: A } })).toBe(0);
    const saved = await post(A, "/app/channels", "routes/app.channels", {
      intent: "save",
      channel: "line-messaging",
      channelId: CHANNEL_ID,
      channelSecret: SECRET,
      accessToken: TOKEN,
    });
    expect(saved.status).toBe(200);
    const page = await templatesPage(A);
    expect(page.connected).toBe(true);
    expect(page.events.every((e) => e.setting.enabled)).toBe(true);
    expect(Object.values(await lineTemplates(B)).filter((s) => s.enabled)).toHaveLength(1); // only B's saved one
  });

  it("the preview's member holds the second-highest tier: the palette's gold, then the tier's own colour and name once saved (A's only)", async () => {
    const before = await templatesPage(A);
    expect([before.shop.tierColour, before.previewTier]).toEqual([TIER_PALETTE[2], { key: "gold", name: "Gold" }]);
    const program = defaultTierProgram("USD");
    const valid = validateTierProgram({
      ...program,
      tiers: program.tiers.map((t) => (t.key === "gold" ? { ...t, name: "Gold Club", colour: "#7A1F5C" } : t)),
    });
    if (!valid.ok) throw new Error(JSON.stringify(valid.issues));
    await saveTierProgramVersion(A, valid.program);
    const after = await templatesPage(A);
    expect([after.shop.tierColour, after.previewTier]).toEqual(["#7A1F5C", { key: "gold", name: "Gold Club" }]);
    const other = await templatesPage(B);
    expect([other.shop.tierColour, other.previewTier]).toEqual([TIER_PALETTE[2], { key: "gold", name: "Gold" }]);
  });
});

function campaignForm(lineMode: string | null, name = "Win back") {
  const values = campaignFormValues(campaignTemplate("win_back", "USD"), "USD");
  const form = new URLSearchParams();
  form.set("intent", "save");
  for (const [k, v] of Object.entries({ ...values, name })) {
    if (Array.isArray(v)) for (const x of v) form.append(k, x);
    else form.set(k, typeof v === "boolean" ? (v ? "on" : "off") : String(v));
  }
  if (lineMode !== null) form.set("lineMode", lineMode);
  return form;
}

let campaignId = "";
describe("the campaign's LINE option", () => {
  it("is refused without a LINE connection (Polaris error, nothing saved), with the campaign's own errors", async () => {
    const before = await prisma.campaign.count({ where: { shop: B } });
    const refused = await post(B, "/app/campaigns/new", "routes/app.campaigns.new", campaignForm("push", ""));
    expect(refused.status).toBe(400);
    expect((refused.body.issues as { path: string[]; key: string }[]).map((i) => `${i.path[0]}:${i.key}`)).toEqual([
      "name:required",
      "lineMode:line_not_connected",
    ]);
    const unknown = await post(A, "/app/campaigns/new", "routes/app.campaigns.new", campaignForm("broadcast"));
    expect(unknown.status).toBe(400);
    expect(await prisma.campaign.count({ where: { shop: B } })).toBe(before);
    expect(await prisma.campaign.count({ where: { shop: A } })).toBe(0);
  });

  it("is saved with the campaign when LINE is connected, and changed from the campaign page", async () => {
    const created = await post(A, "/app/campaigns/new", "routes/app.campaigns.new", campaignForm("multicast"));
    expect(created.status).toBe(200);
    campaignId = String(created.body.id);
    expect((await prisma.campaign.findUniqueOrThrow({ where: { id: campaignId } })).lineMode).toBe("multicast");
    const route = `/app/campaigns/${campaignId}`;
    expect((await post(A, route, "routes/app.campaigns.$id", campaignForm("push"))).status).toBe(200);
    expect((await prisma.campaign.findUniqueOrThrow({ where: { id: campaignId } })).lineMode).toBe("push");
    // a form without the option leaves it as it is
    expect((await post(A, route, "routes/app.campaigns.$id", campaignForm(null))).status).toBe(200);
    expect((await prisma.campaign.findUniqueOrThrow({ where: { id: campaignId } })).lineMode).toBe("push");
    // B cannot change A's campaign
    expect((await post(B, route, "routes/app.campaigns.$id", campaignForm("off"))).status).toBe(404);
    expect((await prisma.campaign.findUniqueOrThrow({ where: { id: campaignId } })).lineMode).toBe("push");
  });

  it("refuses multicast for an A/B test (one announcement cannot name two offers): new or edited, nothing saved", async () => {
    const ab = (lineMode: string) => {
      const form = campaignForm(lineMode, "Win back A/B");
      form.set("variantB", "on");
      form.set("variantBOfferKind", "percentage");
      form.set("variantBOfferValue", "25");
      return form;
    };
    const before = await prisma.campaign.count({ where: { shop: A } });
    const refused = await post(A, "/app/campaigns/new", "routes/app.campaigns.new", ab("multicast"));
    expect(refused.status).toBe(400);
    expect((refused.body.issues as { path: string[]; key: string }[]).map((i) => `${i.path[0]}:${i.key}`)).toEqual([
      "lineMode:line_multicast_ab",
    ]);
    expect(await prisma.campaign.count({ where: { shop: A } })).toBe(before);
    const created = await post(A, "/app/campaigns/new", "routes/app.campaigns.new", ab("push"));
    expect(created.status).toBe(200);
    const id = String(created.body.id);
    expect(await prisma.campaignVariant.count({ where: { shop: A, campaignId: id } })).toBe(2);
    const edited = await post(A, `/app/campaigns/${id}`, "routes/app.campaigns.$id", campaignForm("multicast"));
    expect(edited.status).toBe(400);
    expect((await prisma.campaign.findUniqueOrThrow({ where: { id } })).lineMode).toBe("push");
    await prisma.campaignVariant.deleteMany({ where: { shop: A, campaignId: id } });
    await prisma.campaign.delete({ where: { id } });
  });
});

const customer = (n: number) => `gid://shopify/Customer/${n}`;
const userId = (n: number) => `U${n.toString(16).padStart(32, "0")}`;

describe("quota warning and report counts", () => {
  beforeAll(async () => {
    // 4 Thai and 2 English members linked and following, 1 who blocked the account, on A; 3 on B (not counted).
    const links = [
      ...[1, 2, 3, 4].map((n) => ({ n, locale: "th", following: true })),
      ...[5, 6].map((n) => ({ n, locale: "en", following: true })),
      { n: 7, locale: "th", following: false },
    ];
    for (const l of links)
      await prisma.lineLink.create({
        data: {
          shop: A,
          customerId: customer(l.n),
          lineUserId: userId(l.n),
          locale: l.locale,
          following: l.following,
          linkedAt: new Date(),
        },
      });
    for (const n of [1, 2, 3])
      await prisma.lineLink.create({
        data: {
          shop: B,
          customerId: customer(n),
          lineUserId: userId(n),
          locale: "th",
          following: true,
          linkedAt: new Date(),
        },
      });
    // One message already used this month, through LINE itself.
    line.follow(CHANNEL_ID, { userId: userId(9), displayName: "Someone" });
    const push = await fetch(`${lineUrl}/v2/bot/message/push`, {
      method: "POST",
      headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ to: userId(9), messages: [{ type: "text", text: "hi" }] }),
    });
    expect(push.status).toBe(200);
  });

  it("the new-campaign form carries LINE's quota and consumption and the linked, following members per locale", async () => {
    const data = await load<{
      line: { connected: boolean; quota: unknown; followingByLocale: Record<string, number> };
    }>(A, "/app/campaigns/new", "routes/app.campaigns.new");
    expect(data.line).toEqual({
      connected: true,
      quota: { ok: true, limit: 5, used: 1 },
      followingByLocale: { th: 4, en: 2 },
    });
    const b = await load<{ line: { connected: boolean; quota: unknown } }>(
      B,
      "/app/campaigns/new",
      "routes/app.campaigns.new",
    );
    expect(b.line).toEqual({ connected: false, quota: null, followingByLocale: {} });
  });

  it("the campaign page: sent / refused / skipped / waiting, codes used after a message, and the quota against who is left", async () => {
    const assignedAt = new Date(Date.now() - 3 * 86_400_000);
    for (const n of [1, 2, 3, 4, 5, 6, 7])
      await prisma.campaignRecipient.create({
        data: {
          shop: A,
          campaignId,
          customerId: customer(n),
          holdout: false,
          assignedAt,
          code: `WB-CODE${n}`,
          issuedAt: assignedAt,
        },
      });
    await prisma.campaignRecipient.create({
      data: { shop: A, campaignId, customerId: customer(8), holdout: true, assignedAt },
    });
    const states: Record<number, string> = { 1: "sent", 2: "sent", 3: "refused", 5: "skipped", 6: "pending" };
    for (const [n, state] of Object.entries(states))
      await prisma.channelMessage.create({
        data: {
          shop: A,
          channel: "line",
          customerId: customer(Number(n)),
          event: "campaign-offer",
          sourceKey: `campaign:${campaignId}`,
          state,
          retryKey: crypto.randomUUID(),
        },
      });
    // Customer 1 used their code after the message; 2 ordered without it; 3 (refused) used it: not counted.
    const order = (id: number, c: number, codes: string[]) =>
      prisma.order.create({
        data: {
          shop: A,
          id: `gid://shopify/Order/${id}`,
          customerId: customer(c),
          processedAt: new Date(assignedAt.getTime() + 86_400_000),
          currencyCode: "USD",
          currentTotalMinor: 5000n,
          valueMinor: 5000n,
          discountCodes: JSON.stringify(codes),
        },
      });
    await order(101, 1, ["wb-code1"]);
    await order(102, 2, []);
    await order(103, 3, ["WB-CODE3"]);

    const data = await load<{ line: Record<string, unknown> }>(
      A,
      `/app/campaigns/${campaignId}`,
      "routes/app.campaigns.$id",
    );
    expect(data.line).toMatchObject({
      mode: "push",
      connected: true,
      counts: { sent: 2, refused: 1, skipped: 1, pending: 1 },
      codesUsed: 1,
      quota: { ok: true, limit: 5, used: 1 },
      // still to message: 4 (no row) and 6 (pending); 7 blocked the account, 8 is held out
      check: { remaining: 4, limit: 5, used: 1, needed: 2, requests: 2, exceeds: false },
    });
  });

  it("warns when the recipients left would go over what is left of the quota", async () => {
    // LINE's quota used up to 3 of 5: 2 left, 2 needed (fits); then 4 of 5: 1 left (over).
    for (const n of [10, 11, 12]) {
      line.follow(CHANNEL_ID, { userId: userId(n), displayName: `F${n}` });
      await fetch(`${lineUrl}/v2/bot/message/push`, {
        method: "POST",
        headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
        body: JSON.stringify({ to: userId(n), messages: [{ type: "text", text: "hi" }] }),
      });
    }
    const data = await load<{ line: { check: Record<string, unknown> } }>(
      A,
      `/app/campaigns/${campaignId}`,
      "routes/app.campaigns.$id",
    );
    expect(data.line.check).toMatchObject({ remaining: 1, used: 4, needed: 2, exceeds: true });
    // LINE not answering the quota: the page says so (no figures, no guess)
    line.faults.inject({ kind: "http", status: 503 }, { operation: "getMessageQuota" });
    const down = await load<{ line: Record<string, unknown> }>(
      A,
      `/app/campaigns/${campaignId}`,
      "routes/app.campaigns.$id",
    );
    expect(down.line).toMatchObject({ quota: { ok: false, reason: "unavailable" }, check: null });
    line.faults.clear();
    // B cannot read A's campaign page
    const res = await fetch(
      `${appUrl}/app/campaigns/${campaignId}?_data=${encodeURIComponent("routes/app.campaigns.$id")}`,
      {
        headers: auth(B),
      },
    );
    expect(res.status).toBe(404);
  });
});

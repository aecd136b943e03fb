// LINE messages in real Chromium, through the built app, against the local LINE: the templates editor refuses an
// unknown placeholder under its field (nothing saved), previews the rendered card live as the merchant types and saves
// a good template; in Thai too. The campaign form's LINE option warns before start when the linked, following members
// would go over what is left of LINE's monthly quota, and the campaign page shows its LINE figures (sent, refused,
// skipped, waiting, codes used) and the quota warning while it runs. Axe without serious violations; screenshots
// docs/screenshots/line-templates-<locale>.png (one Thai card: line-templates-card-th.png), campaign-line-form-en.png
// and campaign-line-en.png.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminHostParam } from "../../simulator/app-bridge/session-token";
import { createLocalLine } from "../../simulator/line/index";

type Locale = "en" | "th";
const SHOPS: Record<Locale, { domain: string; name: string; channelId: string; token: string; secret: string }> = {
  en: {
    domain: "ada-goods.myshopify.com",
    name: "Ada Goods",
    channelId: "1657000401",
    token: randomBytes(96).toString("base64"),
    secret: randomBytes(16).toString("hex"),
  },
  th: {
    domain: "bai-cha.myshopify.com",
    name: "ร้านใบชา",
    channelId: "1657000402",
    token: randomBytes(96).toString("base64"),
    secret: randomBytes(16).toString("hex"),
  },
};
const DIR = "docs/screenshots";
const line = createLocalLine();
for (const s of Object.values(SHOPS))
  line.addChannel({ channelId: s.channelId, channelSecret: s.secret, accessToken: s.token, monthlyQuota: 5 });
// The app's environment is read once, when first imported: the local LINE and the key first, then the app's modules.
const lineServer = await line.listen();
process.env.LINE_API_ORIGIN = lineServer.url;
process.env.CHANNEL_SECRETS_KEY = randomBytes(32).toString("base64");
const { prisma } = await import("../../app/db.server");
const { setShopSettings } = await import("../../app/models/shop.server");
const { seriousViolations } = await import("../support/axe");
const { newPage } = await import("../support/browser");
const { openApp, startLocalShopifyAndApp, testShopRecord } = await import("../support/local-shopify");
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;

beforeAll(async () => {
  afterAll(() => lineServer.close());
  env = await startLocalShopifyAndApp();
  const { saveConnection } = await import("../../app/services/channels.server");
  for (const locale of ["en", "th"] as const) {
    const { domain, name, channelId, secret, token } = SHOPS[locale];
    env.shopify.admin.shops.addShop(testShopRecord(domain, { name, primaryLocale: locale }));
    env.shopify.install(domain);
    expect((await openApp(env.app.url, env.shopify, domain)).status).toBe(200);
    await setShopSettings(domain, { currencyCode: "THB", timezone: "Asia/Bangkok", locale });
    expect(
      await saveConnection(domain, "line-messaging", { channelId, channelSecret: secret, accessToken: token }),
    ).toMatchObject({ ok: true });
  }
});

const url = (shop: string, path: string, params: Record<string, string> = {}) =>
  `${env.app.url}${path}?${new URLSearchParams({ embedded: "1", shop, host: adminHostParam(shop), ...params })}`;

describe("the LINE messages page", () => {
  it("refuses an unknown placeholder under its field, previews live, saves a good template", async () => {
    const { domain } = SHOPS.en;
    const { page, errors } = await newPage();
    await page.goto(url(domain, "/app/line-messages"), { waitUntil: "networkidle" });
    const card = page.locator('[data-line-event="tier-reached"]');
    await expect.poll(() => card.count()).toBe(1);
    // Defaults are on (LINE is connected); the preview shows the example tier in the shop's name's card.
    expect(await card.getByLabel("Send this message").isChecked()).toBe(true);
    const previewEn = card.locator("[data-line-preview]").first();
    expect(await previewEn.innerText()).toContain("Welcome to Gold!");

    await card.getByLabel("Title (English)").fill("Hello {name}, welcome to {tier}");
    await expect.poll(() => previewEn.innerText()).toContain("Hello {name}, welcome to Gold");
    await card.getByRole("button", { name: "Save" }).click();
    await expect
      .poll(() => card.getByText("{name} is not a placeholder of this message", { exact: false }).count())
      .toBe(1);
    expect(await card.getByText("Nothing was saved: correct the fields marked below.").count()).toBe(1);
    expect(await prisma.channelTemplate.count({ where: { shop: domain } })).toBe(0);

    await card.getByLabel("Title (English)").fill("{tier} unlocked at {shop}!");
    await expect.poll(() => previewEn.innerText()).toContain("Gold unlocked at ada-goods!");
    await card.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => card.getByText("Saved.").count()).toBe(1);
    expect(
      await prisma.channelTemplate.findUniqueOrThrow({
        where: { shop_channel_event: { shop: domain, channel: "line", event: "tier-reached" } },
      }),
    ).toMatchObject({ enabled: true, titleEn: "{tier} unlocked at {shop}!" });
    await expect.poll(() => card.getByText("Edited").count()).toBe(1);

    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: `${DIR}/line-templates-en.png`, fullPage: true });
    expect(errors).toEqual([]);
  });

  it("in Thai: Thai labels, Thai errors, a Thai preview with a Buddhist-era date, in the shop's own tier colour", async () => {
    const { domain } = SHOPS.th;
    // The shop gave its Gold tier (Thai names: a Thai storefront) a colour of its own: the preview uses it
    const { defaultTierProgram, validateTierProgram } = await import("../../app/domain/tier-rules");
    const { saveTierProgramVersion } = await import("../../app/models/tier-program.server");
    const program = defaultTierProgram("THB", "th");
    const valid = validateTierProgram({
      ...program,
      tiers: program.tiers.map((t) => (t.key === "gold" ? { ...t, colour: "#7A1F5C" } : t)),
    });
    if (!valid.ok) throw new Error(JSON.stringify(valid.issues));
    await saveTierProgramVersion(domain, valid.program);
    const { page, errors } = await newPage("th-TH");
    await page.goto(url(domain, "/app/line-messages", { locale: "th" }), { waitUntil: "networkidle" });
    const tierCard = page.locator('[data-line-event="tier-reached"]');
    await expect.poll(() => tierCard.count()).toBe(1);
    const tierPreview = tierCard.locator("[data-line-preview]").nth(1);
    expect(await tierPreview.innerText()).toContain("ยินดีต้อนรับสู่ระดับ โกลด์");
    expect(await tierPreview.locator("[data-line-header]").evaluate((el) => getComputedStyle(el).backgroundColor)).toBe(
      "rgb(122, 31, 92)",
    );
    await tierCard.screenshot({ path: `${DIR}/line-templates-tier-colour-th.png` });
    const card = page.locator('[data-line-event="points-expiring"]');
    await expect.poll(() => card.count()).toBe(1);
    const previewTh = card.locator("[data-line-preview]").nth(1);
    // The example expiry is 30 days after the page loaded, in Bangkok, in the Buddhist era (year + 543).
    expect(await previewTh.innerText()).toMatch(/จะหมดอายุในวันที่ \d{1,2} \S+ 25\d\d/);
    await card.getByLabel("ข้อความ (ภาษาไทย)").fill("");
    await card.getByRole("button", { name: "บันทึก" }).click();
    await expect.poll(() => card.getByText("กรุณากรอกข้อความ").count()).toBe(1);
    expect(await prisma.channelTemplate.count({ where: { shop: domain } })).toBe(0);
    await card.getByLabel("ข้อความ (ภาษาไทย)").fill("คะแนน {points} คะแนนของคุณจะหมดอายุวันที่ {expires} นะคะ");
    await card.getByRole("button", { name: "บันทึก" }).click();
    await expect.poll(() => card.getByText("บันทึกแล้ว").count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: `${DIR}/line-templates-th.png`, fullPage: true });
    await card.screenshot({ path: `${DIR}/line-templates-card-th.png` });
    expect(errors).toEqual([]);
  });
});

describe("a campaign through LINE", () => {
  it("warns before start when the members would go over the quota, and shows the campaign's LINE figures", async () => {
    const { domain, channelId, token } = SHOPS.en;
    const customer = (n: number) => `gid://shopify/Customer/${n}`;
    const userId = (n: number) => `U${n.toString(16).padStart(32, "0")}`;
    for (const n of [1, 2, 3, 4, 5, 6])
      await prisma.lineLink.create({
        data: {
          shop: domain,
          customerId: customer(n),
          lineUserId: userId(n),
          locale: n <= 4 ? "th" : "en",
          following: true,
          linkedAt: new Date(),
        },
      });
    // One message of the 5 already used this month.
    line.follow(channelId, { userId: userId(99), displayName: "Earlier" });
    const pushed = await fetch(`${process.env.LINE_API_ORIGIN}/v2/bot/message/push`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ to: userId(99), messages: [{ type: "text", text: "hello" }] }),
    });
    expect(pushed.status).toBe(200);

    const { page, errors } = await newPage();
    await page.goto(url(domain, "/app/campaigns/new", { template: "win_back" }), { waitUntil: "networkidle" });
    const option = page.locator("[data-campaign-line]");
    await expect.poll(() => option.count()).toBe(1);
    expect(await option.getByText("would go over your LINE message quota").count()).toBe(0);
    await option.getByText("Each recipient's code in a LINE message").click();
    await expect.poll(() => option.getByText("This campaign would go over your LINE message quota").count()).toBe(1);
    expect(await option.innerText()).toContain("4 messages left (1 of 5 used)");
    expect(await option.innerText()).toContain("Reaching every linked member would need 6 messages, and 4 are left");
    expect(await seriousViolations(page)).toEqual([]);
    await option.screenshot({ path: `${DIR}/campaign-line-form-en.png` });
    await page.getByRole("button", { name: "Start campaign" }).click();
    await expect.poll(() => page.url()).toMatch(/\/app\/campaigns\/[0-9a-f-]{36}/);
    const id = page.url().match(/campaigns\/([0-9a-f-]{36})/)![1];
    expect((await prisma.campaign.findUniqueOrThrow({ where: { id } })).lineMode).toBe("push");

    // What the sender recorded (ENGINE's sender writes these rows; here they are written directly) and an order.
    const assignedAt = new Date(Date.now() - 2 * 86_400_000);
    for (const n of [1, 2, 3, 4, 5, 6])
      await prisma.campaignRecipient.create({
        data: {
          shop: domain,
          campaignId: id,
          customerId: customer(n),
          holdout: false,
          assignedAt,
          code: `WB-E2E${n}`,
          issuedAt: assignedAt,
        },
      });
    for (const [n, state] of [
      [1, "sent"],
      [2, "sent"],
      [3, "refused"],
    ] as const)
      await prisma.channelMessage.create({
        data: {
          shop: domain,
          channel: "line",
          customerId: customer(n),
          event: "campaign-offer",
          sourceKey: `campaign:${id}`,
          state,
          retryKey: crypto.randomUUID(),
          sentAt: state === "sent" ? assignedAt : null,
        },
      });
    await prisma.order.create({
      data: {
        shop: domain,
        id: "gid://shopify/Order/9001",
        customerId: customer(1),
        processedAt: new Date(assignedAt.getTime() + 3_600_000),
        currencyCode: "THB",
        currentTotalMinor: 120_000n,
        valueMinor: 120_000n,
        discountCodes: JSON.stringify(["WB-E2E1"]),
      },
    });
    // The quota drops to 2 left: 3 recipients still to message (4, 5, 6) would go over it.
    for (const n of [97, 98]) {
      line.follow(channelId, { userId: userId(n), displayName: "Other" });
      await fetch(`${process.env.LINE_API_ORIGIN}/v2/bot/message/push`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ to: userId(n), messages: [{ type: "text", text: "hello" }] }),
      });
    }
    await page.goto(url(domain, `/app/campaigns/${id}`), { waitUntil: "networkidle" });
    const report = page.locator("[data-campaign-line-report]");
    await expect.poll(() => report.count()).toBe(1);
    const figure = (key: string) => report.locator(`[data-line-figure="${key}"]`).innerText();
    expect(await figure("sent")).toBe("2");
    expect(await figure("refused")).toBe("1");
    expect(await figure("skipped")).toBe("0");
    expect(await figure("codesUsed")).toBe("1");
    expect(await report.innerText()).toContain(
      "3 recipients are still to be messaged, and 2 messages are left this month",
    );
    expect(await seriousViolations(page)).toEqual([]);
    await report.screenshot({ path: `${DIR}/campaign-line-en.png` });
    expect(errors).toEqual([]);
  }, 60_000);
});

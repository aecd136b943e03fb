// The Channels page in real Chromium, through the built app, against the local LINE and the local Klaviyo: a bad
// channel id, secret and token get Polaris errors under their fields and nothing is saved; good LINE credentials are
// saved sealed (the row and the page hold no secret), "Test connection" asks the local LINE for the bot's info and
// says Connected ✓ with the bot's name; a Klaviyo key the local Klaviyo does not know fails with the reason. English
// and Thai, axe without serious violations; screenshots docs/screenshots/channels-<locale>.png.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { setShopSettings } from "../../app/models/shop.server";
import { adminHostParam } from "../../simulator/app-bridge/session-token";
import { createLocalLine } from "../../simulator/line/index";
import { createLocalKlaviyo } from "../../simulator/klaviyo/index";
import { syncKlaviyo } from "../../app/services/klaviyo-sync.server";
import { createKlaviyoClient } from "../../app/services/klaviyo-client.server";
import { seriousViolations } from "../support/axe";
import { newPage } from "../support/browser";
import { openApp, startLocalShopifyAndApp, testShopRecord } from "../support/local-shopify";

type Locale = "en" | "th";
const SHOPS: Record<Locale, { domain: string; name: string }> = {
  en: { domain: "channels-en.myshopify.com", name: "Ada Goods" },
  th: { domain: "channels-th.myshopify.com", name: "ร้านสยาม" },
};
const DIR = "docs/screenshots";
const TOKEN = `${randomBytes(129).toString("base64")}`; // a long-lived channel access token is ~172 base64 characters
const SECRET = randomBytes(16).toString("hex");
const line = createLocalLine();
line.addChannel({ channelId: "1657000001", channelSecret: SECRET, accessToken: TOKEN, displayName: "Ada Goods OA" });
const klaviyo = createLocalKlaviyo();
klaviyo.addAccount({ privateKey: "pk_0123456789abcdef0123456789abcdef01", name: "Ada Goods" });
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;
let klaviyoUrl = "";

beforeAll(async () => {
  const lineServer = await line.listen();
  const klaviyoServer = await klaviyo.listen();
  klaviyoUrl = klaviyoServer.url;
  afterAll(() => Promise.all([lineServer.close(), klaviyoServer.close()]));
  // The built app reads its environment when first imported: the doubles and the key first.
  process.env.LINE_API_ORIGIN = lineServer.url;
  process.env.KLAVIYO_API_ORIGIN = klaviyoServer.url;
  process.env.CHANNEL_SECRETS_KEY = randomBytes(32).toString("base64");
  env = await startLocalShopifyAndApp();
  for (const locale of ["en", "th"] as const) {
    const { domain, name } = SHOPS[locale];
    env.shopify.admin.shops.addShop(testShopRecord(domain, { name, primaryLocale: locale }));
    env.shopify.install(domain);
    expect((await openApp(env.app.url, env.shopify, domain)).status).toBe(200);
    await setShopSettings(domain, { currencyCode: "THB", timezone: "Asia/Bangkok", locale });
  }
});

const url = (shop: string, params: Record<string, string> = {}) =>
  `${env.app.url}/app/channels?${new URLSearchParams({ embedded: "1", shop, host: adminHostParam(shop), ...params })}`;

describe("the Channels page", () => {
  it("refuses bad LINE fields under each field, saves good ones sealed, and tests the connection against the local LINE", async () => {
    const { domain } = SHOPS.en;
    const { page, errors } = await newPage();
    await page.goto(url(domain), { waitUntil: "networkidle" });
    const lineCard = page.locator('[data-channel="line-messaging"]');
    await expect.poll(() => lineCard.count()).toBe(1);
    await lineCard.getByLabel("Channel ID").fill("12345");
    await lineCard.getByLabel("Channel secret").fill("not hex at all");
    await lineCard.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => lineCard.getByText("A channel ID is 10 digits").count()).toBe(1);
    expect(await lineCard.getByText("A channel secret is 32 letters and digits (0–9, a–f)").count()).toBe(1);
    expect(await lineCard.getByText("Channel access token is required").count()).toBe(1);
    expect(await prisma.channelConnection.count({ where: { shop: domain } })).toBe(0);

    await lineCard.getByLabel("Channel ID").fill("1657000001");
    await lineCard.getByLabel("Channel secret").fill(SECRET);
    await lineCard.getByLabel("Channel access token").fill(TOKEN);
    await lineCard.getByRole("button", { name: "Save" }).click();
    await expect
      .poll(() => lineCard.getByText("Saved and encrypted. Use Test connection to check it.").count())
      .toBe(1);
    const row = await prisma.channelConnection.findUniqueOrThrow({
      where: { shop_channel: { shop: domain, channel: "line-messaging" } },
    });
    expect(row).toMatchObject({ publicId: "1657000001", status: "untested" });
    expect(row.secrets).not.toContain(TOKEN.slice(0, 20));
    expect(row.secrets).not.toContain(SECRET);
    // The secret fields were cleared, and nothing the page holds contains the secrets.
    expect(await lineCard.getByLabel("Channel access token").inputValue()).toBe("");
    await page.reload({ waitUntil: "networkidle" });
    const html = await page.content();
    expect(html).not.toContain(SECRET);
    expect(html).not.toContain(TOKEN.slice(0, 20));
    expect(await lineCard.getByText("Saved for channel 1657000001", { exact: false }).count()).toBe(1);

    await lineCard.getByRole("button", { name: "Test connection" }).click();
    await expect.poll(() => lineCard.getByText("Answered as Ada Goods OA", { exact: false }).count()).toBe(1);
    expect(await lineCard.getByText("Connected ✓").count()).toBeGreaterThan(0);
    expect(line.requests().filter((r) => r.operationId === "getBotInfo" && r.status === 200)).toHaveLength(1);
    expect(
      (
        await prisma.channelConnection.findUniqueOrThrow({
          where: { shop_channel: { shop: domain, channel: "line-messaging" } },
        })
      ).status,
    ).toBe("connected");

    // Klaviyo: a well-formed key the account does not have — saved, and the test says it was refused.
    const klaviyoCard = page.locator('[data-channel="klaviyo"]');
    await klaviyoCard.getByLabel("Private API key").fill("pk_ffffffffffffffffffffffffffffffffff");
    await klaviyoCard.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => klaviyoCard.getByRole("button", { name: "Test connection" }).count()).toBe(1);
    await klaviyoCard.getByRole("button", { name: "Test connection" }).click();
    await expect.poll(() => klaviyoCard.getByText("Test failed: the credentials were refused").count()).toBe(1);
    expect(klaviyo.requests().at(-1)).toMatchObject({ operationId: "get_accounts", status: 401 });

    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: `${DIR}/channels-en.png`, fullPage: true });
    expect(errors).toEqual([]);
  });

  it("in Thai: Polaris errors in Thai, and a Klaviyo key that the local Klaviyo knows connects", async () => {
    const { domain } = SHOPS.th;
    const { page, errors } = await newPage("th-TH");
    await page.goto(url(domain, { locale: "th" }), { waitUntil: "networkidle" });
    const lineCard = page.locator('[data-channel="line-messaging"]');
    await expect.poll(() => lineCard.count()).toBe(1);
    await lineCard.getByRole("button", { name: "บันทึก" }).click();
    await expect.poll(() => lineCard.getByText("กรุณากรอก Channel ID").count()).toBe(1);
    expect(await prisma.channelConnection.count({ where: { shop: domain } })).toBe(0);

    const klaviyoCard = page.locator('[data-channel="klaviyo"]');
    await klaviyoCard.getByLabel("Private API key").fill("pk_0123456789abcdef0123456789abcdef01");
    await klaviyoCard.getByRole("button", { name: "บันทึก" }).click();
    await expect.poll(() => klaviyoCard.getByRole("button", { name: "ทดสอบการเชื่อมต่อ" }).count()).toBe(1);
    await klaviyoCard.getByRole("button", { name: "ทดสอบการเชื่อมต่อ" }).click();
    await expect.poll(() => klaviyoCard.getByText("ตอบกลับในชื่อ", { exact: false }).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: `${DIR}/channels-th.png`, fullPage: true });
    expect(errors).toEqual([]);
  });

  it("the Klaviyo card: Sync now queues a pass; its figures in Thai, and Klaviyo's refusal shown in English", async () => {
    // Three customers per shop, two accepting email marketing (in the local Shopify and the app's ledger)
    for (const locale of ["en", "th"] as const) {
      const { domain } = SHOPS[locale];
      const sim = env.shopify.admin.shops.getShop(domain)!;
      for (let i = 1; i <= 3; i++) {
        const id = `gid://shopify/Customer/${locale === "en" ? 700 + i : 800 + i}`;
        const at = new Date().toISOString();
        sim.putCustomer({
          __typename: "Customer",
          id,
          firstName: `K${i}`,
          lastName: null,
          email: `k${i}@${domain}`,
          phone: null,
          locale,
          tags: [],
          createdAt: at,
          updatedAt: at,
          defaultAddress: null,
          emailMarketingState: i < 3 ? "SUBSCRIBED" : "NOT_SUBSCRIBED",
        });
        await prisma.customer.create({ data: { shop: domain, id, email: `k${i}@${domain}` } });
        await prisma.customerState.create({
          data: { shop: domain, customerId: id, segment: "loyal", tier: null, computedAt: new Date() },
        });
      }
    }
    for (const locale of ["th", "en"] as const) {
      const { domain } = SHOPS[locale];
      const { page, errors } = await newPage(locale === "th" ? "th-TH" : "en-US");
      await page.goto(url(domain, locale === "th" ? { locale: "th" } : {}), { waitUntil: "networkidle" });
      const syncNow = page.getByRole("button", { name: locale === "th" ? "ซิงก์ตอนนี้" : "Sync now" });
      await syncNow.click();
      await expect
        .poll(() =>
          page.getByText(locale === "th" ? "เข้าคิวการซิงก์แล้ว" : "A sync is queued", { exact: false }).count(),
        )
        .toBe(1);
      const queued = await prisma.job.findMany({ where: { shop: domain, kind: "klaviyo-sync" } });
      expect(queued.map((j) => JSON.parse(j.payload))).toEqual([{ reason: "manual" }]);
      // The pass that job runs (with the local Klaviyo's client: this process's environment predates the doubles)
      const key = locale === "th" ? "pk_0123456789abcdef0123456789abcdef01" : "pk_ffffffffffffffffffffffffffffffffff";
      // In Thai, Klaviyo fails one of the two profiles five passes in a row: the card warns and says it is given up
      if (locale === "th")
        klaviyo.faults.failProfiles(["gid://shopify/Customer/802"], {
          detail: "Email address is not valid.",
          times: 5,
        });
      for (let pass = 0; pass < (locale === "th" ? 5 : 1); pass++) {
        await syncKlaviyo(domain, {
          clientFor: (s) => env.clientFor(s),
          reason: "manual",
          klaviyo: createKlaviyoClient({ origin: klaviyoUrl, privateKey: key }),
          pollMs: 10,
        });
      }
      await page.reload({ waitUntil: "networkidle" });
      if (locale === "th") {
        await expect.poll(() => page.getByText("เสร็จแล้ว").count()).toBe(1);
        expect(await page.getByText("โปรไฟล์ที่นำเข้าแล้ว").count()).toBe(1);
        expect(await page.getByText("Klaviyo นำเข้าบางโปรไฟล์ไม่สำเร็จ", { exact: false }).count()).toBe(1);
        expect(await page.getByText("โปรไฟล์ที่ Klaviyo นำเข้าไม่สำเร็จ").count()).toBe(1);
        expect(await page.getByText("หยุดส่ง 1 โปรไฟล์แล้ว", { exact: false }).count()).toBe(1);
      } else {
        await expect.poll(() => page.getByText("The last sync stopped").count()).toBe(1);
        const card = page.locator("[data-klaviyo-card]");
        expect(await card.getByText("Missing or invalid private key", { exact: false }).count()).toBe(1);
      }
      expect(await seriousViolations(page)).toEqual([]);
      await page.locator("[data-klaviyo-card]").screenshot({ path: `${DIR}/klaviyo-sync-${locale}.png` });
      expect(errors).toEqual([]);
    }
  });
  it("the saved Channel ID is shown, a new token keeps the links; another ID asks 'This unlinks 2 shoppers — tick to confirm' and changes nothing until ticked; Disconnect asks too; English and Thai", async () => {
    const texts = {
      en: {
        save: "Save",
        replace: "Replace",
        disconnect: "Disconnect",
        linked: "2 shoppers have linked LINE.",
        confirm: "This unlinks 2 shoppers — tick to confirm",
        confirmOne: "This unlinks 1 shopper — tick to confirm",
        tick: "I understand: unlink 2 shoppers from LINE",
        tickOne: "I understand: unlink 1 shopper from LINE",
        unlinked: "2 shoppers were unlinked from LINE",
        unlinkedOne: "1 shopper was unlinked from LINE",
        saved: "Saved and encrypted. Use Test connection to check it.",
      },
      th: {
        save: "บันทึก",
        replace: "แทนที่",
        disconnect: "ยกเลิกการเชื่อมต่อ",
        linked: "ลูกค้า 2 คนเชื่อมต่อ LINE ไว้แล้ว",
        confirm: "การดำเนินการนี้จะยกเลิกการเชื่อมต่อ LINE ของลูกค้า 2 คน — ติ๊กเพื่อยืนยัน",
        confirmOne: "การดำเนินการนี้จะยกเลิกการเชื่อมต่อ LINE ของลูกค้า 1 คน — ติ๊กเพื่อยืนยัน",
        tick: "ฉันเข้าใจแล้ว ยกเลิกการเชื่อมต่อ LINE ของลูกค้า 2 คน",
        tickOne: "ฉันเข้าใจแล้ว ยกเลิกการเชื่อมต่อ LINE ของลูกค้า 1 คน",
        unlinked: "ยกเลิกการเชื่อมต่อ LINE ของลูกค้า 2 คนแล้ว",
        unlinkedOne: "ยกเลิกการเชื่อมต่อ LINE ของลูกค้า 1 คนแล้ว",
        saved: "บันทึกและเข้ารหัสแล้ว กด “ทดสอบการเชื่อมต่อ” เพื่อตรวจสอบ",
      },
    };
    const connection = (shop: string) =>
      prisma.channelConnection.findUnique({ where: { shop_channel: { shop, channel: "line-messaging" } } });
    const link = (shop: string, n: number, locale: Locale) =>
      prisma.lineLink.create({
        data: {
          shop,
          customerId: `gid://shopify/Customer/${900 + n}`,
          lineUserId: `U${String(900 + n).padStart(32, "0")}`,
          locale,
          following: true,
          linkedAt: new Date(),
          followAt: new Date(),
        },
      });
    for (const locale of ["en", "th"] as const) {
      const { domain } = SHOPS[locale];
      const text = texts[locale];
      const { page, errors } = await newPage(locale === "th" ? "th-TH" : "en-US");
      const lineCard = page.locator('[data-channel="line-messaging"]');
      const channelId = lineCard.getByLabel("Channel ID");
      const submitButton = lineCard
        .getByRole("button", { name: text.replace })
        .or(lineCard.getByRole("button", { name: text.save }));
      const fillSecrets = async () => {
        await lineCard.getByLabel("Channel secret").fill(SECRET);
        await lineCard.getByLabel("Channel access token").fill(TOKEN);
      };
      await page.goto(url(domain, locale === "th" ? { locale: "th" } : {}), { waitUntil: "networkidle" });
      await expect.poll(() => lineCard.count()).toBe(1);
      if (locale === "th") {
        // The Thai shop connects its OA first.
        await channelId.fill("1657000001");
        await fillSecrets();
        await submitButton.click();
        await expect.poll(async () => (await connection(domain))?.publicId).toBe("1657000001");
      }
      for (const n of [1, 2]) await link(domain, n, locale);
      await page.reload({ waitUntil: "networkidle" });
      await expect.poll(() => lineCard.getByText(text.linked, { exact: false }).count()).toBe(1);
      // The saved Channel ID is in its field: rotating the secret and token needs only them, and keeps the links
      expect(await channelId.inputValue()).toBe("1657000001");
      await fillSecrets();
      await submitButton.click();
      await expect.poll(() => lineCard.getByText(text.saved).count()).toBe(1);
      expect(await lineCard.getByText(text.confirm).count()).toBe(0);
      expect(await prisma.lineLink.count({ where: { shop: domain } })).toBe(2);
      expect(await channelId.inputValue()).toBe("1657000001");

      // A mistyped ID: the page asks, and nothing is saved or unlinked
      await channelId.fill("1657000005");
      await fillSecrets();
      await submitButton.click();
      await expect.poll(() => lineCard.getByText(text.confirm).count()).toBe(1);
      expect((await connection(domain))?.publicId).toBe("1657000001");
      expect(await prisma.lineLink.count({ where: { shop: domain } })).toBe(2);
      expect(await seriousViolations(page)).toEqual([]);
      await lineCard.screenshot({ path: `${DIR}/channels-line-confirm-unlink-${locale}.png` });
      // Editing the ID withdraws the question (it was about the ID sent); sent again, it is asked again
      await channelId.fill("1657000006");
      expect(await lineCard.getByText(text.confirm).count()).toBe(0);
      await channelId.fill("1657000005");
      await submitButton.click();
      await expect.poll(() => lineCard.getByText(text.confirm).count()).toBe(1);
      expect(await prisma.lineLink.count({ where: { shop: domain } })).toBe(2);
      // Ticked: the change goes ahead as before
      await lineCard.getByLabel(text.tick).check();
      await submitButton.click();
      await expect.poll(() => lineCard.getByText(text.unlinked).count()).toBe(1);
      expect(await prisma.lineLink.count({ where: { shop: domain } })).toBe(0);
      expect((await connection(domain))?.publicId).toBe("1657000005");
      expect(await channelId.inputValue()).toBe("1657000005");
      expect(await seriousViolations(page)).toEqual([]);
      await lineCard.screenshot({ path: `${DIR}/channels-line-unlinked-${locale}.png` });

      // Disconnect with a shopper linked: asked too; ticked, the connection and the link end
      await link(domain, 3, locale);
      await lineCard.getByRole("button", { name: text.disconnect }).click();
      await expect.poll(() => lineCard.getByText(text.confirmOne).count()).toBe(1);
      expect(await connection(domain)).not.toBeNull();
      expect(await prisma.lineLink.count({ where: { shop: domain } })).toBe(1);
      await lineCard.getByLabel(text.tickOne).check();
      await lineCard.getByRole("button", { name: text.disconnect }).click();
      await expect.poll(() => lineCard.getByText(text.unlinkedOne).count()).toBe(1);
      expect(await connection(domain)).toBeNull();
      expect(await prisma.lineLink.count({ where: { shop: domain } })).toBe(0);
      expect(await channelId.inputValue()).toBe("");
      expect(errors).toEqual([]);
    }
  });
});

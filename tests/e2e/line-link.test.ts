// The shopper's LINE link in real Chromium (docs/line-link.md), in an English and a Thai shop on the local Shopify,
// against the local LINE: signed in on the storefront, the member opens the loyalty page, presses "Link LINE" (a plain
// HTML form through the app proxy), lands on the local LINE Login's consent page (in the page's language, the
// "add as friend" box ticked), presses Allow, comes back to the loyalty page reading "Linked as <name>", then unlinks.
// The storefront page: no script, axe clean (no violation of any impact), nothing off-machine. Screenshots:
// docs/screenshots/line-link-<locale>.png (linked) and line-link-unlinked-<locale>.png.
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { setShopSettings } from "../../app/models/shop.server";
import { createLocalLine } from "../../simulator/line/index";
import { allViolations } from "../support/axe";
import { newPage } from "../support/browser";
import { openApp, startLocalShopifyAndApp, testShopRecord } from "../support/local-shopify";

type Locale = "en" | "th";
const SHOPS: Record<Locale, { domain: string; bot: string; login: string; member: string; line: string }> = {
  en: { domain: "line-e2e-en.myshopify.com", bot: "1657000201", login: "2000000201", member: "Ada", line: "Ada L." },
  th: {
    domain: "line-e2e-th.myshopify.com",
    bot: "1657000202",
    login: "2000000202",
    member: "สมหญิง",
    line: "สมหญิง ใจดี",
  },
};
const TEXT = {
  en: {
    link: "Link LINE",
    allow: "Allow",
    linked: "Linked as",
    friend: "You get our messages on LINE.",
    unlink: "Unlink LINE",
    unlinked: "Your LINE account is unlinked.",
  },
  th: {
    link: "เชื่อมต่อ LINE",
    allow: "อนุญาต",
    linked: "เชื่อมต่อกับ LINE แล้วในชื่อ",
    friend: "คุณจะได้รับข้อความจากเราทาง LINE",
    unlink: "ยกเลิกการเชื่อมต่อ LINE",
    unlinked: "ยกเลิกการเชื่อมต่อบัญชี LINE แล้ว",
  },
};
const DIR = "docs/screenshots";
const line = createLocalLine();
const members: Record<Locale, string> = { en: "", th: "" };
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;

beforeAll(async () => {
  const server = await line.listen();
  process.env.LINE_API_ORIGIN = server.url;
  process.env.LINE_ACCESS_ORIGIN = server.url;
  process.env.CHANNEL_SECRETS_KEY = randomBytes(32).toString("base64");
  env = await startLocalShopifyAndApp();
  const { saveConnection } = await import("../../app/services/channels.server");
  const { keyringFrom } = await import("../../app/services/secret-box.server");
  const keyring = keyringFrom(process.env.CHANNEL_SECRETS_KEY);
  line.login.setConsent({ mode: "page", addFriend: true });
  for (const locale of ["en", "th"] as const) {
    const { domain, bot, login, member } = SHOPS[locale];
    env.shopify.admin.shops.addShop(
      testShopRecord(domain, {
        name: locale === "th" ? "ร้านสยาม" : "Ada Goods",
        currencyCode: locale === "th" ? "THB" : "USD",
        ianaTimezone: "Asia/Bangkok",
        primaryLocale: locale,
      }),
    );
    members[locale] = env.shopify.admin.createCustomer(domain, { firstName: member, email: `m@${domain}` }).id;
    env.shopify.install(domain);
    expect((await openApp(env.app.url, env.shopify, domain)).status).toBe(200);
    await setShopSettings(domain, { currencyCode: locale === "th" ? "THB" : "USD", timezone: "Asia/Bangkok", locale });
    const messaging = {
      channelId: bot,
      channelSecret: randomBytes(16).toString("hex"),
      accessToken: randomBytes(60).toString("base64"),
    };
    line.addChannel({ ...messaging, displayName: locale === "th" ? "ร้านสยาม OA" : "Ada Goods OA" });
    const loginChannel = { channelId: login, channelSecret: randomBytes(16).toString("hex") };
    line.login.addChannel({
      ...loginChannel,
      callbackUrls: [env.shopify.storefront.proxyUrl(domain, "/line/callback")],
      linkedBotChannelId: bot,
    });
    expect(await saveConnection(domain, "line-messaging", messaging, keyring)).toEqual({ ok: true });
    expect(await saveConnection(domain, "line-login", loginChannel, keyring)).toEqual({ ok: true });
  }
  return () => server.close();
});

for (const locale of ["en", "th"] as const) {
  const { domain } = SHOPS[locale];
  const t = TEXT[locale];
  describe(`LINE link on the loyalty page (${locale})`, () => {
    it("Link LINE → LINE's consent → back linked with the name → Unlink", async () => {
      line.login.signIn({ userId: `U${(locale === "th" ? "e" : "f").repeat(32)}`, displayName: SHOPS[locale].line });
      const tracked = await newPage(locale === "th" ? "th-TH" : "en-US");
      const { page } = tracked;
      const answer = await page.goto(env.shopify.storefront.signInUrl(domain, members[locale], "/apps/loyalty"));
      expect(answer?.status()).toBe(200);
      const section = page.locator("section", { has: page.getByRole("heading", { name: "LINE", exact: true }) });
      await Promise.all([
        page.waitForURL(/\/oauth2\/v2\.1\/authorize/),
        section.getByRole("button", { name: t.link }).click(),
      ]);
      expect(await page.locator("html").getAttribute("lang")).toBe(locale);
      expect(await page.getByRole("checkbox").isChecked()).toBe(true);
      await Promise.all([page.waitForURL(/line=linked/), page.getByRole("button", { name: t.allow }).click()]);
      expect(await page.getByRole("status").first().textContent()).toBeTruthy();
      const linked = (await section.textContent())!;
      expect(linked).toContain(`${t.linked} ${SHOPS[locale].line}`);
      expect(linked).toContain(t.friend);
      expect(
        await prisma.lineLink.findUnique({ where: { shop_customerId: { shop: domain, customerId: members[locale] } } }),
      ).toMatchObject({ displayName: SHOPS[locale].line, following: true, locale });
      expect(await page.locator("script").count()).toBe(0);
      expect(await page.locator(".liquid-error").count()).toBe(0);
      expect(await allViolations(page)).toEqual([]);
      await page.screenshot({ path: `${DIR}/line-link-${locale}.png`, fullPage: true });
      await Promise.all([page.waitForURL(/line=unlinked/), section.getByRole("button", { name: t.unlink }).click()]);
      expect(await section.textContent()).toContain(t.unlinked);
      expect(await section.getByRole("button", { name: t.link }).count()).toBe(1);
      expect(await prisma.lineLink.count({ where: { shop: domain } })).toBe(0);
      expect(await allViolations(page)).toEqual([]);
      await page.screenshot({ path: `${DIR}/line-link-unlinked-${locale}.png`, fullPage: true });
      expect(tracked.errors).toEqual([]);
      expect(tracked.offline).toEqual([]);
    });
  });
}

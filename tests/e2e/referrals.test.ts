// Referrals in real Chromium (docs/referrals.md), in an English (USD) and a Thai (THB) shop on the local Shopify: the
// member's code and link on the loyalty page; the friend, signed out, follows the link, is refused for a bad email
// (the page says why), gives their email with the page's plain HTML form and sees their code (which the simulated
// checkout then accepts); the completion pass rewards the referrer; the admin page shows the funnel, the cost and the
// referral, refuses bad settings with a Polaris error under the field (nothing saved) and saves good ones. Storefront
// pages: no script, axe clean (no violation of any impact); admin: no serious violation. Screenshots in
// docs/screenshots/referrals-<page>-<locale>.png.
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { DEFAULT_REFERRAL_SETTINGS } from "../../app/domain/referrals";
import { getReferralSettings, saveReferralSettings } from "../../app/models/referrals.server";
import { setShopSettings } from "../../app/models/shop.server";
import { adminHostParam } from "../../simulator/app-bridge/session-token";
import { allViolations, seriousViolations } from "../support/axe";
import { newPage } from "../support/browser";
import { jobRows } from "../support/queue";
import { REFERRALS } from "../../app/jobs/contracts";
import { openApp, startLocalShopifyAndApp, testShopRecord } from "../support/local-shopify";

type Locale = "en" | "th";
const SHOPS: Record<Locale, { domain: string; currency: string; name: string; referrer: string }> = {
  en: { domain: "referrals-en.myshopify.com", currency: "USD", name: "Ada Goods", referrer: "Ada" },
  th: { domain: "referrals-th.myshopify.com", currency: "THB", name: "ร้านสยาม", referrer: "สมหญิง" },
};
const DAY = 86_400_000;
const DIR = "docs/screenshots";
const referrers: Record<Locale, string> = { en: "", th: "" };
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;

beforeAll(async () => {
  env = await startLocalShopifyAndApp();
  for (const locale of ["en", "th"] as const) {
    const { domain, currency, name, referrer } = SHOPS[locale];
    env.shopify.admin.shops.addShop(
      testShopRecord(domain, { name, currencyCode: currency, ianaTimezone: "Asia/Bangkok", primaryLocale: locale }),
    );
    env.shopify.install(domain, { protectedCustomerData: { level: 2, fields: ["name", "email", "phone", "address"] } });
    expect((await openApp(env.app.url, env.shopify, domain)).status).toBe(200);
    await setShopSettings(domain, { currencyCode: currency, timezone: "Asia/Bangkok", locale });
    await saveReferralSettings(domain, {
      ...DEFAULT_REFERRAL_SETTINGS,
      enabled: true,
      offerKind: "percentage",
      offerValue: 15,
      minimumSubtotalMinor: currency === "THB" ? 50_000 : 2_000,
      rewardPoints: 500,
    });
    // The member signs up after the install: customers/create brings them into the ledger
    referrers[locale] = env.shopify.admin.createCustomer(domain, {
      firstName: referrer,
      lastName: "Tester",
      email: `member@${domain}`,
    }).id;
    await env.shopify.webhooks.drain();
    for (let i = 0; i < 200 && !(await prisma.customer.count({ where: { shop: domain, id: referrers[locale] } })); i++)
      await new Promise((r) => setTimeout(r, 50));
  }
});

/** Storefront checks: inside the theme, no script, axe clean, nothing off-machine; then the screenshot. */
async function checkStorefront(tracked: Awaited<ReturnType<typeof newPage>>, locale: Locale, name: string) {
  const { page, errors, offline } = tracked;
  expect(await page.locator("header.site-header").count()).toBe(1);
  expect(await page.locator("script").count()).toBe(0);
  expect(await page.locator(".liquid-error").count()).toBe(0);
  expect(await page.locator(".loyalty-page").getAttribute("lang")).toBe(locale);
  expect(await allViolations(page)).toEqual([]);
  await page.screenshot({ path: `${DIR}/referrals-${name}-${locale}.png`, fullPage: true });
  expect(errors).toEqual([]);
  expect(offline).toEqual([]);
}

const TEXT = {
  en: {
    heading: "Refer a friend",
    offerTitle: "A gift from a friend",
    email: "Email",
    getCode: "Get my code",
    own: "You cannot use your own referral link.",
    ready: "Your code is ready",
  },
  th: {
    heading: "แนะนำเพื่อน",
    offerTitle: "ของขวัญจากเพื่อนของคุณ",
    email: "อีเมล",
    getCode: "รับรหัสของฉัน",
    own: "คุณไม่สามารถใช้ลิงก์แนะนำของตัวเองได้",
    ready: "รหัสของคุณพร้อมแล้ว",
  },
};

for (const locale of ["en", "th"] as const) {
  const { domain } = SHOPS[locale];
  const t = TEXT[locale];
  describe(`referrals on the storefront (${locale})`, () => {
    let link = "";
    it("the member sees their code and link on the loyalty page", async () => {
      const tracked = await newPage(locale === "th" ? "th-TH" : "en-US");
      const response = await tracked.page.goto(
        env.shopify.storefront.signInUrl(domain, referrers[locale], "/apps/loyalty"),
      );
      expect(response?.status()).toBe(200);
      const section = tracked.page.locator("section", { has: tracked.page.getByRole("heading", { name: t.heading }) });
      await expect.poll(() => section.count()).toBe(1);
      const code = (await section.locator("code").textContent())!;
      expect(code).toMatch(/^[2-9A-HJ-NP-Z]{10}$/);
      const anchor = section.getByRole("link");
      link = (await anchor.getAttribute("href"))!;
      expect(link).toMatch(new RegExp(`/apps/loyalty/r/${code}$`));
      expect(await anchor.textContent()).toBe(link);
      await checkStorefront(tracked, locale, "member");
    });

    it("the friend (signed out) follows the link, is told why a bad email is refused, then gets a code", async () => {
      const tracked = await newPage(locale === "th" ? "th-TH" : "en-US");
      const { page } = tracked;
      const code = link.split("/").pop()!;
      const answer = await page.goto(env.shopify.storefront.proxyUrl(domain, `/r/${code}`));
      expect(answer?.status()).toBe(200);
      expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(t.offerTitle);
      expect(await page.locator(".loyalty-page").textContent()).toContain("15%");
      await checkStorefront(tracked, locale, "friend-offer");
      // The referrer's own email: refused, with the reason shown, nothing written
      await page.getByLabel(t.email).fill(`member@${domain}`);
      await Promise.all([page.waitForURL(/refused=own_email/), page.getByRole("button", { name: t.getCode }).click()]);
      expect(await page.getByRole("alert").textContent()).toBe(t.own);
      expect(await prisma.referral.count({ where: { shop: domain } })).toBe(0);
      // A new friend
      await page.getByLabel(t.email).fill(`friend@example.${locale}`);
      await Promise.all([page.waitForURL(/issued=/), page.getByRole("button", { name: t.getCode }).click()]);
      expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(t.ready);
      const friendCode = (await page.getByRole("status").locator("code").textContent())!;
      expect(friendCode).toMatch(/^REF-[2-9A-HJ-NP-Z]{12}$/);
      expect((await prisma.referral.findFirstOrThrow({ where: { shop: domain } })).code).toBe(friendCode);
      await checkStorefront(tracked, locale, "friend-code");
      // The simulated checkout accepts it for a new customer, once
      const friend = env.shopify.admin.createCustomer(domain, {
        firstName: "Friend",
        email: `friend@example.${locale}`,
      }).id;
      const total = SHOPS[locale].currency === "THB" ? "850.00" : "40.00";
      const order = env.shopify.admin.placeOrder(domain, {
        customerId: friend,
        total,
        totalDiscounts: SHOPS[locale].currency === "THB" ? "150.00" : "6.00",
        discountCodes: [friendCode],
        processedAt: new Date(Date.now() + 1000).toISOString(),
      });
      await env.shopify.webhooks.drain();
      await expect.poll(() => prisma.order.count({ where: { shop: domain, id: order.id } })).toBe(1);
      const { completeReferrals } = await import("../../app/services/referrals.server");
      const client = await env.clientFor(domain);
      expect(await completeReferrals(domain, { client, now: () => new Date(Date.now() + 31 * DAY) })).toMatchObject({
        ordered: 1,
        rewarded: 1,
      });
    });
  });
}

describe("the admin page", () => {
  const url = (shop: string, params: Record<string, string> = {}) =>
    `${env.app.url}/app/referrals?${new URLSearchParams({ embedded: "1", shop, host: adminHostParam(shop), ...params })}`;

  it("shows the funnel, the cost and the referral; refuses a bad percentage under its field; saves good settings", async () => {
    const { domain } = SHOPS.en;
    const { page, errors } = await newPage();
    await page.goto(url(domain), { waitUntil: "networkidle" });
    await expect.poll(() => page.getByRole("heading", { name: "Conversion and cost" }).count()).toBe(1);
    const body = (await page.locator("body").textContent())!;
    expect(body).toContain("Run the referral pass now");
    for (const label of ["Links followed", "Codes issued", "First orders", "Rewarded"]) expect(body).toContain(label);
    expect(body).toContain("$6.00"); // the friend's discount
    expect(body).toContain("friend@example.en");
    expect(body).toContain("500 points");
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: `${DIR}/referrals-admin-en.png`, fullPage: true });
    // Bad input: a Polaris error under the field, nothing saved
    const before = await getReferralSettings(domain);
    await page.getByLabel("Percentage (1–100)").fill("150");
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.getByText("Enter a whole number from 1 to 100.").count()).toBe(1);
    expect(await getReferralSettings(domain)).toEqual(before);
    // Good input: saved
    await page.getByLabel("Percentage (1–100)").fill("20");
    await page.getByLabel("Points per completed referral").fill("750");
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.getByText("Referral settings saved.").count()).toBe(1);
    expect(await getReferralSettings(domain)).toMatchObject({ offerValue: 20, rewardPoints: 750 });
    // "Run now" queues the completion pass
    expect(await jobRows(domain, { kind: REFERRALS })).toEqual([]);
    await page.getByRole("button", { name: "Run the referral pass now" }).click();
    await expect.poll(() => page.getByText("The referral pass is queued", { exact: false }).count()).toBe(1);
    expect(await jobRows(domain, { kind: REFERRALS })).toHaveLength(1);
    expect(errors).toEqual([]);
  });

  it("in Thai", async () => {
    const { domain } = SHOPS.th;
    const { page, errors } = await newPage("th-TH");
    await page.goto(url(domain, { locale: "th" }), { waitUntil: "networkidle" });
    await expect.poll(() => page.getByRole("heading", { name: "อัตราการเปลี่ยนและต้นทุน" }).count()).toBe(1);
    const body = (await page.locator("body").textContent())!;
    expect(body).toContain("friend@example.th");
    expect(body).toContain("ได้รับรางวัลแล้ว");
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: `${DIR}/referrals-admin-th.png`, fullPage: true });
    expect(errors).toEqual([]);
  });
});

// The shoppers' loyalty page in real Chromium, as a shopper reaches it on the local Shopify's storefront: signed in
// with the storefront's customer session (or not), /store/<shop>/apps/loyalty is forwarded through the app proxy with
// Shopify's signed query, and the app's Liquid is rendered inside the shop's theme. A member mid-way, the top tier, a
// tier about to expire, a customer with two open offers and a guest, in an English (USD) and a Thai (THB) shop: the
// right text in the shop's money format, an accessible progress bar, no script, axe-clean (no violation of any
// impact). Screenshots: docs/screenshots/loyalty-page-<case>-<locale>.png.
// Points (docs/rules.md#loyalty-page-points): a member with points available, pending and expiring soon redeems a
// reward with the page's plain HTML form (no script) and sees the code at once; docs/screenshots/loyalty-points-<locale>.png.
// A redeem form sent without its token gets the refusal page (403, nothing spent): storefront-form-refused-<locale>.png.
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { DEFAULT_POINTS_RULES, type PointsKind } from "../../app/domain/points";
import { appendJournalEntries } from "../../app/models/points.server";
import { savePointsRulesVersion } from "../../app/models/points-rules.server";
import { createReward } from "../../app/models/rewards.server";
import { writeStatesWithPrisma } from "../../app/models/customer-state.server";
import { setShopSettings } from "../../app/models/shop.server";
import { saveTierProgramVersion } from "../../app/models/tier-program.server";
import { defaultTierProgram } from "../../app/domain/tier-rules";
import type { TierProgram } from "../../app/domain/tiers";
import { allViolations } from "../support/axe";
import { newPage } from "../support/browser";
import { startLocalShopifyAndApp, testShopRecord } from "../support/local-shopify";
import { addCampaign, addLedgerCustomer, addOffer, addTierMove, DAY, memberState } from "../support/loyalty-page";
import { installShop } from "../support/shops";

type Locale = "en" | "th";
type Case = "mid-way" | "top-tier" | "expiring" | "offers" | "guest" | "points";

const SHOPS: Record<Locale, { domain: string; currency: string; timezone: string; name: string; people: string[] }> = {
  en: {
    domain: "loyalty-en.myshopify.com",
    currency: "USD",
    timezone: "America/New_York",
    name: "Ada Goods",
    people: ["Ada", "Grace", "Linus", "Margaret", "Katherine"],
  },
  th: {
    domain: "loyalty-th.myshopify.com",
    currency: "THB",
    timezone: "Asia/Bangkok",
    name: "ร้านสยาม",
    people: ["สมชาย", "สมหญิง", "วิชัย", "มาลี", "ปิยะ"],
  },
};
/** Each signed-in case's customer (simulator gid), per shop. */
const customers: Record<Locale, Partial<Record<Case, string>>> = { en: {}, th: {} };
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;

/** The programme both shops run: the default tiers (Thai names in the Thai shop) with perks on Gold and Platinum. */
function program(locale: Locale, currency: string): TierProgram {
  const p = defaultTierProgram(currency, locale);
  const scale = currency === "THB" ? 35 : 1; // the Thai shop's amounts: about 35 baht to the dollar
  p.tiers[1].perks = { ...p.tiers[1].perks, freeShipping: true, freeShippingMaxPriceMinor: 1_000 * scale };
  p.tiers[2].perks = {
    ...p.tiers[2].perks,
    discountPercent: 10,
    freeShipping: true,
    minimumSubtotalMinor: 5_000 * scale,
    delivery: "code",
    customText: locale === "th" ? "สิทธิ์ซื้อสินค้าใหม่ก่อนใคร" : "Early access to new collections",
  };
  p.tiers[3].perks = {
    ...p.tiers[3].perks,
    discountPercent: 15,
    freeShipping: true,
    customText: locale === "th" ? "ของขวัญวันเกิด" : "A birthday gift",
  };
  return p;
}

beforeAll(async () => {
  env = await startLocalShopifyAndApp();
  // Times from the start of today (UTC): the screenshots stay the same all day.
  const now = Math.floor(Date.now() / DAY) * DAY;
  for (const locale of ["en", "th"] as const) {
    const { domain, currency, timezone, name, people } = SHOPS[locale];
    // The shop and its customers in the local Shopify (before install: no webhooks), the app installed in it
    env.shopify.admin.shops.addShop(
      testShopRecord(domain, { name, currencyCode: currency, ianaTimezone: timezone, primaryLocale: locale }),
    );
    const made = people.map((firstName, i) =>
      env.shopify.admin.createCustomer(domain, { firstName, lastName: "Tester", email: `c${i}@${domain}` }),
    );
    env.shopify.install(domain);
    await installShop(domain);
    // The offline token the local Shopify issued, so the app's redemptions are created in it.
    await prisma.session.update({
      where: { id: `offline_${domain}` },
      data: { accessToken: env.shopify.admin.tokens.issue(domain) },
    });
    await setShopSettings(domain, { currencyCode: currency, timezone, locale });
    const p = program(locale, currency);
    await saveTierProgramVersion(domain, p);
    const [silver, gold, platinum] = [p.tiers[1], p.tiers[2], p.tiers[3]];
    const [mid, top, expiring, offers, points] = made.map((c) => c.id);
    customers[locale] = { "mid-way": mid, "top-tier": top, expiring, offers, points };
    for (const c of made) await addLedgerCustomer(domain, c.id, c.firstName!);
    // What the app holds for them after scoring (the ledger and recompute are tested elsewhere)
    const spendMid = Math.round(gold.threshold + (platinum.threshold - gold.threshold) * 0.05);
    await writeStatesWithPrisma(
      domain,
      [
        memberState(mid, {
          tier: "gold",
          spendInWindowMinor: spendMid,
          ordersInWindow: 5,
          nextTier: "platinum",
          amountToNextMinor: platinum.threshold - spendMid,
          ordersToNext: 0,
          tierExpiresAt: now + 280 * DAY,
          windowChangesAt: now + 64 * DAY,
        }),
        memberState(top, {
          tier: "platinum",
          spendInWindowMinor: platinum.threshold * 2,
          ordersInWindow: 14,
          tierExpiresAt: now + 330 * DAY,
        }),
        memberState(expiring, {
          tier: "gold",
          spendInWindowMinor: Math.round(silver.threshold * 1.2),
          ordersInWindow: 2,
          nextTier: "platinum",
          amountToNextMinor: platinum.threshold - Math.round(silver.threshold * 1.2),
          ordersToNext: 0,
          tierExpiresAt: now + 12 * DAY,
          windowChangesAt: now + 20 * DAY,
        }),
        memberState(offers, {
          tier: "silver",
          spendInWindowMinor: Math.round(silver.threshold * 1.5),
          ordersInWindow: 3,
          nextTier: "gold",
          amountToNextMinor: gold.threshold - Math.round(silver.threshold * 1.5),
          ordersToNext: 1,
          tierExpiresAt: now + 200 * DAY,
          windowChangesAt: now + 90 * DAY,
        }),
      ],
      [],
      { computedAt: new Date(now), reason: "order" },
    );
    await addTierMove(domain, mid, null, "member", now - 400 * DAY);
    await addTierMove(domain, mid, "member", "silver", now - 200 * DAY);
    await addTierMove(domain, mid, "silver", "gold", now - 30 * DAY);
    await addTierMove(domain, top, "gold", "platinum", now - 35 * DAY);
    await addTierMove(domain, expiring, "silver", "gold", now - 353 * DAY);
    await addTierMove(domain, offers, null, "silver", now - 60 * DAY);
    const winBack = await addCampaign(domain, locale === "th" ? "กลับมาช้อปกันเถอะ" : "We miss you", {
      kind: "percentage",
      value: 15,
      minimum: currency === "THB" ? 150_000 : 5_000,
    });
    const thanks = await addCampaign(domain, locale === "th" ? "ขอบคุณที่สั่งซื้อ" : "Thank you for your order", {
      kind: "fixed_amount",
      value: currency === "THB" ? 30_000 : 1_000,
    });
    await addOffer(domain, winBack, offers, "MISSYOU-7KQ2XD", now + 9 * DAY + 17 * 3_600_000);
    await addOffer(domain, thanks, offers, "THANKS-R4M8PZ", now + 26 * DAY + 17 * 3_600_000);
    await pointsCase(domain, locale, points, now);
  }
});

/**
 * The points member: an order 345 days ago earned points that expire 12 months after it (within the month: expiring
 * soon), points the shop added that are still pending, and four rewards — three they can afford, one they cannot.
 */
async function pointsCase(domain: string, locale: Locale, customerId: string, now: number) {
  const scale = locale === "th" ? 35 : 1;
  // A birthday bonus: the page asks the member for their birthday.
  await savePointsRulesVersion(domain, {
    rules: { ...DEFAULT_POINTS_RULES, birthdayPoints: 50 },
    effectiveFrom: new Date(now - 400 * DAY),
    startsAt: new Date(now - 400 * DAY),
  });
  await prisma.order.create({
    data: {
      shop: domain,
      id: `gid://shopify/Order/${locale === "th" ? 92 : 91}`,
      customerId,
      processedAt: new Date(now - 345 * DAY + 15 * 3_600_000),
      currencyCode: SHOPS[locale].currency,
      currentTotalMinor: 1_240_00n,
      valueMinor: 1_240_00n,
    },
  });
  const { derivePoints } = await import("../../app/services/points.server");
  await derivePoints(domain, [customerId], { now: () => new Date(Date.now()) });
  await appendJournalEntries(
    domain,
    new Map([
      [
        customerId,
        [
          {
            sourceKey: "adjust:e2e-welcome",
            kind: "adjustment" as PointsKind,
            points: 150,
            ruleVersion: 0,
            // Given with the order (a positive adjustment counts as earning: a recent one would put off the
            // expiry), available in 12 days: before the expiry day, so it expires with the rest.
            effectiveAt: now - 345 * DAY + 16 * 3_600_000,
            availableAt: now + 12 * DAY,
            orderId: null,
            refundId: null,
            note: "welcome",
          },
        ],
      ],
    ]),
  );
  const th = locale === "th";
  const reward = (title: string, def: Omit<Parameters<typeof createReward>[1], "title" | "limits">) =>
    createReward(domain, { title, limits: { perCustomer: null, total: null }, ...def });
  await reward(th ? "ส่วนลด 175 บาท" : "$5 off", {
    kind: "amount_off",
    pointsPrice: 500,
    valueMinor: 500 * scale,
    expiryDays: 30,
  });
  await reward(th ? "ส่งฟรี" : "Free shipping", {
    kind: "free_shipping",
    pointsPrice: 300,
    valueMinor: null,
    expiryDays: 30,
  });
  await reward(th ? "เครดิตร้านค้า 350 บาท" : "$10 store credit", {
    kind: "store_credit",
    pointsPrice: 1_000,
    valueMinor: 1_000 * scale,
    expiryDays: 365,
  });
  await reward(th ? "บัตรของขวัญ 875 บาท" : "$25 gift card", {
    kind: "gift_card",
    pointsPrice: 2_500,
    valueMinor: 2_500 * scale,
    expiryDays: null,
  });
}

const SCREENSHOT_DIR = "docs/screenshots";

/** Opens the page as the case's shopper (signed in through the storefront, or a guest) in the shop's language. */
async function open(locale: Locale, which: Case) {
  const tracked = await newPage(locale === "th" ? "th-TH" : "en-US");
  const { domain } = SHOPS[locale];
  const customer = customers[locale][which];
  const url = customer
    ? env.shopify.storefront.signInUrl(domain, customer, "/apps/loyalty")
    : env.shopify.storefront.proxyUrl(domain);
  const response = await tracked.page.goto(url, { waitUntil: "load" });
  expect(response?.status()).toBe(200);
  expect(tracked.page.url()).toBe(env.shopify.storefront.proxyUrl(domain));
  return tracked;
}

/** What every page must be: inside the theme, no script at all, no serious accessibility issue, nothing off-machine. */
async function checkAndShoot(tracked: Awaited<ReturnType<typeof newPage>>, locale: Locale, which: Case) {
  const { page, errors, offline } = tracked;
  expect(await page.locator("header.site-header").count()).toBe(1); // the theme's layout around the page
  expect(await page.locator("script").count()).toBe(0);
  expect(await page.locator(".liquid-error").count()).toBe(0);
  expect(await page.locator(".loyalty-page").getAttribute("lang")).toBe(locale);
  expect(await page.getByRole("heading", { level: 1 }).count()).toBe(1);
  expect(await page.getByRole("table").locator("caption").count()).toBe(1);
  expect(await allViolations(page)).toEqual([]);
  await page.screenshot({ path: `${SCREENSHOT_DIR}/loyalty-page-${which}-${locale}.png`, fullPage: true });
  expect(errors).toEqual([]);
  expect(offline).toEqual([]);
}

describe("the loyalty page in the English shop (USD)", () => {
  it("a Gold member mid-way to Platinum: tier, spend, progress bar, by when, perks with Gold's codes, history", async () => {
    const tracked = await open("en", "mid-way");
    const { page } = tracked;
    const main = page.locator(".loyalty-page");
    await expect.poll(() => main.getByText("Hello, Ada").count()).toBe(1);
    expect(await main.getByText("You are a Gold member.").count()).toBe(1);
    expect(await main.getByText("Spent in the last 365 days: $812.50").count()).toBe(1);
    const bar = page.getByRole("progressbar", { name: "Progress to Platinum" });
    expect(await bar.getAttribute("aria-valuenow")).toBe("40");
    expect(await bar.getAttribute("aria-valuetext")).toBe("$812.50 of $2,000.00");
    const track = await bar.boundingBox();
    const fill = await bar.locator(".lp_bar").boundingBox();
    expect(Math.round((100 * fill!.width) / track!.width)).toBe(40);
    expect(await main.getByText(/^Spend \$1,187\.50 more by \w+ \d+, \d{4} to reach Platinum\.$/).count()).toBe(1);
    expect(await main.locator("code").allTextContents()).toEqual(["GOLD-10", "GOLD-SHIP"]);
    expect(await main.getByRole("listitem").filter({ hasText: "Moved up from Silver to Gold" }).count()).toBe(1);
    expect(await main.getByRole("row", { name: /Gold \(your tier\)/ }).count()).toBe(1);
    await checkAndShoot(tracked, "en", "mid-way");
  });

  it("the top tier: no progress bar, thanks instead", async () => {
    const tracked = await open("en", "top-tier");
    const main = tracked.page.locator(".loyalty-page");
    await expect.poll(() => main.getByText("You are a Platinum member.").count()).toBe(1);
    expect(await main.getByText("You are in our top tier. Thank you!").count()).toBe(1);
    expect(await tracked.page.getByRole("progressbar").count()).toBe(0);
    expect(await main.getByText("A birthday gift").count()).toBe(2); // their perks and the programme table
    await checkAndShoot(tracked, "en", "top-tier");
  });

  it("a tier about to expire: the notice says until when", async () => {
    const tracked = await open("en", "expiring");
    const notice = tracked.page.locator(".lp_notice");
    await expect.poll(() => notice.count()).toBe(1);
    expect(await notice.textContent()).toMatch(/^Your Gold tier ends soon: it is yours until \w+ \d+, \d{4}\.$/);
    await checkAndShoot(tracked, "en", "expiring");
  });

  it("two open offers: each campaign, what it gives, its code and until when", async () => {
    const tracked = await open("en", "offers");
    const offers = tracked.page.locator(".lp_offers > li");
    await expect.poll(() => offers.count()).toBe(2);
    expect(await offers.nth(0).textContent()).toMatch(
      /^We miss you15% off your orderOn orders from \$50\.00\.Code: MISSYOU-7KQ2XDValid until \w+ \d+, \d{4} at \d+:\d\d\s[AP]M$/,
    );
    expect(await offers.nth(1).textContent()).toMatch(
      /^Thank you for your order\$10\.00 off your orderCode: THANKS-R4M8PZ/,
    );
    expect(await tracked.page.getByText("Place 1 more order to reach Gold.").count()).toBe(1);
    await checkAndShoot(tracked, "en", "offers");
  });

  it("a guest: the programme and a sign-in link that leads to the storefront's sign-in", async () => {
    const tracked = await open("en", "guest");
    const { page } = tracked;
    const signIn = page.locator(".loyalty-page").getByRole("link", { name: "Sign in to see your tier and offers" });
    await expect.poll(() => signIn.count()).toBe(1);
    expect(await page.getByRole("row").count()).toBe(5); // header and four tiers
    expect(await page.locator(".loyalty-page code").count()).toBe(0);
    await checkAndShoot(tracked, "en", "guest");
    await signIn.click();
    await page.waitForURL(/\/account\/login$/);
  });
});

describe("the loyalty page in the Thai shop (THB)", () => {
  it("a member mid-way reads Thai, in baht, with dates in Thai", async () => {
    const tracked = await open("th", "mid-way");
    const main = tracked.page.locator(".loyalty-page");
    await expect.poll(() => main.getByText("สวัสดี คุณสมชาย").count()).toBe(1);
    const tiers = program("th", "THB").tiers.map((t) => t.name);
    expect(await main.getByText(`คุณเป็นสมาชิกระดับ ${tiers[2]}`).count()).toBe(1);
    expect(await main.getByText(/^ยอดซื้อใน 365 วันที่ผ่านมา: ฿\d{1,3}(,\d{3})*\.\d\d$/).count()).toBe(1);
    expect(await tracked.page.getByRole("progressbar", { name: `ความคืบหน้าสู่ระดับ ${tiers[3]}` }).count()).toBe(1);
    expect(await main.locator("time").first().textContent()).toMatch(/^\d{1,2} \S+ 25\d\d$/); // Buddhist era
    await checkAndShoot(tracked, "th", "mid-way");
  });

  for (const which of ["top-tier", "expiring", "offers", "guest"] as const) {
    it(`${which}: in Thai, axe-clean`, async () => {
      const tracked = await open("th", which);
      await expect.poll(() => tracked.page.getByRole("heading", { name: "สิทธิพิเศษสมาชิก" }).count()).toBe(1);
      const text = (await tracked.page.locator(".loyalty-page").textContent())!;
      expect(text).not.toMatch(/\b(You|Spend|Sign in|tier)\b/);
      if (which === "offers") expect(await tracked.page.locator(".lp_offers > li").count()).toBe(2);
      if (which === "expiring") expect(await tracked.page.locator(".lp_notice").count()).toBe(1);
      await checkAndShoot(tracked, "th", which);
    });
  }
});

describe("points and redeeming on the page (no JavaScript)", () => {
  for (const locale of ["en", "th"] as const) {
    it(`${locale}: sees points available, pending and expiring, redeems a reward with the form and sees the code`, async () => {
      const tracked = await open(locale, "points");
      const { page } = tracked;
      const main = page.locator(".loyalty-page");
      const en = locale === "en";
      const points = main.locator(".lp_points");
      await expect.poll(() => points.count()).toBe(1);
      expect(await points.textContent()).toBe(en ? "1,240 points available" : "คะแนนที่ใช้ได้ 1,240 คะแนน");
      expect(
        await main.getByText(en ? "150 more points are pending:" : "คะแนนที่รอดำเนินการอีก 150 คะแนน:").count(),
      ).toBe(1);
      // Everything available on the expiry day expires: the order's points and the pending ones available by then.
      expect(await main.locator(".lp_notice").filter({ hasText: "1,390" }).count()).toBe(1);
      // Three forms (the affordable rewards), one reward says how many points are missing.
      expect(await main.locator('form:has(input[name="intent"][value="redeem"])').count()).toBe(3);
      expect(await main.locator('form:has(input[name="intent"][value="birthday"])').count()).toBe(1);
      expect(
        await main.getByText(en ? "You need 1,260 more points." : "คุณต้องมีคะแนนเพิ่มอีก 1,260 คะแนน").count(),
      ).toBe(1);
      expect(await page.locator("script").count()).toBe(0);
      expect(await allViolations(page)).toEqual([]);

      const button = main.getByRole("button", {
        name: en ? "Redeem $5 off for 500 points" : "แลก ส่วนลด 175 บาท ด้วย 500 คะแนน",
      });
      await Promise.all([page.waitForURL(/\?redemption=/), button.click()]);
      const banner = main.locator('[role="status"]');
      expect(await banner.count()).toBe(1);
      const code = (await banner.locator("code").textContent())!;
      expect(code).toMatch(/^[A-Z0-9]{16}$/);
      expect(await banner.textContent()).toContain(
        en ? "Done! You redeemed $5 off." : "เรียบร้อย! คุณแลก ส่วนลด 175 บาท แล้ว",
      );
      expect(await points.textContent()).toBe(en ? "740 points available" : "คะแนนที่ใช้ได้ 740 คะแนน");
      // The reward is in Shopify: a code limited to this customer.
      const discounts = [...env.shopify.admin.shops.getShop(SHOPS[locale].domain)!.discounts.byId.values()];
      expect(JSON.stringify(discounts)).toContain(code);
      // Their rewards list it with the code; the history says what the points were spent on.
      expect(await main.locator("#lp-redemptions").count()).toBe(1);
      expect(
        await main
          .getByRole("row")
          .filter({ hasText: en ? "Spent on a reward" : "ใช้แลกของรางวัล" })
          .count(),
      ).toBe(1);
      expect(await page.locator(".liquid-error").count()).toBe(0);
      expect(await allViolations(page)).toEqual([]);
      await page.screenshot({ path: `${SCREENSHOT_DIR}/loyalty-points-${locale}.png`, fullPage: true });

      // The birthday form (the shop gives a birthday bonus): day and month chosen, the year left out.
      const month = ((new Date().getUTCMonth() + 6) % 12) + 1;
      await main.getByLabel(en ? "Day" : "วันที่", { exact: true }).selectOption("14");
      await main.getByLabel(en ? "Month" : "เดือน", { exact: true }).selectOption(String(month));
      await Promise.all([
        page.waitForURL(/\?birthday=saved$/),
        main.getByRole("button", { name: en ? "Save my birthday" : "บันทึกวันเกิด" }).click(),
      ]);
      expect(await main.locator('[role="status"]').textContent()).toBe(
        en ? "Thank you! Your birthday is saved." : "ขอบคุณ! บันทึกวันเกิดของคุณแล้ว",
      );
      expect(await main.locator("#lp-birthday ~ p, #lp-birthday + p").first().textContent()).toMatch(
        en ? /^Your birthday: \w+ 14$/ : /^วันเกิดของคุณ: 14 \S+$/,
      );
      expect(await main.locator("select").count()).toBe(0);
      expect(await allViolations(page)).toEqual([]);

      // A redeem form without the page's token, as another site would post it (docs/storefront-forms.md): the
      // refusal page in the theme, 403, nothing spent, a link back to the page.
      await page
        .locator('form:has(input[name="intent"][value="redeem"]) input[name="token"]')
        .first()
        .evaluate((e) => e.remove());
      const [refused] = await Promise.all([
        // (the storefront's 307 to the path with a slash keeps the POST: the answer after it)
        page.waitForResponse((r) => r.request().method() === "POST" && r.status() !== 307),
        main.locator('form:has(input[name="intent"][value="redeem"]) button').first().click(),
      ]);
      expect(refused.status()).toBe(403);
      await page.waitForLoadState("load");
      const refusal = page.locator(".loyalty-page");
      expect(await refusal.getByRole("heading", { level: 1 }).textContent()).toBe(
        en ? "This form could not be accepted" : "ไม่สามารถรับแบบฟอร์มนี้ได้",
      );
      expect(await refusal.locator('[role="alert"]').textContent()).toMatch(
        en ? /^Nothing was changed\./ : /^ไม่มีการเปลี่ยนแปลงใด ๆ/,
      );
      expect(await page.locator("header.site-header").count()).toBe(1);
      expect(await page.locator("script").count()).toBe(0);
      expect(await allViolations(page)).toEqual([]);
      await page.screenshot({ path: `${SCREENSHOT_DIR}/storefront-form-refused-${locale}.png`, fullPage: true });
      await Promise.all([
        page.waitForURL(/\/apps\/loyalty\/?$/),
        refusal.getByRole("link", { name: en ? "Back to your rewards" : "กลับไปที่หน้ารางวัลของคุณ" }).click(),
      ]);
      expect(await page.locator(".lp_points").textContent()).toBe(
        en ? "740 points available" : "คะแนนที่ใช้ได้ 740 คะแนน",
      );
      expect(tracked.errors).toEqual([]);
      expect(tracked.offline).toEqual([]);
    });
  }
});

// "Picked for you" as a shopper sees it (docs/recommendations.md), in real Chromium on the local Shopify's storefront:
// the app's sync writes the member's recommendations into `$app.recommendations`, the theme block on the home page
// shows them from the product references, and the loyalty page (the app proxy) shows them too — in an English (USD)
// and a Thai (THB) shop, a draft product left out, no script, axe-clean. Screenshots:
// docs/screenshots/storefront-block-recommendations.png, loyalty-page-recommendations-en.png / -th.png.
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { writeStatesWithPrisma } from "../../app/models/customer-state.server";
import { replaceRecommendations } from "../../app/models/recommendations.server";
import { setShopSettings } from "../../app/models/shop.server";
import { saveTierProgramVersion } from "../../app/models/tier-program.server";
import { syncShop } from "../../app/services/sync.server";
import { defaultTierProgram } from "../../app/domain/tier-rules";
import type { SimulatorEvent } from "../../simulator/admin/index";
import { allViolations } from "../support/axe";
import { newPage } from "../support/browser";
import { startLocalShopifyAndApp, testShopRecord } from "../support/local-shopify";
import { addLedgerCustomer, DAY, memberState } from "../support/loyalty-page";
import { installShop } from "../support/shops";

type Locale = "en" | "th";
const SHOPS: Record<
  Locale,
  { domain: string; currency: string; timezone: string; name: string; person: string; products: string[] }
> = {
  en: {
    domain: "picks-en.myshopify.com",
    currency: "USD",
    timezone: "America/New_York",
    name: "Leaf & Cup",
    person: "Ada",
    products: ["Jasmine green tea", "Glass teapot", "Oolong sampler", "Bamboo whisk", "Seasonal draft blend"],
  },
  th: {
    domain: "picks-th.myshopify.com",
    currency: "THB",
    timezone: "Asia/Bangkok",
    name: "ร้านใบชา",
    person: "สมชาย",
    products: ["ชาเขียวมะลิ", "กาน้ำชาแก้ว", "ชุดชาอู่หลง", "แปรงตีชาไม้ไผ่", "ชาตามฤดูกาล (ร่าง)"],
  },
};
const members: Partial<Record<Locale, string>> = {};
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;

beforeAll(async () => {
  env = await startLocalShopifyAndApp();
  const now = Math.floor(Date.now() / DAY) * DAY;
  for (const locale of ["en", "th"] as const) {
    const { domain, currency, timezone, name, person, products } = SHOPS[locale];
    env.shopify.admin.shops.addShop(
      testShopRecord(domain, { name, currencyCode: currency, ianaTimezone: timezone, primaryLocale: locale }),
    );
    const customer = env.shopify.admin.createCustomer(domain, {
      firstName: person,
      lastName: "Tester",
      email: `member@${domain}`,
    });
    members[locale] = customer.id;
    env.shopify.install(domain);
    await installShop(domain);
    await prisma.session.update({
      where: { id: `offline_${domain}` },
      data: { accessToken: env.shopify.admin.tokens.issue(domain) },
    });
    await setShopSettings(domain, { currencyCode: currency, timezone, locale });
    const program = defaultTierProgram(currency, locale);
    await saveTierProgramVersion(domain, program);
    await addLedgerCustomer(domain, customer.id, person);
    const gold = program.tiers[2];
    await writeStatesWithPrisma(
      domain,
      [
        memberState(customer.id, {
          tier: "gold",
          spendInWindowMinor: gold.threshold + 1_000,
          ordersInWindow: 4,
          nextTier: "platinum",
          amountToNextMinor: program.tiers[3].threshold - gold.threshold - 1_000,
          ordersToNext: 0,
          tierExpiresAt: now + 300 * DAY,
        }),
      ],
      [],
      { computedAt: new Date(now), reason: "order" },
    );
    // The catalogue, added by the merchant in Shopify and brought into the app by its products/create webhooks: the
    // last product is a draft (not for sale), which nobody is shown
    const events: Parameters<typeof env.shopify.webhooks.deliverBatch>[0][number][] = [];
    const stop = env.shopify.admin.onEvent((event: SimulatorEvent) => {
      if (event.shop === domain && event.topic === "products/create") events.push(env.shopify.webhookEventOf(event));
    });
    const ids = env.shopify.withoutDelivery(domain, () =>
      products.map(
        (title, i) =>
          env.shopify.admin.createProduct(domain, {
            title,
            handle: `${locale}-product-${i + 1}`,
            status: i === products.length - 1 ? "DRAFT" : "ACTIVE",
            productType: "Tea",
            vendor: name,
            variants: [{ price: "12.00" }],
          }).id,
      ),
    );
    stop();
    const outcomes = await env.shopify.webhooks.deliverBatch(events);
    expect(outcomes.map((o) => [o.topic, o.delivered])).toEqual(ids.map(() => ["products/create", true]));
    expect(
      (await prisma.product.findMany({ where: { shop: domain }, orderBy: { id: "asc" } })).map((p) => [
        p.id,
        p.title,
        p.status,
      ]),
    ).toEqual(ids.map((id, i) => [id, products[i], i === products.length - 1 ? "DRAFT" : "ACTIVE"]));
    // Best first: the draft in second place is skipped
    await replaceRecommendations(
      domain,
      [{ customerId: customer.id, products: [ids[0], ids[4], ids[1], ids[2], ids[3]] }],
      new Date(now),
    );
    const result = await syncShop(domain, { client: await env.clientFor(domain), reason: "manual" });
    expect(result).toMatchObject({ status: "done", failed: 0 });
  }
});

/** The storefront as the member, signed in through the storefront's one-time link, landing on `path`. */
async function openAs(locale: Locale, path: string) {
  const tracked = await newPage(locale === "th" ? "th-TH" : "en-US");
  const { domain } = SHOPS[locale];
  const response = await tracked.page.goto(env.shopify.storefront.signInUrl(domain, members[locale]!, path), {
    waitUntil: "load",
  });
  expect(response?.status()).toBe(200);
  return tracked;
}

async function check(tracked: Awaited<ReturnType<typeof newPage>>) {
  const { page, errors, offline } = tracked;
  expect(await page.locator("script").count()).toBe(0);
  expect(await page.locator(".liquid-error").count()).toBe(0);
  expect(await allViolations(page)).toEqual([]);
  expect(errors).toEqual([]);
  expect(offline).toEqual([]);
}

describe("Picked for you", () => {
  it("in the theme block on the home page, from the product references the sync wrote", async () => {
    const tracked = await openAs("en", "/");
    const { page } = tracked;
    const picks = page.locator(".loyalty-status__picks");
    await expect.poll(() => picks.count()).toBe(1);
    expect(await picks.getByRole("heading", { name: "Picked for you" }).count()).toBe(1);
    expect(await picks.getByRole("link").allTextContents()).toEqual([
      "Jasmine green tea",
      "Glass teapot",
      "Oolong sampler",
      "Bamboo whisk",
    ]);
    expect(await page.getByText("You are a Gold member.").count()).toBe(1);
    await check(tracked);
    await page.screenshot({ path: "docs/screenshots/storefront-block-recommendations.png", fullPage: true });
    // A product link leads to its page on the storefront
    await picks.getByRole("link", { name: "Glass teapot" }).click();
    await expect.poll(() => page.getByRole("heading", { level: 1, name: "Glass teapot" }).count()).toBe(1);
  });

  it("in the theme block of the Thai shop, in Thai", async () => {
    const tracked = await openAs("th", "/");
    const picks = tracked.page.locator(".loyalty-status__picks");
    await expect.poll(() => picks.count()).toBe(1);
    expect(await picks.getByRole("heading", { name: "คัดมาเพื่อคุณ" }).count()).toBe(1);
    expect(await picks.getByRole("link").allTextContents()).toEqual(SHOPS.th.products.slice(0, 4));
    await check(tracked);
  });

  for (const locale of ["en", "th"] as const) {
    it(`on the loyalty page (${locale})`, async () => {
      const tracked = await openAs(locale, "/apps/loyalty");
      const { page } = tracked;
      const card = page.locator('section[aria-labelledby="lp-picks"]');
      await expect.poll(() => card.count()).toBe(1);
      expect(await card.getByRole("heading").textContent()).toBe(locale === "th" ? "คัดมาเพื่อคุณ" : "Picked for you");
      const expected = SHOPS[locale].products;
      expect(await card.getByRole("link").allTextContents()).toEqual([
        expected[0],
        expected[1],
        expected[2],
        expected[3],
      ]);
      expect(await page.getByText(expected[4]).count()).toBe(0);
      await check(tracked);
      await page.screenshot({ path: `docs/screenshots/loyalty-page-recommendations-${locale}.png`, fullPage: true });
    });
  }
});

// Insight segments in the admin, in real Chromium through the App Bridge double (docs/insights.md): the customer list
// filtered by an insight (promotion-only buyers, a product bought, a predicted value band once the shop is fitted) shows
// exactly the customers the database selects; a prediction insight on a shop without a fit says why; the campaign form
// offers insight audiences with the shop's products and saves one; a bad insight prefix on the settings page is a
// Polaris error. English and Thai, axe clean; screenshots into docs/screenshots/insights-*.png.
import path from "node:path";
import { readFile } from "node:fs/promises";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { prisma } from "../../app/db.server";
import type { LedgerOrder } from "../../app/domain/ledger-types";
import { applyCustomers, applyOrders, applyProducts } from "../../app/models/ledger.server";
import { createBackfillRun, updateBackfillRun } from "../../app/models/backfill.server";
import { insightCustomers, predictionContext } from "../../app/models/insights.server";
import { recomputeShop } from "../../app/services/recompute.server";
import { refitPredictions } from "../../app/services/predictions.server";
import { writeShopFile } from "../../simulator/generator/index";
import { adminHostParam } from "../../simulator/app-bridge/session-token";
import type { CustomerRecord, OrderRecord } from "../../simulator/shop-file/types";
import { seriousViolations } from "../support/axe";
import { newPage } from "../support/browser";
import { openApp, startLocalShopifyAndApp } from "../support/local-shopify";
import { ledgerCustomer, ledgerOrder } from "../integration/recompute-fixtures";

const SHOP = "insights-page.myshopify.com";
const SMALL = "insights-small.myshopify.com";
const AS_OF = new Date("2026-11-01T00:00:00.000Z");
const DAY = 86_400_000;
const MUG = "gid://shopify/Product/990001";
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;
const url = (shop: string, pathname: string, params: Record<string, string> = {}) =>
  `${env.app.url}${pathname}?${new URLSearchParams({ embedded: "1", shop, host: adminHostParam(shop), ...params })}`;

async function load(shop: string, seed: number, count: number) {
  const file = path.join(inject("testRunDir"), `${shop}.jsonl`);
  await writeShopFile(
    { preset: "demo", seed, customers: count, shopDomain: shop, endDate: AS_OF.toISOString() },
    file,
    {
      truthFile: false,
    },
  );
  await env.shopify.admin.shops.loadShopFile(file);
  env.shopify.install(shop);
  expect((await openApp(env.app.url, env.shopify, shop)).status).toBe(200);
  const customers: CustomerRecord[] = [];
  const orders: OrderRecord[] = [];
  for (const line of (await readFile(file, "utf8")).split("\n")) {
    if (!line.trim()) continue;
    const record = JSON.parse(line) as { __typename: string };
    if (record.__typename === "Customer") customers.push(record as CustomerRecord);
    else if (record.__typename === "Order") orders.push(record as OrderRecord);
  }
  await applyCustomers(shop, customers.map(ledgerCustomer));
  for (let i = 0; i < orders.length; i += 2000) await applyOrders(shop, orders.slice(i, i + 2000).map(ledgerOrder));
  // The history is in: the install's backfill run is over (the pages stop saying they are importing)
  const { run } = await createBackfillRun(shop);
  await updateBackfillRun(shop, run.id, {
    status: "done",
    finishedAt: AS_OF,
    customersRead: customers.length,
    ordersRead: orders.length,
    customersExpected: customers.length,
    ordersExpected: orders.length,
  });
  await applyProducts(shop, [
    {
      id: MUG,
      title: "Enamel mug",
      handle: "enamel-mug",
      productType: "Kitchen",
      vendor: "Maker",
      status: "ACTIVE",
      sourceUpdatedAt: AS_OF,
    },
  ]);
  // Five customers bought the mug (orders with a line, through the ledger's write path)
  const buyers = (await prisma.customer.findMany({ where: { shop }, orderBy: { id: "asc" }, take: 5 })).map(
    (c) => c.id,
  );
  await applyOrders(
    shop,
    buyers.map((customerId, i): LedgerOrder => {
      const at = new Date(AS_OF.getTime() - (10 + i) * DAY);
      return {
        id: `gid://shopify/Order/${seed}00${i}`,
        customerId,
        name: `#M${i}`,
        processedAt: at,
        cancelledAt: null,
        test: false,
        currencyCode: "USD",
        currentTotalMinor: 1800,
        discountCodes: [],
        discountMinor: 0,
        sourceUpdatedAt: at,
        lines: [
          {
            id: `gid://shopify/LineItem/${seed}00${i}`,
            productId: MUG,
            variantId: null,
            title: "Enamel mug",
            variantTitle: null,
            vendor: "Maker",
            sku: null,
            quantity: 1,
            amountMinor: 1800,
            giftCard: false,
          },
        ],
      };
    }),
  );
  await recomputeShop(shop, { asOf: AS_OF, reason: "backfill" });
  await refitPredictions(shop, { asOf: AS_OF });
}

beforeAll(async () => {
  env = await startLocalShopifyAndApp();
  await load(SHOP, 71, 400);
  await load(SMALL, 72, 30);
}, 180_000);

const count = (page: Awaited<ReturnType<typeof newPage>>["page"]) =>
  page.locator(".Polaris-IndexTable__TableRow").count();
const audience = async (shop: string, key: "promotion_only" | "clv_high") =>
  insightCustomers(shop, { key }, await predictionContext(shop), new Date());

describe("the customer list by insight", () => {
  it("filters by promotion-only buyers and by a product bought, as the database selects (en)", async () => {
    const { page, errors } = await newPage();
    const promo = await audience(SHOP, "promotion_only");
    expect(promo.length).toBeGreaterThan(0);
    await page.goto(url(SHOP, "/app/customers", { insight: "promotion_only" }), { waitUntil: "networkidle" });
    await expect.poll(() => page.getByText(`${promo.length} customer`, { exact: false }).count()).toBeGreaterThan(0);
    expect(await count(page)).toBe(Math.min(50, promo.length));
    expect(await page.getByRole("button", { name: "Promotion-only buyers" }).count()).toBeGreaterThan(0);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: "docs/screenshots/insights-customers-en.png" });

    // Chosen in the filter: a product, from the shop's catalogue
    await page.goto(url(SHOP, "/app/customers"), { waitUntil: "networkidle" });
    await page.getByRole("button", { name: "Add filter" }).click();
    await page
      .getByRole("button", { name: "Insight" })
      .or(page.getByRole("menuitem", { name: "Insight" }))
      .first()
      .click();
    await page.getByLabel("Bought a product", { exact: true }).check({ force: true });
    await page.getByLabel("Product", { exact: true }).selectOption({ label: "Enamel mug" });
    await expect.poll(() => new URL(page.url()).searchParams.get("product")).toBe(MUG);
    await expect.poll(() => count(page)).toBe(5);
    expect(errors).toEqual([]);
  });

  it("by predicted value on a fitted shop, and the reason on a shop too small to fit (th)", async () => {
    const { page, errors } = await newPage("th-TH");
    const fit = await prisma.shopPrediction.findUniqueOrThrow({ where: { shop: SHOP } });
    expect(fit.status).toBe("fitted");
    const high = await audience(SHOP, "clv_high");
    expect(high.length).toBeGreaterThan(0);
    await page.goto(url(SHOP, "/app/customers", { insight: "clv_high", locale: "th" }), { waitUntil: "networkidle" });
    await expect.poll(() => count(page)).toBe(Math.min(50, high.length));
    expect(await page.getByText("มูลค่าที่คาดการณ์: สูง", { exact: false }).count()).toBeGreaterThan(0);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: "docs/screenshots/insights-customers-clv-th.png" });
    await page.goto(url(SHOP, "/app/customers", { insight: "promotion_only", locale: "th" }), {
      waitUntil: "networkidle",
    });
    expect(await page.getByText("ซื้อเฉพาะช่วงโปรโมชัน", { exact: false }).count()).toBeGreaterThan(0);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: "docs/screenshots/insights-customers-th.png" });

    // Too small: nobody, and why, in Thai
    expect((await predictionContext(SMALL)).available).toBe(false);
    await page.goto(url(SMALL, "/app/customers", { insight: "likely_lost", locale: "th" }), {
      waitUntil: "networkidle",
    });
    await expect.poll(() => page.getByText("ร้านนี้ยังไม่มีการคาดการณ์", { exact: false }).count()).toBe(1);
    expect(await page.getByText("มีลูกค้าที่เคยซื้อน้อยกว่า 100 ราย", { exact: false }).count()).toBe(1);
    expect(await count(page)).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});

describe("the campaign form's insight audience", () => {
  for (const locale of ["en", "th"] as const) {
    it(`offers the insights and the shop's products, and saves one (${locale})`, async () => {
      const { page, errors } = await newPage(locale === "th" ? "th-TH" : "en-US");
      await page.goto(url(SHOP, "/app/campaigns/new", { locale }), { waitUntil: "networkidle" });
      const t =
        locale === "en"
          ? { audience: "Audience", insight: "Insight", product: "Product", name: "Name" }
          : { audience: "กลุ่มเป้าหมาย", insight: "ข้อมูลเชิงลึก", product: "สินค้า", name: "ชื่อ" };
      await page.getByLabel(t.audience, { exact: true }).selectOption("insight");
      await page.getByLabel(t.insight, { exact: true }).selectOption("product");
      await page.getByLabel(t.product, { exact: true }).selectOption({ label: "Enamel mug" });
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: `docs/screenshots/insights-campaign-${locale}.png`, fullPage: true });
      if (locale === "en") {
        await page.getByLabel(t.name, { exact: true }).fill("Mug lovers");
        await page.getByRole("button", { name: "Start campaign" }).click();
        await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/app\/campaigns\/(?!new$)[^/]+$/);
        const saved = await prisma.campaign.findFirstOrThrow({ where: { shop: SHOP, name: "Mug lovers" } });
        expect(JSON.parse(saved.audience)).toEqual({ kind: "insight", insight: { key: "product", productId: MUG } });
        // The campaigns list says who it is for
        await page.goto(url(SHOP, "/app/campaigns"), { waitUntil: "networkidle" });
        await expect.poll(() => page.getByText("Bought Enamel mug").count()).toBe(1);
      }
      expect(errors).toEqual([]);
    });
  }
});

describe("the settings page's insight tags", () => {
  it("refuses a prefix that overlaps the segment tags with a Polaris error, and saves a good one", async () => {
    const { page, errors } = await newPage();
    await page.goto(url(SHOP, "/app/settings"), { waitUntil: "networkidle" });
    await page.getByLabel("Tag customers with their insights").check({ force: true });
    await page.getByLabel("Insight tag prefix").fill("rfm:insight-");
    await page.getByRole("button", { name: "Save" }).first().click();
    await expect
      .poll(() => page.getByText("The insight prefix must differ from the segment and tier prefixes").count())
      .toBe(1);
    expect((await prisma.syncSettings.findUnique({ where: { shop: SHOP } }))?.insightPrefix ?? null).toBeNull();
    await page.getByLabel("Insight tag prefix").fill("insight:");
    await page.getByRole("button", { name: "Save" }).first().click();
    await expect
      .poll(async () => (await prisma.syncSettings.findUnique({ where: { shop: SHOP } }))?.insightPrefix)
      .toBe("insight:");
    expect(errors).toEqual([]);
  });
});

// Shopify's own view beside ours in real Chromium (docs/history.md): the segments page's matrix of our segments ×
// Shopify's RFM groups with the counts the database holds, the customer page's card saying why ours is what it is,
// and the dashboard's 12-week chart drawn from the history reconstructed at install — English and Thai, axe clean,
// screenshots saved into docs/screenshots/.
import path from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { prisma } from "../../app/db.server";
import { loadState } from "../../app/models/customer-state.server";
import { SHOPIFY_COUNTERPART } from "../../app/domain/shopify-stats";
import { reconstructHistory } from "../../app/services/history.server";
import { readShopifyStats } from "../../app/services/shopify-stats.server";
import { seriousViolations } from "../support/axe";
import { newPage } from "../support/browser";
import { openApp, startLocalShopifyAndApp } from "../support/local-shopify";
import { loadGeneratedShop } from "../integration/recompute-fixtures";
import { recomputeShop } from "../../app/services/recompute.server";
import { writeShopFile } from "../../simulator/generator/index";
import { adminHostParam } from "../../simulator/app-bridge/session-token";

const SHOP = "shopify-compare.myshopify.com";
// Today (UTC midnight): the local Shopify's clock is the real one, and Shopify computes its groups as of now.
const AS_OF = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000);
let url: (pathname: string, params?: Record<string, string>) => string;

beforeAll(async () => {
  // The generated shop in the local Shopify and in the ledger (as the backfill brings it), scored, Shopify's view read,
  // the history reconstructed: what the install leaves.
  const env = await startLocalShopifyAndApp();
  const input = { preset: "demo", seed: 53, customers: 120, shopDomain: SHOP, endDate: AS_OF.toISOString() } as const;
  const file = path.join(inject("testRunDir"), `${SHOP}.jsonl`);
  await writeShopFile(input, file, { truthFile: false });
  await env.shopify.admin.shops.loadShopFile(file);
  env.shopify.install(SHOP);
  expect((await openApp(env.app.url, env.shopify, SHOP)).status).toBe(200);
  await loadGeneratedShop(SHOP, input);
  await recomputeShop(SHOP, { asOf: AS_OF, reason: "backfill" });
  await readShopifyStats(SHOP, await env.clientFor(SHOP));
  await reconstructHistory(SHOP, { anchor: AS_OF });
  url = (pathname, params = {}) =>
    `${env.app.url}${pathname}?${new URLSearchParams({ embedded: "1", shop: SHOP, host: adminHostParam(SHOP), ...params })}`;
}, 180_000);

/** Customers in our segment `segment` whom Shopify puts in `group`, from the database. */
async function pairCount(segment: string, group: string) {
  const states = await prisma.customerState.findMany({ where: { shop: SHOP, segment }, select: { customerId: true } });
  return prisma.customerShopifyStats.count({
    where: { shop: SHOP, rfmGroup: group, customerId: { in: states.map((s) => s.customerId) } },
  });
}

describe("Shopify's own view beside ours", () => {
  it("segments page: the matrix counts customers by our segment and Shopify's group (English)", async () => {
    const { page, errors } = await newPage();
    await page.goto(url("/app/segments"), { waitUntil: "networkidle" });
    const card = page.getByRole("region", { name: "Our segments and Shopify's RFM groups" });
    await expect.poll(() => card.count()).toBe(1);
    const table = card.getByRole("region", { name: "Customers by our segment and by Shopify's RFM group" });
    const headings = await table.locator("thead th").allTextContents();
    expect(headings.slice(0, 3)).toEqual(["Our segment", "Champions", "Loyal"]);
    // The Hibernating row: its Dormant cell and its total as the database holds them
    const row = table.locator("tbody tr").filter({ hasText: "Hibernating" });
    const cells = await row.locator("th, td").allTextContents();
    expect(cells[headings.indexOf("Dormant")]).toBe(String(await pairCount("hibernating", "DORMANT")));
    expect(cells[cells.length - 1]).toBe(
      String(await prisma.customerState.count({ where: { shop: SHOP, segment: "hibernating" } })),
    );
    expect(await card.getByText(/Shopify's group matches ours for \d+ customers/).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await card.screenshot({ path: "docs/screenshots/segments-compare-en.png" });
    expect(errors).toEqual([]);
  });

  it("segments page in Thai", async () => {
    const { page, errors } = await newPage("th-TH");
    await page.goto(url("/app/segments", { locale: "th" }), { waitUntil: "networkidle" });
    const card = page.getByRole("region", { name: "กลุ่มของเราเทียบกับกลุ่ม RFM ของ Shopify" });
    await expect.poll(() => card.count()).toBe(1);
    expect(await card.getByText("ไม่เคลื่อนไหว", { exact: true }).count()).toBeGreaterThan(0);
    expect(await seriousViolations(page)).toEqual([]);
    await card.screenshot({ path: "docs/screenshots/segments-compare-th.png" });
    expect(errors).toEqual([]);
  });

  it("customer page: Shopify's group next to ours, and why ours is what it is", async () => {
    // A scored customer whom Shopify puts in a group other than our segment's counterpart
    const states = await prisma.customerState.findMany({
      where: { shop: SHOP, segment: { not: "prospect" } },
      orderBy: { customerId: "asc" },
    });
    const stats = new Map(
      (await prisma.customerShopifyStats.findMany({ where: { shop: SHOP } })).map((s) => [s.customerId, s]),
    );
    const someone = states.find((s) => stats.get(s.customerId)?.rfmGroup !== SHOPIFY_COUNTERPART[s.segment])!;
    expect(someone).toBeDefined();
    const { page, errors } = await newPage();
    await page.goto(url(`/app/customers/${someone.customerId.split("/").pop()}`), { waitUntil: "networkidle" });
    const card = page.getByRole("region", { name: "Ours and Shopify's" });
    await expect.poll(() => card.count()).toBe(1);
    const text = (await card.textContent())!;
    const days = (await loadState(SHOP, someone.customerId))!.recencyDays; // derived, not stored (decisions/0009)
    expect(text).toContain(`their recency score is R ${someone.r} (last order ${days} days ago)`);
    expect(text).toContain(`FM ${someone.fm}, the average of F ${someone.f}`);
    expect(text).toMatch(/Shopify puts them in /);
    expect(await seriousViolations(page)).toEqual([]);
    await card.screenshot({ path: "docs/screenshots/customer-compare-en.png" });
    expect(errors).toEqual([]);
  });

  it("dashboard: the 12-week chart is drawn from the reconstructed history before the install", async () => {
    const { page, errors } = await newPage();
    await page.goto(url("/app"), { waitUntil: "networkidle" });
    await expect.poll(() => page.getByText("Loyalty & RFM", { exact: true }).count()).toBeGreaterThan(0);
    expect(await seriousViolations(page)).toEqual([]);
    // The chart's 30-day change column is real on the install day: some segment grew or shrank in the last weeks
    const changes = await page.locator("table tbody tr td").allTextContents();
    expect(changes.some((c) => /^[+\u2212-]\d/.test(c.trim()))).toBe(true);
    await page.waitForTimeout(1500); // the charts' entry animation
    await page.screenshot({ path: "tmp/screenshots/dashboard-history-en.png", fullPage: true });
    expect(errors).toEqual([]);
  });
});

// The predictions page and the customer page's prediction card in real Chromium: a shop generated from known BG/NBD and
// Gamma-Gamma parameters (simulator/generator/bgnbd-history.ts), loaded into the local Shopify, backfilled by the app's
// backfill job and fitted; the page's figures equal the stored fit's, English and Thai, axe clean, screenshots in
// docs/screenshots; the settings form refuses bad input with a Polaris error and saves nothing, saves good input;
// "refit now" queues the job; a shop too small says why and shows no numbers.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { prisma } from "../../app/db.server";
import { backfillJob } from "../../app/jobs/backfill.server";
import { PREDICTIONS } from "../../app/jobs/contracts";
import { bandTotals, getPredictionSettings, getShopPrediction } from "../../app/models/predictions.server";
import { refitPredictions } from "../../app/services/predictions.server";
import { recomputeShop } from "../../app/services/recompute.server";
import { adminHostParam } from "../../simulator/app-bridge/session-token";
import { generateBgNbdHistory } from "../../simulator/generator/bgnbd-history";
import { seriousViolations } from "../support/axe";
import { newPage } from "../support/browser";
import { openApp, startLocalShopifyAndApp } from "../support/local-shopify";
import { jobRows, testQueue } from "../support/queue";

const SHOP = "predictions-page.myshopify.com";
const SMALL = "predictions-small.myshopify.com";
const END = "2026-11-01T00:00:00.000Z";
let url: (shop: string, pathname: string, params?: Record<string, string>) => string;

beforeAll(async () => {
  const env = await startLocalShopifyAndApp();
  const queue = testQueue();
  for (const [shop, customers, weeks] of [
    [SHOP, 1500, 104],
    [SMALL, 40, 30],
  ] as const) {
    const file = path.join(inject("testRunDir"), `${shop}.jsonl`);
    const records = [...generateBgNbdHistory({ seed: 3, shopDomain: shop, customers, weeks, endDate: END })];
    writeFileSync(file, records.map((r) => JSON.stringify(r)).join("\n") + "\n");
    await env.shopify.admin.shops.loadShopFile(file);
    env.shopify.install(shop);
    expect((await openApp(env.app.url, env.shopify, shop)).status).toBe(200);
  }
  // The app's own backfill job brings each shop's history into the ledger; then the fit as the job would run it.
  const worker = queue.work({ backfill: backfillJob({ queue, clientFor: env.clientFor }) }, { pollMs: 20 });
  await worker.idle();
  await worker.stop();
  // Scored as after an install (the customer page's other cards), then fitted as the job would.
  await recomputeShop(SHOP, { asOf: new Date(END), reason: "backfill" });
  await refitPredictions(SHOP, { asOf: new Date(END) });
  await refitPredictions(SMALL, { asOf: new Date(END) });
  url = (shop, pathname, params = {}) =>
    `${env.app.url}${pathname}?${new URLSearchParams({ embedded: "1", shop, host: adminHostParam(shop), ...params })}`;
}, 180_000);

describe("Predictions page", () => {
  it("shows the fit, the P(active) tenths, the bands, the back-test and the top customers, in English and Thai", async () => {
    const stored = (await getShopPrediction(SHOP))!;
    expect(stored.status).toBe("fitted");
    const bands = await bandTotals(SHOP);
    const { page, errors } = await newPage();
    await page.goto(url(SHOP, "/app/predictions"), { waitUntil: "networkidle" });
    await expect.poll(() => page.getByRole("heading", { name: "Predictions" }).count()).toBeGreaterThan(0);
    const body = () => page.locator("body").textContent();
    expect(await body()).toContain(`on ${stored.customers.toLocaleString("en-US")} customers`);
    // The parameters, as stored (5 significant digits)
    const bg = stored.model.bgnbd as { r: number; alpha: number };
    const sig = (v: number) => Number(v.toPrecision(5)).toLocaleString("en-US", { maximumSignificantDigits: 5 });
    const params = page.getByRole("heading", { name: "Model parameters" }).locator("xpath=../..");
    expect(await params.textContent()).toContain(sig(bg.r));
    expect(await params.textContent()).toContain(sig(bg.alpha));
    // The bands: one row each with the stored count
    const bandCard = page.getByRole("heading", { name: "Predicted 12-month value by band" }).locator("xpath=../..");
    for (const band of bands) {
      const row = bandCard.locator("tbody tr", {
        hasText: band.band === "high" ? "High" : band.band === "medium" ? "Medium" : "Low",
      });
      expect(await row.locator("td").first().textContent()).toBe(band.customers.toLocaleString("en-US"));
    }
    // The P(active) tenths add up to every customer
    const tenths = page.getByRole("heading", { name: "Probability still active" }).locator("xpath=../..");
    const counts = await tenths.locator("tbody tr td").allTextContents();
    expect(counts).toHaveLength(10);
    expect(counts.reduce((s, c) => s + Number(c.replace(/,/g, "")), 0)).toBe(stored.customers);
    // The back-test: its totals row holds the stored actual purchase days
    const backtest = stored.backtest as { status: string; actual: number };
    expect(backtest.status).toBe("fitted");
    const bt = page.getByRole("heading", { name: "Back-test" }).locator("xpath=../..");
    expect(await bt.textContent()).toContain(backtest.actual.toLocaleString("en-US"));
    // The top customers link to their customer page
    const first = page
      .getByRole("heading", { name: "Highest predicted value" })
      .locator("xpath=../..")
      .locator("tbody a")
      .first();
    expect(await first.getAttribute("href")).toMatch(/\/app\/customers\/\d+/);
    await page.waitForTimeout(500); // the charts draw after hydration
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: "docs/screenshots/predictions-en.png", fullPage: true });
    expect(errors).toEqual([]);

    const th = await newPage();
    await th.page.goto(url(SHOP, "/app/predictions", { locale: "th" }), { waitUntil: "networkidle" });
    await expect.poll(() => th.page.getByRole("heading", { name: "การคาดการณ์" }).count()).toBeGreaterThan(0);
    expect(await th.page.locator("body").textContent()).toContain("การทดสอบย้อนหลัง");
    await th.page.waitForTimeout(500);
    expect(await seriousViolations(th.page)).toEqual([]);
    await th.page.screenshot({ path: "docs/screenshots/predictions-th.png", fullPage: true });
    expect(th.errors).toEqual([]);
  });

  it("opens a top customer's page with their prediction card", async () => {
    const top = await prisma.customerPrediction.findFirstOrThrow({
      where: { shop: SHOP },
      orderBy: [{ clv12Minor: "desc" }, { customerId: "asc" }],
    });
    const { page, errors } = await newPage();
    await page.goto(url(SHOP, `/app/customers/${top.customerId.split("/").pop()}`), { waitUntil: "networkidle" });
    const card = page.getByRole("heading", { name: "Prediction", exact: true }).locator("xpath=../../..");
    await expect.poll(() => card.count()).toBe(1);
    const text = await card.textContent();
    expect(text).toContain(`${Math.round(top.pAlive * 1000) / 10}%`.replace(/\.0%$/, "%"));
    const dollars = (cents: bigint) =>
      `$${(cents / 100n).toLocaleString("en-US")}.${String(cents % 100n).padStart(2, "0")}`;
    expect(text).toContain(dollars(top.clv12Minor!));
    expect(text).toContain("High");
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: "docs/screenshots/predictions-customer-en.png", fullPage: true });
    expect(errors).toEqual([]);
  });

  it("refuses bad settings with a Polaris error and saves nothing; saves good ones", async () => {
    const before = await getPredictionSettings(SHOP);
    const { page, errors } = await newPage();
    await page.goto(url(SHOP, "/app/predictions"), { waitUntil: "networkidle" });
    await page.getByLabel("Likely lost below P(active) of (%)").fill("150");
    await page.getByLabel("Medium band: next share of customers (%)").fill("90");
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect.poll(() => page.getByText("Nothing was saved: correct the fields marked below.").count()).toBe(1);
    expect(await page.getByText("Enter a percentage above 0 and below 100.").count()).toBe(1);
    expect(await page.getByText("The high and medium shares together cannot exceed 100%.").count()).toBe(1);
    expect(await getPredictionSettings(SHOP)).toEqual(before);
    expect(await jobRows(SHOP, { kind: PREDICTIONS })).toEqual([]);
    await page.getByLabel("Likely lost below P(active) of (%)").fill("25");
    await page.getByLabel("Medium band: next share of customers (%)").fill("40");
    await page.getByLabel("Annual discount rate for the 12-month value (%)").fill("10");
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect.poll(() => page.getByText("Settings saved. A refit is queued to apply them.").count()).toBe(1);
    expect(await getPredictionSettings(SHOP)).toEqual({
      ...before,
      churnThreshold: 0.25,
      discountRate: 0.1,
      bands: { mode: "share", highShare: 0.2, mediumShare: 0.4 },
    });
    // Saving queued a refit (the refused attempt did not)
    expect((await jobRows(SHOP, { kind: PREDICTIONS })).map((j) => JSON.parse(j.payload))).toContainEqual({
      reason: "manual",
    });
    expect(errors).toEqual([]);
  });

  it("queues a refit when asked", async () => {
    const { page, errors } = await newPage();
    await page.goto(url(SHOP, "/app/predictions"), { waitUntil: "networkidle" });
    await page.getByRole("button", { name: "Refit now" }).click();
    await expect.poll(() => page.getByText("A refit is queued.", { exact: false }).count()).toBe(1);
    const jobs = await jobRows(SHOP, { kind: PREDICTIONS });
    expect(jobs.map((j) => JSON.parse(j.payload))).toContainEqual({ reason: "manual" });
    expect(errors).toEqual([]);
  });

  it("says why a small shop has no predictions and shows no numbers", async () => {
    const { page, errors } = await newPage();
    await page.goto(url(SMALL, "/app/predictions"), { waitUntil: "networkidle" });
    await expect.poll(() => page.getByText("Not enough history to predict yet").count()).toBe(1);
    expect(await page.getByText("Fewer than 100 customers have bought", { exact: false }).count()).toBe(1);
    expect(await page.getByRole("heading", { name: "Model parameters" }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});

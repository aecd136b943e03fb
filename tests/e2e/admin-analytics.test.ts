// The analytics page in real Chromium on a backfilled and scored shop: the figures of the chosen period (as the
// analytics service computes them; tests/integration/analytics.test.ts checks the service against the ledger) in
// English and Thai, changing the period, the CSV download, and a bad period answered 400 with an error on the page.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { shopAnalytics, SUMMARY_COLUMNS } from "../../app/services/analytics.server";
import { newPage } from "../support/browser";
import { startScoredShop } from "../support/scored-shop";

const SHOP = "analytics-page.myshopify.com";
const YEAR = { period: "custom", from: "2025-11-01", to: "2026-10-31" };
let url: Awaited<ReturnType<typeof startScoredShop>>["url"];

// The page's figures, written out here by hand (not with the app's formatters in app/i18n/format.ts, which is what
// is being checked): the shop is in US dollars, minor units are cents.
const grouped = (whole: number) => String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
/** Cents as the page must show them: "$1,234.50" in English, "US$1,234.50" in Thai (the Thai locale names the dollar). */
const dollars = (cents: number, symbol = "$") =>
  `${cents < 0 ? "-" : ""}${symbol}${grouped(Math.floor(Math.abs(cents) / 100))}.${String(Math.abs(cents) % 100).padStart(2, "0")}`;
/** A rate in percent as the page must show it, in both languages: at most one decimal, none when it is whole ("43.3%", "50%"). */
const percent = (rate: number) => `${Math.round(rate * 10) / 10}%`;
/** Cents as a decimal of dollars, as the CSV must hold them ("1234.50"), empty for no figure. */
const decimal = (cents: number | null) =>
  cents === null
    ? ""
    : `${cents < 0 ? "-" : ""}${Math.floor(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, "0")}`;
const fixed = (n: number | null, digits: number) => (n === null ? "" : n.toFixed(digits));

beforeAll(async () => {
  ({ url } = await startScoredShop(SHOP, { seed: 53, customers: 120, asOf: new Date("2026-11-01T00:00:00.000Z") }));
});

describe("Analytics page", () => {
  it("shows the period's retention, repeat rate, AOV and CLV, per segment and tier, and the cohorts", async () => {
    // Given the scored shop and the figures the service gives for the year before 1 Nov 2026
    const expected = await shopAnalytics(SHOP, { preset: "custom", from: YEAR.from, to: YEAR.to });
    expect(expected.all.customersAtEnd).toBeGreaterThan(10);
    expect(expected.all.retentionRate).not.toBeNull();
    // When the merchant opens the page for that year
    const { page, errors } = await newPage();
    await page.goto(url("/app/analytics", YEAR), { waitUntil: "networkidle" });
    await expect.poll(() => page.getByRole("heading", { name: "Analytics" }).count()).toBeGreaterThan(0);
    // Then the cards carry the service's figures, formatted for English (dollars and percent written out by hand)
    expect(expected.currency).toBe("USD");
    // A figure's card: its heading's block (heading, value, detail)
    const card = (title: string) => page.getByRole("heading", { name: title, exact: true }).locator("xpath=..");
    expect(await card("Customer retention rate").textContent()).toContain(percent(expected.all.retentionRate!));
    expect(await card("Customer retention rate").textContent()).toContain(`${expected.all.newCustomers} of them new`);
    expect(await card("Repeat purchase rate").textContent()).toContain(percent(expected.all.repeatPurchaseRate!));
    expect(await card("Average order value").textContent()).toContain(dollars(expected.all.averageOrderValueMinor!));
    expect(expected.all.revenueMinor).toBeGreaterThan(100_000); // over $1,000: the thousands separator is checked too
    expect(await card("Average order value").textContent()).toContain(`Revenue ${dollars(expected.all.revenueMinor!)}`);
    expect(await card("Historical CLV").textContent()).toContain(dollars(expected.all.historicalClv.meanMinor!));
    // And one row per segment and per tier with customers, and one cohort row per month of the period (12)
    const tables = page.locator(".Polaris-DataTable table");
    expect(await tables.nth(0).locator("tbody tr").count()).toBe(
      expected.segments.filter((s) => s.figures.historicalClv.customers > 0).length,
    );
    expect(await tables.nth(1).locator("tbody tr").count()).toBe(
      expected.tiers.filter((s) => s.figures.historicalClv.customers > 0).length,
    );
    const cohorts = page.getByRole("region", { name: "Cohort retention by first-order month" });
    expect(await cohorts.locator("tbody tr").count()).toBe(12);
    expect(await cohorts.locator("tbody tr").first().locator("th").textContent()).toBe("Nov 2025");
    // And choosing a segment shows that segment's figures
    const champions = expected.segments.find((s) => s.key === "champions")!.figures;
    await page.getByLabel("Show figures for").selectOption("segment:champions");
    await expect
      .poll(() => card("Purchase frequency").textContent())
      .toContain(`${champions.orders} orders by ${champions.customersAtEnd} customers`);
    await page.getByLabel("Show figures for").selectOption("all");
    await page.screenshot({ path: "tmp/screenshots/pages/analytics-en.png", fullPage: true });
    expect(errors).toEqual([]);
  });

  it("changes the period from the picker, keeping it in the URL", async () => {
    const { page, errors } = await newPage();
    await page.goto(url("/app/analytics", YEAR), { waitUntil: "networkidle" });
    // When the merchant picks "All time"
    await page.getByLabel("Period").selectOption("all");
    // Then the URL and the subtitle follow, and the retention rate is undefined (nothing before all time)
    await expect.poll(() => new URL(page.url()).searchParams.get("period")).toBe("all");
    await expect.poll(() => page.getByText(/^All time until/).count()).toBe(1);
    expect(await page.getByText("No customer ordered in the previous period.").count()).toBe(1);
    // And custom dates are applied with the button
    await page.getByLabel("Period").selectOption("custom");
    await page.getByLabel("From", { exact: true }).fill("2026-01-01");
    await page.getByLabel("To", { exact: true }).fill("2026-03-31");
    await page.getByRole("button", { name: "Apply" }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get("from")).toBe("2026-01-01");
    await expect
      .poll(() => page.getByText(/^Jan 1, 2026 – Mar 31, 2026 · Compared with Oct 3, 2025 – Dec 31, 2025$/).count())
      .toBe(1);
    expect(errors).toEqual([]);
  });

  it("downloads the figures as CSV", async () => {
    const { page, errors } = await newPage();
    await page.goto(url("/app/analytics", YEAR), { waitUntil: "networkidle" });
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download CSV", exact: true }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("analytics-summary-analytics-page-2025-11-01-2026-10-31.csv");
    const csv = readFileSync((await download.path())!, "utf8");
    expect(csv.split("\n")[0]).toBe(SUMMARY_COLUMNS.join(","));
    // Every line as written out here from the service's figures (rates in percent with two decimals, money as dollars
    // with cents, empty where a figure is undefined), not with the app's CSV builder
    const data = await shopAnalytics(SHOP, { preset: "custom", from: YEAR.from, to: YEAR.to });
    const groups = [
      ["shop", "all", data.all] as const,
      ...data.segments.map((g) => ["segment", g.key, g.figures] as const),
      ...data.tiers.map((g) => ["tier", g.key === "" ? "none" : g.key, g.figures] as const),
    ];
    const lines = groups.map(([type, key, g]) =>
      [
        type,
        key,
        data.period.from ?? "",
        data.period.to,
        "USD",
        g.customersAtStart,
        g.customersAtEnd,
        g.newCustomers,
        fixed(g.retentionRate, 2),
        g.repeatCustomers,
        fixed(g.repeatPurchaseRate, 2),
        g.orders,
        decimal(g.revenueMinor),
        fixed(g.purchaseFrequency, 4),
        decimal(g.averageOrderValueMinor),
        g.timeBetweenPurchases.intervals,
        fixed(g.timeBetweenPurchases.meanDays, 2),
        fixed(g.timeBetweenPurchases.medianDays, 2),
        g.historicalClv.customers,
        decimal(g.historicalClv.meanMinor),
        decimal(g.historicalClv.distribution?.p25 ?? null),
        decimal(g.historicalClv.distribution?.median ?? null),
        decimal(g.historicalClv.distribution?.p75 ?? null),
        decimal(g.historicalClv.distribution?.p90 ?? null),
        decimal(g.predictedClv.valueMinor),
        decimal(g.predictedClv.averageOrderValueMinor),
        fixed(g.predictedClv.ordersPerYear, 4),
        fixed(g.predictedClv.retentionRate, 2),
        fixed(g.predictedClv.lifespanYears, 2),
      ].join(","),
    );
    expect(csv).toBe([SUMMARY_COLUMNS.join(","), ...lines].join("\n") + "\n");
    // (the shop's own line, for a reader: the period as ISO instants, whole-number counts, dollars with cents)
    expect(csv.split("\n")[1]).toMatch(
      /^shop,all,2025-11-0\dT\d\d:00:00\.000Z,2026-1\d-\d\dT\d\d:00:00\.000Z,USD,\d+,\d+,\d+,\d+\.\d\d,/,
    );
    const [cohorts] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download cohorts CSV" }).click(),
    ]);
    expect(readFileSync((await cohorts.path())!, "utf8").split("\n")[0]).toBe(
      "group_type,group,cohort_month,customers," + Array.from({ length: 12 }, (_, k) => `month_${k}`).join(","),
    );
    expect(errors).toEqual([]);
  });

  it("answers a period that cannot be read with 400 and says why, keeping the picker", async () => {
    const { page, errors } = await newPage();
    await page.goto(url("/app/analytics", { period: "custom", from: "2026-02-30", to: "2026-03-01" }), {
      waitUntil: "networkidle",
    });
    // (The browser's first answer is Shopify's session-token bounce page; the loader's own answer is read directly.)
    const status = (query: string) =>
      page.evaluate(async (q) => (await fetch(`/app/analytics?${q}&_data=routes%2Fapp.analytics`)).status, query);
    expect(await status("period=custom&from=2026-02-30&to=2026-03-01")).toBe(400);
    expect(await status("period=week")).toBe(400);
    expect(await status("period=30")).toBe(200);
    await expect.poll(() => page.getByText("This period cannot be shown").count()).toBe(1);
    expect(await page.getByText("Enter dates as YYYY-MM-DD, between 1970 and 2100.").count()).toBeGreaterThan(0);
    expect(await page.getByLabel("Period").inputValue()).toBe("custom");
    await page.goto(url("/app/analytics", { period: "custom", from: "2026-03-02", to: "2026-03-01" }), {
      waitUntil: "networkidle",
    });
    await expect
      .poll(() => page.getByText("The start date must be on or before the end date.").count())
      .toBeGreaterThan(0);
    await page.screenshot({ path: "tmp/screenshots/analytics-error-en.png" });
    // The CSV of a bad period is refused the same way
    const csv = await page.evaluate(async () => (await fetch("/app/analytics/csv?period=week")).status);
    expect(csv).toBe(400);
    expect(errors.filter((e) => !e.includes("400"))).toEqual([]);
  });

  it("speaks Thai, with Thai dates and numbers", async () => {
    const expected = await shopAnalytics(SHOP, { preset: "custom", from: YEAR.from, to: YEAR.to });
    const { page, errors } = await newPage("th-TH");
    await page.goto(url("/app/analytics", { ...YEAR, locale: "th" }), { waitUntil: "networkidle" });
    await expect.poll(() => page.getByRole("heading", { name: "การวิเคราะห์" }).count()).toBeGreaterThan(0);
    const card = (title: string) => page.getByRole("heading", { name: title, exact: true }).locator("xpath=..");
    // Numbers: the retention rate as a percent, and money in dollars as the Thai locale writes them ("US$1,234.50")
    expect(await card("อัตราการรักษาลูกค้า").textContent()).toContain(percent(expected.all.retentionRate!));
    expect(await card("มูลค่าเฉลี่ยต่อคำสั่งซื้อ").textContent()).toContain(
      dollars(expected.all.averageOrderValueMinor!, "US$"),
    );
    // Dates: the first cohort, November 2025, in Thai with the Buddhist-era year (2025 + 543)
    const cohorts = page.getByRole("region", { name: "การรักษาลูกค้าตามเดือนที่ซื้อครั้งแรก" });
    expect(await cohorts.locator("tbody tr").first().locator("th").textContent()).toBe("พ.ย. 2568");
    expect(await page.getByRole("button", { name: "ดาวน์โหลด CSV", exact: true }).count()).toBe(1);
    await page.screenshot({ path: "tmp/screenshots/pages/analytics-th.png", fullPage: true });
    expect(errors).toEqual([]);
  });
});

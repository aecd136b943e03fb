// Settings in real Chromium: what is written back to Shopify (bad prefixes answered inline), the RFM window, the CSV
// download (the same bytes as the export service), the clean-up, and Thai.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { RECOMPUTE_SHOP, SYNC } from "../../app/jobs/contracts";
import { recomputeShop } from "../../app/services/recompute.server";
import { newPage } from "../support/browser";
import { startScoredShop } from "../support/scored-shop";
import { expectedCsv, storedStates } from "../integration/recompute-fixtures";

const SHOP = "settings-page.myshopify.com";
let url: Awaited<ReturnType<typeof startScoredShop>>["url"];

beforeAll(async () => {
  ({ url } = await startScoredShop(SHOP, { seed: 45, customers: 60, asOf: new Date("2026-11-01T00:00:00.000Z") }));
});

describe("Settings", () => {
  it("saves what is written back to Shopify and queues a sync; a bad prefix is answered inline", async () => {
    const { page, errors, refused } = await newPage();
    await page.goto(url("/app/settings"), { waitUntil: "networkidle" });
    await expect.poll(() => page.getByRole("heading", { name: "Settings" }).count()).toBeGreaterThan(0);
    await page.getByLabel("Tier tag prefix").fill("a,b");
    await page.getByRole("button", { name: "Save" }).first().click();
    await expect.poll(() => page.getByText("A prefix cannot contain a comma.").count()).toBe(1);
    expect(await prisma.syncSettings.count({ where: { shop: SHOP } })).toBe(0);
    await page.screenshot({ path: "tmp/screenshots/settings-error-en.png" });

    await page.getByLabel("Tier tag prefix").fill("level:");
    await page.getByLabel("Code prefix").fill("VIP-");
    await page.getByRole("button", { name: "Save" }).first().click();
    await expect.poll(() => page.getByText("Saved. The next sync applies it.").count()).toBe(1);
    expect(await prisma.syncSettings.findUnique({ where: { shop: SHOP } })).toMatchObject({
      rfmPrefix: "rfm:",
      tierPrefix: "level:",
      codePrefix: "VIP-",
    });
    expect(await prisma.job.count({ where: { shop: SHOP, kind: SYNC, state: "queued" } })).toBe(1);
    expect(refused).toEqual([400]); // the refused submissions, answered 400
    expect(errors).toEqual([]);
  });

  it("changes the RFM window (an impossible one answered inline) and queues the recompute", async () => {
    const { page, errors, refused } = await newPage();
    await page.goto(url("/app/settings"), { waitUntil: "networkidle" });
    await page.getByLabel("Orders counted").selectOption("custom");
    await page.getByLabel("Days", { exact: true }).fill("5");
    await page.getByRole("button", { name: "Save" }).nth(1).click();
    await expect.poll(() => page.getByText("Enter a whole number of days from 30 to 3650.").count()).toBe(1);
    await page.getByLabel("Orders counted").selectOption("365");
    await page.getByRole("button", { name: "Save" }).nth(1).click();
    await expect.poll(() => page.getByText("Saved. Every customer is being scored again.").count()).toBe(1);
    expect((await prisma.rfmSettings.findUniqueOrThrow({ where: { shop: SHOP } })).windowDays).toBe(365);
    expect(await prisma.job.count({ where: { shop: SHOP, kind: RECOMPUTE_SHOP, state: "queued" } })).toBeGreaterThan(0);
    expect(refused).toEqual([400]); // the refused submissions, answered 400
    expect(errors).toEqual([]);
  });

  it("downloads the CSV export: every customer's stored scores, segment and tier", async () => {
    // Given the recompute the window change above queued has run (stored states match the settings again)
    const { asOf } = await prisma.shopComputation.findUniqueOrThrow({ where: { shop: SHOP } });
    await recomputeShop(SHOP, { asOf, reason: "rules" });
    const { page, errors } = await newPage();
    await page.goto(url("/app/settings"), { waitUntil: "networkidle" });
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download CSV" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("customers-settings-page-2026-11-01.csv");
    const downloaded = readFileSync((await download.path())!, "utf8");
    // The file as written out by hand from the stored state rows (tests/integration/recompute-fixtures.ts expectedCsv:
    // dollars with cents, ISO times), not with the app's export code
    expect(downloaded).toBe(expectedCsv(await storedStates(SHOP), 2));
    expect(downloaded.split("\n")[0]).toBe(
      "customer_id,recency_days,frequency,monetary,r,f,m,fm,segment,tier,spend_in_window,next_tier,amount_to_next,tier_expires_at",
    );
    expect(downloaded.trim().split("\n")).toHaveLength(61);
    expect(errors).toEqual([]);
  });

  it("queues the clean-up only after it is confirmed", async () => {
    const { page, errors } = await newPage();
    await page.goto(url("/app/settings"), { waitUntil: "networkidle" });
    await page.getByRole("button", { name: "Remove everything the app wrote" }).click();
    await page.getByRole("button", { name: "Cancel" }).click();
    expect(await prisma.job.count({ where: { shop: SHOP, kind: SYNC, key: `${SYNC}:cleanup` } })).toBe(0);
    await page.getByRole("button", { name: "Remove everything the app wrote" }).click();
    await page.getByRole("button", { name: "Remove", exact: true }).click();
    await expect.poll(() => page.getByText("Clean-up queued: it runs in the background.").count()).toBe(1);
    const job = await prisma.job.findFirstOrThrow({ where: { shop: SHOP, kind: SYNC, key: `${SYNC}:cleanup` } });
    expect(JSON.parse(job.payload)).toEqual({ reason: "cleanup", mode: "cleanup" });
    expect(errors).toEqual([]);
  });

  it("speaks Thai", async () => {
    const { page, errors } = await newPage("th-TH");
    await page.goto(url("/app/settings", { locale: "th" }), { waitUntil: "networkidle" });
    await expect.poll(() => page.getByRole("heading", { name: "การตั้งค่า" }).count()).toBeGreaterThan(0);
    expect(await page.getByText("ดาวน์โหลด CSV").count()).toBe(1);
    await page.screenshot({ path: "tmp/screenshots/settings-th.png", fullPage: true });
    expect(errors).toEqual([]);
  });
});

// The segments page in real Chromium: sizes, revenue shares and moves from the shop's state and history, a link to
// each segment's customers, and renaming (too long a name answered inline).
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { recomputeShop } from "../../app/services/recompute.server";
import { saveRfmSettings } from "../../app/models/rfm-settings.server";
import { newPage } from "../support/browser";
import { startScoredShop } from "../support/scored-shop";

const SHOP = "segments-page.myshopify.com";
const AS_OF = new Date("2026-11-01T00:00:00.000Z");
let url: Awaited<ReturnType<typeof startScoredShop>>["url"];

beforeAll(async () => {
  ({ url } = await startScoredShop(SHOP, { seed: 49, customers: 80, asOf: AS_OF }));
  // The merchant narrows the RFM window to a year: customers move between segments (moves dated "now").
  await saveRfmSettings(SHOP, { windowDays: 365, segmentNames: {} });
  await recomputeShop(SHOP, { asOf: AS_OF, reason: "rules" });
  await prisma.customerStateChange.updateMany({ where: { shop: SHOP, reason: "rules" }, data: { at: new Date() } });
});

describe("Segments page", () => {
  it("shows every segment's size and the moves since the chosen date, linking to its customers", async () => {
    const { page, errors } = await newPage();
    await page.goto(url("/app/segments"), { waitUntil: "networkidle" });
    await expect.poll(() => page.getByRole("heading", { name: "Segments" }).count()).toBeGreaterThan(0);
    const rows = page.locator("table").first().locator("tbody tr");
    expect(await rows.count()).toBe(11);
    const hibernating = await prisma.customerState.count({ where: { shop: SHOP, segment: "hibernating" } });
    const row = rows.filter({ has: page.getByRole("link", { name: "Hibernating", exact: true }) });
    expect(await row.locator("td").nth(0).textContent()).toBe(String(hibernating));
    const moves = await prisma.customerStateChange.count({
      where: { shop: SHOP, kind: "segment", reason: "rules", from: { not: null } },
    });
    expect(moves).toBeGreaterThan(0);
    expect(await page.getByText(/\(\d+\)/).count()).toBeGreaterThan(0);
    await page.getByRole("link", { name: "Hibernating", exact: true }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get("segment")).toBe("hibernating");
    expect(errors).toEqual([]);
  });

  it("renames a segment for display, and refuses too long a name inline", async () => {
    const { page, errors, refused } = await newPage();
    await page.goto(url("/app/segments"), { waitUntil: "networkidle" });
    await page.getByLabel("At risk", { exact: true }).fill("x".repeat(41));
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.getByText("At most 40 characters.").count()).toBe(1);
    await page.getByLabel("At risk", { exact: true }).fill("Slipping away");
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.getByText("Names saved.").count()).toBe(1);
    await page.goto(url("/app/segments"), { waitUntil: "networkidle" });
    expect(await page.getByRole("link", { name: "Slipping away" }).count()).toBe(1);
    expect(JSON.parse((await prisma.rfmSettings.findUniqueOrThrow({ where: { shop: SHOP } })).segmentNames)).toEqual({
      at_risk: "Slipping away",
    });
    expect(refused).toEqual([400]); // the refused submissions, answered 400
    expect(errors).toEqual([]);
  });
});

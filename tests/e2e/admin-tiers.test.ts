// The tier editor in real Chromium: the programme in the shop currency, inline errors for bad input (never a 500),
// a what-if preview that saves nothing, saving a new version that queues the recompute, and Thai.
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { RECOMPUTE_SHOP } from "../../app/jobs/contracts";
import { seriousViolations } from "../support/axe";
import { newPage } from "../support/browser";
import { startScoredShop } from "../support/scored-shop";

const SHOP = "tiers-page.myshopify.com";
let url: Awaited<ReturnType<typeof startScoredShop>>["url"];

beforeAll(async () => {
  ({ url } = await startScoredShop(SHOP, { seed: 43, customers: 80, asOf: new Date("2026-11-01T00:00:00.000Z") }));
});

const threshold = (page: Page, n: number) => page.getByLabel("Spend to reach").nth(n);
const colour = (page: Page, n: number) => page.getByLabel("Colour in LINE messages").nth(n);

describe("Tier editor", () => {
  it("shows bad input inline, previews without saving, then saves a new version and queues the recompute", async () => {
    const { page, errors, refused } = await newPage();
    await page.goto(url("/app/tiers"), { waitUntil: "networkidle" });
    await expect.poll(() => page.getByRole("heading", { name: "Tiers" }).count()).toBeGreaterThan(0);
    expect(await page.getByLabel("Name").count()).toBe(4); // the default programme: Member, Silver, Gold, Platinum
    expect(await threshold(page, 1).inputValue()).toBe("250.00");

    // Not an amount, and gold below silver: each error under its own field, nothing saved
    await threshold(page, 1).fill("lots");
    await threshold(page, 2).fill("100");
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.getByText("Enter an amount in USD, like 250.00.").count()).toBe(1);
    await page.screenshot({ path: "tmp/screenshots/tiers-error-en.png" });
    expect(await prisma.tierProgramVersion.count({ where: { shop: SHOP } })).toBe(0);
    await threshold(page, 1).fill("250");
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.getByText(/Must be more than Silver/).count()).toBe(1);

    // A valid change, previewed: counts before and after, nothing saved
    await threshold(page, 2).fill("300");
    await page.getByRole("button", { name: "Preview" }).click();
    await expect.poll(() => page.getByText(/would change tier/).count()).toBe(1);
    expect(await page.getByRole("columnheader", { name: "After" }).count()).toBe(1);
    expect(await prisma.tierProgramVersion.count({ where: { shop: SHOP } })).toBe(0);
    await page.screenshot({ path: "tmp/screenshots/tiers-preview-en.png" });

    // Saved: version 1, the recompute queued
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.getByText("Saved as version 1").count()).toBe(1);
    const saved = await prisma.tierProgramVersion.findFirstOrThrow({ where: { shop: SHOP } });
    expect(JSON.parse(saved.program).tiers.map((t: { threshold: number }) => t.threshold)).toEqual([
      0, 25_000, 30_000, 200_000,
    ]);
    expect(await prisma.job.count({ where: { shop: SHOP, kind: RECOMPUTE_SHOP, state: "queued" } })).toBeGreaterThan(0);
    expect(refused).toEqual([400, 400]); // the refused submissions, answered 400
    expect(errors).toEqual([]);
  });

  it("edits every perk, refuses a bad amount inline, and previews what saving does to the Shopify discounts", async () => {
    const { page, errors, refused } = await newPage();
    await page.goto(url("/app/tiers"), { waitUntil: "networkidle" });
    await expect.poll(() => page.getByLabel("Name").count()).toBe(4);
    const gold = 2;
    const platinum = 3;
    const versions = await prisma.tierProgramVersion.count({ where: { shop: SHOP } });
    // Gold: 10 % and free shipping up to "cheap" (not an amount), automatic
    await page.getByLabel("Discount", { exact: true }).nth(gold).fill("10");
    await page.getByLabel("Free shipping", { exact: true }).nth(gold).check();
    await page.getByLabel("Free shipping up to a shipping price of").nth(gold).fill("cheap");
    await page.getByRole("button", { name: "Preview" }).click();
    await expect.poll(() => page.getByText("Enter an amount in USD, like 50.00, or leave it empty.").count()).toBe(1);
    // Then 20.00, with a 50.00 minimum purchase; Platinum: 15 % as a code, combining with product discounts too
    await page.getByLabel("Free shipping up to a shipping price of").nth(gold).fill("20.00");
    await page.getByLabel("Minimum purchase for these perks").nth(gold).fill("50");
    await page.getByLabel("Discount", { exact: true }).nth(platinum).fill("15");
    await page.getByLabel("How members get the discounts").nth(platinum).selectOption("code");
    await page.getByLabel("Product discounts").nth(platinum).check();
    await page.getByRole("button", { name: "Preview" }).click();
    await expect.poll(() => page.getByText("Gold: 10% off will be created (automatic)").count()).toBe(1);
    expect(await page.getByText("Gold: free shipping will be created (automatic)").count()).toBe(1);
    expect(await page.getByText("Platinum: 15% off will be created (code PLATINUM-15)").count()).toBe(1);
    await page.screenshot({ path: "docs/screenshots/tiers-perks-en.png", fullPage: true });
    expect(await prisma.tierProgramVersion.count({ where: { shop: SHOP } })).toBe(versions); // a preview saves nothing

    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.getByText(`Saved as version ${versions + 1}`).count()).toBe(1);
    const saved = await prisma.tierProgramVersion.findFirstOrThrow({ where: { shop: SHOP, version: versions + 1 } });
    const tiers = JSON.parse(saved.program).tiers as { key: string; perks: Record<string, unknown> }[];
    expect(tiers.find((t) => t.key === "gold")!.perks).toEqual({
      discountPercent: 10,
      freeShipping: true,
      freeShippingMaxPriceMinor: 2000,
      minimumSubtotalMinor: 5000,
      delivery: "automatic",
      combinesWith: { orderDiscounts: false, productDiscounts: false, shippingDiscounts: true },
      customText: null,
    });
    expect(tiers.find((t) => t.key === "platinum")!.perks).toMatchObject({
      discountPercent: 15,
      delivery: "code",
      combinesWith: { orderDiscounts: false, productDiscounts: true, shippingDiscounts: true },
    });
    // Reloaded, the form shows what was saved
    await page.reload({ waitUntil: "networkidle" });
    await expect
      .poll(() => page.getByLabel("Free shipping up to a shipping price of").nth(gold).inputValue())
      .toBe("20.00");
    expect(await page.getByLabel("How members get the discounts").nth(platinum).inputValue()).toBe("code");
    expect(refused).toEqual([400]);
    expect(errors).toEqual([]);
  });

  it("sets a tier's own colour: malformed or too light for white text gets a Polaris error and saves nothing; a dark one is saved", async () => {
    const { page, errors, refused } = await newPage();
    await page.goto(url("/app/tiers"), { waitUntil: "networkidle" });
    await expect.poll(() => page.getByLabel("Name").count()).toBe(4);
    const versions = await prisma.tierProgramVersion.count({ where: { shop: SHOP } });
    // Empty: the palette colour of the tier's place, in the placeholder and the swatch
    expect(await colour(page, 2).getAttribute("placeholder")).toBe("#86650A");
    expect(await page.locator("[data-colour-swatch]").nth(2).getAttribute("data-colour-swatch")).toBe("#86650A");

    // Silver: not a colour; Gold: the brand's bright gold, 1.4:1 under white text
    await colour(page, 1).fill("silver");
    await colour(page, 2).fill("#FFD700");
    await page.getByRole("button", { name: "Save" }).click();
    await expect
      .poll(() => page.getByText("Enter # and six hex digits, like #86650A, or leave it empty.").count())
      .toBe(1);
    expect(
      await page
        .getByText(
          "Too light for white text: its contrast is 1.4:1 and LINE messages need at least 4.5:1. Choose a darker colour.",
        )
        .count(),
    ).toBe(1);
    expect(await colour(page, 1).getAttribute("aria-invalid")).toBe("true");
    expect(await colour(page, 2).getAttribute("aria-invalid")).toBe("true");
    expect(await prisma.tierProgramVersion.count({ where: { shop: SHOP } })).toBe(versions);
    expect(await seriousViolations(page)).toEqual([]);
    await colour(page, 1).evaluate((el) => el.scrollIntoView({ block: "center" }));
    await page.screenshot({ path: "docs/screenshots/tiers-colour-error-en.png" });

    // Silver back to the palette (empty); Gold a dark brand colour typed in lower case; Platinum from the picker
    await colour(page, 1).fill("");
    await colour(page, 2).fill("#7a1f5c");
    await page.getByLabel("Pick a colour for Platinum").fill("#1f5199");
    expect(await colour(page, 3).inputValue()).toBe("#1F5199");
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.getByText(`Saved as version ${versions + 1}`).count()).toBe(1);
    const saved = await prisma.tierProgramVersion.findFirstOrThrow({ where: { shop: SHOP, version: versions + 1 } });
    const tiers = JSON.parse(saved.program).tiers as { key: string; colour?: string }[];
    expect(tiers.map((t) => [t.key, t.colour])).toEqual([
      ["member", undefined],
      ["silver", undefined],
      ["gold", "#7A1F5C"],
      ["platinum", "#1F5199"],
    ]);
    expect(tiers.some((t) => "colour" in t && t.colour === undefined)).toBe(false); // no key at all for "none"

    // Reloaded: the saved colours in their fields and swatches
    await page.reload({ waitUntil: "networkidle" });
    await expect.poll(() => colour(page, 2).inputValue()).toBe("#7A1F5C");
    expect(await colour(page, 1).inputValue()).toBe("");
    expect(await page.locator("[data-colour-swatch]").nth(2).getAttribute("data-colour-swatch")).toBe("#7A1F5C");
    await colour(page, 2).evaluate((el) => el.scrollIntoView({ block: "center" }));
    await page.screenshot({ path: "docs/screenshots/tiers-colour-en.png" });
    expect(refused).toEqual([400]);
    expect(errors).toEqual([]);
  });

  it("answers a body that is not a programme with 400 and its issues, not a 500", async () => {
    const { page } = await newPage();
    await page.goto(url("/app/tiers"), { waitUntil: "networkidle" });
    const answer = await page.evaluate(async () => {
      const response = await fetch("/app/tiers?_data=routes%2Fapp.tiers", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: '{"intent":"save","program":{"tiers":"many"}}',
      });
      return { status: response.status, body: await response.json() };
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      intent: "save",
      ok: false,
      issues: [expect.objectContaining({ path: ["tiers"] })],
    });
  });

  it("speaks Thai, errors included", async () => {
    const { page, errors, refused } = await newPage("th-TH");
    await page.goto(url("/app/tiers", { locale: "th" }), { waitUntil: "networkidle" });
    await expect.poll(() => page.getByRole("heading", { name: "ระดับสมาชิก" }).count()).toBeGreaterThan(0);
    await page.getByLabel("ยอดใช้จ่ายที่ต้องถึง").nth(1).fill("x");
    await page.getByRole("button", { name: "บันทึก" }).click();
    await expect.poll(() => page.getByText("กรอกจำนวนเงินเป็น USD เช่น 250.00").count()).toBe(1);
    await page.screenshot({ path: "tmp/screenshots/tiers-error-th.png" });
    // A colour too light for the LINE header's white text, in Thai
    await page.getByLabel("ยอดใช้จ่ายที่ต้องถึง").nth(1).fill("250");
    await page.getByLabel("สีในข้อความ LINE").nth(0).fill("#EEEEEE");
    await page.getByRole("button", { name: "บันทึก" }).click();
    await expect
      .poll(() => page.getByText(/สีอ่อนเกินไปสำหรับตัวอักษรสีขาว: ค่าความต่างของสีคือ 1\.1:1/).count())
      .toBe(1);
    await page
      .getByLabel("สีในข้อความ LINE")
      .nth(0)
      .evaluate((el) => el.scrollIntoView({ block: "center" }));
    await page.screenshot({ path: "docs/screenshots/tiers-colour-error-th.png" });
    expect(refused).toEqual([400, 400]); // the refused submissions, answered 400
    expect(errors).toEqual([]);
  });

  it("reorders tiers: Gold moved above Silver must need less than Silver, and says so", async () => {
    const { page, errors, refused } = await newPage();
    await page.goto(url("/app/tiers"), { waitUntil: "networkidle" });
    await expect.poll(() => page.getByLabel("Name").count()).toBe(4);
    await page.getByRole("button", { name: "Move Gold up" }).click();
    expect(await page.getByLabel("Name").nth(1).inputValue()).toBe("Gold");
    expect(await page.getByLabel("Name").nth(2).inputValue()).toBe("Silver");
    await page.getByRole("button", { name: "Preview" }).click();
    await expect.poll(() => page.getByText(/Must be more than Gold/).count()).toBe(1);
    expect(refused).toEqual([400]); // the refused submissions, answered 400
    expect(errors).toEqual([]);
  });
});

// The products page (docs/affinity.md) in real Chromium on an installed, backfilled shop whose ledger carries line
// items with planted structure (tests/support/affinity-shop.ts, through the ledger's write path): the strongest
// "bought together" and "bought next" rules with the figures the run stored, the last run, "recompute now", excluding
// a product (nothing chosen: a Polaris error and nothing saved) and including it again; English and Thai, axe clean,
// screenshots in docs/screenshots.
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { AFFINITY } from "../../app/jobs/contracts";
import { topAssociations } from "../../app/models/affinity.server";
import { computeAffinity } from "../../app/services/affinity.server";
import { P, seedAffinityShop, type Plan } from "../support/affinity-shop";
import { seriousViolations } from "../support/axe";
import { newPage } from "../support/browser";
import { jobRows } from "../support/queue";
import { startScoredShop } from "../support/scored-shop";

const SHOP = "products-page.myshopify.com";
const AS_OF = new Date("2026-06-01T00:00:00.000Z");
const TITLES: Record<number, string> = {
  1: "Pour-over kettle",
  2: "Paper filters",
  3: "Starter coffee beans",
  4: "Single-origin subscription",
  5: "Gift wrap",
  6: "Ceramic mug",
  7: "Milk frother",
  8: "Tote bag",
  9: "Hand grinder",
  10: "Cold brew jar",
  11: "Cleaning tablets",
  12: "Old logo T-shirt",
};
const PLAN: Plan = {
  together: [1, 2],
  first: 3,
  then: 4,
  noise: [5, 6, 7, 8, 9, 10, 11, 12],
  archived: 12,
  titles: TITLES,
  customerBase: 8_000_000,
};
let url: Awaited<ReturnType<typeof startScoredShop>>["url"];

/** Lift as the page must show it: at most two decimals, English digits in both languages. */
const twoDecimals = (v: number) => String(Math.round(v * 100) / 100);

beforeAll(async () => {
  ({ url } = await startScoredShop(SHOP, { seed: 71, customers: 30, asOf: AS_OF }));
  await seedAffinityShop(SHOP, PLAN, 3);
  await computeAffinity(SHOP, { asOf: AS_OF, now: AS_OF });
}, 240_000);

describe("Products page", () => {
  it("shows the strongest rules of each kind with their figures, in English", async () => {
    const together = await topAssociations(SHOP, "together", 1);
    const next = (await topAssociations(SHOP, "next", 1))[0];
    expect(together[0].antecedent).toBe(P(1));
    const { page, errors } = await newPage();
    await page.goto(url("/app/products"), { waitUntil: "networkidle" });
    await expect.poll(() => page.getByRole("heading", { name: "Products", exact: true }).count()).toBeGreaterThan(0);
    const tables = page.locator(".Polaris-DataTable table");
    const firstRow = await tables.nth(0).locator("tbody tr").first().locator("th, td").allTextContents();
    expect(firstRow[0]).toBe("Pour-over kettle");
    expect(firstRow[1]).toBe("Paper filters");
    expect(firstRow[2]).toBe(String(together[0].count));
    expect(firstRow[5]).toBe(twoDecimals(together[0].lift));
    const nextRow = await tables.nth(1).locator("tbody tr").first().locator("th, td").allTextContents();
    expect(nextRow.slice(0, 3)).toEqual([
      TITLES[Number(next.antecedent.split("/").pop())],
      TITLES[Number(next.consequent.split("/").pop())],
      String(next.count),
    ]);
    const run = await prisma.shopAffinity.findUniqueOrThrow({ where: { shop: SHOP } });
    expect(await page.getByText(`from ${run.orders.toLocaleString("en-US")} orders`).count()).toBe(1);
    expect(await page.getByRole("img", { name: "Lift of the strongest pairs bought together" }).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: "docs/screenshots/products-en.png", fullPage: true });
    expect(errors).toEqual([]);
  });

  it("excludes a product (nothing chosen: an error, nothing saved), recomputes without it, and includes it again", async () => {
    const { page, errors, refused } = await newPage();
    await page.goto(url("/app/products"), { waitUntil: "networkidle" });
    await page.getByRole("button", { name: "Exclude", exact: true }).click();
    await expect.poll(() => page.getByText("Choose a product to exclude.").count()).toBe(1);
    expect(refused).toContain(400);
    expect(await prisma.productExclusion.count({ where: { shop: SHOP } })).toBe(0);

    await page.getByLabel("Product to exclude").selectOption({ label: "Paper filters" });
    await page.getByRole("button", { name: "Exclude", exact: true }).click();
    await expect.poll(() => prisma.productExclusion.count({ where: { shop: SHOP, productId: P(2) } })).toBe(1);
    // The change queued a recomputation (the worker may already have run it); run it as the job does.
    expect((await jobRows(SHOP, { kind: AFFINITY })).length).toBeGreaterThan(0);
    await computeAffinity(SHOP, { asOf: AS_OF, now: AS_OF });
    await page.goto(url("/app/products"), { waitUntil: "networkidle" });
    const excluded = page.getByRole("button", { name: "Include Paper filters again" });
    await expect.poll(() => excluded.count()).toBe(1);
    const cells = await page.locator(".Polaris-DataTable table").allTextContents();
    expect(cells.join(" ")).not.toContain("Paper filters");

    await excluded.click();
    await expect.poll(() => prisma.productExclusion.count({ where: { shop: SHOP } })).toBe(0);
    await computeAffinity(SHOP, { asOf: AS_OF, now: AS_OF });

    await page.getByRole("button", { name: "Recompute now" }).click();
    await expect.poll(() => page.getByText("A recomputation is queued.", { exact: false }).count()).toBe(1);
    expect(errors).toEqual([]);
  });

  it("speaks Thai", async () => {
    const { page, errors } = await newPage("th-TH");
    await page.goto(url("/app/products", { locale: "th" }), { waitUntil: "networkidle" });
    await expect.poll(() => page.getByRole("heading", { name: "สินค้า", exact: true }).count()).toBeGreaterThan(0);
    expect(await page.getByRole("heading", { name: "ซื้อด้วยกัน" }).count()).toBe(1);
    expect(await page.getByRole("heading", { name: "ซื้อถัดไป" }).count()).toBe(1);
    expect(await page.getByRole("button", { name: "คำนวณใหม่ตอนนี้" }).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: "docs/screenshots/products-th.png", fullPage: true });
    expect(errors).toEqual([]);
  });
});

// The Points programme screen in real Chromium: the rules as saved, an inline error for bad input (never a 500), the
// retroactive grant (an earlier programme start previewed with figures, then applied), a preview of new rules with
// figures that saves nothing, saving a new version that queues the journal's pass, and Thai. Screenshots of the page
// in both languages go to tmp/screenshots/points-program-*.png (copied to docs/screenshots by hand).
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { DAY_MS } from "../../app/domain/time";
import { POINTS_SHOP } from "../../app/jobs/contracts";
import { seriousViolations } from "../support/axe";
import { newPage } from "../support/browser";
import { jobRows } from "../support/queue";
import { startScoredShop } from "../support/scored-shop";

const SHOP = "points-program-page.myshopify.com";
let url: Awaited<ReturnType<typeof startScoredShop>>["url"];
// The generated history ends yesterday, so an earlier programme start finds orders to grant points to
const asOf = new Date(Date.now() - DAY_MS);
const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);

beforeAll(async () => {
  ({ url } = await startScoredShop(SHOP, { seed: 47, customers: 60, asOf }));
});

describe("Points programme", () => {
  it("refuses bad input inline, grants points from an earlier start, previews and saves new rules", async () => {
    const { page, errors, refused } = await newPage();
    await page.goto(url("/app/points"), { waitUntil: "networkidle" });
    await expect.poll(() => page.getByRole("heading", { name: "Points programme" }).count()).toBeGreaterThan(0);
    expect(await page.getByLabel("Earning rate").inputValue()).toBe("1");
    expect(await page.getByLabel(/multiplier$/).count()).toBe(4); // one per tier: Member, Silver, Gold, Platinum
    expect(await page.getByRole("link", { name: "Points liability report" }).getAttribute("href")).toContain(
      "/app/points/liability",
    );
    const versions = await prisma.pointsRulesVersion.count({ where: { shop: SHOP } });

    // Not a number, and a negative bonus: each error under its field, nothing saved
    await page.getByLabel("Earning rate").fill("lots");
    await page.getByLabel("Sign-up bonus").fill("-5");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(() => page.getByText("Enter a number with up to 3 decimals, like 1 or 2.5.").count()).toBe(1);
    expect(await page.getByText("Enter a whole number.").count()).toBe(1);
    expect(await prisma.pointsRulesVersion.count({ where: { shop: SHOP } })).toBe(versions);

    // The retroactive grant: 120 days before the history's end, previewed with figures, then applied
    expect(await prisma.pointsEntry.count({ where: { shop: SHOP } })).toBe(0); // installed today: no order earned
    const startsOn = isoDay(asOf.getTime() - 120 * DAY_MS);
    await page.getByLabel("Start on").fill(startsOn);
    await page.getByRole("button", { name: "Preview the change" }).click();
    await expect.poll(() => page.getByText("What the new start would do").count()).toBe(1);
    const affected = page.getByText(/of \d+ customers with points would have a different balance/);
    await expect.poll(() => affected.count()).toBe(1);
    expect(Number((await affected.textContent())!.match(/^(\d+)/)![1])).toBeGreaterThan(0);
    expect(await prisma.pointsEntry.count({ where: { shop: SHOP } })).toBe(0); // a preview writes nothing
    await page.getByRole("button", { name: "Apply the new start" }).click();
    await expect.poll(() => page.getByText(`The programme now starts on ${startsOn}`).count()).toBe(1);
    expect(await prisma.pointsEntry.count({ where: { shop: SHOP, kind: "order" } })).toBeGreaterThan(0);

    // New rules: twice the rate, Gold ×1.5, the bonuses; previewed with figures, nothing saved
    await page.getByLabel("Earning rate").fill("2");
    await page.getByLabel("Sign-up bonus").fill("50");
    await page.getByLabel("Gold multiplier").fill("1.5");
    await page.getByLabel("First-order bonus").fill("100");
    await page.getByLabel("Birthday bonus").fill("200");
    // A fixed lifetime per earning instead of months without earning: the months' help follows the mode
    expect(await page.getByLabel("How points expire").inputValue()).toBe("inactivity");
    expect(await page.getByText(/^Months without earning/).count()).toBe(1);
    await page.getByLabel("How points expire").selectOption({ label: "A fixed lifetime for each earning" });
    await expect.poll(() => page.getByText(/^Months each earning/).count()).toBe(1);
    await page.getByRole("button", { name: "Preview", exact: true }).first().click();
    await expect
      .poll(() => page.getByText("What these rules would award (had they applied since the programme start)").count())
      .toBe(1);
    expect(await page.getByRole("columnheader", { name: "With the change" }).count()).toBeGreaterThan(0);
    expect(await page.getByText("Customers the change moves most").count()).toBe(1);
    // What the change of the expiry rule would expire has its own row
    expect(await page.getByText("Expired", { exact: true }).count()).toBe(1);
    expect(await prisma.pointsRulesVersion.count({ where: { shop: SHOP } })).toBe(versions + 1); // the start's only
    await page.screenshot({ path: "tmp/screenshots/points-program-en.png", fullPage: true });
    expect(await seriousViolations(page)).toEqual([]); // axe-core, with the preview's tables shown

    // Saved: the next version, the journal's pass queued
    expect(await jobRows(SHOP, { kind: POINTS_SHOP })).toEqual([]);
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(() => page.getByText(`Saved as version ${versions + 2}`).count()).toBe(1);
    const saved = await prisma.pointsRulesVersion.findFirstOrThrow({ where: { shop: SHOP, version: versions + 2 } });
    expect(JSON.parse(saved.rules)).toMatchObject({
      ratePerMille: 2000,
      tierMultipliers: { gold: 1500 },
      signUpPoints: 50,
      firstOrderPoints: 100,
      birthdayPoints: 200,
      birthdayMetafield: "facts.birth_date",
      expiryMode: "lifetime",
      expiryMonths: 12,
    });
    // On this run's queue engine (the job table, or pg-boss on PostgreSQL); its worker may have taken it already
    expect(await jobRows(SHOP, { kind: POINTS_SHOP })).not.toEqual([]);
    // Reloaded, the form shows what was saved
    await page.reload({ waitUntil: "networkidle" });
    await expect.poll(() => page.getByLabel("Gold multiplier").inputValue()).toBe("1.5");
    expect(await page.getByLabel("Earning rate").inputValue()).toBe("2");
    expect(await page.getByLabel("How points expire").inputValue()).toBe("lifetime");
    expect(refused).toEqual([400]);
    expect(errors).toEqual([]);
  }, 120_000);

  it("answers a body that is not a form with 400 and its issues, not a 500", async () => {
    const { page } = await newPage();
    await page.goto(url("/app/points"), { waitUntil: "networkidle" });
    const answer = await page.evaluate(async () => {
      const response = await fetch("/app/points?index&_data=routes%2Fapp.points._index", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: '{"intent":"save","rules":"many"}',
      });
      return { status: response.status, body: await response.json() };
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ intent: "save", ok: false });
    // A forged expiry mode: refused on its field, nothing saved
    const versions = await prisma.pointsRulesVersion.count({ where: { shop: SHOP } });
    const forged = await page.evaluate(async () => {
      const response = await fetch("/app/points?index&_data=routes%2Fapp.points._index", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          intent: "save",
          rules: { rate: "1", multiplier: "1", returnWindowDays: "30", expiryMonths: "12", expiryMode: "forever" },
        }),
      });
      return { status: response.status, body: await response.json() };
    });
    expect(forged.status).toBe(400);
    expect(forged.body.issues).toContainEqual(
      expect.objectContaining({ path: ["expiryMode"], key: "points.expiryMode.invalid" }),
    );
    expect(await prisma.pointsRulesVersion.count({ where: { shop: SHOP } })).toBe(versions);
  });

  it("speaks Thai, errors included", async () => {
    const { page, errors, refused } = await newPage("th-TH");
    await page.goto(url("/app/points", { locale: "th" }), { waitUntil: "networkidle" });
    await expect.poll(() => page.getByRole("heading", { name: "โปรแกรมสะสมคะแนน" }).count()).toBeGreaterThan(0);
    expect(await page.getByLabel("วิธีที่คะแนนหมดอายุ").count()).toBe(1);
    await page.getByLabel("เมตาฟิลด์วันเกิด").fill("birthday");
    await page.getByRole("button", { name: "ดูตัวอย่าง", exact: true }).first().click();
    await expect.poll(() => page.getByText(/เขียนในรูปแบบ namespace.key/).count()).toBe(1);
    await page.getByLabel("เมตาฟิลด์วันเกิด").fill("facts.birth_date");
    await page.getByRole("button", { name: "ดูตัวอย่าง", exact: true }).first().click();
    await expect.poll(() => page.getByText("ลูกค้าที่ได้รับผลกระทบมากที่สุด").count()).toBeLessThanOrEqual(1);
    await expect.poll(() => page.getByRole("columnheader", { name: "หลังเปลี่ยน" }).count()).toBeGreaterThan(0);
    expect(await page.getByText("หมดอายุ", { exact: true }).count()).toBe(1);
    await page.screenshot({ path: "tmp/screenshots/points-program-th.png", fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    expect(refused).toEqual([400]);
    expect(errors).toEqual([]);
  });
});

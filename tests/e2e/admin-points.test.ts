// The merchant's view of points in real Chromium, embedded through the App Bridge double, on a backfilled shop whose
// points programme started three years back: a customer's Points card (balances and the explained history as the
// journal holds them), an adjustment made through the form (the entry with the staff member and the reason, errors for
// a missing reason and for removing more than is available), and the liability page with its figures and CSV.
// Screenshots go to tmp/screenshots (customer-points-en/-th.png and points-liability-en/-th.png are copied to
// docs/screenshots by hand).
import { mkdirSync, readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { balancesAt, type PointsKind } from "../../app/domain/points";
import { confirmRedemption, createReward, reserveRedemption } from "../../app/models/rewards.server";
import { setPointsStart } from "../../app/services/points.server";
import { pointsLiability } from "../../app/services/points-liability.server";
import { newPage } from "../support/browser";
import { startScoredShop } from "../support/scored-shop";

const SHOP = "points-admin.myshopify.com";
const DAY = 86_400_000;
let url: Awaited<ReturnType<typeof startScoredShop>>["url"];
let customerId = "";

/** Written out by hand, as the page should show them (en-US grouping). */
const grouped = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");

async function balance(id: string) {
  const rows = await prisma.pointsEntry.findMany({ where: { shop: SHOP, customerId: id } });
  return balancesAt(
    rows.map((e) => ({
      kind: e.kind as PointsKind,
      points: Number(e.points),
      effectiveAt: e.effectiveAt.getTime(),
      availableAt: e.availableAt.getTime(),
    })),
    Date.now(),
  );
}

beforeAll(async () => {
  const asOf = new Date(Date.now() - DAY);
  ({ url } = await startScoredShop(SHOP, { seed: 23, customers: 60, asOf }));
  await setPointsStart(SHOP, new Date(asOf.getTime() - 3 * 365 * DAY));
  const reward = await createReward(SHOP, {
    kind: "amount_off",
    title: "$5 off",
    pointsPrice: 500,
    valueMinor: 500,
    expiryDays: null,
    limits: { perCustomer: null, total: null },
  });
  // The customer with the most points, and a $5 off redeemed by everyone who can afford it
  const rows = await prisma.pointsEntry.groupBy({ by: ["customerId"], where: { shop: SHOP }, _sum: { points: true } });
  const ranked = rows.sort((a, b) => Number(b._sum.points! - a._sum.points!)).map((r) => r.customerId);
  customerId = ranked[0];
  for (const [i, id] of ranked.entries()) {
    const now = new Date(Date.now() - 2 * DAY);
    const reserved = await reserveRedemption(SHOP, {
      customerId: id,
      rewardId: reward.id,
      token: `e2e-${i}`,
      now,
      currencyCode: "USD",
      code: `E2E-${i}`,
      expiresAt: null,
    });
    if (reserved.outcome === "reserved")
      await confirmRedemption(SHOP, reserved.redemption.id, `gid://shopify/DiscountCodeNode/${i + 1}`, now);
  }
}, 120_000);

describe("a customer's Points card", () => {
  it("shows the balances and the history as the journal holds them, and adjusts through the form", async () => {
    const { page, errors } = await newPage();
    const legacy = customerId.split("/").pop()!;
    await page.goto(url(`/app/customers/${legacy}`), { waitUntil: "networkidle" });
    await expect.poll(() => page.getByRole("heading", { name: "Points", exact: true }).count()).toBe(1);
    const before = await balance(customerId);
    expect(before.available).toBeGreaterThan(100);
    // The innermost element holding the card's heading and its form (elements come before their descendants)
    const card = page
      .locator("div", { has: page.getByRole("heading", { name: "Points", exact: true }) })
      .filter({ has: page.getByRole("form", { name: "Adjust points" }) })
      .last();
    expect(await card.textContent()).toContain(`Available${grouped(before.available)}`);
    // Every order entry is explained with the order's name
    const orderEntry = await prisma.pointsEntry.findFirstOrThrow({
      where: { shop: SHOP, customerId, kind: "order" },
      orderBy: { effectiveAt: "desc" },
    });
    const order = await prisma.order.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: orderEntry.orderId! } } });
    expect(await card.getByText(`Earned on order ${order.name}`).count()).toBeGreaterThan(0);
    expect(before.redeemed).toBe(500);
    expect(await card.getByText("Redeemed for $5 off").count()).toBe(1);

    // A reason is required: the field says so and nothing is written
    const entries = await prisma.pointsEntry.count({ where: { shop: SHOP, customerId } });
    await card.getByLabel("Points", { exact: true }).fill("-10");
    await card.getByRole("button", { name: "Save adjustment" }).click();
    await expect.poll(() => card.getByText("Enter a reason.").count()).toBe(1);
    expect(await prisma.pointsEntry.count({ where: { shop: SHOP, customerId } })).toBe(entries);

    // Removing more than is available is refused
    await card.getByLabel("Points", { exact: true }).fill(String(-(before.available + 1)));
    await card.getByLabel("Reason").fill("Too much");
    await card.getByRole("button", { name: "Save adjustment" }).click();
    await expect
      .poll(() => card.getByText("The customer does not have that many available points", { exact: false }).count())
      .toBeGreaterThan(0);
    expect(await prisma.pointsEntry.count({ where: { shop: SHOP, customerId } })).toBe(entries);

    // A removal with a reason: saved, shown, audited
    await card.getByLabel("Points", { exact: true }).fill("-10");
    await card.getByLabel("Reason").fill("Goodwill reversed");
    await card.getByRole("button", { name: "Save adjustment" }).click();
    await expect.poll(() => card.getByText("Saved: -10 points.").count()).toBe(1);
    const adjustment = await prisma.pointsEntry.findFirstOrThrow({
      where: { shop: SHOP, customerId, kind: "adjustment" },
    });
    // The staff member is the session token's user (the App Bridge double's)
    expect(adjustment).toMatchObject({
      points: -10n,
      actor: expect.stringMatching(/^staff:\d+$/),
      note: "Goodwill reversed",
    });
    const staff = adjustment.actor!.slice("staff:".length);
    await expect.poll(() => card.getByText(`Adjusted by staff member ${staff}: Goodwill reversed`).count()).toBe(1);
    expect(adjustment.sourceKey).toMatch(/^adjust:[0-9a-f-]{36}$/);
    const after = await balance(customerId);
    expect(after.available).toBe(before.available - 10);
    await expect.poll(() => card.textContent()).toContain(`Available${grouped(after.available)}`);
    mkdirSync("tmp/screenshots", { recursive: true });
    await card.getByRole("heading", { name: "Points", exact: true }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: "tmp/screenshots/customer-points-en.png", fullPage: true });
    expect(errors).toEqual([]);
  }, 60_000);
});

describe("the liability page", () => {
  it("shows the outstanding points, their value at the reward's rate and the months, and downloads the CSV", async () => {
    const { page, errors } = await newPage();
    await page.goto(url("/app/points/liability"), { waitUntil: "networkidle" });
    await expect.poll(() => page.getByRole("heading", { name: "Points liability" }).count()).toBe(1);
    const report = await pointsLiability(SHOP);
    expect(report.outstanding.total).toBeGreaterThan(0);
    const text = (await page.locator("main, body").first().textContent())!;
    expect(text).toContain(grouped(report.outstanding.total));
    // 500 points for $5.00: a cent a point
    expect(report.valueMinor).toBe(report.outstanding.total);
    expect(text).toContain(
      `$${grouped(Math.floor(report.outstanding.total / 100))}.${String(report.outstanding.total % 100).padStart(2, "0")}`,
    );
    expect(text).toContain("Rate: $5 off, $5.00 for 500 points");
    // Breakage from this shop's history: expired ÷ (expired + redeemed), in percent with up to two decimals
    expect(report.totals.redeemed).toBeGreaterThan(0);
    const percent =
      Math.floor((report.totals.expired * 10_000) / (report.totals.expired + report.totals.redeemed)) / 100;
    expect(text).toContain(`${percent}%`);
    const rows = page.locator(".Polaris-DataTable__TableRow");
    expect(await rows.count()).toBe(report.months.length);
    const newest = report.months[report.months.length - 1];
    expect(await rows.first().textContent()).toContain(newest.month);
    await page.screenshot({ path: "tmp/screenshots/points-liability-en.png", fullPage: true });

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download CSV" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^points-liability-\d{4}-\d\d-\d\d\.csv$/);
    const csv = readFileSync((await download.path())!, "utf8").split("\n");
    expect(csv[0]).toBe("month,earned,redeemed,expired,clawed_back,lost,adjusted,imported");
    // Each month's line written out here from the report's figures
    report.months.forEach((m, i) =>
      expect(csv[i + 1]).toBe(
        [m.month, m.earned, m.redeemed, m.expired, m.clawedBack, m.lost, m.adjusted, m.imported].join(","),
      ),
    );
    expect(csv).toContain(`outstanding_points,${report.outstanding.total}`);
    expect(csv).toContain("rate_reward,$5 off");
    expect(errors).toEqual([]);
  }, 60_000);
});

describe("in Thai", () => {
  it("the Points card and the liability page speak Thai when Shopify admin does", async () => {
    const { page, errors } = await newPage("th-TH");
    await page.goto(url(`/app/customers/${customerId.split("/").pop()}`, { locale: "th" }), {
      waitUntil: "networkidle",
    });
    await expect.poll(() => page.getByRole("heading", { name: "คะแนน", exact: true }).count()).toBe(1);
    expect(await page.getByRole("button", { name: "บันทึกการปรับคะแนน" }).count()).toBe(1);
    expect(await page.getByText("ปรับโดยพนักงาน", { exact: false }).count()).toBeGreaterThan(0);
    await page.screenshot({ path: "tmp/screenshots/customer-points-th.png", fullPage: true });
    await page.goto(url("/app/points/liability", { locale: "th" }), { waitUntil: "networkidle" });
    await expect.poll(() => page.getByRole("heading", { name: "ภาระคะแนนสะสม" }).count()).toBe(1);
    expect(await page.getByText("คะแนนคงค้าง").count()).toBe(1);
    await page.screenshot({ path: "tmp/screenshots/points-liability-th.png", fullPage: true });
    expect(errors).toEqual([]);
  }, 60_000);
});

// The storefront block as a shopper sees it: rendered from its Liquid (the unit test's storefront filters) for a
// member mid-way with points (pending and expiring soon), the top tier in a shop without points, a customer with
// points and no tier, and a guest, in English and Thai, inside a plain HTML page in Chromium with the block's own
// stylesheet. Screenshot: docs/screenshots/storefront-block.png.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { pointsMetafield, tierMetafields, type PointsStatusJson } from "../../app/domain/sync";
import { defaultTierProgram } from "../../app/domain/tier-rules";
import { newPage } from "../support/browser";
import { storefront } from "../support/storefront";

const BLOCK = readFileSync("extensions/loyalty-theme/blocks/loyalty-status.liquid", "utf8");
const CSS = readFileSync("extensions/loyalty-theme/assets/loyalty-status.css", "utf8");
// Silver and Gold give perks automatically, Platinum 15 % as a code.
const base = defaultTierProgram("USD");
const program = {
  ...base,
  tiers: base.tiers.map((t) =>
    t.key === "silver"
      ? { ...t, perks: { ...t.perks, discountPercent: 5 } }
      : t.key === "gold"
        ? { ...t, perks: { ...t.perks, discountPercent: 10, freeShipping: true } }
        : t.key === "platinum"
          ? { ...t, perks: { ...t.perks, discountPercent: 15, delivery: "code" as const, customText: "Early access" } }
          : t,
  ),
};
const status = (tier: string, spend: number, next: string | null, toNext: number | null) => ({
  value: JSON.parse(
    tierMetafields(
      {
        customerId: "c",
        segment: "loyal",
        tier,
        spendInWindowMinor: spend,
        nextTier: next,
        amountToNextMinor: toNext,
        tierExpiresAt: Date.parse("2027-03-01T00:00:00Z"),
      },
      program,
      "USD",
    )!.status,
  ),
});
/** The points metafield exactly as the sync writes it. */
const points = (value: PointsStatusJson) => ({ value: JSON.parse(pointsMetafield(value)!) });
const settings = {
  heading: "",
  accent_color: "#1f5199",
  show_spend: true,
  show_progress: true,
  show_expiry: true,
  show_points: true,
  perks: "",
};

describe("storefront block in a browser", () => {
  it("renders every state readably, with no script", async () => {
    const cells: string[] = [];
    for (const locale of ["en", "th"] as const) {
      for (const customer of [
        {
          metafields: {
            app: {
              status: status("silver", 40_000, "gold", 35_000),
              points: points({
                available: 1250,
                pending: 45,
                next_available: { points: 30, at: "2027-03-31T10:00:00.000Z" },
                expiring: { points: 100, at: "2027-04-10T00:00:00.000Z" },
                rewards_affordable: 2,
                next_reward: { title: "$25 gift card", points_price: 2500, points_needed: 1250 },
              }),
            },
          },
        },
        { metafields: { app: { status: status("platinum", 250_000, null, null) } } },
        {
          metafields: {
            app: {
              points: points({
                available: 1,
                pending: 80,
                next_available: { points: 80, at: "2027-02-14T09:00:00.000Z" },
                expiring: null,
                rewards_affordable: 0,
                next_reward: { title: "Free shipping", points_price: 300, points_needed: 299 },
              }),
            },
          },
        },
        null,
      ]) {
        const html = await storefront(locale, "${{amount}}").parseAndRender(BLOCK, {
          customer,
          block: { id: `b${cells.length}`, settings },
          routes: { account_login_url: "/account/login", root_url: "/" },
        });
        cells.push(`<div class="cell" lang="${locale}">${html}</div>`);
      }
    }
    const { page, errors } = await newPage();
    await page.setContent(
      `<!doctype html><html><head><meta charset="utf-8"><title>Loyalty status block</title><style>${CSS} body{font-family:system-ui,sans-serif;padding:16px} .grid{display:grid;grid-template-columns:repeat(4,1fr);gap:16px}</style></head><body><div class="grid">${cells.join("")}</div></body></html>`,
    );
    expect(await page.locator("script").count()).toBe(0);
    expect(await page.locator(".loyalty-status").count()).toBe(8);
    expect(await page.getByText("You are a Silver member.").count()).toBe(1);
    expect(await page.getByText("คุณอยู่ในระดับสูงสุดแล้ว ขอบคุณ!").count()).toBe(1);
    expect(await page.getByText("Your perks: 5% off every order").count()).toBe(1);
    expect(await page.getByText("Reach Gold for: 10% off every order · Free shipping").count()).toBe(1);
    expect(await page.locator("code", { hasText: "PLATINUM-15" }).count()).toBe(2);
    // Every block links to the loyalty page; the member who can redeem two rewards gets a second link (en, th)
    expect(await page.locator('a[href="/apps/loyalty"]').count()).toBe(10);
    // Points: the member's balance, pending and expiring; the points-only customer's; none for the top tier's shop
    expect(await page.getByText("You have 1250 points.").count()).toBe(1);
    expect(await page.getByText("Pending points: 45 (30 available from March 31, 2027)").count()).toBe(1);
    expect(await page.getByText("Points expiring on April 10, 2027: 100").count()).toBe(1);
    expect(await page.getByText("You have 1 point.").count()).toBe(1);
    expect(await page.getByText("คุณมี 1250 คะแนน").count()).toBe(1);
    expect(await page.getByText("คะแนนที่จะหมดอายุในวันที่ 10 เมษายน 2570: 100").count()).toBe(1);
    expect(await page.locator(".loyalty-status__points").count()).toBe(4);
    // The rewards: how many the balance redeems now, and what the next one still needs
    expect(await page.getByText("You can redeem 2 rewards.").count()).toBe(1);
    expect(await page.getByText("คุณแลกของรางวัลได้ 2 รายการ").count()).toBe(1);
    expect(await page.getByText("1250 more points for $25 gift card.").count()).toBe(1);
    expect(await page.getByText("299 more points for Free shipping.").count()).toBe(1);
    expect(await page.getByText("อีก 299 คะแนน แลก Free shipping ได้").count()).toBe(1);
    expect(await page.getByText("Place your first order").count()).toBe(0);
    const bar = await page.locator(".loyalty-status__bar").first().boundingBox();
    const track = await page.locator(".loyalty-status__progress").first().boundingBox();
    expect(Math.round((100 * bar!.width) / track!.width)).toBe(53);
    await page.screenshot({ path: "docs/screenshots/storefront-block.png", fullPage: true });
    expect(errors).toEqual([]);
  });
});

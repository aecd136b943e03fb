// Every admin page, in English and Thai, in real Chromium: it renders with the shop's data, axe-core finds no
// serious or critical accessibility violation, and a screenshot is saved (tmp/screenshots/pages/).
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { seriousViolations } from "../support/axe";
import { newPage } from "../support/browser";
import { startScoredShop } from "../support/scored-shop";

const SHOP = "a11y-shop.myshopify.com";
let url: Awaited<ReturnType<typeof startScoredShop>>["url"];
let customerPath = "";

beforeAll(async () => {
  ({ url } = await startScoredShop(SHOP, { seed: 47, customers: 60, asOf: new Date("2026-11-01T00:00:00.000Z") }));
  const someone = await prisma.customerState.findFirstOrThrow({
    where: { shop: SHOP, tier: { not: null } },
    orderBy: { customerId: "asc" },
  });
  customerPath = `/app/customers/${someone.customerId.split("/").pop()}`;
});

const PAGES = [
  { name: "dashboard", path: () => "/app", heading: { en: "Loyalty & RFM", th: "สะสมแต้มและ RFM" } },
  { name: "segments", path: () => "/app/segments", heading: { en: "Segments", th: "กลุ่มลูกค้า" } },
  { name: "customers", path: () => "/app/customers", heading: { en: "Customers", th: "ลูกค้า" } },
  { name: "customer", path: () => customerPath, heading: { en: "RFM scores", th: "คะแนน RFM" } },
  { name: "tiers", path: () => "/app/tiers", heading: { en: "Tiers", th: "ระดับสมาชิก" } },
  { name: "analytics", path: () => "/app/analytics", heading: { en: "Analytics", th: "การวิเคราะห์" } },
  { name: "settings", path: () => "/app/settings", heading: { en: "Settings", th: "การตั้งค่า" } },
  { name: "products", path: () => "/app/products", heading: { en: "Products", th: "สินค้า" } },
  {
    name: "points liability",
    path: () => "/app/points/liability",
    heading: { en: "Points liability", th: "ภาระคะแนนสะสม" },
  },
] as const;

describe("admin pages", () => {
  for (const locale of ["en", "th"] as const) {
    for (const p of PAGES) {
      it(`${p.name} (${locale}) renders and has no serious accessibility violation`, async () => {
        const { page, errors } = await newPage(locale === "th" ? "th-TH" : "en-US");
        await page.goto(url(p.path(), { locale }), { waitUntil: "networkidle" });
        await expect.poll(() => page.getByText(p.heading[locale], { exact: true }).count()).toBeGreaterThan(0);
        await page.screenshot({ path: `tmp/screenshots/pages/${p.name}-${locale}.png`, fullPage: true });
        expect(await seriousViolations(page)).toEqual([]);
        expect(errors).toEqual([]);
      });
    }
  }
});

// Campaign pages in real Chromium, English and Thai: a win-back campaign started from its template (a bad holdout
// answered inline first), run against the local Shopify, a code redeemed by a shopper, and the campaign's report
// showing it; recipients as CSV; another shop's campaign is not found; axe finds nothing serious; screenshots.
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { createCampaignFromForm, runCampaigns, templateDefinition } from "../../app/services/campaigns.server";
import { campaignFormValues } from "../../app/domain/campaigns";
import { seriousViolations } from "../support/axe";
import { newPage } from "../support/browser";
import { startScoredShop } from "../support/scored-shop";

const SHOP = "campaign-pages.myshopify.com";
const OTHER = "someone-else.myshopify.com";
const AS_OF = new Date("2026-11-01T00:00:00.000Z");
let env: Awaited<ReturnType<typeof startScoredShop>>["env"];
let url: Awaited<ReturnType<typeof startScoredShop>>["url"];
let campaignId = "";

const clientFor = (shop: string) => env.clientFor(shop);

beforeAll(async () => {
  ({ env, url } = await startScoredShop(SHOP, { seed: 53, customers: 80, asOf: AS_OF }));
});

describe("Campaign pages", () => {
  it("start a win-back campaign from its template, refusing a bad holdout inline", async () => {
    const { page, errors, refused } = await newPage();
    await page.goto(url("/app/campaigns"), { waitUntil: "networkidle" });
    await expect.poll(() => page.getByText("Start from a template", { exact: true }).count()).toBe(1);
    expect(await page.getByText("No campaigns yet").count()).toBe(1);
    await page.getByRole("button", { name: "Use template: Win-back" }).click();
    await expect.poll(() => page.getByRole("heading", { name: "New campaign" }).count()).toBeGreaterThan(0);
    expect(await page.getByLabel("Name").inputValue()).toBe("Win-back");
    await page.getByLabel("Holdout").fill("80");
    await page.getByRole("button", { name: "Start campaign" }).click();
    await expect.poll(() => page.getByText("Enter a number from 0 to 50.").count()).toBe(1);
    expect(await prisma.campaign.count({ where: { shop: SHOP } })).toBe(0);
    await page.getByLabel("Holdout").fill("20");
    await page.getByRole("button", { name: "Start campaign" }).click();
    await expect.poll(() => page.url()).toMatch(/\/app\/campaigns\/[0-9a-f-]{36}/);
    campaignId = (await prisma.campaign.findFirstOrThrow({ where: { shop: SHOP } })).id;
    expect(page.url()).toContain(campaignId);
    // Saving queued a run of the shop's campaigns
    expect(await prisma.job.count({ where: { shop: SHOP, kind: "campaigns", state: "queued" } })).toBe(1);
    // The refused form was answered 400 (the browser logs that), and nothing else went wrong
    expect(errors).toEqual([]);
    expect(refused).toEqual([400]);
  });

  it("show what the campaign issued and a redemption, in English and Thai, with no serious accessibility violation", async () => {
    // Given the run the queued job does, and a recipient who redeems their code at the simulated checkout
    const run = await runCampaigns(SHOP, { client: await clientFor(SHOP) });
    expect(run.issued).toBeGreaterThan(0);
    const recipient = await prisma.campaignRecipient.findFirstOrThrow({
      where: { shop: SHOP, campaignId, holdout: false },
      orderBy: { id: "asc" },
    });
    const inAMinute = new Date(Date.now() + 60_000).toISOString();
    env.shopify.admin.placeOrder(SHOP, {
      customerId: recipient.customerId,
      total: "90.00",
      totalDiscounts: "10.00",
      discountCodes: [recipient.code!],
      processedAt: inAMinute,
    });
    await env.shopify.webhooks.drain();
    await expect
      .poll(() => prisma.order.count({ where: { shop: SHOP, discountCodes: { contains: recipient.code! } } }))
      .toBe(1);

    for (const locale of ["en", "th"] as const) {
      const { page, errors } = await newPage(locale === "th" ? "th-TH" : "en-US");
      await page.goto(url("/app/campaigns", { locale }), { waitUntil: "networkidle" });
      await expect.poll(() => page.getByRole("link", { name: "Win-back" }).count()).toBe(1);
      await page.screenshot({ path: `tmp/screenshots/pages/campaigns-${locale}.png`, fullPage: true });
      expect(await seriousViolations(page)).toEqual([]);
      await page.getByRole("link", { name: "Win-back" }).click();
      const redeemed = locale === "en" ? "Redeemed" : "ใช้แล้ว";
      await expect.poll(() => page.getByRole("cell", { name: redeemed, exact: true }).count()).toBe(1);
      expect(await page.getByRole("cell", { name: recipient.code!, exact: true }).count()).toBe(1);
      await page.screenshot({ path: `tmp/screenshots/pages/campaign-${locale}.png`, fullPage: true });
      expect(await seriousViolations(page)).toEqual([]);
      expect(errors).toEqual([]);
    }
  });

  it("download every member with their code as CSV", async () => {
    const { page, errors } = await newPage();
    await page.goto(url(`/app/campaigns/${campaignId}`), { waitUntil: "networkidle" });
    await expect.poll(() => page.getByRole("button", { name: "Download CSV" }).count()).toBe(1);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download CSV" }).click(),
    ]);
    const text = await (await download.createReadStream())
      .toArray()
      .then((chunks) => Buffer.concat(chunks).toString("utf8"));
    const lines = text.trim().split("\n");
    expect(lines[0]).toBe("customer_id,group,variant,assigned_at,code,expires_at,issued,redeemed,failure");
    expect(lines.length - 1).toBe(await prisma.campaignRecipient.count({ where: { shop: SHOP, campaignId } }));
    expect(lines.filter((l) => l.includes(",recipient,") && l.endsWith(",yes,yes,"))).toHaveLength(1);
    expect(errors).toEqual([]);
  });

  it("edit, pause a campaign, and find no campaign of another shop", async () => {
    const { page, errors } = await newPage();
    await page.goto(url(`/app/campaigns/${campaignId}`), { waitUntil: "networkidle" });
    await page.getByLabel("At most once per").fill("120");
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect.poll(() => page.getByText("Campaign saved", { exact: true }).count()).toBe(1);
    expect((await prisma.campaign.findFirstOrThrow({ where: { id: campaignId } })).cooldownDays).toBe(120);
    await page.getByRole("button", { name: "Pause" }).click();
    await expect
      .poll(async () => (await prisma.campaign.findFirstOrThrow({ where: { id: campaignId } })).status)
      .toBe("paused");
    await expect.poll(() => page.getByRole("button", { name: "Resume" }).count()).toBe(1);
    expect(errors).toEqual([]);
    // Another shop's campaign, asked for by id from this shop's admin
    const other = await createCampaignFromForm(
      OTHER,
      campaignFormValues(await templateDefinition(OTHER, "welcome"), "USD"),
    );
    if (!other.ok) throw new Error("could not create the other shop's campaign");
    // (fetched from inside the admin, so App Bridge adds this shop's session token)
    const status = await page.evaluate(
      async (path) => (await fetch(path)).status,
      `/app/campaigns/${other.campaign.id}/csv`,
    );
    expect(status).toBe(404);
    expect(await page.evaluate(async (path) => (await fetch(path)).status, `/app/campaigns/${other.campaign.id}`)).toBe(
      404,
    );
    const { page: second } = await newPage();
    await second.goto(url(`/app/campaigns/${other.campaign.id}`), { waitUntil: "networkidle" });
    await expect.poll(() => second.getByText("Error 404").count()).toBe(1);
    expect(await prisma.campaign.findFirstOrThrow({ where: { id: other.campaign.id } })).toMatchObject({
      shop: OTHER,
      status: "active",
    });
  });
});

describe("Sign-up audience and the report by group", () => {
  it("offer the sign-up audience in the new-campaign form (welcome template) and save it, in English and Thai", async () => {
    for (const locale of ["en", "th"] as const) {
      const { page, errors } = await newPage(locale === "th" ? "th-TH" : "en-US");
      await page.goto(url("/app/campaigns", { locale }), { waitUntil: "networkidle" });
      await page
        .getByRole("button", { name: locale === "en" ? "Use template: Welcome" : /Welcome|ต้อนรับ/ })
        .first()
        .click();
      const includeLabel =
        locale === "en"
          ? "Include customers who signed up before the campaign started"
          : "รวมลูกค้าที่สมัครก่อนแคมเปญเริ่ม";
      await expect.poll(() => page.getByLabel(includeLabel).count()).toBe(1);
      const audience = page.getByLabel(locale === "en" ? "Audience" : "กลุ่มเป้าหมาย", { exact: true });
      expect(await audience.inputValue()).toBe("signup");
      await page.screenshot({ path: `docs/screenshots/campaign-signup-form-${locale}.png`, fullPage: true });
      expect(await seriousViolations(page)).toEqual([]);
      if (locale === "en") {
        await page.getByLabel(includeLabel).check();
        await page.getByRole("button", { name: "Start campaign" }).click();
        await expect.poll(() => page.url()).toMatch(/\/app\/campaigns\/[0-9a-f-]{36}/);
        const saved = await prisma.campaign.findFirstOrThrow({ where: { shop: SHOP, name: "Welcome" } });
        expect(JSON.parse(saved.audience)).toEqual({ kind: "signup", marketingOnly: false });
        expect(saved.includeExisting).toBe(true);
      }
      expect(errors).toEqual([]);
    }
  });

  it("show a sign-up campaign's first orders within N days of sign-up, in English and Thai", async () => {
    // Given the welcome campaign saved above (existing sign-ups included) run against the local Shopify
    const welcome = await prisma.campaign.findFirstOrThrow({ where: { shop: SHOP, name: "Welcome" } });
    await prisma.campaign.updateMany({ where: { shop: SHOP, id: { not: welcome.id } }, data: { status: "paused" } });
    await runCampaigns(SHOP, { client: await clientFor(SHOP) });
    const members = await prisma.campaignRecipient.findMany({ where: { shop: SHOP, campaignId: welcome.id } });
    expect(members.length).toBeGreaterThan(0);
    for (const locale of ["en", "th"] as const) {
      const { page, errors } = await newPage(locale === "th" ? "th-TH" : "en-US");
      await page.goto(url(`/app/campaigns/${welcome.id}`, { locale }), { waitUntil: "networkidle" });
      const title = locale === "en" ? "First order within 30 days of sign-up" : "คำสั่งซื้อแรกภายใน 30 วันหลังสมัคร";
      await expect.poll(() => page.getByRole("heading", { name: title }).count()).toBe(1);
      await page
        .locator("#campaign-groups")
        .screenshot({ path: `docs/screenshots/campaign-signup-report-${locale}.png` });
      expect(await seriousViolations(page)).toEqual([]);
      expect(errors).toEqual([]);
    }
  });

  it("show who responded by segment and tier on the win-back report, in English and Thai", async () => {
    const members = await prisma.campaignRecipient.findMany({ where: { shop: SHOP, campaignId } });
    const segments = new Set(members.map((m) => m.segment));
    expect(segments.size).toBeGreaterThan(0);
    for (const locale of ["en", "th"] as const) {
      const { page, errors } = await newPage(locale === "th" ? "th-TH" : "en-US");
      await page.goto(url(`/app/campaigns/${campaignId}`, { locale }), { waitUntil: "networkidle" });
      const title = locale === "en" ? "Who responds" : "ใครตอบสนอง";
      await expect.poll(() => page.getByRole("heading", { name: title }).count()).toBe(1);
      const card = page.locator("#campaign-groups");
      // One row per segment recorded at assignment (plus the heading row), in each table
      const tables = card.locator("table");
      expect(await tables.count()).toBe(2);
      expect(await tables.nth(0).locator("tbody tr").count()).toBe(segments.size);
      await card.screenshot({ path: `docs/screenshots/campaign-by-group-${locale}.png` });
      expect(await seriousViolations(page)).toEqual([]);
      expect(errors).toEqual([]);
    }
  });
});

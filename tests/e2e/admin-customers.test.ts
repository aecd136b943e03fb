// The admin's Customers page in real Chromium, embedded through the App Bridge double, on a backfilled and scored
// shop: a page of customers from the server, search, segment filter, sort, paging, and Thai when Shopify admin
// speaks Thai. Screenshots go to tmp/screenshots (the chosen ones are copied to docs/screenshots by hand).
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { loadState } from "../../app/models/customer-state.server";
import { newPage } from "../support/browser";
import { startScoredShop } from "../support/scored-shop";

const SHOP = "customers-page.myshopify.com";
let url: Awaited<ReturnType<typeof startScoredShop>>["url"];

beforeAll(async () => {
  ({ url } = await startScoredShop(SHOP, { seed: 41, customers: 120, asOf: new Date("2026-11-01T00:00:00.000Z") }));
});

describe("Customers page", () => {
  it("lists the first 50 customers by most recent order, with segment, tier and R·F·M", async () => {
    const { page, errors, offline } = await newPage();
    await page.goto(url("/app/customers"), { waitUntil: "networkidle" });
    await expect.poll(() => page.getByRole("heading", { name: "Customers" }).count()).toBeGreaterThan(0);
    const total = await prisma.customerState.count({ where: { shop: SHOP } });
    expect(await page.getByText(`${total} customers`).count()).toBe(1);
    const rows = page.locator(".Polaris-IndexTable__TableRow");
    expect(await rows.count()).toBe(50);
    // The first row is the customer with the most recent order, as the database says
    const first = await prisma.customerState.findFirstOrThrow({
      where: { shop: SHOP },
      orderBy: [{ lastOrderAt: "desc" }, { customerId: "asc" }],
    });
    const customer = await prisma.customer.findUniqueOrThrow({
      where: { shop_id: { shop: SHOP, id: first.customerId } },
    });
    await expect.poll(() => rows.first().textContent()).toContain(customer.email!);
    expect(await rows.first().textContent()).toContain(`${first.r} · ${first.f} · ${first.m}`);
    await page.screenshot({ path: "tmp/screenshots/customers-en.png" });
    expect(errors).toEqual([]);
    // Nothing from the internet but the library's bounce page preload of Shopify's CDN App Bridge
    expect(offline.filter((u) => u !== "https://cdn.shopify.com/shopifycloud/app-bridge.js")).toEqual([]);
  });

  it("filters by segment, searches and pages on the server, keeping the query in the URL", async () => {
    const { page, errors } = await newPage();
    const champions = await prisma.customerState.count({ where: { shop: SHOP, segment: "champions" } });
    expect(champions).toBeGreaterThan(0);
    await page.goto(url("/app/customers", { segment: "champions" }), { waitUntil: "networkidle" });
    await expect.poll(() => page.getByText(`${champions} customer`, { exact: false }).count()).toBeGreaterThan(0);
    expect(await page.locator(".Polaris-IndexTable__TableRow").count()).toBe(Math.min(50, champions));

    // Search by a customer's email: typed into the search field
    const someone = await prisma.customer.findFirstOrThrow({
      where: { shop: SHOP, email: { not: null } },
      orderBy: { id: "asc" },
    });
    await page.goto(url("/app/customers"), { waitUntil: "networkidle" });
    await page.getByPlaceholder("Search by name or email").fill(someone.email!);
    await expect.poll(() => new URL(page.url()).searchParams.get("search")).toBe(someone.email);
    await expect.poll(() => page.locator(".Polaris-IndexTable__TableRow").count()).toBe(1);

    // Page 2 of everyone, most spend first
    await page.goto(url("/app/customers", { sort: "monetary", page: "2" }), { waitUntil: "networkidle" });
    const third = await prisma.customerState.findMany({
      where: { shop: SHOP },
      orderBy: [{ monetaryMinor: { sort: "desc", nulls: "last" } }, { customerId: "asc" }],
      skip: 50,
      take: 1,
    });
    const who = await prisma.customer.findUniqueOrThrow({
      where: { shop_id: { shop: SHOP, id: third[0].customerId } },
    });
    await expect.poll(() => page.locator(".Polaris-IndexTable__TableRow").first().textContent()).toContain(who.email!);

    // Keyset paging (docs/customer-list.md): Next carries the last row's cursor, Previous the first row's
    const bySpend = await prisma.customerState.findMany({
      where: { shop: SHOP },
      orderBy: [{ monetaryMinor: { sort: "desc", nulls: "last" } }, { customerId: "asc" }],
      select: { customerId: true },
    });
    const emailOf = async (i: number) =>
      (
        await prisma.customer.findUniqueOrThrow({
          where: { shop_id: { shop: SHOP, id: bySpend[i].customerId } },
        })
      ).email!;
    const firstRow = () => page.locator(".Polaris-IndexTable__TableRow").first().textContent();
    await page.goto(url("/app/customers", { sort: "monetary" }), { waitUntil: "networkidle" });
    await page.getByRole("button", { name: "Next" }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get("after")).not.toBeNull();
    await expect.poll(firstRow).toContain(await emailOf(50));
    expect(new URL(page.url()).searchParams.get("page")).toBe("2");
    await page.getByRole("button", { name: "Next" }).click();
    await expect.poll(firstRow).toContain(await emailOf(100));
    expect(await page.locator(".Polaris-IndexTable__TableRow").count()).toBe(bySpend.length - 100);
    await page.getByRole("button", { name: "Previous" }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get("before")).not.toBeNull();
    await expect.poll(firstRow).toContain(await emailOf(50));
    await page.getByRole("button", { name: "Previous" }).click();
    await expect.poll(firstRow).toContain(await emailOf(0));
    expect(await page.getByRole("button", { name: "Previous" }).isDisabled()).toBe(true);

    // Nonsense in the URL is ignored, not an error page
    const response = await page.goto(
      url("/app/customers", { sort: "nope", page: "-3", segment: "<script>", tier: "Gold Tier!" }),
      { waitUntil: "networkidle" },
    );
    expect(response?.status()).toBe(200);
    expect(await page.locator(".Polaris-IndexTable__TableRow").count()).toBe(50);
    expect(errors).toEqual([]);
  });

  it("speaks Thai when Shopify admin does, with Thai numbers and money formatting", async () => {
    const { page, errors } = await newPage("th-TH");
    await page.goto(url("/app/customers", { locale: "th" }), { waitUntil: "networkidle" });
    await expect.poll(() => page.getByRole("heading", { name: "ลูกค้า" }).count()).toBeGreaterThan(0);
    expect(await page.getByText("คำสั่งซื้อล่าสุด").count()).toBeGreaterThan(0);
    expect(await page.getByPlaceholder("ค้นหาด้วยชื่อหรืออีเมล").count()).toBe(1);
    // The count in Thai words ("ลูกค้า 120 ราย": customers, 120, classifier)
    const total = await prisma.customerState.count({ where: { shop: SHOP } });
    expect(await page.getByText(`ลูกค้า ${total} ราย`, { exact: true }).count()).toBe(1);
    // The biggest spender, searched for: spend as the Thai locale writes US dollars ("US$1,234.50", written out here
    // by hand from the cents), orders and days since the last order in Thai
    const top = await prisma.customerState.findFirstOrThrow({
      where: { shop: SHOP, monetaryMinor: { not: null } },
      orderBy: [{ monetaryMinor: "desc" }, { customerId: "asc" }],
    });
    const cents = Number(top.monetaryMinor);
    expect(cents).toBeGreaterThanOrEqual(100_000); // $1,000 or more: the thousands separator is checked too
    const usd = `US$${String(Math.floor(cents / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${String(cents % 100).padStart(2, "0")}`;
    const { email } = await prisma.customer.findUniqueOrThrow({
      where: { shop_id: { shop: SHOP, id: top.customerId } },
    });
    await page.getByPlaceholder("ค้นหาด้วยชื่อหรืออีเมล").fill(email!);
    await expect.poll(() => page.getByText("ลูกค้า 1 ราย", { exact: true }).count()).toBe(1);
    const row = page.locator(".Polaris-IndexTable__TableRow").first();
    expect(await row.textContent()).toContain(usd);
    // Recency is derived, not stored (docs/decisions/0009): read as the app reads a state.
    const days = (await loadState(SHOP, top.customerId))!.recencyDays;
    expect(await row.textContent()).toContain(days === 0 ? "วันนี้" : `${days} วันที่แล้ว`);
    await page.screenshot({ path: "tmp/screenshots/customers-th.png" });
    // Navigating inside the app keeps Thai (Shopify's locale parameter is only on the first load)
    await row.getByRole("link").first().click();
    const orders = await prisma.order.count({ where: { shop: SHOP, customerId: top.customerId, deletedAt: null } });
    await expect.poll(() => page.getByText(`คำสั่งซื้อ ${orders} รายการในบัญชีข้อมูล`).count()).toBe(1);
    expect(errors).toEqual([]);
  });

  it("opens a customer: scores with raw values and why, tier and progress, history, orders", async () => {
    const { page, errors } = await newPage();
    const state = await prisma.customerState.findFirstOrThrow({
      where: { shop: SHOP, nextTier: { not: null }, r: { not: null } },
      orderBy: { customerId: "asc" },
    });
    const legacy = state.customerId.split("/").pop()!;
    await page.goto(url(`/app/customers/${legacy}`), { waitUntil: "networkidle" });
    await expect.poll(() => page.getByText(`R ${state.r}`, { exact: true }).count()).toBe(1);
    expect(await page.getByText(`F ${state.f}`, { exact: true }).count()).toBe(1);
    expect(await page.getByText(`M ${state.m}`, { exact: true }).count()).toBe(1);
    expect(await page.getByText(/Each score compares the customer with the \d+ customers scored/).count()).toBe(1);
    expect(await page.getByText(/more to reach/).count()).toBe(1);
    const orders = await prisma.order.count({ where: { shop: SHOP, customerId: state.customerId, deletedAt: null } });
    expect(await page.getByText(`${orders} order${orders === 1 ? "" : "s"} in the ledger`).count()).toBe(1);
    expect(await page.getByText(/first scoring/).count()).toBeGreaterThan(0);
    await page.screenshot({ path: "tmp/screenshots/customer-en.png", fullPage: true });
    expect(errors).toEqual([]);
  });

  it("clicking a customer in the list opens them; an id this shop does not have is a 404 page saying so, not an error", async () => {
    const { page, errors, refused } = await newPage();
    await page.goto(url("/app/customers"), { waitUntil: "networkidle" });
    await page.locator(".Polaris-IndexTable__TableRow").first().getByRole("link").click();
    await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/app\/customers\/\d+$/);
    await expect.poll(() => page.getByText("RFM scores").count()).toBe(1);
    await page.goto(url("/app/customers/999999999"), { waitUntil: "networkidle" });
    expect(await page.getByText("No such customer").count()).toBeGreaterThan(0);
    // The page is answered 404 (the browser logs that), and nothing else went wrong
    expect(errors).toEqual([]);
    expect(refused).toEqual([404]); // the unknown id, answered 404
  });
});

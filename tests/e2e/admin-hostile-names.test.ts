// HTML in a customer's name, in real Chromium: the Customers list and the customer's page show the name as literal
// text; no element is injected and no script from it runs (server render and client hydration alike).
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { newPage } from "../support/browser";
import { startScoredShop } from "../support/scored-shop";

const SHOP = "hostile-names.myshopify.com";
const FIRST = "<img src=x onerror=window.__xss=1>";
const LAST = `<script>window.__xss=2</script>`;
let url: Awaited<ReturnType<typeof startScoredShop>>["url"];
let customerNumber = "";

beforeAll(async () => {
  const started = await startScoredShop(SHOP, { seed: 71, customers: 30, asOf: new Date("2026-11-01T00:00:00.000Z") });
  url = started.url;
  // Given a customer whom the shop (or the shopper, at checkout) named with markup, as Shopify reports it
  const state = await prisma.customerState.findFirstOrThrow({
    where: { shop: SHOP, r: { not: null } },
    orderBy: { customerId: "asc" },
  });
  started.env.shopify.admin.updateCustomer(SHOP, state.customerId, { firstName: FIRST, lastName: LAST });
  await started.env.shopify.webhooks.drain();
  const held = await prisma.customer.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: state.customerId } } });
  expect(held.firstName).toBe(FIRST);
  customerNumber = state.customerId.split("/").pop()!;
});

/** Elements the name would have injected, and whether its script ran. */
const injected = (page: Awaited<ReturnType<typeof newPage>>["page"]) =>
  page.evaluate(() => ({
    images: document.querySelectorAll('img[src="x"]').length,
    scripts: [...document.querySelectorAll("script")].filter((s) => s.textContent?.includes("__xss")).length,
    ran: (window as { __xss?: unknown }).__xss ?? null,
  }));

describe("a customer named with HTML", () => {
  it("shows in the Customers list as the literal text, injecting nothing", async () => {
    const { page, errors } = await newPage();
    // When the merchant searches for them
    await page.goto(url("/app/customers", { search: "onerror" }), { waitUntil: "networkidle" });
    // Then the row shows the name as typed, character for character
    await expect.poll(() => page.locator(".Polaris-IndexTable__TableRow").count()).toBe(1);
    expect(await page.locator(".Polaris-IndexTable__TableRow").first().textContent()).toContain(`${FIRST} ${LAST}`);
    // And no element came from it, and nothing ran
    expect(await injected(page)).toEqual({ images: 0, scripts: 0, ran: null });
    expect(errors).toEqual([]);
  });

  it("shows on the customer's page as the literal text, injecting nothing", async () => {
    const { page, errors } = await newPage();
    await page.goto(url(`/app/customers/${customerNumber}`), { waitUntil: "networkidle" });
    await expect.poll(() => page.getByRole("heading", { name: `${FIRST} ${LAST}` }).count()).toBeGreaterThan(0);
    expect(await injected(page)).toEqual({ images: 0, scripts: 0, ran: null });
    expect(errors).toEqual([]);
  });
});

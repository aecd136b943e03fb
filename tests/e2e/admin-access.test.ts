// The dashboard when Shopify says no: installed without protected customer data approval and without
// read_all_orders, the backfill is parked; the merchant sees what is paused or limited, what to do and who can do it,
// in English and Thai; after approval, "Check again" resumes the work and the banner goes.
import { readFileSync } from "node:fs";
import { parse as parseToml } from "smol-toml";
import { beforeAll, describe, expect, it } from "vitest";
import { adminHostParam } from "../../simulator/app-bridge/session-token";
import { APP_APPROVAL } from "../support/approval";
import { seriousViolations } from "../support/axe";
import { newPage } from "../support/browser";
import { openApp, startLocalShopifyAndApp, testShopRecord } from "../support/local-shopify";
import { testQueue } from "../support/queue";

const SHOP = "needs-access.myshopify.com";
/** Everything the app asks for in shopify.app.toml but read_all_orders. */
const SCOPES = (
  parseToml(readFileSync("shopify.app.toml", "utf8")) as { access_scopes: { scopes: string } }
).access_scopes.scopes
  .split(",")
  .filter((s) => s !== "read_all_orders")
  .join(",");
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;
const url = (pathname: string, locale = "en") =>
  `${env.app.url}${pathname}?${new URLSearchParams({ embedded: "1", shop: SHOP, host: adminHostParam(SHOP), locale })}`;

async function runJobs() {
  // Imported once the local Shopify is up: the handlers import Shopify's library, which reads APP_BRIDGE_URL when
  // first imported (the local App Bridge double, set by startLocalShopifyAndApp).
  const { createJobHandlers } = await import("../../app/jobs/handlers.server");
  const queue = testQueue();
  const worker = queue.work(createJobHandlers({ clientFor: env.clientFor, queue }), { pollMs: 20 });
  await worker.idle();
  await worker.stop();
}

beforeAll(async () => {
  env = await startLocalShopifyAndApp();
  env.shopify.admin.shops.addShop(testShopRecord(SHOP));
  env.shopify.install(SHOP, { scopes: SCOPES, protectedCustomerData: { level: 0 } });
  expect((await openApp(env.app.url, env.shopify, SHOP)).status).toBe(200);
  await runJobs(); // the backfill is refused and parked
});

describe("access Shopify has not given", () => {
  it("the dashboard says what is paused and limited and who can fix it (English)", async () => {
    const { page, errors } = await newPage();
    await page.goto(url("/app"), { waitUntil: "networkidle" });
    await expect.poll(() => page.getByText("Some features are waiting for access from Shopify").count()).toBe(1);
    expect(await page.getByText("Customer and order history").count()).toBe(1);
    expect(
      await page
        .getByText(
          /Shopify refuses customers and orders to this app: its developer requests protected customer data access/,
        )
        .count(),
    ).toBe(1);
    expect(await page.getByText("Orders older than 60 days").count()).toBe(1);
    expect(await page.getByText(/Only the last 60 days of orders can be read/).count()).toBe(1);
    expect(await page.getByText("1 background job waits for this access.").count()).toBe(1);
    expect(await page.getByText("Waiting for access", { exact: true }).count()).toBe(1);
    expect(await page.getByText(/^Details: .*ACCESS_DENIED/).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: "docs/screenshots/access-en.png", fullPage: false });
    expect(errors).toEqual([]);
  });

  it("in Thai when Shopify admin speaks Thai", async () => {
    const { page, errors } = await newPage("th-TH");
    await page.goto(url("/app", "th"), { waitUntil: "networkidle" });
    await expect.poll(() => page.getByText("บางฟีเจอร์กำลังรอสิทธิ์การเข้าถึงจาก Shopify").count()).toBe(1);
    expect(await page.getByText("ประวัติลูกค้าและคำสั่งซื้อ").count()).toBe(1);
    expect(await page.getByRole("button", { name: "ตรวจสอบอีกครั้ง" }).count()).toBe(1);
    await page.screenshot({ path: "docs/screenshots/access-th.png", fullPage: false });
    expect(errors).toEqual([]);
  });

  it("after approval, Check again resumes the import: the history arrives and only the 60-day limit remains", async () => {
    env.shopify.admin.access.approveProtectedCustomerData(SHOP, APP_APPROVAL);
    const { page, errors } = await newPage();
    await page.goto(url("/app"), { waitUntil: "networkidle" });
    await page.getByRole("button", { name: "Check again" }).click();
    await expect.poll(() => page.getByText("1 background job waits for this access.").count()).toBe(0);
    await runJobs();
    await page.reload({ waitUntil: "networkidle" });
    await expect.poll(() => page.getByText("Some features are limited by the app's access").count()).toBe(1);
    expect(await page.getByText("Customer and order history").count()).toBe(0);
    expect(await page.getByText("Orders older than 60 days").count()).toBe(1);
    expect(errors).toEqual([]);
  });
});

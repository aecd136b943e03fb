// The admin before there is anything to show: a shop just installed, its history not imported yet. Every page
// renders and says so (no error, no empty table pretending to be data).
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { backfillJob } from "../../app/jobs/backfill.server";
import { testQueue } from "../support/queue";
import { newPage } from "../support/browser";
import { openApp, startLocalShopifyAndApp, testShopRecord } from "../support/local-shopify";
import { adminHostParam } from "../../simulator/app-bridge/session-token";

const SHOP = "brand-new.myshopify.com";
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;
const url = (pathname: string) =>
  `${env.app.url}${pathname}?${new URLSearchParams({ embedded: "1", shop: SHOP, host: adminHostParam(SHOP) })}`;

beforeAll(async () => {
  env = await startLocalShopifyAndApp();
  env.shopify.admin.shops.addShop(testShopRecord(SHOP));
  env.shopify.install(SHOP);
  expect((await openApp(env.app.url, env.shopify, SHOP)).status).toBe(200); // installed; the backfill is only queued
});

describe("a shop with nothing imported yet", () => {
  it.each([
    ["/app", "Not scored yet: scores follow the backfill."],
    // The import is queued (nobody runs the jobs in this test): the page says it is on its way.
    ["/app/segments", /Importing your store's history: 0 of/],
    ["/app/customers", "No customers yet"],
    ["/app/tiers", "The default programme: edit and save it to make it yours"],
    ["/app/settings", "Nothing to export until customers are scored."],
  ] as [string, string | RegExp][])("%s says there is nothing yet", async (path, text) => {
    const { page, errors } = await newPage();
    const response = await page.goto(url(path), { waitUntil: "networkidle" });
    expect(response?.status()).toBe(200);
    await expect.poll(() => page.getByText(text).count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });

  it("the dashboard follows the import as it runs, without a reload, then shows what needs attention", async () => {
    const { page, errors } = await newPage();
    await page.goto(url("/app"), { waitUntil: "networkidle" });
    await expect.poll(() => page.getByText("Not scored yet: scores follow the backfill.").count()).toBe(1);
    // The import runs now (in this test's worker); the open page polls and shows it done
    const clientFor = env.clientFor;
    const queue = testQueue();
    const worker = queue.work({ backfill: backfillJob({ queue, clientFor }) }, { pollMs: 20 });
    await worker.idle();
    await worker.stop();
    const reloads: string[] = [];
    page.on("framenavigated", (frame) => frame === page.mainFrame() && reloads.push(frame.url()));
    await expect.poll(() => page.getByText("Done", { exact: true }).count(), { timeout: 15_000 }).toBe(1);
    expect(reloads).toEqual([]);

    // Problems: a customer Shopify refused and a job that failed for good
    await prisma.customerSync.create({
      data: {
        shop: SHOP,
        customerId: "gid://shopify/Customer/1",
        failureCode: "tagsAdd.tags",
        failureMessage: "Tags cannot be more than 250.",
        failedAt: new Date(),
        failures: 5,
      },
    });
    await prisma.job.create({
      data: { id: "dead-one", shop: SHOP, kind: "reconcile", state: "dead", lastError: "boom" },
    });
    await page.reload({ waitUntil: "networkidle" });
    await expect.poll(() => page.getByText("Needs your attention").count()).toBe(1);
    expect(await page.getByText("Shopify refused the last write for 1 customer.").count()).toBe(1);
    expect(await page.getByText("1 background job failed for good.").count()).toBe(1);
    expect(errors).toEqual([]);
  });
});

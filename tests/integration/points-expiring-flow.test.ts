// The "Points expiring" Flow trigger through the app's own jobs against the local Shopify (which checks each trigger
// against extensions/flow-points-expiring): sent once by the sync that first writes a points metafield whose
// `expiring` names an expiry instant, never again for that instant (later syncs, more syncs, a manual one).
import { beforeAll, describe, expect, it } from "vitest";
import { DAY_MS } from "../../app/domain/time";
import { CUSTOMER_CHANGED, POINTS_CUSTOMER, POINTS_SHOP, RECOMPUTE_SHOP, SYNC } from "../../app/jobs/contracts";
import { pointsCustomerJob, pointsShopJob } from "../../app/jobs/points.server";
import { customerChangedJob, recomputeShopJob } from "../../app/jobs/recompute.server";
import { syncJob } from "../../app/jobs/sync.server";
import { setPointsStart } from "../../app/services/points.server";
import { syncShop } from "../../app/services/sync.server";
import { createFakeClock } from "../../simulator/admin/index";
import { openApp, startLocalShopifyAndApp, testShopRecord } from "../support/local-shopify";
import { testQueue } from "../support/queue";

const SHOP = "points-expiring-flow.myshopify.com";
const clock = createFakeClock(Date.now());
const now = () => new Date(clock.now());
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;

async function runJobs() {
  const queue = testQueue({ now });
  const worker = queue.work(
    {
      [CUSTOMER_CHANGED]: customerChangedJob({ queue, now }),
      [RECOMPUTE_SHOP]: recomputeShopJob({ queue, now }),
      [POINTS_CUSTOMER]: pointsCustomerJob({ queue, now }),
      [POINTS_SHOP]: pointsShopJob({ queue, now }),
      [SYNC]: syncJob({ clientFor: env.clientFor, now }),
    },
    { pollMs: 20 },
  );
  await worker.idle();
  await worker.stop();
}

async function step(days: number, act: () => void = () => {}) {
  clock.advance(days * DAY_MS);
  act();
  await env.shopify.webhooks.drain();
  await runJobs();
  clock.advance(3_000);
  await runJobs();
}

const expiring = () =>
  env.shopify.admin.shops
    .getShop(SHOP)!
    .flowTriggers.filter((t) => t.handle === "points-expiring")
    .map((t) => t.payload);

beforeAll(async () => {
  env = await startLocalShopifyAndApp({ clock });
  env.shopify.admin.shops.addShop(testShopRecord(SHOP));
  env.shopify.install(SHOP);
  expect((await openApp(env.app.url, env.shopify, SHOP)).status).toBe(200);
  clock.advance(5 * 60_000);
});

describe("Points expiring", () => {
  it("is sent once per expiry instant, by the sync that writes it into the points metafield", async () => {
    const sim = env.shopify.admin;
    await setPointsStart(SHOP, new Date(clock.now() - 60_000), { now });
    const ada = sim.createCustomer(SHOP, { firstName: "Ada", email: "ada@expiring.example" });
    let order!: { id: string; processedAt: string };
    await step(0, () => {
      order = sim.placeOrder(SHOP, { customerId: ada.id, total: "120.00" }) as typeof order;
    });
    await step(30); // available, nothing expiring within 30 days
    expect(expiring()).toEqual([]);

    await step(320); // eleven and a half months after the order
    const day = new Date(Date.parse(order.processedAt)).toISOString().slice(0, 10);
    const at = `${Number(day.slice(0, 4)) + 1}${day.slice(4)}T00:00:00.000Z`;
    const legacy = Number(ada.id.split("/").pop());
    expect(expiring()).toEqual([{ customer_id: legacy, points: "120", "expires at": at }]);

    // More days and syncs before the expiry, and a manual sync: the same instant, not announced again
    await step(3);
    await syncShop(SHOP, { client: await env.clientFor(SHOP), reason: "manual", now });
    expect(expiring()).toHaveLength(1);
  }, 120_000);
});

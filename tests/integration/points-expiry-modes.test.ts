// The two expiry modes (docs/rules.md#points-expiry) through the app's own jobs, the real database and the local
// Shopify: under the default inactivity mode, points imported for a customer who never ordered expire 12 months after
// the import, announced first by the "Points expiring" Flow trigger; under a fixed lifetime, the first order's lot
// expires on its own day less what a removal spent from it (first-expiring-first), announced with that amount.
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { DAY_MS } from "../../app/domain/time";
import { CUSTOMER_CHANGED, POINTS_CUSTOMER, POINTS_SHOP, RECOMPUTE_SHOP, SYNC } from "../../app/jobs/contracts";
import { pointsCustomerJob, pointsShopJob } from "../../app/jobs/points.server";
import { customerChangedJob, recomputeShopJob } from "../../app/jobs/recompute.server";
import { syncJob } from "../../app/jobs/sync.server";
import { adjustPoints } from "../../app/services/points-adjustments.server";
import { applyImport, previewImport } from "../../app/services/points-import.server";
import { derivePoints, savePointsRules, setPointsStart } from "../../app/services/points.server";
import { createFakeClock } from "../../simulator/admin/index";
import { openApp, startLocalShopifyAndApp, testShopRecord } from "../support/local-shopify";
import { testQueue } from "../support/queue";

const IDLE = "points-expiry-inactivity.myshopify.com";
const LIFE = "points-expiry-lifetime.myshopify.com";
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

async function step(days: number, act: () => unknown = () => {}) {
  clock.advance(days * DAY_MS);
  await act();
  await env.shopify.webhooks.drain();
  await runJobs();
  clock.advance(3_000);
  await runJobs();
}

const expiring = (shop: string) =>
  env.shopify.admin.shops
    .getShop(shop)!
    .flowTriggers.filter((t) => t.handle === "points-expiring")
    .map((t) => t.payload);
const expiries = async (shop: string, customerId: string) =>
  (await prisma.pointsEntry.findMany({ where: { shop, customerId, kind: "expiry" }, orderBy: { id: "asc" } })).map(
    (e) => ({ points: Number(e.points), at: e.effectiveAt.toISOString() }),
  );

beforeAll(async () => {
  env = await startLocalShopifyAndApp({ clock });
  for (const shop of [IDLE, LIFE]) {
    env.shopify.admin.shops.addShop(testShopRecord(shop));
    env.shopify.install(shop);
    expect((await openApp(env.app.url, env.shopify, shop)).status).toBe(200);
  }
  clock.advance(5 * 60_000);
});

describe("expiry modes", () => {
  it("inactivity: imported points of a customer without an order expire 12 months after the import", async () => {
    const sim = env.shopify.admin;
    await setPointsStart(IDLE, new Date(clock.now() - 60_000), { now });
    const bea = sim.createCustomer(IDLE, { firstName: "Bea", email: "bea@idle.example" });
    await step(0);
    const preview = await previewImport(IDLE, { fileName: "points.csv", text: "email,points\nbea@idle.example,500\n" });
    expect(preview.report.totals.matched).toBe(1);
    const importedAt = clock.now();
    expect(await applyImport(IDLE, preview.id, "staff:test", { now, queue: testQueue({ now }) })).toMatchObject({
      outcome: "applied",
    });
    await step(30);
    expect(expiring(IDLE)).toEqual([]);
    await step(320); // eleven and a half months after the import: announced
    const announced = expiring(IDLE);
    expect(announced).toEqual([
      { customer_id: Number(bea.id.split("/").pop()), points: "500", "expires at": expect.any(String) },
    ]);
    const at = Date.parse(announced[0]["expires at"] as string);
    expect(at - importedAt).toBeGreaterThan(364 * DAY_MS);
    expect(at - importedAt).toBeLessThan(367 * DAY_MS);
    expect(await expiries(IDLE, bea.id)).toEqual([]);
    await step(30); // past the day: the journal says it
    await derivePoints(IDLE, [bea.id], { now });
    expect(await expiries(IDLE, bea.id)).toEqual([{ points: -500, at: new Date(at).toISOString() }]);
  }, 120_000);

  it("lifetime: the first order's lot expires on its own day, less what a removal spent from it", async () => {
    const sim = env.shopify.admin;
    await setPointsStart(LIFE, new Date(clock.now() - 60_000), { now });
    expect(await savePointsRules(LIFE, { expiryMode: "lifetime", returnWindowDays: 0 }, { now })).toMatchObject({
      ok: true,
    });
    const ada = sim.createCustomer(LIFE, { firstName: "Ada", email: "ada@life.example" });
    let first!: { processedAt: string };
    await step(0, () => {
      first = sim.placeOrder(LIFE, { customerId: ada.id, total: "100.00" }) as typeof first;
    });
    await step(150, () => sim.placeOrder(LIFE, { customerId: ada.id, total: "60.00" }));
    await step(10);
    expect(
      await adjustPoints(
        LIFE,
        ada.id,
        { points: "-80", reason: "spent elsewhere", token: "expiry-mode-1" },
        "staff:test",
        {
          now,
        },
      ),
    ).toMatchObject({ ok: true });
    expect(expiring(LIFE)).toEqual([]);
    await step(180); // 340 days after the first order: its lot's day is within the warning window
    const announced = expiring(LIFE);
    expect(announced).toEqual([
      { customer_id: Number(ada.id.split("/").pop()), points: "20", "expires at": expect.any(String) },
    ]);
    const at = Date.parse(announced[0]["expires at"] as string);
    expect(at - Date.parse(first.processedAt)).toBeGreaterThan(364 * DAY_MS);
    expect(at - Date.parse(first.processedAt)).toBeLessThan(367 * DAY_MS);
    await step(30);
    await derivePoints(LIFE, [ada.id], { now });
    // The second order's 60 are still within their lifetime
    expect(await expiries(LIFE, ada.id)).toEqual([{ points: -20, at: new Date(at).toISOString() }]);
  }, 120_000);
});

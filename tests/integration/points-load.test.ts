// `load` of a shop file and the points CLI (docs/rules.md#points): one generated history loaded into one shop with
// `npm run loyalty -- load` and `points-start`, and into another the way a live shop gets it — Shopify's webhooks
// (shuffled, repeated) and the install backfill, followed by the app's jobs. Both journals are the same rows, and
// `points` writes the same CSV for both: its columns, one line per customer with a journal, sorted by customer id,
// balances as of the moment asked.
import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { prisma } from "../../app/db.server";
import { runCli } from "../../app/cli.server";
import { balancesAt, POINTS_CSV_COLUMNS, pointsCsvLine, type PointsKind } from "../../app/domain/points";
import { backfillJob } from "../../app/jobs/backfill.server";
import { CUSTOMER_CHANGED, POINTS_CUSTOMER, POINTS_SHOP, RECOMPUTE_SHOP } from "../../app/jobs/contracts";
import { pointsCustomerJob, pointsShopJob } from "../../app/jobs/points.server";
import { customerChangedJob, recomputeShopJob } from "../../app/jobs/recompute.server";
import { setPointsStart } from "../../app/services/points.server";
import type { SimulatorEvent } from "../../simulator/admin/index";
import { writeShopFile } from "../../simulator/generator/index";
import { openApp, startLocalShopifyAndApp } from "../support/local-shopify";
import { testQueue } from "../support/queue";

const LOADED = "points-loaded.myshopify.com";
const LIVE = "points-live.myshopify.com";
const START = "2024-03-01T00:00:00.000Z";
let env: Awaited<ReturnType<typeof startLocalShopifyAndApp>>;

function capture() {
  const lines = { log: [] as string[], error: [] as string[] };
  return { out: { log: (t: string) => lines.log.push(t), error: (t: string) => lines.error.push(t) }, lines };
}

/** The journal's rows without the shop, the row id and the moment written, in key order. */
async function journal(shop: string) {
  const rows = await prisma.pointsEntry.findMany({
    where: { shop },
    orderBy: [{ customerId: "asc" }, { sourceKey: "asc" }],
  });
  return rows.map(({ id: _id, shop: _shop, createdAt: _at, ...row }) => ({ ...row, points: Number(row.points) }));
}

async function historyFile(shop: string) {
  const file = path.join(inject("testRunDir"), `${shop}.jsonl`);
  // The same seed: the same customers, orders and refunds (ids included) under another shop's name
  await writeShopFile(
    { preset: "demo", seed: 17, customers: 60, shopDomain: shop, endDate: "2026-09-01T00:00:00.000Z" },
    file,
    {
      truthFile: false,
    },
  );
  return file;
}

let loadedAsOf: Date;

beforeAll(async () => {
  env = await startLocalShopifyAndApp();

  // The loaded shop: `load`, then the programme started before the history's last years
  const load = capture();
  expect(await runCli(["load", "--shop", LOADED, "--file", await historyFile(LOADED)], load.out)).toBe(0);
  // Loading derives the journal; the programme starts at the install (the load) by default: nothing earned yet
  expect(JSON.parse(load.lines.log.join(""))).toMatchObject({ points: { appended: 0 } });
  const start = capture();
  expect(await runCli(["points-start", "--shop", LOADED, "--at", START], start.out)).toBe(0);
  const started = JSON.parse(start.lines.log.join(""));
  expect(started).toMatchObject({ startsAt: START });
  expect(started.appended).toBeGreaterThan(0);
  loadedAsOf = new Date(started.asOf);

  // The live shop: Shopify holds the same history; the app installs, receives webhooks of it, and backfills
  await env.shopify.admin.shops.loadShopFile(await historyFile(LIVE));
  env.shopify.install(LIVE);
  expect((await openApp(env.app.url, env.shopify, LIVE)).status).toBe(200);
  await setPointsStart(LIVE, new Date(START), { now: () => loadedAsOf });
  const state = env.shopify.admin.shops.getShop(LIVE)!;
  const events: SimulatorEvent[] = [
    ...[...state.customers.values()].map((resource) => ({ shop: LIVE, topic: "customers/create" as const, resource })),
    ...[...state.orders.values()].map((resource) => ({ shop: LIVE, topic: "orders/updated" as const, resource })),
    ...[...state.refundsByOrder.values()].flat().map((refund) => ({
      shop: LIVE,
      topic: "refunds/create" as const,
      resource: { refund, order: state.orders.get(refund.order.id)! },
    })),
  ];
  const outcomes = await env.shopify.webhooks.deliverBatch(
    events.map((e) => env.shopify.webhookEventOf(e as Exclude<SimulatorEvent, { topic: "bulk_operations/finish" }>)),
    { duplicates: 2, shuffle: 17 },
  );
  expect(outcomes.every((o) => o.delivered)).toBe(true);
  // The app's jobs, at the moment the loaded shop was derived: the backfill, the recompute after it, each
  // customer's follow-up and the points passes
  const now = () => loadedAsOf;
  const queue = testQueue();
  const worker = queue.work(
    {
      backfill: backfillJob({ queue, clientFor: env.clientFor }),
      [RECOMPUTE_SHOP]: recomputeShopJob({ queue, now }),
      [CUSTOMER_CHANGED]: customerChangedJob({ queue, now }),
      [POINTS_CUSTOMER]: pointsCustomerJob({ now }),
      [POINTS_SHOP]: pointsShopJob({ now }),
    },
    { pollMs: 20 },
  );
  await worker.idle();
  await worker.stop();
}, 120_000);

describe("points after load, and after webhooks and backfill of the same history", () => {
  it("are the same journal, row for row", async () => {
    const loaded = await journal(LOADED);
    expect(loaded.length).toBeGreaterThan(50);
    expect([...new Set(loaded.map((e) => e.kind))]).toEqual(expect.arrayContaining(["order", "refund", "expiry"]));
    expect(await journal(LIVE)).toEqual(loaded);
    // Orders before the programme start earned nothing
    expect(loaded.filter((e) => e.kind === "order").every((e) => e.effectiveAt >= new Date(START))).toBe(true);
  });

  it("points writes the same CSV for both: the columns, one line per customer with a journal, sorted, as of the moment asked", async () => {
    const asOf = "2026-08-15T00:00:00.000Z";
    const files = [];
    for (const shop of [LOADED, LIVE]) {
      const file = path.join(inject("testRunDir"), `${shop}.points.csv`);
      const run = capture();
      expect(await runCli(["points", "--shop", shop, "--as-of", asOf, "--out", file], run.out)).toBe(0);
      expect(run.lines.error.join("")).toMatch(/^Wrote \d+ customers to /);
      files.push(readFileSync(file, "utf8"));
    }
    expect(files[1]).toBe(files[0]);
    const [header, ...lines] = files[0].trim().split("\n");
    expect(header).toBe(POINTS_CSV_COLUMNS.join(","));
    expect(header).toBe("customer_id,earned,pending,available,redeemed,expired,clawed_back,lost");
    const ids = lines.map((l) => l.split(",")[0]);
    expect(ids).toEqual([...ids].sort());
    const rows = await journal(LOADED);
    expect(ids).toEqual([...new Set(rows.map((e) => e.customerId))].sort());
    // Each line is the customer's journal summed as of that moment
    for (const line of lines) {
      const id = line.split(",")[0];
      const entries = rows
        .filter((e) => e.customerId === id)
        .map((e) => ({
          kind: e.kind as PointsKind,
          points: e.points,
          effectiveAt: e.effectiveAt.getTime(),
          availableAt: e.availableAt.getTime(),
        }));
      expect(line).toBe(pointsCsvLine(id, balancesAt(entries, Date.parse(asOf))));
    }
    // Not only zeros: at that moment some points were pending, some available, some had expired
    const column = (name: string) => lines.map((l) => Number(l.split(",")[header.split(",").indexOf(name)]));
    for (const name of ["earned", "pending", "available", "expired", "clawed_back"])
      expect(
        column(name).some((n) => n > 0),
        name,
      ).toBe(true);
  });

  it("refuses points-start without a valid --at, and points with a bad --as-of", async () => {
    for (const args of [
      ["points-start", "--shop", LOADED],
      ["points-start", "--shop", LOADED, "--at", "soon"],
      ["points", "--shop", LOADED, "--as-of", "yesterday"],
    ]) {
      const { out, lines } = capture();
      expect(await runCli(args, out)).toBe(2);
      expect(lines.error.join("\n")).toContain("Usage: npm run loyalty");
    }
  });
});

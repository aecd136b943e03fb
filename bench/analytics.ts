// Benchmark: everything the analytics page computes (issue 10), on a shop of ~1M orders on SQLite: the figures for
// the whole shop and per segment and tier, cohorts included, for all time and for the last 365 days. Baseline in the
// same run and on the same database: the bare SELECT of the qualifying orders' (customerId, processedAt, valueMinor)
// rows through better-sqlite3, every row fetched. Goal: both periods together < 3 s. Also each of the page's two reads
// of the orders, alone: the maintained aggregates (what the page uses while they are current) and the ledger's orders
// (what it falls back to), both checked to give the same orders.
//   npx tsx bench/analytics.ts            (npm run bench:analytics)
//   npx tsx bench/analytics.ts --fresh    reload the ledger even when tmp/bench/analytics holds it already
// The ledger: the generated `large` shop (seed 7, 100k customers, ~1.02M orders, as bench/recompute.ts), loaded with
// loadShopFile and scored with recomputeShop so that segments and tiers exist. Loading is not measured.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

const DIR = path.resolve("tmp/bench/analytics");
const SHOP = "bench-recompute.myshopify.com";
const AS_OF = new Date("2026-11-01T00:00:00.000Z");
const RUNS = 5;

const { values } = parseArgs({ options: { fresh: { type: "boolean", default: false } } });

async function main() {
  mkdirSync(DIR, { recursive: true });
  const dbFile = path.join(DIR, "ledger.sqlite");
  const loaded = path.join(DIR, "ledger.loaded");
  const env = {
    DATABASE_URL: `file:${dbFile}`,
    SHOPIFY_API_KEY: "bench",
    SHOPIFY_API_SECRET: "bench",
    SHOPIFY_APP_URL: "http://127.0.0.1",
    LOG_LEVEL: "warn",
  };
  const reuse = !values.fresh && existsSync(dbFile) && existsSync(loaded);
  if (!reuse) {
    // The recompute benchmark's shop file, when it is there: the same generator input.
    const shared = path.resolve("tmp/bench/recompute/shop-100k.jsonl");
    const shopFile = existsSync(shared) ? shared : path.join(DIR, "shop-100k.jsonl");
    if (!existsSync(shopFile)) {
      console.error("▶ generating the large shop (100k customers) …");
      const { writeShopFile } = await import("../simulator/generator/index");
      await writeShopFile(
        { preset: "large", seed: 7, customers: 100_000, endDate: AS_OF.toISOString(), shopDomain: SHOP },
        shopFile,
        { truthFile: false },
      );
    }
    for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`, loaded]) rmSync(f, { force: true });
    execFileSync(process.execPath, ["node_modules/prisma/build/index.js", "migrate", "deploy"], {
      env: { ...process.env, ...env },
      stdio: "ignore",
    });
    Object.assign(process.env, env);
    const { loadShopFile } = await import("../app/services/shop-file.server");
    const { recomputeShop } = await import("../app/services/recompute.server");
    console.error("▶ loading and scoring …");
    await loadShopFile(SHOP, shopFile);
    await recomputeShop(SHOP, { asOf: AS_OF, reason: "backfill" });
    execFileSync("touch", [loaded]);
  }
  Object.assign(process.env, env);
  const { prisma } = await import("../app/db.server");
  const { shopAnalytics } = await import("../app/services/analytics.server");
  const { readOrderLedger, readOrderLedgerFromAggregates } = await import("../app/models/analytics.server");
  // The aggregates current (a ledger loaded before they existed gets them built here; not measured).
  const { ensureAggregates } = await import("../app/models/customer-aggregates.server");
  await ensureAggregates(SHOP);
  const orders = await prisma.order.count({ where: { shop: SHOP } });
  const customers = await prisma.customer.count({ where: { shop: SHOP } });
  const scored = await prisma.customerState.count({ where: { shop: SHOP } });
  if (orders < 1_000_000 || scored < 100_000)
    throw new Error(`the ledger holds ${orders} orders and ${scored} states: load it again with --fresh`);

  // Baseline: the rows the analytics read, fetched bare (no grouping, no parsing), on a connection of its own.
  const Database = (await import("better-sqlite3")).default;
  const db = new Database(dbFile, { readonly: true });
  const bare = db
    .prepare(
      `SELECT o."customerId", o."processedAt", o."valueMinor" FROM "Order" o
       WHERE o."shop" = ? AND o."customerId" IS NOT NULL AND o."deletedAt" IS NULL AND o."test" = 0 AND o."cancelledAt" IS NULL
         AND o."valueMinor" > 0 AND COALESCE(o."processedAt", o."processedAt") < ?
         AND o."customerId" NOT IN (SELECT c."id" FROM "Customer" c WHERE c."shop" = ? AND c."deletedAt" IS NOT NULL)`,
    )
    .raw();
  // The end of both periods as of AS_OF: the start of the shop's next day in its time zone.
  const { resolvePeriod } = await import("../app/domain/analytics");
  const { stampMs } = await import("../app/models/sqlite-direct.server");
  const timeZone = (await prisma.shop.findUniqueOrThrow({ where: { shop: SHOP } })).timezone ?? "UTC";
  const to = stampMs(resolvePeriod({ preset: "365" }, AS_OF.getTime(), timeZone).to)!;
  const baseline = () => {
    let rows = 0;
    for (const _row of bare.iterate(SHOP, to, SHOP)) rows++;
    return rows;
  };

  const both = async () => {
    const all = await shopAnalytics(SHOP, { preset: "all" }, AS_OF);
    const year = await shopAnalytics(SHOP, { preset: "365" }, AS_OF);
    return { all, year };
  };
  const timed = async <T>(run: () => T | Promise<T>) => {
    const started = performance.now();
    const value = await run();
    return { ms: performance.now() - started, value };
  };

  // The first call of each is cold (JIT, page cache); then both alternate, RUNS times.
  const firstBaseline = await timed(baseline);
  const first = await timed(both);
  // The two reads alone, for the period ending at `to`, alternating; the same orders, or nothing was measured.
  const toMs = Date.parse(to);
  const scanMs: number[] = [];
  const aggregatesMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const scan = await timed(() => readOrderLedger(SHOP, toMs));
    const fromAggregates = await timed(() => readOrderLedgerFromAggregates(SHOP, toMs));
    scanMs.push(scan.ms);
    aggregatesMs.push(fromAggregates.ms);
    const a = fromAggregates.value;
    if (
      a === null ||
      a.times.length !== scan.value.times.length ||
      a.customerIds.length !== scan.value.customerIds.length ||
      a.values.reduce((x, y) => x + y, 0) !== scan.value.values.reduce((x, y) => x + y, 0)
    )
      throw new Error("the aggregates' read and the ledger's read differ");
  }
  const baselineMs: number[] = [];
  const analyticsMs: number[] = [];
  const allMs: number[] = [];
  const yearMs: number[] = [];
  let last = first.value;
  for (let i = 0; i < RUNS; i++) {
    baselineMs.push((await timed(baseline)).ms);
    const a = await timed(() => shopAnalytics(SHOP, { preset: "all" }, AS_OF));
    const y = await timed(() => shopAnalytics(SHOP, { preset: "365" }, AS_OF));
    allMs.push(a.ms);
    yearMs.push(y.ms);
    analyticsMs.push(a.ms + y.ms);
    last = { all: a.value, year: y.value };
  }
  db.close();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const ms = (n: number) => `${Math.round(n).toLocaleString("en")} ms`;

  // A benchmark that computed nothing measured nothing.
  const { all, year } = last;
  if (
    firstBaseline.value < 800_000 ||
    all.all.historicalClv.customers < 90_000 ||
    year.all.customersAtEnd === 0 ||
    year.segments.length < 10 ||
    all.all.cohorts.length < 12
  ) {
    throw new Error("the analytics did not cover the ledger");
  }
  const money = (minor: number | null) => (minor === null ? "—" : `$${(minor / 100).toFixed(2)}`);
  const pct = (n: number | null) => (n === null ? "—" : `${n.toFixed(1)} %`);
  console.log(
    [
      `ledger: ${customers.toLocaleString("en")} customers, ${orders.toLocaleString("en")} orders, ${firstBaseline.value.toLocaleString("en")} qualifying before ${to.slice(0, 10)}; ${scored.toLocaleString("en")} scored states`,
      "",
      "| measured | first (cold) | median of " + RUNS + " |",
      "|---|---:|---:|",
      `| baseline: bare SELECT of the qualifying rows (better-sqlite3, every row) | ${ms(firstBaseline.ms)} | ${ms(median(baselineMs))} |`,
      `| read of the orders: the ledger's (fallback) | | ${ms(median(scanMs))} |`,
      `| read of the orders: the maintained aggregates (the page's) | | ${ms(median(aggregatesMs))} |`,
      `| aggregates / ledger read | | ${(median(aggregatesMs) / median(scanMs)).toFixed(2)}× |`,
      `| analytics, all time (shop + 11 segments + tiers, cohorts) | | ${ms(median(allMs))} |`,
      `| analytics, last 365 days (same) | | ${ms(median(yearMs))} |`,
      `| **both periods** | ${ms(first.ms)} | **${ms(median(analyticsMs))}** |`,
      `| both / baseline | | ${(median(analyticsMs) / median(baselineMs)).toFixed(2)}× |`,
      "",
      `Figures, last 365 days: customers ${year.all.customersAtEnd.toLocaleString("en")} (start ${year.all.customersAtStart.toLocaleString("en")}, new ${year.all.newCustomers.toLocaleString("en")}), ` +
        `retention ${pct(year.all.retentionRate)}, repeat purchase rate ${pct(year.all.repeatPurchaseRate)}, frequency ${year.all.purchaseFrequency?.toFixed(2)}, ` +
        `AOV ${money(year.all.averageOrderValueMinor)}, time between purchases ${year.all.timeBetweenPurchases.meanDays?.toFixed(1)} d mean / ${year.all.timeBetweenPurchases.medianDays?.toFixed(1)} d median, ` +
        `historical CLV ${money(year.all.historicalClv.meanMinor)} (median ${money(year.all.historicalClv.distribution?.median ?? null)}), predicted CLV ${money(year.all.predictedClv.valueMinor)} ` +
        `(lifespan ${year.all.predictedClv.lifespanYears?.toFixed(2)} y); cohorts: ${year.all.cohorts.length} months (365 days), ${all.all.cohorts.length} months (all time)`,
      `Goal < 3 s for both periods: ${median(analyticsMs) < 3000 ? "met" : "MISSED"} (median), first run ${first.ms < 3000 ? "met" : "missed"}; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
    ].join("\n"),
  );
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

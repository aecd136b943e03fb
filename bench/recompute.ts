// Benchmark: full RFM + tiers recompute of a generated shop (issue 6; issue 23 item 2), against a baseline in the same
// run and on the same database: one raw SQL aggregate (GROUP BY customer: count, sum, max time over qualifying orders).
// The full recompute reads the maintained per-customer aggregates (docs/decisions/0009); the one-pass scan of the
// ledger it replaced is measured beside it on the next day. Also the incremental update of one customer, and the peak
// RSS of a process that only runs a next-day recompute on the loaded ledger (memory must not grow with orders).
// Each size runs in a fresh process on a fresh SQLite file.
//   npx tsx bench/recompute.ts [--sizes 10k,100k]      (sizes: 10k, 100k, 300k, 1m)
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

const DIR = path.resolve("tmp/bench/recompute");
const SIZES: Record<string, number> = { "10k": 10_000, "100k": 100_000, "300k": 300_000, "1m": 1_000_000 };
const DAY = 86_400_000;
const SHOP = "bench-recompute.myshopify.com";
const AS_OF = new Date("2026-11-01T00:00:00.000Z");

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "10k,100k" },
    size: { type: "string" },
    "rss-only": { type: "string" },
    scan: { type: "boolean", default: false },
  },
});

interface Figures {
  customers: number;
  orders: number;
  baselineMs: number;
  fullFirstMs: number;
  fullFirstChanged: number;
  fullNextDayMs: number;
  fullNextDayChanged: number;
  fullSameAsOfMs: number;
  fullSameAsOfChanged: number;
  /** Medians of three rounds; ratios to the baseline measured just before each run. */
  fullNextDayRatio: number;
  scanNextDayRatio: number;
  /** The one-pass scan of the ledger (the previous full recompute), the day after each aggregates run. */
  scanNextDayMs: number;
  scanNextDayChanged: number;
  /** A separate process, V8 heap capped at HEAP_CAP_MB, running only a next-day recompute on the loaded ledger: its
   * time and peak RSS; and whether the old one-pass scan completes under the same cap. */
  rssOnlyMs: number;
  rssOnlyChanged: number;
  rssOnlyPeakMb: number;
  scanFitsCap: boolean;
  incrementalMedianMs: number;
  incrementalP95Ms: number;
}

async function measure(size: string): Promise<Figures> {
  mkdirSync(DIR, { recursive: true });
  const shopFile = path.join(DIR, `shop-${size}.jsonl`);
  if (!existsSync(shopFile)) {
    const { writeShopFile } = await import("../simulator/generator/index");
    await writeShopFile(
      { preset: "large", seed: 7, customers: SIZES[size], endDate: AS_OF.toISOString(), shopDomain: SHOP },
      shopFile,
      { truthFile: false },
    );
  }
  const dbFile = path.join(DIR, `ledger-${size}.sqlite`);
  rmSync(dbFile, { force: true });
  execFileSync(process.execPath, ["node_modules/prisma/build/index.js", "migrate", "deploy"], {
    env: { ...process.env, DATABASE_URL: `file:${dbFile}` },
    stdio: "ignore",
  });
  Object.assign(process.env, {
    DATABASE_URL: `file:${dbFile}`,
    SHOPIFY_API_KEY: "bench",
    SHOPIFY_API_SECRET: "bench",
    SHOPIFY_APP_URL: "http://127.0.0.1",
    LOG_LEVEL: "warn",
  });

  const { loadShopFile } = await import("../app/services/shop-file.server");
  const { recomputeShop, updateCustomerState } = await import("../app/services/recompute.server");
  const loaded = await loadShopFile(SHOP, shopFile);

  // Baseline: the raw aggregate every RFM computation needs at least, on its own connection.
  const Database = (await import("better-sqlite3")).default;
  const db = new Database(dbFile, { readonly: true });
  // Written so SQLite walks the (shop, customerId) index; a plain `processedAt <= ?` makes it walk the date index
  // instead and take ~14× longer, which would flatter the ratio.
  const aggregate = db.prepare(`
    SELECT "customerId", COUNT(*) AS n, SUM("valueMinor") AS spend, MAX("processedAt") AS last
    FROM "Order"
    WHERE "shop" = ? AND "customerId" IS NOT NULL AND "deletedAt" IS NULL AND "test" = 0 AND "cancelledAt" IS NULL
      AND "valueMinor" > 0 AND COALESCE("processedAt", "processedAt") <= ?
    GROUP BY "customerId"`);
  aggregate.all(SHOP, AS_OF.toISOString().replace("Z", "+00:00")); // warm the page cache like the measured runs
  let started = 0;
  let rows: { customerId: string }[] = [];
  /** The baseline: median of three runs (the machine is shared, single runs vary). */
  const baseline = () => {
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) {
      started = performance.now();
      rows = aggregate.all(SHOP, AS_OF.toISOString().replace("Z", "+00:00")) as { customerId: string }[];
      runs.push(performance.now() - started);
    }
    return median(runs);
  };

  const { recomputeShopByScan } = await import("../app/services/recompute.server");
  const first = await recomputeShop(SHOP, { asOf: AS_OF, reason: "backfill" });
  const same = await recomputeShop(SHOP, { asOf: AS_OF, reason: "manual" });
  // Three rounds, each: baseline, the next day from the aggregates, baseline, the next day by the previous design
  // (one pass over the orders) — each run's ratio to the baseline measured just before it, so a load that comes and
  // goes on the shared machine weighs on both sides of a ratio alike. Medians are reported.
  const baselines: number[] = [];
  const aggregateRuns: { ms: number; changed: number; ratio: number }[] = [];
  const scanRuns: { ms: number; changed: number; ratio: number }[] = [];
  for (let round = 0; round < 3; round++) {
    let base = baseline();
    baselines.push(base);
    const next = await recomputeShop(SHOP, {
      asOf: new Date(AS_OF.getTime() + (2 * round + 1) * DAY),
      reason: "daily",
    });
    aggregateRuns.push({ ms: next.ms, changed: next.changed, ratio: next.ms / base });
    base = baseline();
    baselines.push(base);
    const scan = await recomputeShopByScan(SHOP, {
      asOf: new Date(AS_OF.getTime() + (2 * round + 2) * DAY),
      reason: "daily",
    });
    scanRuns.push({ ms: scan.ms, changed: scan.changed, ratio: scan.ms / base });
  }
  db.close();
  const baselineMs = median(baselines);
  const rssOnly = await rssChild(dbFile);
  const scanFitsCap = await rssChild(dbFile, true).then(
    () => true,
    () => false,
  );

  // Incremental: 50 customers of the population, one at a time, as the customer-changed job does.
  const sample = rows.filter((_, i) => i % Math.max(1, Math.floor(rows.length / 50)) === 0).slice(0, 50);
  const times: number[] = [];
  for (const { customerId } of sample) {
    started = performance.now();
    await updateCustomerState(SHOP, customerId, { asOf: new Date(AS_OF.getTime() + 9 * DAY), reason: "order" });
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return {
    customers: loaded.customers,
    orders: loaded.orders,
    baselineMs,
    fullFirstMs: first.ms,
    fullFirstChanged: first.changed,
    fullSameAsOfMs: same.ms,
    fullSameAsOfChanged: same.changed,
    fullNextDayMs: median(aggregateRuns.map((r) => r.ms)),
    fullNextDayChanged: median(aggregateRuns.map((r) => r.changed)),
    fullNextDayRatio: median(aggregateRuns.map((r) => r.ratio)),
    scanNextDayMs: median(scanRuns.map((r) => r.ms)),
    scanNextDayChanged: median(scanRuns.map((r) => r.changed)),
    scanNextDayRatio: median(scanRuns.map((r) => r.ratio)),
    rssOnlyMs: rssOnly.ms,
    rssOnlyChanged: rssOnly.changed,
    rssOnlyPeakMb: rssOnly.peakMb,
    scanFitsCap,
    incrementalMedianMs: times[Math.floor(times.length / 2)],
    incrementalP95Ms: times[Math.floor(times.length * 0.95)],
  };
}

/** Env of a loaded ledger, for a process of its own. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function ledgerEnv(dbFile: string) {
  return {
    ...process.env,
    DATABASE_URL: `file:${dbFile}`,
    SHOPIFY_API_KEY: "bench",
    SHOPIFY_API_SECRET: "bench",
    SHOPIFY_APP_URL: "http://127.0.0.1",
    LOG_LEVEL: "warn",
  };
}

/** The V8 heap a capped run gets: far below what the shop's orders take in memory (1M orders are ~100 MB of rows). */
const HEAP_CAP_MB = 64;

/** A next-day recompute (day 7, or day 8 with the scan) in a fresh process on the loaded ledger: time, rows
 * written, peak RSS. */
async function rssOnlyRun(dbFile: string, scan: boolean) {
  Object.assign(process.env, ledgerEnv(dbFile));
  const { recomputeShop, recomputeShopByScan } = await import("../app/services/recompute.server");
  const before = process.resourceUsage().maxRSS;
  const run = scan ? recomputeShopByScan : recomputeShop;
  const result = await run(SHOP, { asOf: new Date(AS_OF.getTime() + (scan ? 8 : 7) * DAY), reason: "daily" });
  const peakMb = process.resourceUsage().maxRSS / 1024;
  return { ms: result.ms, changed: result.changed, peakMb, startMb: before / 1024 };
}

function rssChild(dbFile: string, scan = false): Promise<{ ms: number; changed: number; peakMb: number }> {
  return new Promise((resolve, reject) => {
    const args = [`--max-old-space-size=${HEAP_CAP_MB}`, "--import", "tsx", "bench/recompute.ts", "--rss-only", dbFile];
    const proc = spawn(process.execPath, scan ? [...args, "--scan"] : args, {
      stdio: ["ignore", "pipe", scan ? "ignore" : "inherit"],
      env: ledgerEnv(dbFile),
    });
    let out = "";
    proc.stdout.on("data", (d) => (out += d));
    proc.on("exit", (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split("\n").pop()!))
        : reject(new Error(`rss-only run exited ${code}`)),
    );
  });
}

function child(size: string): Promise<Figures> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ["--import", "tsx", "bench/recompute.ts", "--size", size], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    proc.stdout.on("data", (d) => (out += d));
    proc.on("exit", (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split("\n").pop()!))
        : reject(new Error(`recompute ${size} exited ${code}`)),
    );
  });
}

async function main() {
  if (values["rss-only"]) {
    console.log(JSON.stringify(await rssOnlyRun(values["rss-only"], values.scan)));
    process.exit(0);
  }
  if (values.size) {
    console.log(JSON.stringify(await measure(values.size)));
    process.exit(0);
  }
  const ms = (n: number) => `${Math.round(n).toLocaleString("en")} ms`;
  const lines = [
    "| shop | customers | orders | baseline aggregate | first run incl. aggregates rebuild (written) | same asOf (written) | next day, median of 3 (written) | next day / baseline (median of paired ratios) | old one-pass scan, next day (written) | scan / baseline | next day in own process, heap capped at 64 MB: ms (written), peak RSS | old scan under the same cap | incremental (median / p95) |",
    "|---|---:|---:|---:|---|---|---|---:|---|---:|---|---|---|",
  ];
  for (const size of values.sizes.split(",")) {
    console.error(`▶ ${size} …`);
    const f = await child(size);
    lines.push(
      `| ${size} | ${f.customers.toLocaleString("en")} | ${f.orders.toLocaleString("en")} | ${ms(f.baselineMs)} | ${ms(f.fullFirstMs)} (${f.fullFirstChanged.toLocaleString("en")}) | ` +
        `${ms(f.fullSameAsOfMs)} (${f.fullSameAsOfChanged}) | ${ms(f.fullNextDayMs)} (${f.fullNextDayChanged.toLocaleString("en")}) | ` +
        `${f.fullNextDayRatio.toFixed(2)}× | ${ms(f.scanNextDayMs)} (${f.scanNextDayChanged.toLocaleString("en")}) | ` +
        `${f.scanNextDayRatio.toFixed(2)}× | ${ms(f.rssOnlyMs)} (${f.rssOnlyChanged.toLocaleString("en")}), ${Math.round(f.rssOnlyPeakMb)} MB | ${f.scanFitsCap ? "completes" : "runs out of memory"} | ` +
        `${f.incrementalMedianMs.toFixed(1)} / ${f.incrementalP95Ms.toFixed(1)} ms |`,
    );
  }
  console.log(lines.join("\n"));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

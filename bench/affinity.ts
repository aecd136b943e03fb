// Benchmark: product affinity (docs/affinity.md) over a SQLite ledger of 1M orders / 3M line items, against a baseline
// in the same run and on the same database: the plain streaming read of the same rows (the basket query iterated,
// nothing done with them). The ledger is written through the ledger's own write path (applyOrders: the algorithm and
// driver the webhooks and the backfill batches use). Memory is measured per size in a fresh process: the peak heap
// while counting (the pair tables, sized by the products, plus the compact customer histories and the rules found),
// the peak heap of the whole run and the process's peak RSS.
//   npx tsx bench/affinity.ts [--sizes 250k,1m]
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

const DIR = path.resolve("tmp/bench/affinity");
/** Orders per size; four orders per customer and three lines per order on average, 2,000 products. */
const SIZES: Record<string, number> = { "10k": 10_000, "250k": 250_000, "1m": 1_000_000 };
const ORDERS_PER_CUSTOMER = 4;
const PRODUCTS = 2000;
const SHOP = "bench-affinity.myshopify.com";
const START = Date.parse("2024-11-01T00:00:00.000Z");
const AS_OF = new Date("2026-11-01T00:00:00.000Z");
const DAY = 86_400_000;

const { values } = parseArgs({ options: { sizes: { type: "string", default: "250k,1m" }, size: { type: "string" } } });

interface Figures {
  orders: number;
  lines: number;
  customers: number;
  seedMs: number | null;
  baselineMs: number;
  baselineRows: number;
  countMs: number;
  recommendMs: number;
  writeMs: number;
  totalMs: number;
  rules: number;
  recommended: number;
  heapBeforeMb: number;
  countPeakHeapMb: number;
  /** Live heap after the pass (after a GC), before the rules are built: the pair tables and the histories. */
  readEndHeapMb: number;
  runPeakHeapMb: number;
  peakRssMb: number;
}

/** The JS heap plus typed arrays' buffers (the pair tables and histories live outside the JS heap), in MB. */
function heapMb(): number {
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 2 ** 20;
}

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes the generated ledger through applyOrders, 1,000 orders per transaction. */
async function seed(orders: number) {
  const { applyOrders, applyProducts } = await import("../app/models/ledger.server");
  const random = mulberry32(11);
  // Popularity: product k is chosen with weight 1/(k+10) (a long tail); pairs (2j, 2j+1) of the first 200 products are
  // planted: buying one brings the other in half of the orders.
  const weights = Array.from({ length: PRODUCTS }, (_, k) => 1 / (k + 10));
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  weights.reduce((acc, w, k) => (cumulative[k] = acc + w / total), 0);
  const pick = () => {
    const u = random();
    let lo = 0;
    let hi = PRODUCTS - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  await applyProducts(
    SHOP,
    Array.from({ length: PRODUCTS }, (_, k) => ({
      id: `gid://shopify/Product/${k + 1}`,
      title: `Product ${k + 1}`,
      handle: `product-${k + 1}`,
      productType: null,
      vendor: null,
      status: "ACTIVE",
      sourceUpdatedAt: new Date(START),
    })),
  );
  const customers = orders / ORDERS_PER_CUSTOMER;
  let batch: Parameters<typeof applyOrders>[1] = [];
  let orderId = 0;
  let lineId = 0;
  for (let c = 1; c <= customers; c++) {
    const first = Math.floor(random() * 600);
    for (let k = 0; k < ORDERS_PER_CUSTOMER; k++) {
      const size = 1 + Math.floor(random() * 4); // 1–4, and a planted partner now and then: 3 on average with them
      const products = new Set<number>();
      while (products.size < size) {
        const p = pick();
        products.add(p);
        if (p < 200 && random() < 0.5) products.add(p ^ 1);
      }
      if (random() < 0.4) products.add(pick());
      const at = new Date(START + (first + k * 30 + Math.floor(random() * 20)) * DAY);
      orderId++;
      batch.push({
        id: `gid://shopify/Order/${orderId}`,
        customerId: `gid://shopify/Customer/${c}`,
        name: `#${orderId}`,
        processedAt: at,
        cancelledAt: null,
        test: false,
        currencyCode: "USD",
        currentTotalMinor: 1000 * products.size,
        discountCodes: [],
        discountMinor: 0,
        sourceUpdatedAt: at,
        lines: [...products].map((p) => ({
          id: `gid://shopify/LineItem/${++lineId}`,
          productId: `gid://shopify/Product/${p + 1}`,
          variantId: null,
          title: `Product ${p + 1}`,
          variantTitle: null,
          vendor: null,
          sku: null,
          quantity: 1,
          amountMinor: 1000,
          giftCard: false,
        })),
      });
      if (batch.length === 1000) {
        await applyOrders(SHOP, batch);
        batch = [];
      }
    }
  }
  if (batch.length) await applyOrders(SHOP, batch);
}

async function measure(size: string): Promise<Figures> {
  mkdirSync(DIR, { recursive: true });
  const dbFile = path.join(DIR, `ledger-${size}.sqlite`);
  const fresh = !existsSync(dbFile);
  const building = `${dbFile}.building`;
  if (fresh) {
    rmSync(building, { force: true });
    execFileSync(process.execPath, ["node_modules/prisma/build/index.js", "migrate", "deploy"], {
      env: { ...process.env, DATABASE_URL: `file:${building}` },
      stdio: "ignore",
    });
  }
  Object.assign(process.env, {
    DATABASE_URL: `file:${fresh ? building : dbFile}`,
    SHOPIFY_API_KEY: "bench",
    SHOPIFY_API_SECRET: "bench",
    SHOPIFY_APP_URL: "http://127.0.0.1",
    LOG_LEVEL: "warn",
  });
  let seedMs: number | null = null;
  if (fresh) {
    const t = performance.now();
    await seed(SIZES[size]);
    seedMs = performance.now() - t;
    const { disconnectDatabase } = await import("../app/db.server");
    await disconnectDatabase();
    renameSync(building, dbFile);
    for (const suffix of ["-wal", "-shm"]) rmSync(`${building}${suffix}`, { force: true });
    process.env.DATABASE_URL = `file:${dbFile}`;
    // A fresh process measures the run (memory included): this one only built the ledger.
    return { seedMs } as Figures;
  }

  const { basketSql } = await import("../app/models/affinity.server");
  const { computeAffinity } = await import("../app/services/affinity.server");
  const { stamp } = await import("../app/models/sql-dialect");
  const Database = (await import("better-sqlite3")).default;

  // Baseline: the same rows streamed and dropped (warm the page cache first, as the measured run finds it).
  const db = new Database(dbFile, { readonly: true });
  const read = db.prepare(basketSql()).raw();
  const params = { shop: SHOP, asOf: stamp(AS_OF) };
  for (const _ of read.iterate(params));
  let started = performance.now();
  let baselineRows = 0;
  for (const _ of read.iterate(params)) baselineRows++;
  const baselineMs = performance.now() - started;
  db.close();

  global.gc?.();
  const heapBeforeMb = heapMb();
  let peak = 0;
  let countPeak = 0;
  let counting = true;
  const sampler = setInterval(() => {
    const used = heapMb();
    peak = Math.max(peak, used);
    if (counting) countPeak = Math.max(countPeak, used);
  }, 5);
  started = performance.now();
  let countEndHeapMb = 0;
  let readEndHeapMb = 0;
  const run = await computeAffinity(SHOP, {
    asOf: AS_OF,
    now: AS_OF,
    onPhase: (phase) => {
      if (phase === "read") {
        global.gc?.();
        readEndHeapMb = heapMb();
      }
      if (phase !== "count") return;
      counting = false;
      countEndHeapMb = heapMb();
      countPeak = Math.max(countPeak, countEndHeapMb);
    },
  });
  const totalMs = performance.now() - started;
  clearInterval(sampler);
  peak = Math.max(peak, countPeak);
  return {
    orders: run.totals.orders,
    lines: run.totals.lines,
    customers: run.totals.customers,
    seedMs,
    baselineMs,
    baselineRows,
    countMs: run.timings.countMs,
    recommendMs: run.timings.recommendMs,
    writeMs: run.timings.writeMs,
    totalMs,
    rules: run.together + run.next,
    recommended: run.recommended,
    heapBeforeMb,
    countPeakHeapMb: countPeak,
    readEndHeapMb,
    runPeakHeapMb: peak,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

function child(size: string): Promise<Figures> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ["--expose-gc", "--import", "tsx", "bench/affinity.ts", "--size", size], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    proc.stdout.on("data", (d) => (out += d));
    proc.on("exit", (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split("\n").pop()!))
        : reject(new Error(`affinity ${size} exited ${code}`)),
    );
  });
}

async function main() {
  if (values.size) {
    console.log(JSON.stringify(await measure(values.size)));
    process.exit(0);
  }
  const ms = (n: number) => `${Math.round(n).toLocaleString("en")} ms`;
  const mb = (n: number) => `${Math.round(n)} MB`;
  const lines = [
    "| ledger | orders | lines | customers | baseline: stream the rows | affinity run (count / recommend / write) | run / baseline | rules | customers recommended | live heap + typed arrays after the pass | peak while counting (rules built) | peak, whole run | peak RSS |",
    "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const size of values.sizes.split(",")) {
    console.error(`▶ ${size} …`);
    let f = await child(size);
    if (f.seedMs !== null && f.orders === undefined) {
      console.error(`  ledger written through applyOrders in ${ms(f.seedMs)}`);
      f = await child(size);
    }
    lines.push(
      `| ${size} | ${f.orders.toLocaleString("en")} | ${f.lines.toLocaleString("en")} | ${f.customers.toLocaleString("en")} | ` +
        `${ms(f.baselineMs)} | ${ms(f.totalMs)} (${ms(f.countMs)} / ${ms(f.recommendMs)} / ${ms(f.writeMs)}) | ` +
        `${(f.totalMs / f.baselineMs).toFixed(1)}× | ${f.rules.toLocaleString("en")} | ${f.recommended.toLocaleString("en")} | ` +
        `${mb(f.readEndHeapMb)} | ${mb(f.countPeakHeapMb)} | ${mb(f.runPeakHeapMb)} | ${mb(f.peakRssMb)} |`,
    );
  }
  console.log(lines.join("\n"));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

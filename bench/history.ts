// Benchmark: reconstructing a shop's last 52 weeks of segment and tier history (docs/history.md), against a baseline
// measured in the same run on the same database: one full recompute of the shop as of the same moment (the history is
// 53 as-of scorings without the state writes). Each size runs in a fresh process on a fresh SQLite file.
//   npm run bench:history   (= npx tsx bench/history.ts [--sizes 10k,100k])
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

const DIR = path.resolve("tmp/bench/history");
const SIZES: Record<string, number> = { "10k": 10_000, "100k": 100_000 };
const SHOP = "bench-history.myshopify.com";
const AS_OF = new Date("2026-11-01T00:00:00.000Z");

const { values } = parseArgs({ options: { sizes: { type: "string", default: "10k,100k" }, size: { type: "string" } } });

interface Figures {
  customers: number;
  orders: number;
  recomputeMs: number;
  historyMs: number;
  historyRerunMs: number;
  sizeRows: number;
  moveRows: number;
  peakRssMb: number;
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
  const { recomputeShop } = await import("../app/services/recompute.server");
  const { reconstructHistory } = await import("../app/services/history.server");
  const loaded = await loadShopFile(SHOP, shopFile);

  // Baseline: the install's full recompute as of the same moment (it writes every state, the history writes none).
  const first = await recomputeShop(SHOP, { asOf: AS_OF, reason: "backfill" });
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const history = (await reconstructHistory(SHOP, { anchor: AS_OF }))!;
  const rerun = (await reconstructHistory(SHOP, { anchor: AS_OF }))!;
  clearInterval(timer);
  return {
    customers: loaded.customers,
    orders: loaded.orders,
    recomputeMs: first.ms,
    historyMs: history.ms,
    historyRerunMs: rerun.ms,
    sizeRows: history.sizes,
    moveRows: history.moves,
    peakRssMb: Math.round(peak / 1048576),
  };
}

function child(size: string): Promise<Figures> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ["--import", "tsx", "bench/history.ts", "--size", size], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    proc.stdout.on("data", (d) => (out += d));
    proc.on("exit", (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split("\n").pop()!))
        : reject(new Error(`history ${size} exited ${code}`)),
    );
  });
}

async function main() {
  if (values.size) {
    console.log(JSON.stringify(await measure(values.size)));
    process.exit(0);
  }
  const ms = (n: number) => `${Math.round(n).toLocaleString("en")} ms`;
  const lines = [
    "| shop | customers | orders | full recompute (baseline) | history, 52 weeks | rerun | history / recompute | rows (sizes / moves) | peak RSS |",
    "|---|---:|---:|---:|---:|---:|---:|---|---:|",
  ];
  for (const size of values.sizes.split(",")) {
    console.error(`▶ ${size} …`);
    const f = await child(size);
    lines.push(
      `| ${size} | ${f.customers.toLocaleString("en")} | ${f.orders.toLocaleString("en")} | ${ms(f.recomputeMs)} | ${ms(f.historyMs)} | ` +
        `${ms(f.historyRerunMs)} | ${(f.historyMs / f.recomputeMs).toFixed(1)}× | ${f.sizeRows} / ${f.moveRows} | ${f.peakRssMb} MB |`,
    );
  }
  console.log(lines.join("\n"));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

// Benchmark: predicted CLV and churn risk for a shop of 100k customers (issue #22), against a baseline in the same run
// on the same database: the ledger's own per-customer aggregate read (customerAggregates: GROUP BY customer over the
// qualifying orders, what every RFM computation reads). Measured: the predictions' streaming read of the same orders
// (into purchase-day summaries in the shop's time zone, as of now and as of the back-test's day), the fit (BG/NBD,
// Gamma-Gamma, every customer's predictions and bands, the back-test's fit), and the save (the shop's rows replaced in
// one transaction). The shop is generated from known parameters (simulator/generator/bgnbd-history.ts) and loaded
// through the app's `load` path into a fresh SQLite file.
//   npm run bench:predict [-- --customers 100000] [--runs 3] [--reuse (keep the loaded ledger of an earlier run)]
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

const DIR = path.resolve("tmp/bench/predict");
const SHOP = "bench-predict.myshopify.com";
const END = "2026-11-01T00:00:00.000Z";
const AS_OF = new Date(END);

const { values } = parseArgs({
  options: {
    customers: { type: "string", default: "100000" },
    runs: { type: "string", default: "3" },
    reuse: { type: "boolean", default: false },
  },
});
const runs = Math.max(1, Number(values.runs));
const customers = Number(values.customers);

async function main() {
  mkdirSync(DIR, { recursive: true });
  const shopFile = path.join(DIR, `shop-${customers}.jsonl`);
  if (!existsSync(shopFile)) {
    const { generateBgNbdHistory } = await import("../simulator/generator/bgnbd-history");
    const lines: string[] = [];
    for (const record of generateBgNbdHistory({ seed: 11, customers, weeks: 104, shopDomain: SHOP, endDate: END }))
      lines.push(JSON.stringify(record));
    writeFileSync(shopFile, lines.join("\n") + "\n");
  }
  const dbFile = path.join(DIR, `ledger-${customers}.sqlite`);
  const reuse = values.reuse && existsSync(dbFile);
  if (!reuse) {
    rmSync(dbFile, { force: true });
    execFileSync(process.execPath, ["node_modules/prisma/build/index.js", "migrate", "deploy"], {
      env: { ...process.env, DATABASE_URL: `file:${dbFile}` },
      stdio: "ignore",
    });
  }
  Object.assign(process.env, {
    DATABASE_URL: `file:${dbFile}`,
    SHOPIFY_API_KEY: "bench",
    SHOPIFY_API_SECRET: "bench",
    SHOPIFY_APP_URL: "http://127.0.0.1",
    LOG_LEVEL: "warn",
  });
  const { loadShopFile } = await import("../app/services/shop-file.server");
  const { customerAggregates } = await import("../app/models/qualifying-orders.server");
  const { computePredictions, modelJson } = await import("../app/services/predictions.server");
  const { saveShopPrediction } = await import("../app/models/predictions.server");
  if (!reuse) {
    const loaded = await loadShopFile(SHOP, shopFile);
    console.error(`loaded ${loaded.customers} customers, ${loaded.orders} orders`);
  }
  const cpu = (from: NodeJS.CpuUsage) => {
    const used = process.cpuUsage(from);
    return (used.user + used.system) / 1000;
  };
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const best = (xs: number[]) => Math.min(...xs);

  // Baseline: the ledger's own aggregate read, warmed once like the measured runs; `runs` times, alternating with
  // the predictions' runs so both see the same machine.
  await customerAggregates(SHOP, { asOf: AS_OF, windowStart: null });
  await computePredictions(SHOP, { asOf: AS_OF });
  const baseline: number[] = [];
  const read: number[] = [];
  const fit: number[] = [];
  const fitCpu: number[] = [];
  const backtest: number[] = [];
  const save: number[] = [];
  let run: Awaited<ReturnType<typeof computePredictions>> | null = null;
  let aggregateRows = 0;
  for (let i = 0; i < runs; i++) {
    let started = performance.now();
    aggregateRows = (await customerAggregates(SHOP, { asOf: AS_OF, windowStart: null })).length;
    baseline.push(performance.now() - started);
    const cpuFrom = process.cpuUsage();
    run = await computePredictions(SHOP, { asOf: AS_OF });
    const t = run.timings;
    read.push(t.readMs);
    fit.push(t.modelsMs + t.predictMs);
    backtest.push(t.backtestMs);
    fitCpu.push(cpu(cpuFrom));
    started = performance.now();
    await saveShopPrediction(
      SHOP,
      {
        asOf: AS_OF,
        status: run.status,
        reason: run.reason,
        customers: run.customers,
        repeaters: run.repeaters,
        model: modelJson(run),
        backtest: null,
        fittedAt: new Date(),
      },
      run.predictions,
    );
    save.push(performance.now() - started);
  }
  const rssMb = process.memoryUsage().rss / 1_048_576;
  const ms = (n: number) => `${Math.round(n).toLocaleString("en")} ms`;
  const figures = {
    customers: run!.customers,
    orders: run!.orders,
    aggregateRows,
    runs,
    baselineMs: baseline.map(Math.round),
    readMs: read.map(Math.round),
    fitMs: fit.map(Math.round),
    backtestMs: backtest.map(Math.round),
    computeCpuMs: fitCpu.map(Math.round),
    saveMs: save.map(Math.round),
    rssMb: Math.round(rssMb),
    status: run!.status,
    bgnbd: run!.bgnbd,
    gammaGamma: run!.gammaGamma,
    backtest:
      run!.backtest?.status === "fitted" ? { predicted: run!.backtest.predicted, actual: run!.backtest.actual } : null,
  };
  console.error(JSON.stringify(figures, null, 2));
  const r = (xs: number[]) => `${ms(best(xs))} / ${ms(median(xs))}`;
  console.log(
    [
      `best / median of ${runs} runs, wall clock`,
      "",
      "| customers | orders | baseline: ledger aggregate read | predictions read (purchase days) | read / baseline | fit: BG/NBD + Gamma-Gamma + every customer's predictions | back-test (second BG/NBD fit) | save (one transaction) | goal: fit < 5 s |",
      "|---:|---:|---:|---:|---:|---:|---:|---:|---|",
      `| ${run!.customers.toLocaleString("en")} | ${run!.orders.toLocaleString("en")} | ${r(baseline)} | ${r(read)} | ` +
        `${(median(read) / median(baseline)).toFixed(1)}× | ${r(fit)} | ${r(backtest)} | ${r(save)} | ` +
        `${best(fit) < 5000 ? "met" : "MISSED"} (best ${ms(best(fit))}) |`,
    ].join("\n"),
  );
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

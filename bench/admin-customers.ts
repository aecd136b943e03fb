// Benchmark: the admin's customer list on a shop of 100k customers (issue 8: < 300 ms server time).
//   npx tsx bench/admin-customers.ts
// Loads the generated `large` shop (seed 7, 100k customers, ~1M orders) into a fresh SQLite ledger, scores it, then
// times the Customers page's server work (customerPage: the list query, its count, the tier programme, currency and
// names) for the queries a merchant makes, 7 times each, median. Baseline in the same run: fetching 50 state rows
// with no filter, sort or join through the same client.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";

const DIR = path.resolve("tmp/bench/admin-customers");
const SHOP = "bench-recompute.myshopify.com";
const AS_OF = new Date("2026-11-01T00:00:00.000Z");
const RUNS = 7;

async function main() {
  mkdirSync(DIR, { recursive: true });
  // The recompute benchmark's shop file, when it is there: the same generator input.
  const shared = path.resolve("tmp/bench/recompute/shop-100k.jsonl");
  const shopFile = existsSync(shared) ? shared : path.join(DIR, "shop-100k.jsonl");
  if (!existsSync(shopFile)) {
    const { writeShopFile } = await import("../simulator/generator/index");
    await writeShopFile(
      { preset: "large", seed: 7, customers: 100_000, endDate: AS_OF.toISOString(), shopDomain: SHOP },
      shopFile,
      { truthFile: false },
    );
  }
  const dbFile = path.join(DIR, "ledger.sqlite");
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
  const { customerPage, customerListQuery } = await import("../app/services/customers.server");
  const { prisma } = await import("../app/db.server");
  console.error("▶ loading 100k customers …");
  await loadShopFile(SHOP, shopFile);
  await recomputeShop(SHOP, { asOf: AS_OF, reason: "backfill" });
  const someone = await prisma.customer.findFirstOrThrow({
    where: { shop: SHOP, lastName: { not: null } },
    orderBy: { id: "asc" },
  });

  const time = async (run: () => Promise<unknown>) => {
    await run(); // warm
    const ms: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      await run();
      ms.push(performance.now() - started);
    }
    return ms.sort((a, b) => a - b)[Math.floor(RUNS / 2)];
  };
  const baseline = await time(() =>
    prisma.$queryRawUnsafe(`SELECT * FROM "CustomerState" WHERE "shop" = ? LIMIT 50`, SHOP),
  );
  const cases: [string, string][] = [
    ["first page, most recent order", ""],
    ["first page, highest spend", "sort=monetary"],
    ["first page, most orders", "sort=frequency"],
    ["segment filter (champions)", "segment=champions"],
    ["tier filter (gold)", "tier=gold"],
    [`search by last name ("${someone.lastName}")`, `search=${encodeURIComponent(someone.lastName!)}`],
    ["search by email", `search=${encodeURIComponent(someone.email!)}`],
    ["page 10", "page=10"],
    ["page 1,000 (of 2,000)", "page=1000"],
  ];
  const lines = [
    "| query | median server time | / baseline |",
    "|---|---:|---:|",
    `| baseline: 50 rows, no filter, sort or join | ${baseline.toFixed(1)} ms | 1.0× |`,
  ];
  for (const [name, params] of cases) {
    const ms = await time(() => customerPage(SHOP, customerListQuery(new URLSearchParams(params))));
    lines.push(`| ${name} | ${ms.toFixed(1)} ms | ${(ms / baseline).toFixed(1)}× |`);
  }
  // The CSV download of every customer (Settings → Download CSV): the stored states as of the last run, streamed.
  const { exportCsv } = await import("../app/services/export.server");
  const { Writable } = await import("node:stream");
  let bytes = 0;
  const sink = new Writable({
    write(chunk, _enc, done) {
      bytes += chunk.length;
      done();
    },
  });
  const { asOf } = await prisma.shopComputation.findUniqueOrThrow({ where: { shop: SHOP } });
  const exportStarted = performance.now();
  const exported = await exportCsv(SHOP, { asOf, out: sink });
  const exportMs = performance.now() - exportStarted;
  if (exported.rows !== 100_000 || exported.source !== "stored")
    throw new Error(`export wrote ${exported.rows} rows from ${exported.source}`);
  lines.push(
    "",
    `CSV export of all ${exported.rows.toLocaleString("en")} customers (stored states): ${(exportMs / 1000).toFixed(1)} s, ${(bytes / 1e6).toFixed(1)} MB, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
  );
  console.log(lines.join("\n"));
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

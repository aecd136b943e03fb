// Benchmark: the insight segments (docs/insights.md) on a shop of 100k customers, against baselines in the same run on
// the same database: the customer list's first page without a filter (what the page costs today) and the ledger's own
// per-customer aggregate read (customerAggregates). Measured: the list's first page (rows and total) filtered by each
// insight, each insight's whole audience (what a campaign run reads), and the sync's extra read per page of 500
// customers (insightFacts) next to the page it enriches (syncCandidates). The shop is generated from known BG/NBD
// parameters (simulator/generator/bgnbd-history.ts), loaded through the app's `load` path into a fresh SQLite file,
// scored and fitted; then 30,000 orders with line items (12 products, 3 types; 6,000 discounted orders for 2,000
// customers, a third of the rest discounted) are written through the ledger's write path.
//   npx tsx bench/insights.ts [--customers 100000]
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

const DIR = path.resolve("tmp/bench/insights");
const SHOP = "bench-predict.myshopify.com";
const END = "2026-11-01T00:00:00.000Z";
const AS_OF = new Date(END);

const { values } = parseArgs({ options: { customers: { type: "string", default: "100000" } } });
const customers = Number(values.customers);

async function timed<T>(run: () => Promise<T>, rounds = 3): Promise<{ ms: number; value: T }> {
  let value = await run(); // warm
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    value = await run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], value };
}

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
  const { refitPredictions } = await import("../app/services/predictions.server");
  const { applyOrders, applyProducts } = await import("../app/models/ledger.server");
  const { customerAggregates } = await import("../app/models/qualifying-orders.server");
  const { listCustomers } = await import("../app/models/customer-list.server");
  const { insightCustomers, insightFacts, predictionContext } = await import("../app/models/insights.server");
  const { syncCandidates } = await import("../app/models/sync.server");
  const { prisma } = await import("../app/db.server");

  const loaded = await loadShopFile(SHOP, shopFile);
  console.error(`loaded ${loaded.customers} customers, ${loaded.orders} orders`);
  const P = (n: number) => `gid://shopify/Product/${100 + n}`;
  await applyProducts(
    SHOP,
    Array.from({ length: 12 }, (_, i) => ({
      id: P(i),
      title: `Product ${i}`,
      handle: `p-${i}`,
      productType: ["Shoes", "Kitchen", "Books"][i % 3],
      vendor: "Maker",
      status: "ACTIVE",
      sourceUpdatedAt: AS_OF,
    })),
  );
  const ids = (await prisma.customer.findMany({ where: { shop: SHOP }, select: { id: true } })).map((c) => c.id);
  const EXTRA = 30_000;
  for (let start = 0; start < EXTRA; start += 2000) {
    const batch = Array.from({ length: Math.min(2000, EXTRA - start) }, (_, k) => {
      const i = start + k;
      const at = new Date(AS_OF.getTime() - (1 + (i % 300)) * 86_400_000);
      return {
        id: `gid://shopify/Order/${9_000_000 + i}`,
        // The first 6,000 go three each to 2,000 customers, all discounted (some become promotion-only buyers)
        customerId: i < 6000 ? ids[i % 2000] : ids[(i * 7919) % ids.length],
        name: `#X${i}`,
        processedAt: at,
        cancelledAt: null,
        test: false,
        currencyCode: "USD",
        currentTotalMinor: 3000,
        discountCodes: i < 6000 || i % 3 === 0 ? ["SALE"] : [],
        discountMinor: i < 6000 || i % 3 === 0 ? 300 : 0,
        sourceUpdatedAt: at,
        lines: [0, 1].map((j) => ({
          id: `gid://shopify/LineItem/${9_000_000 + i * 2 + j}`,
          productId: P((i + j * 5) % 12),
          variantId: null,
          title: "x",
          variantTitle: null,
          vendor: null,
          sku: null,
          quantity: 1,
          amountMinor: 1500,
          giftCard: false,
        })),
      };
    });
    await applyOrders(SHOP, batch);
  }
  await recomputeShop(SHOP, { asOf: AS_OF, reason: "backfill" });
  const fit = await refitPredictions(SHOP, { asOf: AS_OF });
  const ctx = await predictionContext(SHOP);
  const scored = await prisma.customerState.count({ where: { shop: SHOP } });
  const orders = await prisma.order.count({ where: { shop: SHOP } });
  const lines = await prisma.orderLine.count({ where: { shop: SHOP } });
  console.log(`shop: ${scored} scored customers, ${orders} orders, ${lines} lines; fit ${fit.status}`);

  const baselineList = await timed(() => listCustomers(SHOP, { sort: "recency", page: 1 }));
  const baselineAggregates = await timed(() => customerAggregates(SHOP, { asOf: AS_OF, windowStart: null }), 1);
  console.log(`baseline  customer list page 1 (no filter)          ${baselineList.ms.toFixed(0).padStart(6)} ms`);
  console.log(`baseline  ledger aggregate read (every customer)    ${baselineAggregates.ms.toFixed(0).padStart(6)} ms`);

  const insights = [
    { key: "clv_high" },
    { key: "likely_lost" },
    { key: "promotion_only" },
    { key: "product", productId: P(3) },
    { key: "product_type", productType: "Shoes" },
  ] as const;
  for (const insight of insights) {
    const list = await timed(() => listCustomers(SHOP, { sort: "recency", page: 1, insight }));
    const audience = await timed(() => insightCustomers(SHOP, insight, ctx, AS_OF), 1);
    console.log(
      `${insight.key.padEnd(15)} list page 1 ${list.ms.toFixed(0).padStart(6)} ms (total ${list.value.total}),` +
        ` audience ${audience.ms.toFixed(0).padStart(6)} ms (${audience.value.length} customers)`,
    );
  }
  const page = await syncCandidates(SHOP, null, 500);
  const candidates = await timed(() => syncCandidates(SHOP, page[page.length - 1].state.customerId, 500));
  const facts = await timed(() =>
    insightFacts(
      SHOP,
      candidates.value.map((c) => c.state.customerId),
      AS_OF,
    ),
  );
  console.log(
    `sync page of 500: candidates ${candidates.ms.toFixed(1)} ms, insight facts ${facts.ms.toFixed(1)} ms` +
      ` (${facts.value.size} customers)`,
  );
  await prisma.$disconnect();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

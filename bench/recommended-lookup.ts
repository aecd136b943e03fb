// Benchmark: what a products/* webhook pays to learn whether a product it deleted or moved on or off sale is in some
// customer's stored recommendations (PRODUCT_RECOMMENDED in app/models/ledger-rules.sql.ts, read inside the webhook's
// ledger transaction: docs/recommendations.md#a-products-webhook-queues-the-sync). SQLite (better-sqlite3, the
// ledger driver's engine), the table as the migration creates it, N customers with 8 recommended products each out of
// a 5,000-product catalogue. Printed per N: the read when no customer has the product (it reads every row of the
// shop: the worst case), when customers have it (it stops at the first), and as the baseline measured in the same
// run, one customer's row by its key (what the webhook's other reads cost). Median of 5 runs each.
//   npx tsx bench/recommended-lookup.ts [--customers 10000,100000,1000000]
import Database from "better-sqlite3";
import { parseArgs } from "node:util";
import { PRODUCT_RECOMMENDED } from "../app/models/ledger-rules.sql";
import { sqliteForm } from "../app/models/sql-dialect";

const { values } = parseArgs({ options: { customers: { type: "string", default: "10000,100000,1000000" } } });
const SHOP = "bench-picks.myshopify.com";
const OTHER = "other-picks.myshopify.com";
const gid = (n: number) => `gid://shopify/Product/${8_300_000_000_000 + n}`;

function median(run: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    run();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[2];
}

for (const n of values.customers.split(",").map(Number)) {
  const db = new Database(":memory:");
  db.exec(`CREATE TABLE "CustomerRecommendation" (
    "shop" TEXT NOT NULL, "customerId" TEXT NOT NULL, "products" TEXT NOT NULL, "computedAt" DATETIME NOT NULL,
    PRIMARY KEY ("shop", "customerId"))`);
  const insert = db.prepare(`INSERT INTO "CustomerRecommendation" VALUES (?, ?, ?, ?)`);
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const products = Array.from({ length: 8 }, (_, k) => gid((i * 7 + k * 13) % 5_000));
      insert.run(SHOP, `gid://shopify/Customer/${1_000_000 + i}`, JSON.stringify(products), "2026-12-01");
      // Another shop of the same size in the same table: the read is scoped by shop
      insert.run(OTHER, `gid://shopify/Customer/${1_000_000 + i}`, JSON.stringify(products), "2026-12-01");
    }
  })();
  const { text } = sqliteForm(PRODUCT_RECOMMENDED);
  const lookup = db.prepare(text);
  const byKey = db.prepare(`SELECT "products" FROM "CustomerRecommendation" WHERE "shop" = ? AND "customerId" = ?`);
  const pattern = (id: string) => `%${JSON.stringify(id)}%`;
  if (lookup.get(SHOP, pattern(gid(999_999))) !== undefined) throw new Error("an unrecommended product was found");
  if (lookup.get(SHOP, pattern(gid(4_999))) === undefined) throw new Error("a recommended product was not found");
  const miss = median(() => lookup.get(SHOP, pattern(gid(999_999))));
  const hit = median(() => lookup.get(SHOP, pattern(gid(4_999))));
  const baseline = median(() => byKey.get(SHOP, `gid://shopify/Customer/${1_000_000 + Math.floor(n / 2)}`));
  console.log(
    `${n.toLocaleString("en-US")} customers: not recommended (every row read) ${miss.toFixed(1)} ms, ` +
      `recommended ${hit.toFixed(2)} ms, baseline (one row by key) ${baseline.toFixed(3)} ms`,
  );
  db.close();
}

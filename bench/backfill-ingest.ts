// Benchmark: backfill ingestion of a generated shop's full history (issue 5) — the app's path (bulk JSONL streamed
// over HTTP → normaliser → batched ledger upserts with the resume point) against a baseline in the same run: the
// same file parsed and inserted into the same SQLite with one prepared INSERT, no normalising, no upsert rules.
// Each measurement runs in its own process, so peak RSS is that path's alone.
//   npx tsx bench/backfill-ingest.ts [--sizes 100k,1m] [--heap-mb 96]
import { execFileSync, spawn } from "node:child_process";
import { createReadStream, createWriteStream, existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import readline from "node:readline";
import { parseArgs } from "node:util";

const DIR = path.resolve("tmp/bench/backfill");
const SIZES: Record<string, { customers: number }> = { "100k": { customers: 10_000 }, "1m": { customers: 100_000 } };
const SHOP = "bench-backfill.myshopify.com";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "100k,1m" },
    // Caps V8's heap in the measured processes: if a run still completes at the same speed, the RSS above the cap
    // was collectable garbage, not data held — the proof that ingestion runs in constant memory.
    "heap-mb": { type: "string" },
    role: { type: "string" },
    size: { type: "string" },
    url: { type: "string" },
  },
});

const files = (size: string) => ({
  shop: path.join(DIR, `shop-${size}.jsonl`),
  customers: path.join(DIR, `customers-${size}.jsonl`),
  orders: path.join(DIR, `orders-${size}.jsonl`),
  db: path.join(DIR, `ledger-${size}.sqlite`),
});

/** The shop file in the shape of Shopify's two backfill bulk results (customers; orders with refunds inline). */
async function prepare(size: string) {
  const f = files(size);
  mkdirSync(DIR, { recursive: true });
  if (existsSync(f.orders) && existsSync(f.customers)) return;
  const { writeShopFile, readShopFile } = await import("../simulator/generator/index");
  if (!existsSync(f.shop)) {
    await writeShopFile(
      {
        preset: "large",
        seed: 7,
        customers: SIZES[size].customers,
        endDate: "2026-11-01T00:00:00.000Z",
        shopDomain: SHOP,
      },
      f.shop,
      { truthFile: false },
    );
  }
  const customers = createWriteStream(f.customers);
  const orders = createWriteStream(f.orders);
  let pending: Record<string, unknown> | null = null;
  const write = (stream: typeof orders, value: unknown) =>
    stream.write(`${JSON.stringify(value)}\n`) ? null : new Promise<void>((r) => stream.once("drain", () => r()));
  for await (const record of readShopFile(f.shop)) {
    if (record.__typename === "Customer") {
      await write(customers, {
        id: record.id,
        firstName: record.firstName,
        lastName: record.lastName,
        defaultEmailAddress: record.email ? { emailAddress: record.email } : null,
        locale: record.locale,
        createdAt: record.createdAt,
        updatedAt: record.updatedAt,
      });
    } else if (record.__typename === "Order") {
      if (pending) await write(orders, pending);
      pending = {
        id: record.id,
        name: record.name,
        processedAt: record.processedAt,
        createdAt: record.createdAt,
        updatedAt: record.updatedAt,
        cancelledAt: record.cancelledAt,
        test: record.test,
        customer: record.customer,
        currentTotalPriceSet: { shopMoney: record.currentTotalPriceSet.shopMoney },
        currentTotalDiscountsSet: { shopMoney: record.totalDiscountsSet.shopMoney },
        discountCodes: record.discountCodes,
        refunds: [],
      };
    } else if (record.__typename === "Refund" && pending) {
      (pending.refunds as unknown[]).push({
        id: record.id,
        createdAt: record.createdAt,
        processedAt: record.createdAt,
        totalRefundedSet: { shopMoney: record.totalRefundedSet.shopMoney },
      });
    }
  }
  if (pending) await write(orders, pending);
  await Promise.all([customers, orders].map((s) => new Promise<void>((r) => s.end(() => r()))));
}

function freshDb(file: string) {
  rmSync(file, { force: true });
  execFileSync(process.execPath, ["node_modules/prisma/build/index.js", "migrate", "deploy"], {
    env: { ...process.env, DATABASE_URL: `file:${file}` },
    stdio: "ignore",
  });
}

/** Baseline: the orders file, line by line, JSON.parse and one prepared INSERT per order in 1,000-row transactions. */
async function baseline(size: string) {
  const Database = (await import("better-sqlite3")).default;
  const f = files(size);
  freshDb(f.db);
  const db = new Database(f.db);
  const insert = db.prepare(
    `INSERT INTO "Order" ("shop","id","customerId","name","processedAt","cancelledAt","test","currencyCode","currentTotalMinor","valueMinor","discountCodes","sourceUpdatedAt") VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
  );
  const insertMany = db.transaction((rows: Record<string, any>[]) => {
    for (const o of rows) {
      const cents = Math.round(Number(o.currentTotalPriceSet.shopMoney.amount) * 100); // the shortcut the app must not take
      insert.run(
        SHOP,
        o.id,
        o.customer?.id ?? null,
        o.name,
        o.processedAt,
        o.cancelledAt,
        o.test ? 1 : 0,
        o.currentTotalPriceSet.shopMoney.currencyCode,
        cents,
        cents,
        "[]",
        o.updatedAt,
      );
    }
  });
  const started = performance.now();
  let rows: Record<string, unknown>[] = [];
  let count = 0;
  for await (const line of readline.createInterface({ input: createReadStream(f.orders) })) {
    rows.push(JSON.parse(line));
    if (rows.length === 1000) {
      insertMany(rows);
      count += rows.length;
      rows = [];
    }
  }
  insertMany(rows);
  count += rows.length;
  return { orders: count, seconds: (performance.now() - started) / 1000 };
}

let loadedRssMb = 0;

/** The app: ingestBulkFile over HTTP from a separate file server, as the backfill job does with Shopify's URLs. */
async function app(size: string, url: string) {
  const f = files(size);
  freshDb(f.db);
  Object.assign(process.env, {
    DATABASE_URL: `file:${f.db}`,
    SHOPIFY_API_KEY: "bench",
    SHOPIFY_API_SECRET: "bench",
    SHOPIFY_APP_URL: "http://127.0.0.1",
    LOG_LEVEL: "warn",
  });
  const { prisma } = await import("../app/db.server");
  const { ingestBulkFile } = await import("../app/services/backfill.server");
  const { createBackfillRun } = await import("../app/models/backfill.server");
  await prisma.shop.create({ data: { shop: SHOP } });
  const { run } = await createBackfillRun(SHOP);
  // RSS once the app's modules and database client are loaded: what the ingestion itself adds is measured from here.
  loadedRssMb = Math.round(process.memoryUsage().rss / 1024 / 1024);
  await ingestBulkFile(SHOP, run.id, `${url}/customers-${size}.jsonl`, 0);
  const started = performance.now();
  await ingestBulkFile(SHOP, run.id, `${url}/orders-${size}.jsonl`, 0);
  const seconds = (performance.now() - started) / 1000;
  const orders = await prisma.order.count({ where: { shop: SHOP } });
  return { orders, seconds };
}

function fileServer(): Promise<{ url: string; close: () => void }> {
  const server = http.createServer((req, res) => {
    const file = path.join(DIR, path.basename(req.url ?? ""));
    if (!existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { "Content-Type": "application/jsonl", "Content-Length": statSync(file).size });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() }),
    ),
  );
}

function child(args: string[]): Promise<{ orders: number; seconds: number; maxRssMb: number; loadedRssMb: number }> {
  return new Promise((resolve, reject) => {
    const heap = values["heap-mb"] ? [`--max-old-space-size=${values["heap-mb"]}`, "--max-semi-space-size=4"] : [];
    const proc = spawn(process.execPath, [...heap, "--import", "tsx", "bench/backfill-ingest.ts", ...args], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    proc.stdout.on("data", (d) => (out += d));
    proc.on("exit", (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split("\n").pop()!))
        : reject(new Error(`child ${args.join(" ")} exited ${code}`)),
    );
  });
}

async function main() {
  if (values.role) {
    const size = values.size!;
    const result =
      values.role === "prepare"
        ? (await prepare(size), { orders: 0, seconds: 0 })
        : values.role === "baseline"
          ? await baseline(size)
          : await app(size, values.url!);
    // maxRSS: peak resident set of this process, in KiB on Linux.
    console.log(
      JSON.stringify({ ...result, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024), loadedRssMb }),
    );
    process.exit(0);
  }
  const server = await fileServer();
  const rows: string[] = [];
  try {
    for (const size of values.sizes.split(",")) {
      console.error(`▶ ${size}: preparing the shop file and bulk results …`);
      await child(["--role", "prepare", "--size", size]);
      console.error(`▶ ${size}: baseline …`);
      const base = await child(["--role", "baseline", "--size", size]);
      console.error(`▶ ${size}: app …`);
      const measured = await child(["--role", "app", "--size", size, "--url", server.url]);
      if (measured.orders !== base.orders)
        throw new Error(`app ledger holds ${measured.orders} orders, baseline ${base.orders}`);
      const rate = (r: { orders: number; seconds: number }) => Math.round(r.orders / r.seconds);
      rows.push(
        `| ${size} | ${measured.orders.toLocaleString("en")} | ${rate(base).toLocaleString("en")} /s (${base.maxRssMb} MB) | ` +
          `${rate(measured).toLocaleString("en")} /s (${measured.maxRssMb} MB; +${measured.maxRssMb - measured.loadedRssMb} MB over ${measured.loadedRssMb} MB loaded) | ` +
          `${(rate(measured) / rate(base)).toFixed(2)} |`,
      );
    }
  } finally {
    server.close();
  }
  console.log(
    "| shop | orders | baseline: parse + INSERT (peak RSS) | app backfill ingest (peak RSS) | app / baseline |",
  );
  console.log("|---|---|---|---|---|");
  for (const row of rows) console.log(row);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

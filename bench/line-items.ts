// Benchmark: what line items cost the ledger's loading (issue #22, item 3). The same generated history is loaded
// through the app's shop-file loader (the backfill's normaliser and batched writes: app/services/shop-file.server.ts)
// into a fresh SQLite file twice in this run: as a file from before line items (no Product lines, no lineItems, no
// refundLineItems: the baseline) and as the file with them. Each load runs in its own process, so its peak RSS is its
// own. Printed: seconds, orders/s, line items/s, peak RSS, and the rows written.
//   npx tsx bench/line-items.ts [--customers 10000]
import { spawn } from "node:child_process";
import { createReadStream, createWriteStream, existsSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { parseArgs } from "node:util";

const DIR = path.resolve("tmp/bench/line-items");
const SHOP = "bench-lines.myshopify.com";

const { values } = parseArgs({
  options: {
    customers: { type: "string", default: "10000" },
    role: { type: "string" },
    file: { type: "string" },
  },
});

/** The generated file, and the same history written without its line items. */
async function prepare(customers: number) {
  mkdirSync(DIR, { recursive: true });
  const withLines = path.join(DIR, `shop-${customers}.jsonl`);
  const withoutLines = path.join(DIR, `shop-${customers}-no-lines.jsonl`);
  if (!existsSync(withLines)) {
    const { writeShopFile } = await import("../simulator/generator/index");
    await writeShopFile(
      { preset: "large", seed: 7, customers, endDate: "2026-11-01T00:00:00.000Z", shopDomain: SHOP },
      withLines,
      { truthFile: true },
    );
  }
  if (!existsSync(withoutLines)) {
    const out = createWriteStream(withoutLines);
    for await (const line of readline.createInterface({ input: createReadStream(withLines) })) {
      if (!line || line.includes('"__typename":"Product"')) continue;
      const record = JSON.parse(line);
      delete record.lineItems;
      delete record.refundLineItems;
      if (!out.write(`${JSON.stringify(record)}\n`)) await new Promise<void>((r) => out.once("drain", () => r()));
    }
    await new Promise<void>((r) => out.end(() => r()));
  }
  return { withLines, withoutLines };
}

/** In a child process with its own fresh database: load the file, report time, rows and peak RSS. */
async function load(file: string) {
  const started = performance.now();
  const { loadShopFile } = await import("../app/services/shop-file.server");
  const result = await loadShopFile(SHOP, file);
  const seconds = (performance.now() - started) / 1000;
  const { prisma } = await import("../app/db.server");
  const rows = {
    orders: await prisma.order.count({ where: { shop: SHOP } }),
    orderLines: await prisma.orderLine.count({ where: { shop: SHOP } }),
    refundLines: await prisma.refundLine.count({ where: { shop: SHOP } }),
    products: await prisma.product.count({ where: { shop: SHOP } }),
  };
  await prisma.$disconnect();
  return { seconds, lines: result.lines, rows, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) };
}

function run(args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ["--import", "tsx", ...args], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    proc.stdout.on("data", (d) => (out += d));
    proc.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`${args.join(" ")} exited ${code}`))));
  });
}

async function measure(file: string, name: string) {
  const db = path.join(DIR, `${name}.sqlite`);
  rmSync(db, { force: true });
  rmSync(`${db}-wal`, { force: true });
  rmSync(`${db}-shm`, { force: true });
  const env = {
    DATABASE_URL: `file:${db}`,
    SHOPIFY_API_KEY: "bench",
    SHOPIFY_API_SECRET: "bench",
    SHOPIFY_APP_URL: "http://127.0.0.1",
    LOG_LEVEL: "warn",
  };
  await run(["scripts/setup.mjs"], env);
  const out = await run(["bench/line-items.ts", "--role", "load", "--file", file], env);
  return JSON.parse(out.trim().split("\n").pop()!) as Awaited<ReturnType<typeof load>>;
}

async function main() {
  if (values.role === "load") {
    console.log(JSON.stringify(await load(values.file!)));
    return;
  }
  const customers = Number(values.customers);
  const { withLines, withoutLines } = await prepare(customers);
  const base = await measure(withoutLines, "baseline");
  const lines = await measure(withLines, "with-lines");
  const row = (name: string, r: typeof base) =>
    `${name.padEnd(26)} ${r.seconds.toFixed(1).padStart(7)} s ${Math.round(r.rows.orders / r.seconds)
      .toString()
      .padStart(8)} orders/s ${(r.rows.orderLines ? Math.round(r.rows.orderLines / r.seconds) : 0)
      .toString()
      .padStart(8)} lines/s ${String(r.maxRssMb).padStart(5)} MB   ${JSON.stringify(r.rows)}`;
  console.log(`Loading ${customers} customers' history through the shop-file loader (SQLite), same run:`);
  console.log(row("baseline (no line items)", base));
  console.log(row("with line items", lines));
  console.log(`cost of line items: ×${(lines.seconds / base.seconds).toFixed(2)} time`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

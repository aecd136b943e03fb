// Benchmark: sync back to the store (issue 7) against the local Shopify on the standard plan's limits.
//   npx tsx bench/sync.ts [--sizes 10k,100k]
//
// Each size runs in a fresh process: a generated shop (`large`, seed 7) is loaded into a fresh SQLite ledger and
// recomputed; the simulator holds the same customers (no orders: the sync never reads them). Then, for every
// customer a first sync (tags, tier metafields, tier segments):
// - paced (10k only; forced, the default goes bulk above 2,000): aliased mutations paced on the bucket. The
//   simulator and the client share a fake clock (the client's sleep advances it), so the run takes seconds while its
//   figures are those of the real limits. Baseline in the same run: the theoretical minimum the bucket allows for
//   the points the run spent — (points − bucket size) / restore rate — and the points available in that time.
// - bulk (default above 2,000): bulk query for tags, one bulk mutation per kind, on the real clock.
// Every run is checked afterwards: every customer carries exactly the tags its state asks for.
import { execFileSync, spawn } from "node:child_process";
import { createReadStream, createWriteStream, existsSync, mkdirSync, rmSync } from "node:fs";
import { createInterface } from "node:readline";
import path from "node:path";
import { parseArgs } from "node:util";

const DIR = path.resolve("tmp/bench/sync");
const SIZES: Record<string, number> = { "10k": 10_000, "100k": 100_000 };
const SHOP = "bench-sync.myshopify.com";
const AS_OF = new Date("2026-11-01T00:00:00.000Z");

const { values } = parseArgs({ options: { sizes: { type: "string", default: "10k,100k" }, size: { type: "string" } } });

interface RunFigures {
  path: "paced" | "bulk";
  customers: number;
  changed: number;
  synced: number;
  failed: number;
  requests: number;
  costPoints: number;
  throttled: number;
  simulatedSeconds: number | null;
  theoreticalSeconds: number | null;
  budgetShare: number | null;
  realSeconds: number;
  verified: number;
}

/** The shop file without its orders: what the simulator needs to hold for a sync. */
async function customersOnly(file: string, out: string) {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  const target = createWriteStream(out);
  for await (const line of lines) {
    if (line.includes('"__typename":"Order"')) continue;
    if (!target.write(`${line}\n`)) await new Promise<void>((r) => target.once("drain", () => r()));
  }
  await new Promise<void>((resolve) => target.end(() => resolve()));
}

async function measure(size: string): Promise<RunFigures[]> {
  mkdirSync(DIR, { recursive: true });
  const shopFile = path.join(DIR, `shop-${size}.jsonl`);
  const customersFile = path.join(DIR, `customers-${size}.jsonl`);
  if (!existsSync(shopFile)) {
    const { writeShopFile } = await import("../simulator/generator/index");
    await writeShopFile(
      { preset: "large", seed: 7, customers: SIZES[size], endDate: AS_OF.toISOString(), shopDomain: SHOP },
      shopFile,
      { truthFile: false },
    );
  }
  if (!existsSync(customersFile)) await customersOnly(shopFile, customersFile);
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
  const { syncShop } = await import("../app/services/sync.server");
  const { prisma } = await import("../app/db.server");
  const { createAdminClient } = await import("../app/shopify/client");
  const { fetchTransport } = await import("../app/shopify/transport.server");
  const { createAdminSimulator, createFakeClock } = await import("../simulator/admin/index");
  const { DEFAULT_PLANS } = await import("../simulator/admin/throttle");

  await loadShopFile(SHOP, shopFile);
  await recomputeShop(SHOP, { asOf: AS_OF, reason: "backfill" });
  const states = await prisma.customerState.findMany({
    where: { shop: SHOP },
    select: { customerId: true, segment: true, tier: true },
  });

  async function run(kind: "paced" | "bulk"): Promise<RunFigures> {
    await prisma.customerSync.deleteMany({ where: { shop: SHOP } });
    await prisma.tierSegment.deleteMany({ where: { shop: SHOP } });
    const clock = kind === "paced" ? createFakeClock(AS_OF.getTime()) : undefined;
    const admin = createAdminSimulator({
      apiKey: "bench",
      apiSecret: "bench",
      clock,
      protectedCustomerData: { level: 2, fields: ["name", "email"] },
    });
    const shop = await admin.shops.loadShopFile(customersFile);
    shop.record.plan = "standard";
    const server = await admin.listen();
    try {
      const endpoint = `${server.url}/store/${SHOP}/admin/api/2026-04/graphql.json`;
      const client = createAdminClient({
        shop: SHOP,
        transport: fetchTransport({ shop: SHOP, accessToken: admin.tokens.issue(SHOP), endpoint }),
        ...(clock ? { now: clock.now, sleep: async (ms: number) => clock.advance(ms) } : {}),
      });
      const startedAt = clock?.now() ?? 0;
      const started = performance.now();
      const result = await syncShop(SHOP, {
        client,
        reason: "manual",
        ...(kind === "paced" ? { bulkThreshold: Number.POSITIVE_INFINITY } : {}),
      });
      const realSeconds = (performance.now() - started) / 1000;
      if (result.status !== "done") throw new Error(`${kind} sync of ${size} failed: ${result.error}`);
      // Verify: every customer carries exactly the tags of its state.
      let verified = 0;
      for (const s of states) {
        const tags = shop.customers.get(s.customerId)?.tags ?? [];
        const want = [`rfm:${s.segment}`, ...(s.tier ? [`tier:${s.tier}`] : [])];
        const app = tags.filter((t) => t.startsWith("rfm:") || t.startsWith("tier:"));
        if (app.length === want.length && want.every((t) => app.includes(t))) verified++;
      }
      if (verified !== states.length)
        throw new Error(
          `${kind} sync of ${size}: ${states.length - verified} customers do not carry their state's tags`,
        );
      const plan = DEFAULT_PLANS.standard;
      const simulatedSeconds = clock ? (clock.now() - startedAt) / 1000 : null;
      return {
        path: kind,
        customers: states.length,
        changed: result.changed,
        synced: result.synced,
        failed: result.failed,
        requests: result.requests,
        costPoints: result.costPoints,
        throttled: result.throttled,
        simulatedSeconds,
        theoreticalSeconds: clock ? Math.max(0, (result.costPoints - plan.maximumAvailable) / plan.restoreRate) : null,
        budgetShare:
          simulatedSeconds === null
            ? null
            : result.costPoints / (plan.maximumAvailable + plan.restoreRate * simulatedSeconds),
        realSeconds,
        verified,
      };
    } finally {
      await server.close();
      await admin.dispose();
    }
  }

  const runs: RunFigures[] = [];
  if (size === "10k") runs.push(await run("paced"));
  runs.push(await run("bulk"));
  return runs;
}

function child(size: string): Promise<RunFigures[]> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ["--import", "tsx", "bench/sync.ts", "--size", size], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    proc.stdout.on("data", (d) => (out += d));
    proc.on("exit", (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split("\n").pop()!))
        : reject(new Error(`sync bench ${size} exited ${code}`)),
    );
  });
}

async function main() {
  if (values.size) {
    console.log(JSON.stringify(await measure(values.size)));
    process.exit(0);
  }
  const n = (x: number) => x.toLocaleString("en");
  const s = (x: number | null) => (x === null ? "—" : `${x.toFixed(1)} s`);
  const lines = [
    "| shop | path | customers written | requests | requests / customer | cost points | points / customer | THROTTLED met | run time (simulated) | theoretical minimum | budget used | real time |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const size of values.sizes.split(",")) {
    console.error(`▶ ${size} …`);
    for (const f of await child(size)) {
      lines.push(
        `| ${size} | ${f.path} | ${n(f.synced)} of ${n(f.changed)} | ${n(f.requests)} | ${(f.requests / f.changed).toFixed(4)} | ${n(f.costPoints)} | ${(f.costPoints / f.changed).toFixed(2)} | ${f.throttled} | ` +
          `${s(f.simulatedSeconds)} | ${s(f.theoreticalSeconds)} | ${f.budgetShare === null ? "—" : `${(f.budgetShare * 100).toFixed(1)} %`} | ${f.realSeconds.toFixed(1)} s |`,
      );
    }
  }
  console.log(lines.join("\n"));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

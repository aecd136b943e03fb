// Benchmark: the sync after one customer moved (issue #23 item 4) — its cost must follow what changed, not the
// shop's size.
//   npm run bench:sync-changed -- [--sizes 10k,100k] [--repeat 5]
//
// Each size runs in a fresh process on a fresh SQLite database: `size` customer states (synthetic segments and
// tiers, written with the app's writeStates) whose tags are all already in Shopify (CustomerSync rows as a finished
// sync leaves them; tags only: metafields, segments and discounts off, so the run is about which customers are
// read). Then, `repeat` times (after one unmeasured round), one customer moves (their segment changes: the database
// marks them) and a sync runs, the two kinds alternating:
// - changed: the sync after customer events (reason "customer": only the customers changed since the last sync);
// - all: the same sync reading every state (reason "recompute": the path every sync took before), the baseline,
//   measured in the same process on the same data.
// Printed per size and path: states read (the run's `considered`), customers written, Shopify requests, and the
// run's wall time (median and max of the repeats). The local Shopify holds the customers that move.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const DIR = path.resolve("tmp/bench/sync-changed");
const SIZES: Record<string, number> = { "10k": 10_000, "100k": 100_000 };
const SHOP = "bench-sync-changed.myshopify.com";
const AS_OF = new Date("2026-11-01T00:00:00.000Z");
const SEGMENTS = ["champions", "loyal", "potential_loyalist", "at_risk", "hibernating", "cant_lose"];
const TIERS = [null, "member", "silver", "gold"];

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "10k,100k" },
    size: { type: "string" },
    repeat: { type: "string", default: "5" },
  },
});
const REPEAT = Number(values.repeat);

interface Figures {
  path: "changed" | "all";
  customers: number;
  considered: number;
  synced: number;
  requests: number;
  ms: number[];
}

async function measure(size: string): Promise<Figures[]> {
  mkdirSync(DIR, { recursive: true });
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
  const { writeShopFile } = await import("../simulator/generator/index");
  const { writeStates } = await import("../app/models/customer-state.server");
  const { saveSyncSettings } = await import("../app/models/sync.server");
  const { syncShop } = await import("../app/services/sync.server");
  const { prisma } = await import("../app/db.server");
  const { createAdminClient } = await import("../app/shopify/client");
  const { fetchTransport } = await import("../app/shopify/transport.server");
  const { createAdminSimulator } = await import("../simulator/admin/index");
  const { DEFAULT_SYNC_SETTINGS } = await import("../app/domain/sync");

  // The local Shopify: a small generated shop whose customers are the ones that move.
  const shopFile = path.join(DIR, "movers.jsonl");
  await writeShopFile(
    { preset: "demo", seed: 5, customers: 2 * REPEAT + 4, shopDomain: SHOP, endDate: AS_OF.toISOString() },
    shopFile,
    { truthFile: false },
  );
  const admin = createAdminSimulator({
    apiKey: "bench",
    apiSecret: "bench",
    protectedCustomerData: { level: 2, fields: ["name", "email"] },
  });
  const held = await admin.shops.loadShopFile(shopFile);
  held.record.plan = "advanced";
  const movers = [...held.customers.values()].map((c) => c.id);
  const server = await admin.listen();
  const endpoint = `${server.url}/store/${SHOP}/admin/api/2026-04/graphql.json`;
  const client = createAdminClient({
    shop: SHOP,
    transport: fetchTransport({ shop: SHOP, accessToken: admin.tokens.issue(SHOP), endpoint }),
  });

  // The app's side: `n` states, every one written to Shopify already (its tags as a finished sync records them).
  await prisma.shop.create({ data: { shop: SHOP, status: "active", currencyCode: "USD" } });
  await saveSyncSettings(SHOP, { ...DEFAULT_SYNC_SETTINGS, metafields: false, segments: false, codes: false });
  const n = SIZES[size];
  const ids = [...movers, ...Array.from({ length: n - movers.length }, (_, i) => `gid://shopify/Customer/${9e12 + i}`)];
  const stateOf = (customerId: string, i: number) => ({
    customerId,
    segment: SEGMENTS[i % SEGMENTS.length],
    r: 3,
    f: 3,
    m: 3,
    fm: 3,
    frequency: 2,
    monetaryMinor: 10_000,
    lastOrderAt: AS_OF.getTime() - 86_400_000,
    tier: TIERS[i % TIERS.length],
    spendInWindowMinor: 10_000,
    ordersInWindow: 2,
    nextTier: null,
    amountToNextMinor: null,
    ordersToNext: null,
    tierExpiresAt: null,
    windowChangesAt: null,
    baseLastOrderAt: null,
    baseFrequency: null,
    baseMonetaryMinor: null,
  });
  const BATCH = 5_000;
  for (let i = 0; i < n; i += BATCH) {
    const batch = ids.slice(i, i + BATCH).map((id, j) => stateOf(id, i + j));
    // writeStates takes the values the recompute computes; fields it does not know are ignored by its column list.
    await writeStates(SHOP, batch as unknown as Parameters<typeof writeStates>[1], [], {
      computedAt: AS_OF,
      reason: "backfill",
    });
    // Prisma caps an ORM statement at 999 bound parameters on SQLite: 200 rows of 4.
    for (let j = 0; j < batch.length; j += 200)
      await prisma.customerSync.createMany({
        data: batch.slice(j, j + 200).map((s) => ({
          shop: SHOP,
          customerId: s.customerId,
          tags: JSON.stringify([`rfm:${s.segment}`, ...(s.tier ? [`tier:${s.tier}`] : [])]),
          foreignTags: "[]",
        })),
      });
  }
  // Written: nothing is due.
  await prisma.customerSyncDue.deleteMany({ where: { shop: SHOP } });
  for (const [i, id] of movers.entries()) {
    const s = stateOf(id, i);
    held.customers.get(id)!.tags.push(`rfm:${s.segment}`, ...(s.tier ? [`tier:${s.tier}`] : []));
  }

  // Settled before measuring: the setup's writes checkpointed out of SQLite's WAL, one unmeasured sync of each kind.
  await prisma.$queryRawUnsafe("PRAGMA wal_checkpoint(TRUNCATE)");
  const runs = new Map<"changed" | "all", Figures>(
    (["changed", "all"] as const).map((kind) => [
      kind,
      { path: kind, customers: n, considered: 0, synced: 0, requests: 0, ms: [] },
    ]),
  );
  let next = 0;
  // The two paths alternate, so that the machine's load (shared, noisy) falls on both alike.
  for (let r = -1; r < REPEAT; r++) {
    for (const kind of ["changed", "all"] as const) {
      const f = runs.get(kind)!;
      const id = movers[next++];
      await prisma.customerState.updateMany({
        where: { shop: SHOP, customerId: id },
        data: { segment: "about_to_sleep" },
      });
      // The garbage of the setup and of the run before is collected first, not charged to this run.
      (globalThis as { gc?: () => void }).gc?.();
      const started = performance.now();
      const result = await syncShop(SHOP, { client, reason: kind === "changed" ? "customer" : "recompute" });
      const ms = performance.now() - started;
      if (result.status !== "done" || result.synced !== 1)
        throw new Error(`${kind} sync of ${size}: ${JSON.stringify(result)}`);
      if (!held.customers.get(id)!.tags.includes("rfm:about_to_sleep")) throw new Error(`${id} was not written`);
      if (r < 0) continue; // the warm-up
      f.ms.push(ms);
      f.considered = result.considered;
      f.synced = result.synced;
      f.requests = result.requests;
    }
  }
  await server.close();
  await admin.dispose();
  await prisma.$disconnect();
  return [...runs.values()];
}

function child(size: string): Promise<Figures[]> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      ["--expose-gc", "--import", "tsx", "bench/sync-changed.ts", "--size", size, "--repeat", String(REPEAT)],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    proc.stdout.on("data", (d) => (out += d));
    proc.on("exit", (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split("\n").pop()!))
        : reject(new Error(`sync-changed bench ${size} exited ${code}`)),
    );
  });
}

async function main() {
  if (values.size) {
    console.log(JSON.stringify(await measure(values.size)));
    process.exit(0);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const lines = [
    "| shop | path | states read | customers written | Shopify requests | run time median | max |",
    "|---|---|---:|---:|---:|---:|---:|",
  ];
  const byPath = new Map<string, number>();
  for (const size of values.sizes.split(",")) {
    console.error(`▶ ${size} …`);
    for (const f of await child(size)) {
      byPath.set(`${size} ${f.path}`, median(f.ms));
      lines.push(
        `| ${size} | ${f.path === "changed" ? "changed since last sync" : "every state (before)"} | ${f.considered.toLocaleString("en")} | ${f.synced} | ${f.requests} | ${median(f.ms).toFixed(1)} ms | ${Math.max(...f.ms).toFixed(1)} ms |`,
      );
    }
  }
  console.log(lines.join("\n"));
  const sizes = values.sizes.split(",");
  for (const size of sizes)
    console.log(
      `${size}: changed / every state = ${((byPath.get(`${size} changed`)! / byPath.get(`${size} all`)!) * 100).toFixed(2)} %`,
    );
  if (sizes.length === 2)
    console.log(
      `changed path, ${sizes[1]} / ${sizes[0]} = ${(byPath.get(`${sizes[1]} changed`)! / byPath.get(`${sizes[0]} changed`)!).toFixed(2)}×; every state, ${sizes[1]} / ${sizes[0]} = ${(byPath.get(`${sizes[1]} all`)! / byPath.get(`${sizes[0]} all`)!).toFixed(2)}×`,
    );
  console.log(
    `load average at the end: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")} (${os.cpus().length} cores)`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

// Faults, and convergence to exactly the undisturbed final state (issue #11, item 5).
//
//   npm run reliability:faults [-- --runs 6 --seed 1234 --customers 300]
//
// A baseline run of a scenario on a fresh cluster (PostgreSQL, the built app as one web process and two workers, the
// local Shopify): a generated shop installed → backfill → full recompute → sync, then a burst of shopper events
// (orders, refunds, cancellations, customer updates, new customers) delivered as webhooks. Its final state
// (digest.ts) is the reference. Then N disturbed runs of the same scenario, each on a fresh cluster, with faults at
// seeded random moments while backfill, recompute, sync and the burst are in flight: kill -9 of the web process or a
// worker (restarted after a random delay), a PostgreSQL restart, and storms of Shopify errors (THROTTLED, 429, 5xx,
// connection resets, a bulk operation failing halfway). After the last fault, the run must converge (queue empty,
// backfill and last sync done, every webhook delivered) to exactly the baseline's final state. Exit code 1 if any
// run does not.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { writeShopFile } from "../../simulator/generator/index";
import type { Fault } from "../../simulator/admin/faults";
import { createPrng, type Prng } from "../../simulator/webhooks/prng";
import { startCluster, until, type Cluster } from "./cluster";
import { difference, finalState } from "./digest";

const SHOP = "faults-demo.myshopify.com";
const DAY = 86_400_000;
const PHASE_TIMEOUT_MS = 6 * 60_000;

const args = parseArgs({
  options: {
    runs: { type: "string", default: "6" },
    seed: { type: "string" },
    customers: { type: "string", default: "300" },
    workers: { type: "string", default: "2" },
    // Runs without faults: checks that the final state is deterministic before blaming a fault for a difference.
    calm: { type: "boolean", default: false },
  },
}).values;
const RUNS = Number(args.runs);
const SEED = args.seed !== undefined ? Number(args.seed) : Math.floor(Math.random() * 2 ** 31);
const CUSTOMERS = Number(args.customers);
const WORKERS = Number(args.workers);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const secs = (ms: number) => (ms / 1000).toFixed(1);

// ---------------------------------------------------------------------------------------------------------------
// The shop: generated with a fixed seed, ending the day before today, every order time moved to one time of day
// twelve hours away from now. Whole days between an order and "now" (recency), and whether an order is inside a
// 365-day tier window, then stay the same for twelve hours: in every run of this invocation.
const invokedAt = Date.now();
const ALIGN_MS = (Math.floor(((invokedAt % DAY) + DAY / 2) / 60_000) * 60_000) % DAY;
const END_DATE = new Date(Math.floor(invokedAt / DAY) * DAY - DAY).toISOString();
const alignedAt = (ms: number) => Math.floor(ms / DAY) * DAY + ALIGN_MS;
/** The burst's orders happened at the latest aligned moment before now. */
const BURST_AT = new Date(
  alignedAt(invokedAt) < invokedAt ? alignedAt(invokedAt) : alignedAt(invokedAt) - DAY,
).toISOString();

async function shopFile(): Promise<string> {
  const file = path.resolve("tmp/reliability/faults-shop.jsonl");
  await writeShopFile({ preset: "demo", seed: 11, customers: CUSTOMERS, endDate: END_DATE, shopDomain: SHOP }, file, {
    truthFile: false,
  });
  const lines = readFileSync(file, "utf8")
    .split("\n")
    .map((text) => {
      if (!text.includes('"__typename":"Order"')) return text;
      const record = JSON.parse(text) as { processedAt: string };
      record.processedAt = new Date(alignedAt(Date.parse(record.processedAt))).toISOString();
      return JSON.stringify(record);
    });
  writeFileSync(file, lines.join("\n"));
  return file;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading the app's database: a new connection per look, so a PostgreSQL restart costs one failed poll.
async function look<T>(cluster: Cluster, fn: (db: pg.Client) => Promise<T>): Promise<T> {
  const db = new pg.Client({ connectionString: cluster.databaseUrl, connectionTimeoutMillis: 2000 });
  db.on("error", () => {});
  await db.connect();
  try {
    return await fn(db);
  } finally {
    await db.end().catch(() => {});
  }
}

interface AppProgress {
  backfill: string | null;
  sync: string | null;
  open: { name: string; state: string; key: string | null }[];
  dead: number;
}

async function progress(cluster: Cluster): Promise<AppProgress> {
  return look(cluster, async (db) => {
    const backfill = await db.query(
      `SELECT status, phase FROM "BackfillRun" WHERE shop = $1 ORDER BY "startedAt" DESC LIMIT 1`,
      [SHOP],
    );
    const sync = await db.query(`SELECT status FROM "SyncRun" WHERE shop = $1 ORDER BY "startedAt" DESC LIMIT 1`, [
      SHOP,
    ]);
    const jobs = await db.query(
      `SELECT name, state, data->>'key' AS key FROM pgboss.job WHERE data->>'shop' = $1 AND state IN ('created', 'retry', 'active')`,
      [SHOP],
    );
    const dead = await db.query(
      `SELECT count(*)::int AS n FROM pgboss.job WHERE data->>'shop' = $1 AND state = 'failed'`,
      [SHOP],
    );
    return {
      backfill: backfill.rows[0] ? `${backfill.rows[0].status}:${backfill.rows[0].phase}` : null,
      sync: sync.rows[0]?.status ?? null,
      // The daily recompute waits for midnight: not work in flight.
      open: jobs.rows.filter((j) => j.key !== "recompute-shop:daily"),
      dead: dead.rows[0].n,
    };
  });
}

/** What the app is doing right now, for the fault report. */
async function doing(cluster: Cluster): Promise<string> {
  try {
    const p = await progress(cluster);
    const active = [...new Set(p.open.filter((j) => j.state === "active").map((j) => j.name))];
    if (active.length)
      return active.join("+") + (active.includes("backfill") && p.backfill ? `:${p.backfill.split(":")[1]}` : "");
    return p.open.length ? "queued" : "idle";
  } catch {
    return "db?";
  }
}

/** Converged: Shopify has delivered every webhook and finished every bulk operation, no job waits or runs, the
 * backfill and the last sync are done. Held twice, a second apart. */
async function converge(cluster: Cluster, what: string, timeoutMs = PHASE_TIMEOUT_MS) {
  const settled = async () => {
    await cluster.shopify.webhooks.drain();
    await cluster.shopify.admin.bulk.drain();
    const p = await progress(cluster);
    return p.backfill === "done:done" && p.sync === "done" && p.open.length === 0;
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await until(what, settled, Math.max(1000, deadline - Date.now()), 250);
    await sleep(1000);
    if (await settled().catch(() => false)) return;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The burst: the same calls in the same order into a fresh simulator, so they make the same records in every run.
// 50 ms apart, so faults land in the middle of it and every stamp the simulator writes is distinct.
async function burst(cluster: Cluster) {
  const { admin } = cluster.shopify;
  const shop = admin.shops.getShop(SHOP)!;
  const customers = [...shop.customers.values()].map((c) => c.id).sort();
  const orders = [...shop.orders.values()]
    .filter((o) => o.customer && !o.cancelledAt && !o.test && Number(o.currentTotalPriceSet.shopMoney.amount) > 10)
    .map((o) => o.id)
    .sort();
  const r = createPrng(424242);
  const placed: string[] = [];
  const cents = (n: number) => (n / 100).toFixed(2);
  const amountLeft = (orderId: string) =>
    Math.round(Number(shop.orders.get(orderId)!.currentTotalPriceSet.shopMoney.amount) * 100);
  for (let k = 0; k < 64; k++) {
    switch (k % 8) {
      case 0:
      case 4: {
        const order = admin.placeOrder(SHOP, {
          customerId: r.pick(customers),
          total: cents(r.int(1500, 90000)),
          processedAt: BURST_AT,
        });
        placed.push(order.id);
        break;
      }
      case 1: {
        // A history order refunded in full.
        const id = r.pick(orders);
        const left = amountLeft(id);
        if (left > 0) admin.refundOrder(SHOP, id, { amount: cents(left) });
        break;
      }
      case 2: {
        const id = r.pick(customers);
        admin.updateCustomer(SHOP, id, { firstName: `Renamed${k}`, email: `renamed${k}@example.org` });
        break;
      }
      case 3: {
        const id = orders[r.int(0, orders.length - 1)];
        if (!shop.orders.get(id)!.cancelledAt) admin.cancelOrder(SHOP, id);
        break;
      }
      case 5: {
        // A burst order refunded in part, later in full.
        const id = placed[placed.length - 1];
        const left = amountLeft(id);
        admin.refundOrder(SHOP, id, { amount: cents(k % 16 === 5 ? Math.floor(left / 3) : left) });
        break;
      }
      case 6: {
        if (k % 16 === 6) {
          const created = admin.createCustomer(SHOP, {
            firstName: "New",
            lastName: `Shopper${k}`,
            email: `new${k}@example.org`,
          });
          placed.push(
            admin.placeOrder(SHOP, { customerId: created.id, total: cents(r.int(2000, 40000)), processedAt: BURST_AT })
              .id,
          );
        } else {
          const id = placed[r.int(0, placed.length - 1)];
          if (!shop.orders.get(id)!.cancelledAt) admin.cancelOrder(SHOP, id);
        }
        break;
      }
      case 7: {
        // A partial refund of an order from the history.
        const id = r.pick(orders);
        const left = amountLeft(id);
        if (left > 100) admin.refundOrder(SHOP, id, { amount: cents(Math.floor(left / 4)) });
        break;
      }
    }
    await sleep(50);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Faults.
type FaultKind =
  | "kill-web"
  | "kill-worker"
  | "restart-db"
  | "throttled"
  | "http429"
  | "http5xx"
  | "reset"
  | "bulk-fail"
  | "kill-workers-in";

interface PlannedFault {
  kind: FaultKind;
  /** ms after the phase began. */
  atMs: number;
  /** How long the process stays down, or the storm lasts. */
  forMs: number;
  worker?: number;
  /** kill-workers-in: every worker is killed once a job of this kind runs (the short full recompute is rarely hit
   * at a random moment). */
  job?: string;
}

interface Plan {
  setup: PlannedFault[];
  burst: PlannedFault[];
}

const STORMS: FaultKind[] = ["throttled", "http429", "http5xx", "reset"];

function planFaults(seed: number, setupMs: number, burstMs: number): Plan {
  const r = createPrng(seed);
  const fault = (kind: FaultKind, spanMs: number): PlannedFault => {
    const process = kind === "kill-web" || kind === "kill-worker";
    return {
      kind: STORMS.includes(kind) ? kind : kind,
      atMs: r.int(0, spanMs),
      forMs: process ? r.int(300, 3000) : STORMS.includes(kind) ? r.int(500, 4000) : 0,
      ...(kind === "kill-worker" ? { worker: r.int(0, WORKERS - 1) } : {}),
    };
  };
  // Every run: each kind of process fault and a storm while backfill, recompute and sync run, sometimes a second
  // storm and a bulk operation failing halfway; during the burst, the web process killed and one more fault.
  const setupKinds: FaultKind[] = ["kill-web", "kill-worker", "restart-db", r.pick(STORMS)];
  if (r.next() < 0.5) setupKinds.push(r.pick(STORMS));
  if (r.next() < 0.5) setupKinds.push("kill-worker");
  const setup = setupKinds.map((k) => fault(k, setupMs));
  if (r.next() < 0.5) setup.push({ kind: "bulk-fail", atMs: 0, forMs: 0 });
  setup.push({
    kind: "kill-workers-in",
    atMs: 0,
    forMs: r.int(300, 3000),
    job: r.next() < 0.7 ? "recompute-shop" : "backfill",
  });
  const burst = ["kill-web", r.pick<FaultKind>(["kill-worker", "restart-db", ...STORMS])].map((k) =>
    fault(k as FaultKind, burstMs),
  );
  const byTime = (a: PlannedFault, b: PlannedFault) => a.atMs - b.atMs;
  return { setup: setup.sort(byTime), burst: burst.sort(byTime) };
}

function stormFault(kind: FaultKind, r: Prng): Fault {
  switch (kind) {
    case "throttled":
      return { kind: "throttled" };
    case "http429":
      return { kind: "http", status: 429, retryAfter: 1 };
    case "http5xx":
      return { kind: "http", status: r.pick([500, 502, 503] as const) };
    default:
      return { kind: "reset" };
  }
}

interface Injected {
  label: string;
}

/** Runs a phase's faults at their moments; resolves when every one is over (processes back, storms cleared). */
async function inject(
  cluster: Cluster,
  plan: PlannedFault[],
  phase: string,
  startedAt: number,
  seed: number,
  log: Injected[],
) {
  const r = createPrng(seed);
  const { faults } = cluster.shopify.admin;
  // One fault at a time per target: a process is never killed again before it is back.
  const chains = new Map<string, Promise<void>>();
  const onTarget = (target: string, act: () => Promise<void>) => {
    const next = (chains.get(target) ?? Promise.resolve()).then(act);
    chains.set(target, next);
    return next;
  };
  let storms = 0;
  await Promise.all(
    plan.map(async (f) => {
      await sleep(Math.max(0, startedAt + f.atMs - Date.now()));
      if (f.kind === "kill-workers-in") {
        const running = async () =>
          (await progress(cluster)).open.some((j) => j.name === f.job && j.state === "active");
        const seen = await until(`${f.job} running`, running, 120_000, 50).then(
          () => true,
          () => false,
        );
        if (!seen) return void log.push({ label: `${phase}: ${f.job} never seen running` });
      }
      const at = Date.now() - startedAt;
      const what = await doing(cluster);
      const label = (text: string) => log.push({ label: `${phase}+${secs(at)}s ${text} (${what})` });
      switch (f.kind) {
        case "kill-web":
          return onTarget("web", async () => {
            cluster.killWeb();
            label(`kill -9 web, down ${secs(f.forMs)}s`);
            await sleep(f.forMs);
            await cluster.startWeb();
          });
        case "kill-worker":
          return onTarget("workers", async () => {
            cluster.killWorker(f.worker!);
            label(`kill -9 worker${f.worker}, down ${secs(f.forMs)}s`);
            await sleep(f.forMs);
            cluster.startWorker(f.worker!);
          });
        case "restart-db":
          return onTarget("db", async () => {
            const began = Date.now();
            cluster.restartDatabase();
            label(`PostgreSQL restart (${secs(Date.now() - began)}s)`);
          });
        case "kill-workers-in":
          return onTarget("workers", async () => {
            for (let i = 0; i < WORKERS; i++) cluster.killWorker(i);
            label(`kill -9 every worker, down ${secs(f.forMs)}s`);
            await sleep(f.forMs);
            for (let i = 0; i < WORKERS; i++) cluster.startWorker(i);
          });
        case "bulk-fail":
          faults.inject({ kind: "bulk-fail-halfway" }, { shop: SHOP });
          label("next bulk operation fails halfway");
          return;
        default: {
          const fault = stormFault(f.kind, r);
          storms++;
          faults.inject(fault, { shop: SHOP, times: Infinity });
          label(`${f.kind} storm ${secs(f.forMs)}s`);
          await sleep(f.forMs);
          // clear() drops every armed fault: keep a bulk failure that has not happened yet.
          if (--storms === 0) {
            const bulkPending = faults.pending().some((p) => p.kind === "bulk-fail-halfway");
            faults.clear();
            if (bulkPending) faults.inject({ kind: "bulk-fail-halfway" }, { shop: SHOP });
          }
        }
      }
    }),
  );
  await Promise.all(chains.values());
}

// ---------------------------------------------------------------------------------------------------------------
interface RunResult {
  name: string;
  seed: number | null;
  faults: string[];
  setupMs: number;
  burstMs: number;
  convergeMs: number | null;
  totalMs: number;
  dead: number;
  /** App processes that died without being killed by the harness. */
  crashes: string[];
  error: string | null;
  lines: string[];
}

async function scenario(file: string, name: string, plan: Plan | null, seed: number | null): Promise<RunResult> {
  const cluster = await startCluster({
    name,
    workers: WORKERS,
    simulatorOptions: { webhooks: { retry: { factor: 0.02 } } },
  });
  const log: Injected[] = [];
  const result: RunResult = {
    name,
    seed,
    faults: [],
    setupMs: 0,
    burstMs: 0,
    convergeMs: null,
    totalMs: 0,
    dead: 0,
    crashes: [],
    error: null,
    lines: [],
  };
  const runStart = Date.now();
  try {
    await cluster.shopify.admin.shops.loadShopFile(file);
    await cluster.install(SHOP);
    const t0 = Date.now();
    if (plan) await inject(cluster, plan.setup, "setup", t0, seed! * 7 + 1, log);
    await converge(cluster, "backfill, recompute and sync");
    const t1 = Date.now();
    result.setupMs = t1 - t0;
    await Promise.all([
      burst(cluster),
      plan ? inject(cluster, plan.burst, "burst", t1, seed! * 7 + 2, log) : Promise.resolve(),
    ]);
    const quiet = Date.now();
    result.burstMs = quiet - t1;
    await converge(cluster, "the burst's webhooks and jobs");
    result.convergeMs = Date.now() - quiet;
    result.totalMs = Date.now() - t0;
  } catch (error) {
    result.error = (error as Error).message;
  } finally {
    result.faults = log.map((l) => l.label);
    result.crashes = cluster.crashes();
    try {
      result.dead = (await progress(cluster)).dead;
      result.lines = await look(cluster, (db) => finalState({ db, shopify: cluster.shopify, shop: SHOP, runStart }));
    } catch (error) {
      result.error ??= `reading the final state: ${(error as Error).message}`;
    }
    await cluster.stop().catch(() => {});
  }
  return result;
}

async function main() {
  console.log(`Faults and convergence: ${RUNS} disturbed runs against one undisturbed baseline; seed ${SEED}`);
  console.log(
    `  shop: demo preset, ${CUSTOMERS} customers, seed 11, endDate ${END_DATE}, order times moved to ${new Date(ALIGN_MS).toISOString().slice(11, 19)} UTC; ${WORKERS} workers`,
  );
  const file = await shopFile();
  const baseline = await scenario(file, "baseline", null, null);
  if (baseline.error) throw new Error(`the baseline run failed: ${baseline.error}`);
  writeFileSync("tmp/reliability/faults-baseline.txt", baseline.lines.join("\n") + "\n");
  const count = (prefix: string) => baseline.lines.filter((l) => l.startsWith(`${prefix} `)).length;
  console.log(
    `  baseline: backfill+recompute+sync ${secs(baseline.setupMs)}s, burst ${secs(baseline.burstMs)}s, converged ${secs(baseline.convergeMs!)}s after it; ` +
      `final state: ${baseline.lines.length} lines (${count("Customer")} customers, ${count("Order")} orders, ${count("Refund")} refunds, ` +
      `${count("CustomerState")} states, ${count("CustomerStateChange")} state histories)`,
  );

  const results: (RunResult & { converged: boolean; diff: ReturnType<typeof difference> })[] = [];
  for (let i = 1; i <= RUNS; i++) {
    const seed = SEED + i;
    const plan = args.calm
      ? { setup: [], burst: [] }
      : planFaults(seed, Math.max(3000, baseline.setupMs), Math.max(2000, baseline.burstMs));
    const run = await scenario(file, `run${i}`, plan, seed);
    writeFileSync(`tmp/reliability/faults-run${i}.txt`, run.lines.join("\n") + "\n");
    const diff = difference(baseline.lines, run.lines);
    // A process that crashed is a defect even when the state converged (a supervisor would restart it; here nobody does).
    const converged = !run.error && run.crashes.length === 0 && diff.onlyA.length === 0 && diff.onlyB.length === 0;
    results.push({ ...run, converged, diff });
    console.log(
      `\nrun ${i} (seed ${seed}): ${converged ? "converged" : "DID NOT CONVERGE"}${run.error ? ` — ${run.error}` : ""}`,
    );
    for (const crash of run.crashes) console.log(`    CRASH: ${crash}`);
    for (const f of run.faults) console.log(`    ${f}`);
    if (!converged) {
      console.log(
        `  differs from the baseline: ${diff.onlyA.length} lines only in the baseline, ${diff.onlyB.length} only in this run`,
      );
      for (const l of diff.onlyA.slice(0, 6)) console.log(`    - ${l.slice(0, 400)}`);
      for (const l of diff.onlyB.slice(0, 6)) console.log(`    + ${l.slice(0, 400)}`);
    }
  }

  console.log(
    "\n| run | seed | faults | setup s | burst s | converged s after the last fault | dead jobs | converged |",
  );
  console.log("|---|---|---|---|---|---|---|---|");
  for (const [i, r] of results.entries()) {
    const kinds = r.faults.map((f) => f.replace(/ \(.*\)$/, "")).join("; ");
    console.log(
      `| ${i + 1} | ${r.seed} | ${kinds} | ${secs(r.setupMs)} | ${secs(r.burstMs)} | ${r.convergeMs === null ? "—" : secs(r.convergeMs)} | ${r.dead} | ${r.converged ? "yes" : "no"} |`,
    );
  }
  const ok = results.filter((r) => r.converged).length;
  console.log(`\nconverged runs: ${ok} / ${results.length}`);
  process.exitCode = ok === results.length ? 0 : 1;
}

await main();

// Benchmark (issue 5 item 10, restated by issue #23 item 1): webhook ingest through the real built server — HMAC
// verify, dedupe, ledger write, enqueue — against the framework's own floor: a route of the same built server that does
// only what Shopify's app template does (`authenticate.webhook`, then 200; app/routes/webhooks.floor.ts, opened by
// WEBHOOK_FLOOR_ROUTE=on), and, as context, a bare node:http server that only verifies the HMAC. Same signed
// orders/create and orders/updated deliveries, same load (autocannon), same run, alternately bare / floor / ledger;
// the bare server in a child process of its own, floor and ledger in the app's.
// Goal (issue #23): the ledger route ≥ 70 % of the floor's throughput on SQLite, ≥ 50 % on PostgreSQL, p99 < 50 ms.
//
//   npm run bench:webhooks [-- --connections 10 --duration 10 --warmup 2 --rounds 2 --orders 12000 --profile]
//   Variants that locate the cost (they change the database file, never the app): --journal wal, --db-dir /dev/shm
//   --postgres: the app on a fresh PostgreSQL database of the local cluster (its PostgreSQL webhook path, pg-boss jobs)
import { execFileSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import {
  type BenchDatabase,
  type LedgerSnapshot,
  createPostgresDatabase,
  createSqliteDatabase,
} from "./support/bench-database";
import { type ChildServer, startChildServer } from "./support/child-server";
import { summarizeCpuProfile } from "./support/cpu-profile";
import { DeliveryCursor, type LoadRun, runLoad } from "./support/load";
import { buildOrderDeliveries } from "./support/order-deliveries";

const GOAL_P99_MS = 50;
/** The ledger route's throughput against the template floor's, per database (issue #23 item 1). */
const GOAL_FLOOR_RATIO = { sqlite: 0.7, postgresql: 0.5 } as const;
// A fake app: nothing here is a real credential.
const API_KEY = "bench-api-key-0000";
const API_SECRET = "bench-api-secret-not-real";
/** The template floor's path (app/routes/webhooks.floor.ts). */
const FLOOR_PATH = "/webhooks/floor";

const { values: args } = parseArgs({
  options: {
    connections: { type: "string", default: "10" },
    duration: { type: "string", default: "10" },
    warmup: { type: "string", default: "2" },
    rounds: { type: "string", default: "2" },
    // Distinct orders prepared; the app must not get through them all (it would then see repeats).
    orders: { type: "string", default: "12000" },
    profile: { type: "boolean", default: false },
    // The journal mode the database file is left in; "delete" is what `prisma migrate deploy` leaves (the app sets none).
    journal: { type: "string", default: "delete" },
    // Where the database file lives (default: the run directory under tmp/bench, on the same disk as the project).
    "db-dir": { type: "string" },
    // The app on PostgreSQL (a fresh database on the local server of scripts/postgres.mjs, dropped afterwards) instead of a SQLite file.
    postgres: { type: "boolean", default: false },
    rebuild: { type: "boolean", default: false },
    // Measure another build (a copy of build/ kept from an earlier version of the app) instead of the project's.
    build: { type: "string" },
    keep: { type: "boolean", default: false },
  },
});
const positive = (name: string, value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got "${value}"`);
  return n;
};
const connections = positive("connections", args.connections);
const durationS = positive("duration", args.duration);
const warmupS = positive("warmup", args.warmup);
const rounds = positive("rounds", args.rounds);
const orderCount = positive("orders", args.orders);
if (!["delete", "wal"].includes(args.journal))
  throw new Error(`--journal must be delete or wal, got "${args.journal}"`);
if (args.postgres && (args.journal !== "delete" || args["db-dir"]))
  throw new Error("--journal and --db-dir are SQLite variants: not with --postgres");

const log = (line = "") => console.log(line);

// --- build, database, shop --------------------------------------------------------------------------------------

const buildFile = path.resolve("build/server/index.js");
if (args.rebuild || !existsSync(buildFile)) {
  log("Building the app (vite:build)…");
  execFileSync(process.execPath, ["node_modules/@remix-run/dev/dist/cli.js", "vite:build"], { stdio: "inherit" });
} else {
  const builtAt = statSync(buildFile).mtimeMs;
  const newer = newestIn("app") > builtAt;
  if (newer) log("Note: app/ has files newer than build/server — measuring the existing build (--rebuild to rebuild).");
}

const benchRoot = path.resolve("tmp/bench");
mkdirSync(benchRoot, { recursive: true });
for (const name of readdirSync(benchRoot)) {
  const full = path.join(benchRoot, name);
  if (name.startsWith("webhook-ingest-") && Date.now() - statSync(full).mtimeMs > 3_600_000) {
    rmSync(full, { recursive: true, force: true });
  }
}
const runDir = path.join(benchRoot, `webhook-ingest-${process.pid}-${Date.now()}`);
mkdirSync(runDir, { recursive: true });
// Others rebuild build/ while they work: the app runs from a copy taken now, so a rebuild cannot land mid-run.
// Its imports still resolve to the project's node_modules (the copy lives below the project root).
const appDir = path.join(runDir, "app");
cpSync(path.resolve(args.build ?? "build"), path.join(appDir, "build"), { recursive: true });
if (args.build) log(`Measuring the build in ${args.build}`);
copyFileSync(path.resolve("server.mjs"), path.join(appDir, "server.mjs"));
const dbDir = args["db-dir"] ? mkdtempIn(args["db-dir"]) : runDir;

log(`Preparing ${orderCount} signed deliveries from a generated demo shop…`);
const preparedAt = performance.now();
const { shop, deliveries } = buildOrderDeliveries(orderCount, API_SECRET);
const meanBytes = Math.round(deliveries.reduce((sum, d) => sum + d.body.length, 0) / deliveries.length);
log(
  `  ${deliveries.length} deliveries for ${shop}, mean body ${meanBytes} B, in ${Math.round(performance.now() - preparedAt)} ms`,
);

const db: BenchDatabase = args.postgres
  ? await createPostgresDatabase("loyalty_bench_webhooks")
  : createSqliteDatabase(path.join(dbDir, "bench.sqlite"), args.journal);
log(`Database: ${db.kind}, ${db.where}`);

// --- servers ----------------------------------------------------------------------------------------------------

const appEnv = {
  NODE_ENV: "production",
  LOG_LEVEL: "warn",
  SHOPIFY_API_KEY: API_KEY,
  SHOPIFY_API_SECRET: API_SECRET,
  SHOPIFY_APP_URL: "https://loyalty-bench.example",
  DATABASE_URL: db.url,
  PORT: "0",
  // The template floor (app/routes/webhooks.floor.ts): 404 unless asked for.
  WEBHOOK_FLOOR_ROUTE: "on",
  // The web process only: the jobs the webhooks queue (rescoring customers) would otherwise run on the same event
  // loop and be measured as webhook latency. Production can run them in-process (WORKER=inline) or beside it.
  WORKER: "separate",
};
const appServer = path.join(appDir, "server.mjs");
const servers: ChildServer[] = [];
let app: ChildServer | undefined;
let exitCode = 0;

try {
  await db.install(shop);
  const bare = await startChildServer("bare server", "bench/bare-hmac-server.mjs", {
    SHOPIFY_API_SECRET: API_SECRET,
    PORT: "0",
  });
  servers.push(bare);
  app = await startChildServer("app server", appServer, appEnv);
  servers.push(app);
  const bareCursor = new DeliveryCursor(deliveries, true);
  // The floor keeps nothing: the same deliveries, sent to its path, may come round again.
  const floorCursor = new DeliveryCursor(
    deliveries.map((d) => ({ ...d, path: FLOOR_PATH })),
    true,
  );
  const appCursor = new DeliveryCursor(deliveries, false);
  const appAccepted: number[] = [];
  const measured: { bare: LoadRun[]; floor: LoadRun[]; app: LoadRun[] } = { bare: [], floor: [], app: [] };
  const load = { connections, durationS };
  const warm = { connections, durationS: warmupS };

  log(
    `\nLoad: ${connections} connections, ${durationS} s per run after a ${warmupS} s warm-up, ${rounds} rounds (bare, floor, ledger alternately).`,
  );
  for (let round = 1; round <= rounds; round++) {
    for (const [name, server, cursor] of [
      ["bare", bare, bareCursor],
      ["floor", app, floorCursor],
      ["app", app, appCursor],
    ] as const) {
      const warmup = await runLoad(`${name} warm-up ${round}`, server.url, cursor, warm);
      const run = await runLoad(`${name} round ${round}`, server.url, cursor, load);
      if (name === "app") appAccepted.push(...warmup.accepted, ...run.accepted);
      measured[name].push(run);
      log(`  ${row(run)}`);
      for (const r of [warmup, run]) for (const refusal of r.refusals) log(`    refused: ${refusal}`);
    }
  }

  const bareMedian = medianOf("bare median", measured.bare);
  const floorMedian = medianOf("floor median", measured.floor);
  const appMedian = medianOf("app median", measured.app);
  const ratio = appMedian.acceptedPerS / bareMedian.acceptedPerS;
  const floorRatio = appMedian.acceptedPerS / floorMedian.acceptedPerS;
  // Per round too: a floor and a ledger run next to each other share the machine's mood.
  const roundRatios = measured.app.map((r, i) => r.acceptedPerS / measured.floor[i].acceptedPerS);
  const goalFloorRatio = GOAL_FLOOR_RATIO[db.kind];
  log("\nResults (app = the ledger route; floor = authenticate.webhook then 200, in the same server)");
  log(`  ${header()}`);
  for (let i = 0; i < rounds; i++)
    for (const r of [measured.bare[i], measured.floor[i], measured.app[i]]) log(`  ${row(r)}`);
  for (const r of [bareMedian, floorMedian, appMedian]) log(`  ${row(r)}`);
  const ratioMet = floorRatio >= goalFloorRatio;
  const p99Met = appMedian.p99Ms < GOAL_P99_MS;
  log(
    `\n  throughput ledger/floor: ${pct(floorRatio)} (per round ${roundRatios.map(pct).join(", ")}; goal ≥ ${pct(goalFloorRatio)} on ${db.kind}) — ${ratioMet ? "met" : "MISSED"}`,
  );
  log(
    `  ledger p99: ${appMedian.p99Ms} ms, floor p99: ${floorMedian.p99Ms} ms (goal < ${GOAL_P99_MS} ms) — ${p99Met ? "met" : "MISSED"}`,
  );
  log(`  context: floor/bare ${pct(floorMedian.acceptedPerS / bareMedian.acceptedPerS)}, ledger/bare ${pct(ratio)}`);

  let profile: ReturnType<typeof summarizeCpuProfile> | undefined;
  if (args.profile) {
    profile = await profileApp(app, appCursor, appAccepted);
  }

  // --- the requests must have done what they claim ------------------------------------------------------------
  const problems = verify(measured, appCursor, appAccepted);
  log("\nLedger check");
  const ledger = await db.count(shop);
  log(`  deliveries answered 2xx by the app: ${appAccepted.length} (${new Set(appAccepted).size} distinct orders)`);
  const jobRows = db.kind === "postgresql" ? "pg-boss jobs" : "Job rows";
  log(`  Order rows: ${ledger.orders}, WebhookDelivery rows: ${ledger.deliveries}, ${jobRows}: ${ledger.jobs}`);
  problems.push(...checkLedger(await db.check(shop), appCursor, appAccepted));
  if (problems.length) {
    exitCode = 1;
    console.error(`\nBENCHMARK INVALID:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  } else {
    log("  every accepted delivery is in the ledger, once; nothing was refused");
  }

  const summary = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, node ${process.version}`,
    database: db.kind,
    load: { connections, durationS, warmupS, rounds, meanBodyBytes: meanBytes },
    bare: measured.bare.map(strip),
    floor: measured.floor.map(strip),
    app: measured.app.map(strip),
    median: {
      bare: strip(bareMedian),
      floor: strip(floorMedian),
      app: strip(appMedian),
      ratio,
      floorRatio,
      roundRatios,
    },
    goals: { floorRatio: ratioMet, p99: p99Met },
    ledger,
    profile,
    valid: problems.length === 0,
  };
  writeFileSync(path.join(benchRoot, "webhook-ingest-last.json"), `${JSON.stringify(summary, null, 2)}\n`);
  log(`\nSummary written to ${path.relative(process.cwd(), path.join(benchRoot, "webhook-ingest-last.json"))}`);
} finally {
  await Promise.all(servers.map((s) => s.stop()));
  const appErrors = app?.stderr().trim();
  if (appErrors) log(`\napp stderr:\n${appErrors.split("\n").slice(0, 20).join("\n")}`);
  await db.close().catch((error: unknown) => log(`\ncould not release the database ${db.where}: ${String(error)}`));
  if (dbDir !== runDir) rmSync(dbDir, { recursive: true, force: true });
  if (!args.keep && !args.profile) rmSync(runDir, { recursive: true, force: true });
  else log(`Run directory kept: ${path.relative(process.cwd(), runDir)}`);
}
process.exit(exitCode);

// --- helpers ------------------------------------------------------------------------------------------------------

function mkdtempIn(dir: string) {
  const made = path.join(path.resolve(dir), `webhook-ingest-${process.pid}-${Date.now()}`);
  mkdirSync(made, { recursive: true });
  return made;
}

function newestIn(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** Requests refused, failed, or repeated make the figures meaningless: each is a problem. */
function verify(
  measured: { bare: LoadRun[]; floor: LoadRun[]; app: LoadRun[] },
  appCursor: DeliveryCursor,
  appAccepted: number[],
) {
  const problems: string[] = [];
  for (const run of [...measured.bare, ...measured.floor, ...measured.app]) {
    if (run.non2xx || run.errors || run.timeouts) {
      problems.push(
        `${run.label}: ${run.non2xx} non-2xx (${JSON.stringify(run.statusCodes)}), ${run.errors} errors, ${run.timeouts} timeouts`,
      );
    }
  }
  if (appCursor.repeats > 0) {
    problems.push(`the app was sent ${appCursor.repeats} repeated deliveries: raise --orders above ${appCursor.next}`);
  }
  if (new Set(appAccepted).size !== appAccepted.length) problems.push("a delivery was accepted twice");
  return problems;
}

/**
 * Every accepted delivery wrote its order and its delivery record; the only other rows allowed are of requests
 * still in flight when a run ended (sent, answered after autocannon stopped listening).
 */
function checkLedger({ orderIds, webhookIds }: LedgerSnapshot, appCursor: DeliveryCursor, appAccepted: number[]) {
  const problems: string[] = [];
  const missing = appAccepted.filter((i) => !orderIds.has(deliveries[i].orderId));
  if (missing.length) problems.push(`${missing.length} accepted orders are not in the ledger`);
  const unrecorded = appAccepted.filter((i) => !webhookIds.has(deliveries[i].headers["X-Shopify-Webhook-Id"]));
  if (unrecorded.length) problems.push(`${unrecorded.length} accepted deliveries were not recorded`);
  const sent = new Set(deliveries.slice(0, Math.min(appCursor.next, deliveries.length)).map((d) => d.orderId));
  const strays = [...orderIds].filter((id) => !sent.has(id));
  if (strays.length) problems.push(`${strays.length} Order rows for orders never sent`);
  const inFlight = orderIds.size - new Set(appAccepted).size;
  // At most one request per connection is cut off at the end of each run (warm-ups included).
  const runs = rounds * 2 + (args.profile ? 1 : 0);
  if (inFlight > connections * runs) problems.push(`${inFlight} Order rows beyond the accepted deliveries`);
  if (webhookIds.size !== orderIds.size) {
    problems.push(`${webhookIds.size} delivery records for ${orderIds.size} orders (one each expected)`);
  }
  return problems;
}

/** One more app run under `--cpu-prof` (its figures are not the benchmark's: the profiler slows the app). */
async function profileApp(app: ChildServer, cursor: DeliveryCursor, accepted: number[]) {
  const profileDir = path.join(runDir, "profile");
  await app.stop();
  const profiled = await startChildServer("profiled app server", appServer, appEnv, {
    nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${profileDir}`],
  });
  servers.push(profiled);
  // The profile covers the process's whole life; only the samples taken under load are counted (same clock).
  const fromUs = Number(process.hrtime.bigint() / 1000n);
  const run = await runLoad("app profiled", profiled.url, cursor, { connections, durationS });
  const toUs = Number(process.hrtime.bigint() / 1000n);
  accepted.push(...run.accepted);
  await profiled.stop();
  const file = readdirSync(profileDir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) throw new Error(`no CPU profile written in ${profileDir}`);
  const summary = summarizeCpuProfile(path.join(profileDir, file), { fromUs, toUs }, [
    "receiveWebhook",
    "readBounded",
    "authenticate",
    "validateHmac",
    "loadSession",
    "getShop",
    "wasDelivered",
    "recordDelivery",
    "applyOrders",
    "applyRefunds",
    "ledgerChanged",
    "enqueue",
    "safeParse",
    "parse",
  ]);
  log(`\nCPU profile of the app (${run.label}: ${Math.round(run.acceptedPerS)} req/s under the profiler)`);
  log(`  ${path.relative(process.cwd(), path.join(profileDir, file))}`);
  log(`  sampled ${summary.totalMs} ms, busy ${summary.busyMs} ms (${pct(summary.busyMs / summary.totalMs)})`);
  log("  area                                   self ms   self %   incl. ms");
  for (const a of summary.byArea.slice(0, 20)) {
    log(
      `  ${a.area.padEnd(38)} ${fmt(a.selfMs, 8)} ${pct(a.selfMs / summary.busyMs).padStart(8)} ${fmt(a.inclusiveMs, 10)}`,
    );
  }
  log("  top functions by self time");
  for (const f of summary.topFunctions) log(`  ${fmt(f.selfMs, 8)} ms  ${f.name}`);
  log("  named functions, inclusive (synchronous stacks only: awaited work runs in later ticks)");
  for (const f of summary.functions) log(`  ${fmt(f.inclusiveMs, 8)} ms  ${f.name}`);
  return summary;
}

function median(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function medianOf(label: string, runs: LoadRun[]): LoadRun {
  const m = (pick: (r: LoadRun) => number) => median(runs.map(pick));
  const sum = (pick: (r: LoadRun) => number) => runs.reduce((s, r) => s + pick(r), 0);
  return {
    label,
    durationS: m((r) => r.durationS),
    acceptedPerS: m((r) => r.acceptedPerS),
    p50Ms: m((r) => r.p50Ms),
    p99Ms: m((r) => r.p99Ms),
    maxMs: m((r) => r.maxMs),
    ok: sum((r) => r.ok),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    statusCodes: {},
    accepted: [],
    refusals: [],
  };
}

function strip({ accepted: _a, refusals: _r, ...rest }: LoadRun) {
  return rest;
}

function fmt(n: number, width: number, digits = 1) {
  return n.toFixed(digits).padStart(width);
}

function pct(x: number) {
  return `${(x * 100).toFixed(1)} %`;
}

function header() {
  return `${"run".padEnd(14)} ${"req/s".padStart(9)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)} ${"max ms".padStart(8)} ${"2xx".padStart(8)} ${"non-2xx".padStart(8)} ${"errors".padStart(7)}`;
}

function row(r: LoadRun) {
  return `${r.label.padEnd(14)} ${fmt(r.acceptedPerS, 9)} ${fmt(r.p50Ms, 8, 2)} ${fmt(r.p99Ms, 8, 2)} ${fmt(r.maxMs, 8, 2)} ${String(r.ok).padStart(8)} ${String(r.non2xx).padStart(8)} ${String(r.errors + r.timeouts).padStart(7)}`;
}

// Benchmark (#20 item 4): the shoppers' loyalty page through the app proxy, on a shop of 100,000 customers. Goal: the
// page answered with p99 < 100 ms server time for signed-in members. Baseline in the same run: a bare node:http
// server that only checks the proxy signature and timestamp (bench/bare-proxy-server.mjs); between the two, the app's
// own proxy check alone — /proxy/<anything>, which authenticates exactly like the page (library signature check, the
// used-signature insert) and answers the tiny "not available" page without reading any customer.
//
//   npm run bench:proxy [-- --fresh --requests 3000 --rounds 2 --connections 4 --duration 8 --rebuild]
//
// The ledger: the generated `large` shop (seed 7: 100,000 customers, ~1.02M orders, as bench/recompute.ts and
// bench/analytics.ts), loaded with loadShopFile and scored with recomputeShop, kept in tmp/bench/app-proxy/ between
// runs (--fresh loads it again). Every run then dresses it as a live shop (not timed): a tier programme with perks
// (Gold's as codes), two campaigns with an open code each for every tenth member, the offline session. Every request
// is signed as Shopify signs it, with a timestamp of the second it is sent and a signature never used before (each
// member once, and a `v` parameter of its own, as a shopper's query would carry).
//   Sequential (1 connection): latency ≈ server time on loopback. Concurrent (--connections): throughput and p99
// under load. Servers run in child processes of their own; rounds alternate bare, check-only and page.
import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import http from "node:http";
import autocannon from "autocannon";
import { startChildServer, type ChildServer } from "./support/child-server";

const DIR = path.resolve("tmp/bench/app-proxy");
const SHOP = "bench-recompute.myshopify.com";
const AS_OF = new Date("2026-11-01T00:00:00.000Z");
const GOAL_P99_MS = 100;
// A fake app: nothing here is a real credential.
const API_KEY = "bench-api-key-0000";
const API_SECRET = "bench-api-secret-not-real";
const DAY = 86_400_000;

const { values: args } = parseArgs({
  options: {
    fresh: { type: "boolean", default: false },
    rebuild: { type: "boolean", default: false },
    requests: { type: "string", default: "3000" },
    rounds: { type: "string", default: "2" },
    connections: { type: "string", default: "4" },
    duration: { type: "string", default: "8" },
  },
});
const positive = (name: string, value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got "${value}"`);
  return n;
};
const requestsPerRun = positive("requests", args.requests);
const rounds = positive("rounds", args.rounds);
const connections = positive("connections", args.connections);
const durationS = positive("duration", args.duration);
const log = (line = "") => console.log(line);

// --- the ledger ---------------------------------------------------------------------------------------------------

async function prepareLedger(dbFile: string) {
  const loaded = `${dbFile}.loaded`;
  const env = {
    DATABASE_URL: `file:${dbFile}`,
    SHOPIFY_API_KEY: API_KEY,
    SHOPIFY_API_SECRET: API_SECRET,
    SHOPIFY_APP_URL: "http://127.0.0.1",
    LOG_LEVEL: "warn",
  };
  if (args.fresh || !existsSync(dbFile) || !existsSync(loaded)) {
    // The recompute and analytics benchmarks' shop file, when one is there: the same generator input.
    const shared = ["tmp/bench/recompute/shop-100k.jsonl", "tmp/bench/analytics/shop-100k.jsonl"]
      .map((f) => path.resolve(f))
      .find((f) => existsSync(f));
    const shopFile = shared ?? path.join(DIR, "shop-100k.jsonl");
    if (!existsSync(shopFile)) {
      log("▶ generating the large shop (100k customers) …");
      const { writeShopFile } = await import("../simulator/generator/index");
      await writeShopFile(
        { preset: "large", seed: 7, customers: 100_000, endDate: AS_OF.toISOString(), shopDomain: SHOP },
        shopFile,
        { truthFile: false },
      );
    }
    for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`, loaded]) rmSync(f, { force: true });
    execFileSync(process.execPath, ["node_modules/prisma/build/index.js", "migrate", "deploy"], {
      env: { ...process.env, ...env, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
      stdio: "ignore",
    });
    Object.assign(process.env, env);
    const { loadShopFile } = await import("../app/services/shop-file.server");
    const { recomputeShop } = await import("../app/services/recompute.server");
    log(`▶ loading ${path.relative(process.cwd(), shopFile)} and scoring it (not timed) …`);
    const started = performance.now();
    await loadShopFile(SHOP, shopFile);
    await recomputeShop(SHOP, { asOf: AS_OF, reason: "backfill" });
    log(`  loaded and scored in ${Math.round((performance.now() - started) / 1000)} s`);
    execFileSync("touch", [loaded]);
  }
  Object.assign(process.env, env);
  return dress();
}

/** The shop as it is live: installed with its session, perks, campaigns with open codes. Returns the members. */
async function dress() {
  const { prisma } = await import("../app/db.server");
  const { saveTierProgramVersion } = await import("../app/models/tier-program.server");
  const { defaultTierProgram } = await import("../app/domain/tier-rules");
  const now = Date.now();
  await prisma.shop.update({ where: { shop: SHOP }, data: { status: "installed", locale: "en" } });
  await prisma.session.upsert({
    where: { id: `offline_${SHOP}` },
    create: { id: `offline_${SHOP}`, shop: SHOP, state: "", isOnline: false, accessToken: "shpat_bench_not_real" },
    update: {},
  });
  const program = defaultTierProgram("USD");
  program.tiers[1].perks = { ...program.tiers[1].perks, freeShipping: true, freeShippingMaxPriceMinor: 1_000 };
  program.tiers[2].perks = {
    ...program.tiers[2].perks,
    discountPercent: 10,
    freeShipping: true,
    minimumSubtotalMinor: 5_000,
    delivery: "code",
    customText: "Early access to new collections",
  };
  program.tiers[3].perks = { ...program.tiers[3].perks, discountPercent: 15, freeShipping: true };
  await prisma.tierProgramVersion.deleteMany({ where: { shop: SHOP } });
  await saveTierProgramVersion(SHOP, program);
  await prisma.proxySignature.deleteMany({});
  await prisma.campaignRecipient.deleteMany({ where: { shop: SHOP } });
  await prisma.campaign.deleteMany({ where: { shop: SHOP } });
  const states = await prisma.customerState.findMany({
    where: { shop: SHOP, tier: { not: null } },
    select: { customerId: true },
    orderBy: { customerId: "asc" },
  });
  const campaigns: { id: string }[] = [];
  for (const [name, kind, value] of [
    ["We miss you", "percentage", 15],
    ["Thank you", "fixed_amount", 1_000],
  ] as const) {
    campaigns.push(
      await prisma.campaign.create({
        data: {
          shop: SHOP,
          name,
          template: "custom",
          audience: JSON.stringify({ kind: "first_order" }),
          schedule: "entry",
          offerKind: kind,
          offerValue: value,
          // Codes valid 90 days: a code's redemption is looked for in the customer's orders since it was issued.
          expiryDays: 90,
          holdoutPercent: 0,
          cooldownDays: 0,
          codePrefix: "",
        },
      }),
    );
  }
  const offers = states
    .filter((_, i) => i % 10 === 0)
    .flatMap((s, i) =>
      campaigns.map((c, j) => ({
        shop: SHOP,
        campaignId: c.id,
        customerId: s.customerId,
        holdout: false,
        assignedAt: new Date(now - DAY),
        code: `BENCH-${j}-${i}`,
        expiresAt: new Date(now + (10 + j * 10) * DAY),
        issuedAt: new Date(now - DAY),
      })),
    );
  for (let i = 0; i < offers.length; i += 80)
    await prisma.campaignRecipient.createMany({ data: offers.slice(i, i + 80) });
  const customers = await prisma.customer.count({ where: { shop: SHOP } });
  await prisma.$disconnect();
  log(
    `Shop: ${customers} customers, ${states.length} with a tier; ${offers.length} open codes (every tenth member, two each)`,
  );
  // A fixed shuffle of the members: requests do not walk the table in key order.
  const members = states.map((s) => s.customerId.split("/").pop()!);
  let seed = 7;
  for (let i = members.length - 1; i > 0; i--) {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = seed % (i + 1);
    [members[i], members[j]] = [members[j], members[i]];
  }
  return { members, customers, offers: offers.length };
}

// --- signed requests ------------------------------------------------------------------------------------------------

let sent = 0;
/** A query as Shopify forwards it for `customer` ("" for a guest), signed now, never signed before. */
function signedQuery(customer: string): string {
  const pairs: [string, string][] = [
    ["v", String(++sent)],
    ["shop", SHOP],
    ["logged_in_customer_id", customer],
    ["path_prefix", "/apps/loyalty"],
    ["timestamp", String(Math.floor(Date.now() / 1000))],
  ];
  const message = pairs
    .map(([k, v]) => `${k}=${v}`)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .join("");
  const signature = createHmac("sha256", API_SECRET).update(message).digest("hex");
  return new URLSearchParams([...pairs, ["signature", signature]]).toString();
}

interface Run {
  label: string;
  requests: number;
  perS: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  statuses: Record<string, number>;
  unexpected: number;
}

/** Cycles through `who` (numeric ids, or "" for guests) from a shared cursor. */
class Shoppers {
  next = 0;
  constructor(readonly who: string[]) {}
  take() {
    const id = this.who[this.next % this.who.length];
    this.next++;
    return id;
  }
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

/** One GET on a kept-alive connection: its status and how long until the last byte of the answer (ms). */
function timedGet(url: string): Promise<{ status: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const request = http.get(url, { agent }, (response) => {
      response.on("data", () => {});
      response.on("end", () => resolve({ status: response.statusCode ?? 0, ms: performance.now() - started }));
    });
    request.on("error", reject);
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/** `amount` requests one after another (one connection): latency on loopback ≈ the server's time. */
async function sequential(
  label: string,
  url: string,
  pathname: string,
  shoppers: Shoppers,
  expected: number,
  amount: number,
): Promise<Run> {
  const ms: number[] = [];
  const statuses: Record<string, number> = {};
  const started = performance.now();
  for (let i = 0; i < amount; i++) {
    const answer = await timedGet(`${url}${pathname}?${signedQuery(shoppers.take())}`);
    ms.push(answer.ms);
    statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
  }
  const elapsedS = (performance.now() - started) / 1000;
  ms.sort((a, b) => a - b);
  return {
    label,
    requests: amount,
    perS: amount / elapsedS,
    p50: percentile(ms, 50),
    p90: percentile(ms, 90),
    p99: percentile(ms, 99),
    max: ms[ms.length - 1],
    statuses,
    unexpected: amount - (statuses[String(expected)] ?? 0),
  };
}

/** A run under autocannon (`connections` at once; its latencies are whole milliseconds). */
async function run(
  label: string,
  url: string,
  pathname: string,
  shoppers: Shoppers,
  expected: number,
  load: { connections: number; amount?: number; duration?: number },
): Promise<Run> {
  const result = await autocannon({
    url,
    connections: load.connections,
    ...(load.amount ? { amount: load.amount } : { duration: load.duration }),
    timeout: 10,
    requests: [
      {
        setupRequest(request) {
          return { ...request, method: "GET", path: `${pathname}?${signedQuery(shoppers.take())}` };
        },
      },
    ],
  });
  const statuses = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => [code, Number(count)]),
  );
  const total = Object.values(statuses).reduce((a, b) => a + b, 0);
  return {
    label,
    requests: total,
    perS: total / result.duration,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    statuses,
    unexpected: total - (statuses[String(expected)] ?? 0) + result.errors + result.timeouts,
  };
}

const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(2));
const row = (r: Run) =>
  `| ${r.label} | ${r.requests} | ${Math.round(r.perS)} | ${fmt(r.p50)} | ${fmt(r.p90)} | ${fmt(r.p99)} | ${fmt(r.max)} |`;
const HEADER = "| run | requests | req/s | p50 ms | p90 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|---:|---:|";

// --- main -----------------------------------------------------------------------------------------------------------

async function main() {
  mkdirSync(DIR, { recursive: true });
  const buildFile = path.resolve("build/server/index.js");
  if (args.rebuild || !existsSync(buildFile)) {
    log("Building the app (vite:build)…");
    execFileSync(process.execPath, ["node_modules/@remix-run/dev/dist/cli.js", "vite:build"], { stdio: "inherit" });
  }
  // Others rebuild build/ while they work: the app runs from a copy taken now.
  const runDir = path.join(DIR, `run-${process.pid}`);
  for (const name of readdirSync(DIR)) {
    const full = path.join(DIR, name);
    if (name.startsWith("run-") && Date.now() - statSync(full).mtimeMs > 3_600_000) rmSync(full, { recursive: true });
  }
  cpSync(path.resolve("build"), path.join(runDir, "build"), { recursive: true });
  copyFileSync(path.resolve("server.mjs"), path.join(runDir, "server.mjs"));

  const dbFile = path.join(DIR, "ledger.sqlite");
  const shop = await prepareLedger(dbFile);

  const servers: ChildServer[] = [];
  try {
    const bare = await startChildServer("bare proxy server", "bench/bare-proxy-server.mjs", {
      SHOPIFY_API_SECRET: API_SECRET,
      PORT: "0",
    });
    servers.push(bare);
    const app = await startChildServer("app server", path.join(runDir, "server.mjs"), {
      NODE_ENV: "production",
      LOG_LEVEL: "warn",
      SHOPIFY_API_KEY: API_KEY,
      SHOPIFY_API_SECRET: API_SECRET,
      SHOPIFY_APP_URL: "https://loyalty-bench.example",
      DATABASE_URL: `file:${dbFile}`,
      PORT: "0",
      WORKER: "separate",
    });
    servers.push(app);

    // What the page says, checked once before timing: a member's own tier and the Liquid content type.
    const { prisma } = await import("../app/db.server");
    const one = shop.members[0];
    const st = await prisma.customerState.findUniqueOrThrow({
      where: { shop_customerId: { shop: SHOP, customerId: `gid://shopify/Customer/${one}` } },
    });
    await prisma.$disconnect();
    const sample = await fetch(`${app.url}/proxy?${signedQuery(one)}`);
    const body = await sample.text();
    const tierName = { member: "Member", silver: "Silver", gold: "Gold", platinum: "Platinum" }[st.tier!];
    if (sample.status !== 200 || !/^application\/liquid/.test(sample.headers.get("content-type") ?? "")) {
      throw new Error(
        `the page answered ${sample.status} ${sample.headers.get("content-type")}: ${body.slice(0, 200)}`,
      );
    }
    if (!body.includes(`You are a <strong>${tierName}</strong> member.`))
      throw new Error("the page is not the member's");
    log(`Checked: customer ${one}'s page says ${tierName} (${body.length} bytes of Liquid)`);

    const members = new Shoppers(shop.members);
    const guests = new Shoppers([""]);
    const measured: Record<string, Run[]> = {};
    const keep = (r: Run) => {
      (measured[r.label] ??= []).push(r);
      log(`  ${row(r)}`);
    };
    const kinds: [string, string, string, Shoppers, number][] = [
      ["bare: signature check only", bare.url, "/", members, 200],
      ["app: proxy check only (/proxy/x)", app.url, "/proxy/x", members, 404],
      ["app: page, signed-in member", app.url, "/proxy", members, 200],
      ["app: page, guest", app.url, "/proxy", guests, 200],
    ];
    log(`\nSequential: 1 connection, ${requestsPerRun} requests per run (after 200 to warm up), ${rounds} rounds`);
    log(HEADER);
    for (let round = 1; round <= rounds; round++) {
      for (const [label, url, pathname, who, status] of kinds) {
        await sequential("warm-up", url, pathname, who, status, 200);
        keep(await sequential(label, url, pathname, who, status, requestsPerRun));
      }
    }
    log(`\nConcurrent: ${connections} connections, ${durationS} s per run`);
    log(HEADER);
    for (const [label, url, pathname, who, status] of kinds) {
      keep(
        await run(`${label}, ${connections} connections`, url, pathname, who, status, {
          connections,
          duration: durationS,
        }),
      );
    }

    const worst = (label: string) => Math.max(...measured[label].map((r) => r.p99));
    const pageP99 = worst("app: page, signed-in member");
    const problems = Object.values(measured)
      .flat()
      .filter((r) => r.unexpected > 0)
      .map((r) => `${r.label}: ${r.unexpected} unexpected answers ${JSON.stringify(r.statuses)}`);
    log("\nResults");
    log(
      `  signed-in member page p99 (worst sequential round): ${fmt(pageP99)} ms — goal < ${GOAL_P99_MS} ms: ${pageP99 < GOAL_P99_MS ? "met" : "MISSED"}`,
    );
    log(
      `  baseline p99 (bare signature check): ${fmt(worst("bare: signature check only"))} ms; the app's proxy check alone: ${fmt(worst("app: proxy check only (/proxy/x)"))} ms`,
    );
    log(`  requests sent: ${sent} (each signature once; members cycled: ${members.next} of ${shop.members.length})`);
    if (problems.length) log(`\nBENCHMARK INVALID:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    writeFileSync(
      path.join(DIR, "last.json"),
      `${JSON.stringify(
        {
          date: new Date().toISOString(),
          machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, node ${process.version}, load ${os
            .loadavg()
            .map((l) => l.toFixed(1))
            .join(" ")}`,
          shop,
          measured,
          goal: { p99Ms: GOAL_P99_MS, met: pageP99 < GOAL_P99_MS },
          valid: problems.length === 0,
        },
        (key, value) => (key === "members" ? undefined : value),
        2,
      )}\n`,
    );
    log(`Summary: ${path.relative(process.cwd(), path.join(DIR, "last.json"))}`);
    const appErrors = app.stderr().trim();
    if (appErrors) log(`\napp stderr:\n${appErrors.split("\n").slice(0, 20).join("\n")}`);
    process.exitCode = problems.length ? 1 : 0;
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(runDir, { recursive: true, force: true });
  }
}

await main();

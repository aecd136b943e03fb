// Benchmark (#23 item 3): the admin's Web Vitals on a shop of 100,000 customers. Every admin page of the BUILT app
// (NODE_ENV=production, a child process) opened in Chromium as Shopify admin opens it (embedded, a session token in
// the URL), throttled as Lighthouse's desktop preset, with LCP, CLS and INP recorded by the `web-vitals`
// library (its attribution IIFE build injected before the page's own scripts) — for the first load and for each
// page's main interaction (search, sort, page change, period, preview, save). Goal: every page LCP ≤ 1.0 s,
// CLS ≤ 0.02, INP ≤ 100 ms at the 75th percentile of the repetitions.
//
//   npm run bench:vitals [-- --reps 5 --pages customers,analytics --fresh --rebuild --no-throttle]
//
// Throttling (Chrome DevTools Protocol, per page, before it loads): Lighthouse's desktop preset is `desktopDense4G`
// (RTT 40 ms, 10 Mbps, CPU 1×), which Lighthouse simulates; for DevTools throttling Lighthouse scales its presets by
// DEVTOOLS_RTT_ADJUSTMENT_FACTOR 3.75 and DEVTOOLS_THROUGHPUT_ADJUSTMENT_FACTOR 0.9, so the page gets
// Network.emulateNetworkConditions { latency: 150 ms, download = upload = 9,216 kbit/s } and
// Emulation.setCPUThrottlingRate { rate: 1 } (the machine running the browser is the laptop). --latency, --kbps and
// --cpu change them. Each load is a fresh browser context (cold HTTP cache, as Lighthouse clears it), 1350×940.
//
// Baseline in the same run, alternating with the pages: the same build's dashboard for a shop with no data at all (the
// same JavaScript, CSS and App Bridge, no rows), so ratios say what the data costs on this noisy machine. Next to the
// vitals the bench times the server work of the pages whose cost grows with the shop (the loader's `_data` request,
// unthrottled, median of 7): customer list page 1 / page 1,000 by cursor / page 1,000 by offset, dashboard,
// analytics.
//
// Production refuses the simulator's origins, so nothing is pointed at it: the app loads Shopify's App Bridge from
// cdn.shopify.com as in production, and the browser (no internet here) is answered at that address with the
// simulator's App Bridge double (simulator/app-bridge/app-bridge.js), whose session tokens are minted for it with the
// app's secret, as Shopify admin signs them. The shops hold an offline session (as after install), so no token
// exchange is needed; nothing a page loads calls the Admin API.
//
// The ledger: the generated `large` shop (seed 7: 100,000 customers, ~1.02M orders), loaded and scored once and kept
// in tmp/bench/admin-vitals/ (a copy of the proxy benchmark's scored ledger when that one is there; --fresh loads it
// again). Every run applies pending migrations to it and dresses it (not timed): a finished import, a campaign, the
// shop's sessions removed so this run's local Shopify issues the token.
import { execFileSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { chromium, type Browser, type Page } from "playwright-core";
import { CHROMIUM_ARGS, ensureChromium } from "../scripts/chromium.mjs";
import { startChildServer, type ChildServer } from "./support/child-server";

const DIR = path.resolve("tmp/bench/admin-vitals");
const SHOP = "bench-recompute.myshopify.com";
const EMPTY = "bench-empty.myshopify.com";
const AS_OF = new Date("2026-11-01T00:00:00.000Z");
// A fake app: nothing here is a real credential.
const API_KEY = "bench-api-key-0000";
const API_SECRET = "bench-api-secret-not-real";
const GOAL = { lcpMs: 1000, cls: 0.02, inpMs: 100 };
const USER_AGENT =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";
// web-vitals reports INP only for interactions at least this long (16 ms is the Event Timing API's floor).
const INP_THRESHOLD_MS = 16;

const { values: args } = parseArgs({
  options: {
    reps: { type: "string", default: "5" },
    pages: { type: "string", default: "" },
    fresh: { type: "boolean", default: false },
    rebuild: { type: "boolean", default: false },
    "no-throttle": { type: "boolean", default: false },
    latency: { type: "string", default: "150" },
    kbps: { type: "string", default: "9216" },
    cpu: { type: "string", default: "1" },
  },
});
const number = (name: string, value: string, min: number) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ≥ ${min}, got "${value}"`);
  return n;
};
const REPS = number("reps", args.reps, 1);
const THROTTLE = args["no-throttle"]
  ? null
  : {
      latencyMs: number("latency", args.latency, 0),
      kbps: number("kbps", args.kbps, 1),
      cpu: number("cpu", args.cpu, 1),
    };
const log = (line = "") => console.log(line);

// --- the ledger -----------------------------------------------------------------------------------------------------

function env(dbFile: string) {
  return {
    DATABASE_URL: `file:${dbFile}`,
    SHOPIFY_API_KEY: API_KEY,
    SHOPIFY_API_SECRET: API_SECRET,
    SHOPIFY_APP_URL: "http://127.0.0.1",
    LOG_LEVEL: "warn",
  };
}

async function prepareLedger(dbFile: string) {
  const loaded = `${dbFile}.loaded`;
  if (args.fresh || !existsSync(dbFile) || !existsSync(loaded)) {
    for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`, loaded]) rmSync(f, { force: true });
    const proxy = path.resolve("tmp/bench/app-proxy/ledger.sqlite");
    if (!args.fresh && existsSync(proxy) && existsSync(`${proxy}.loaded`)) {
      log(`▶ copying the proxy benchmark's scored ledger (${path.relative(process.cwd(), proxy)}) …`);
      copyFileSync(proxy, dbFile);
      if (existsSync(`${proxy}-wal`)) copyFileSync(`${proxy}-wal`, `${dbFile}-wal`);
    } else {
      const shopFile = ["tmp/bench/recompute/shop-100k.jsonl", "tmp/bench/analytics/shop-100k.jsonl"]
        .concat(["tmp/bench/app-proxy/shop-100k.jsonl", "tmp/bench/history/shop-100k.jsonl"])
        .map((f) => path.resolve(f))
        .find((f) => existsSync(f));
      const file = shopFile ?? path.join(DIR, "shop-100k.jsonl");
      if (!shopFile) {
        log("▶ generating the large shop (100k customers) …");
        const { writeShopFile } = await import("../simulator/generator/index");
        await writeShopFile(
          { preset: "large", seed: 7, customers: 100_000, endDate: AS_OF.toISOString(), shopDomain: SHOP },
          file,
          { truthFile: false },
        );
      }
      migrate(dbFile);
      Object.assign(process.env, env(dbFile));
      const { loadShopFile } = await import("../app/services/shop-file.server");
      const { recomputeShop } = await import("../app/services/recompute.server");
      log(`▶ loading ${path.relative(process.cwd(), file)} and scoring it (not timed) …`);
      await loadShopFile(SHOP, file);
      await recomputeShop(SHOP, { asOf: AS_OF, reason: "backfill" });
    }
    execFileSync("touch", [loaded]);
  }
  migrate(dbFile);
  Object.assign(process.env, env(dbFile));
  return dress();
}

function migrate(dbFile: string) {
  execFileSync(process.execPath, ["node_modules/prisma/build/index.js", "migrate", "deploy"], {
    env: { ...process.env, ...env(dbFile), PRISMA_HIDE_UPDATE_MESSAGE: "1" },
    stdio: "ignore",
  });
}

/** The shops as the run needs them; returns the ids the pages are opened with. */
async function dress() {
  const { prisma } = await import("../app/db.server");
  const { encodeCursor } = await import("../app/services/customers.server");
  const { DEFAULT_SCOPES } = await import("../app/env.server");
  // Installed, with every scope granted and an offline session: what an install leaves (no token exchange needed).
  for (const shop of [SHOP, EMPTY]) {
    await prisma.shop.upsert({
      where: { shop },
      create: { shop, status: "installed", scope: DEFAULT_SCOPES, currencyCode: "USD", timezone: "UTC", locale: "en" },
      update: { status: "installed", scope: DEFAULT_SCOPES, accessProblem: null, parkedJobs: null },
    });
    await prisma.session.upsert({
      where: { id: `offline_${shop}` },
      create: {
        id: `offline_${shop}`,
        shop,
        state: "",
        isOnline: false,
        scope: DEFAULT_SCOPES,
        accessToken: "shpat_bench_not_real",
      },
      update: { scope: DEFAULT_SCOPES },
    });
  }
  // A finished import for both shops: no backfill is started on install, nothing polls.
  for (const shop of [SHOP, EMPTY]) {
    if (!(await prisma.backfillRun.findFirst({ where: { shop } })))
      await prisma.backfillRun.create({
        data: { id: `bench-${shop}`, shop, status: "done", phase: "done", finishedAt: new Date() },
      });
  }
  let campaign = await prisma.campaign.findFirst({ where: { shop: SHOP }, orderBy: { createdAt: "asc" } });
  campaign ??= await prisma.campaign.create({
    data: {
      shop: SHOP,
      name: "We miss you",
      template: "custom",
      audience: JSON.stringify({ kind: "first_order" }),
      schedule: "entry",
      offerKind: "percentage",
      offerValue: 15,
      expiryDays: 30,
      holdoutPercent: 0,
      cooldownDays: 0,
      codePrefix: "",
    },
  });
  const regular = await prisma.customerState.findFirstOrThrow({
    where: { shop: SHOP, frequency: { gte: 8 }, tier: { not: null } },
    orderBy: { customerId: "asc" },
  });
  // Page 1,000 of the list by most recent order: the row before it is the 49,950th.
  const [before] = await prisma.$queryRawUnsafe<{ customerId: string; lastOrderAt: string | Date | null }[]>(
    `SELECT "customerId", "lastOrderAt" FROM "CustomerState" WHERE "shop" = ?
     ORDER BY "lastOrderAt" IS NULL, "lastOrderAt" DESC, "customerId" LIMIT 1 OFFSET 49949`,
    SHOP,
  );
  const deepCursor = encodeCursor({
    value: before.lastOrderAt === null ? null : new Date(before.lastOrderAt).toISOString(),
    customerId: before.customerId,
  });
  const customers = await prisma.customerState.count({ where: { shop: SHOP } });
  const orders = await prisma.order.count({ where: { shop: SHOP } });
  await prisma.$disconnect();
  return {
    campaignId: campaign.id,
    customerId: regular.customerId.split("/").pop()!,
    deepCursor,
    customers,
    orders,
  };
}

// --- the pages ------------------------------------------------------------------------------------------------------

interface Interaction {
  name: string;
  /** Performs it (real input events: Event Timing only sees trusted input). Returns false if the control is missing. */
  run(page: Page): Promise<boolean>;
}

interface AdminPage {
  name: string;
  shop: string;
  path: string;
  params?: Record<string, string>;
  /** Whether the loader's data must show: a text the page has once it rendered with data. */
  interaction?: Interaction;
}

const click = (role: "button" | "link", name: string | RegExp): Interaction["run"] => {
  return async (page) => {
    const target = page.getByRole(role, { name }).first();
    if ((await target.count()) === 0) return false;
    await target.click();
    return true;
  };
};

/** A native <select> (Polaris Select) changed from the keyboard: focus it, then the next option. */
const nextOption =
  (label: string): Interaction["run"] =>
  async (page) => {
    const select = page.getByLabel(label, { exact: true }).first();
    if ((await select.count()) === 0) return false;
    await select.focus();
    await page.keyboard.press("ArrowDown");
    return true;
  };

function pages(ids: Awaited<ReturnType<typeof dress>>, searchFor: string): AdminPage[] {
  return [
    { name: "dashboard", shop: SHOP, path: "/app" },
    {
      name: "customers: search",
      shop: SHOP,
      path: "/app/customers",
      interaction: {
        name: `type "${searchFor}"`,
        run: async (page) => {
          const field = page.getByPlaceholder("Search by name or email");
          if ((await field.count()) === 0) return false;
          await field.click();
          await field.pressSequentially(searchFor, { delay: 60 });
          return true;
        },
      },
    },
    {
      name: "customers: sort",
      shop: SHOP,
      path: "/app/customers",
      interaction: { name: "sort: next option", run: nextOption("Sort by") },
    },
    {
      name: "customers: next page",
      shop: SHOP,
      path: "/app/customers",
      interaction: { name: "next page", run: click("button", "Next") },
    },
    {
      name: "customers: page 1,000 (cursor)",
      shop: SHOP,
      path: "/app/customers",
      params: { after: ids.deepCursor, page: "1000" },
      interaction: { name: "next page", run: click("button", "Next") },
    },
    {
      name: "customers: page 1,000 (old ?page= URL)",
      shop: SHOP,
      path: "/app/customers",
      params: { page: "1000" },
      interaction: { name: "next page", run: click("button", "Next") },
    },
    {
      name: "customers: filter segment",
      shop: SHOP,
      path: "/app/customers",
      params: { segment: "champions" },
      interaction: { name: "next page", run: click("button", "Next") },
    },
    { name: "customer detail", shop: SHOP, path: `/app/customers/${ids.customerId}` },
    {
      name: "segments",
      shop: SHOP,
      path: "/app/segments",
      interaction: { name: "save names", run: click("button", "Save") },
    },
    {
      name: "tiers",
      shop: SHOP,
      path: "/app/tiers",
      interaction: { name: "preview", run: click("button", "Preview") },
    },
    { name: "campaigns", shop: SHOP, path: "/app/campaigns" },
    { name: "campaign: new", shop: SHOP, path: "/app/campaigns/new" },
    {
      name: "campaign: detail",
      shop: SHOP,
      path: `/app/campaigns/${ids.campaignId}`,
      interaction: { name: "save", run: click("button", "Save changes") },
    },
    {
      name: "analytics",
      shop: SHOP,
      path: "/app/analytics",
      interaction: { name: "period: next option", run: nextOption("Period") },
    },
    {
      name: "points",
      shop: SHOP,
      path: "/app/points",
      interaction: { name: "preview", run: click("button", "Preview") },
    },
    { name: "points: liability", shop: SHOP, path: "/app/points/liability" },
    { name: "points: import", shop: SHOP, path: "/app/points/import" },
    { name: "rewards", shop: SHOP, path: "/app/rewards" },
    {
      name: "predictions",
      shop: SHOP,
      path: "/app/predictions",
      interaction: { name: "save", run: click("button", "Save settings") },
    },
    { name: "products", shop: SHOP, path: "/app/products" },
    {
      name: "settings",
      shop: SHOP,
      path: "/app/settings",
      interaction: { name: "save", run: click("button", "Save") },
    },
  ];
}

// --- measuring ------------------------------------------------------------------------------------------------------

interface Sample {
  lcp: number | null;
  cls: number;
  /** After the interaction: INP (null: no interaction reached the 16 ms threshold), CLS of the whole visit. */
  inp?: number | null;
  clsAfter?: number;
  /** From the interaction to its data request answered (ms), when it made one. */
  dataMs?: number | null;
  missing?: boolean;
}

const VITALS_SCRIPT = `${readFileSync(path.resolve("node_modules/web-vitals/dist/web-vitals.attribution.iife.js"), "utf8")}
;(() => {
  const v = (window.__vitals = { lcp: null, cls: 0, inp: null, lcpElement: null });
  webVitals.onLCP((m) => { v.lcp = m.value; const a = m.attribution || {}; v.lcpElement = a.target || null; v.lcpParts = [a.timeToFirstByte, a.resourceLoadDelay, a.resourceLoadDuration, a.elementRenderDelay].map((x) => Math.round(x || 0)); }, { reportAllChanges: true });
  webVitals.onCLS((m) => { v.cls = m.value; v.clsTarget = (m.attribution && m.attribution.largestShiftTarget) || null; }, { reportAllChanges: true });
  webVitals.onINP((m) => { v.inp = m.value; const a = m.attribution || {}; const ls = a.longestScript && a.longestScript.entry; v.inpParts = { target: a.interactionTarget, type: a.interactionType, input: Math.round(a.inputDelay || 0), processing: Math.round(a.processingDuration || 0), presentation: Math.round(a.presentationDelay || 0), script: ls ? { invoker: ls.invoker, source: (ls.sourceURL || "").split("/").pop() + ":" + ls.sourceFunctionName, duration: Math.round(ls.duration), forcedLayout: Math.round(ls.forcedStyleAndLayoutDuration || 0) } : null, totals: a.totalScriptDuration !== undefined ? { script: Math.round(a.totalScriptDuration), layout: Math.round(a.totalStyleAndLayoutDuration || 0), paint: Math.round(a.totalPaintDuration || 0) } : null }; }, { reportAllChanges: true, durationThreshold: ${INP_THRESHOLD_MS} });
  // For VITALS_DEBUG: every layout shift with what moved, from where to where (the largest first when printed).
  v.shifts = [];
  const name = (n) => n && n.nodeType === 1 ? n.tagName.toLowerCase() + (n.className && typeof n.className === "string" ? "." + n.className.trim().split(/\\s+/).slice(0, 2).join(".") : "") + (n.textContent ? " '" + n.textContent.trim().slice(0, 40) + "'" : "") : String(n && n.nodeName);
  const box = (r) => [Math.round(r.x), Math.round(r.y), Math.round(r.width), Math.round(r.height)];
  new PerformanceObserver((list) => { for (const e of list.getEntries()) if (!e.hadRecentInput) v.shifts.push({ value: Math.round(e.value * 1e4) / 1e4, at: Math.round(e.startTime), sources: (e.sources || []).map((s) => ({ node: name(s.node), from: box(s.previousRect), to: box(s.currentRect) })) }); }).observe({ type: "layout-shift", buffered: true });
})();`;

interface Vitals {
  lcp: number | null;
  cls: number;
  inp: number | null;
  lcpElement: string | null;
  /** LCP's parts (web-vitals attribution): time to first byte, resource load delay and duration, render delay. */
  lcpParts: number[] | null;
}

interface Bridge {
  script: string;
  token(shop: string): string;
}

async function measure(
  browser: Browser,
  bridge: Bridge,
  url: string,
  interaction: Interaction | undefined,
  errors: string[],
  offline: string[],
): Promise<Sample> {
  const context = await browser.newContext({ userAgent: USER_AGENT, viewport: { width: 1350, height: 940 } });
  try {
    const page = await context.newPage();
    // Shopify's CDN answered with the App Bridge double and its session tokens; anything else off the machine: aborted.
    await page.route(
      (u) => u.hostname !== "127.0.0.1",
      (route) => {
        const u = new URL(route.request().url());
        if (u.hostname === "cdn.shopify.com" && u.pathname === "/shopifycloud/app-bridge.js")
          return route.fulfill({ contentType: "text/javascript", body: bridge.script });
        if (u.hostname === "cdn.shopify.com" && u.pathname === "/app-bridge/session-token") {
          const shop = u.searchParams.get("shop") ?? "";
          const jwt = bridge.token(shop);
          const exp = JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString()).exp;
          return route.fulfill({ contentType: "application/json", body: JSON.stringify({ token: jwt, exp }) });
        }
        offline.push(u.href);
        return route.abort("internetdisconnected");
      },
    );
    page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
    await page.addInitScript(VITALS_SCRIPT);
    if (THROTTLE) {
      const cdp = await context.newCDPSession(page);
      await cdp.send("Network.enable");
      const bytesPerS = (THROTTLE.kbps * 1024) / 8;
      await cdp.send("Network.emulateNetworkConditions", {
        offline: false,
        latency: THROTTLE.latencyMs,
        downloadThroughput: bytesPerS,
        uploadThroughput: bytesPerS,
      });
      await cdp.send("Emulation.setCPUThrottlingRate", { rate: THROTTLE.cpu });
    }
    const response = await page.goto(url, { waitUntil: "load", timeout: 60_000 });
    if (response?.status() !== 200) throw new Error(`${url} answered ${response?.status()}`);
    await page.waitForLoadState("networkidle", { timeout: 30_000 }).catch(() => {});
    const first = (await page.evaluate("window.__vitals")) as Vitals;
    const sample: Sample = { lcp: first.lcp, cls: first.cls };
    if (process.env.VITALS_DEBUG) console.error(url.split("?")[0], JSON.stringify({ ...first, shifts: undefined }));
    if (!interaction) return sample;
    const answered = page
      .waitForResponse((r) => r.url().includes("_data="), { timeout: 30_000 })
      .then(() => performance.now())
      .catch(() => null);
    const started = performance.now();
    if (!(await interaction.run(page))) return { ...sample, missing: true };
    const at = await Promise.race([answered, new Promise<null>((r) => setTimeout(() => r(null), 15_000))]);
    await page.waitForLoadState("networkidle", { timeout: 30_000 }).catch(() => {});
    await page.waitForTimeout(300);
    const after = (await page.evaluate("window.__vitals")) as Vitals;
    if (process.env.VITALS_DEBUG) {
      console.error("after", interaction.name, JSON.stringify({ ...after, shifts: undefined }));
      const shifts = (after as Vitals & { shifts?: { value: number }[] }).shifts ?? [];
      for (const shift of [...shifts].sort((a, b) => b.value - a.value).slice(0, 3))
        console.error("  shift", JSON.stringify(shift));
    }
    return { ...sample, inp: after.inp, clsAfter: after.cls, dataMs: at === null ? null : at - started };
  } finally {
    await context.close();
  }
}

const p75 = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.75 * sorted.length) - 1)];
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

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
  const ids = await prepareLedger(dbFile);
  log(`Shop: ${ids.customers.toLocaleString("en")} scored customers, ${ids.orders.toLocaleString("en")} orders`);

  const { adminHostParam, mintSessionToken } = await import("../simulator/app-bridge/session-token");
  const token = (shop: string) => mintSessionToken({ shop, apiKey: API_KEY, apiSecret: API_SECRET });
  const appBridge = readFileSync(path.resolve("simulator/app-bridge/app-bridge.js"), "utf8");
  const servers: ChildServer[] = [];
  let browser: Browser | undefined;
  try {
    const port = await freePort();
    const app = await startChildServer("app server", path.join(runDir, "server.mjs"), {
      NODE_ENV: "production",
      LOG_LEVEL: "warn",
      SHOPIFY_API_KEY: API_KEY,
      SHOPIFY_API_SECRET: API_SECRET,
      SHOPIFY_APP_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: `file:${dbFile}`,
      PORT: String(port),
      WORKER: "separate",
    });
    servers.push(app);
    const url = (shop: string, pathname: string, params: Record<string, string> = {}) =>
      `${app.url}${pathname}?${new URLSearchParams({
        embedded: "1",
        shop,
        host: adminHostParam(shop),
        locale: "en",
        id_token: token(shop),
        ...params,
      })}`;

    // Server time of the loaders that grow with the shop: the `_data` request as the app's client makes it.
    const serverTime = async (shop: string, pathname: string, route: string, params: Record<string, string> = {}) => {
      const ms: number[] = [];
      for (let i = 0; i < 8; i++) {
        const bearer = token(shop);
        const started = performance.now();
        const response = await fetch(`${app.url}${pathname}?${new URLSearchParams({ ...params, _data: route })}`, {
          headers: { "User-Agent": USER_AGENT, Authorization: `Bearer ${bearer}` },
        });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`${pathname} _data answered ${response.status}`);
        if (i > 0) ms.push(performance.now() - started); // the first warms
      }
      return median(ms);
    };
    // One load of each shop before anything is timed (and a check that the session is taken as it is).
    for (const shop of [SHOP, EMPTY]) {
      const first = await fetch(url(shop, "/app"), { headers: { "User-Agent": USER_AGENT } });
      if (first.status !== 200) throw new Error(`the first load of ${shop} answered ${first.status}`);
    }

    const { prisma } = await import("../app/db.server");
    const someone = await prisma.customer.findFirstOrThrow({
      where: { shop: SHOP, lastName: { not: null } },
      orderBy: { id: "asc" },
    });
    await prisma.$disconnect();
    const all = pages(ids, someone.lastName!);
    const chosen = args.pages
      ? all.filter((p) => args.pages.split(",").some((w) => p.name.toLowerCase().includes(w.trim().toLowerCase())))
      : all;

    log(
      `\nMachine: ${os.cpus().length} CPUs (${os.cpus()[0]?.model}), load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
    );
    log(
      THROTTLE
        ? `Throttling (CDP): latency ${THROTTLE.latencyMs} ms, ${THROTTLE.kbps} kbit/s down and up, CPU ${THROTTLE.cpu}×`
        : "No throttling",
    );

    log("\nServer time of the data request (median of 7, unthrottled):");
    const customersRoute = "routes/app.customers._index";
    const server: [string, number][] = [
      ["customer list, page 1", await serverTime(SHOP, "/app/customers", customersRoute)],
      [
        "customer list, page 1,000 by cursor",
        await serverTime(SHOP, "/app/customers", customersRoute, { after: ids.deepCursor, page: "1000" }),
      ],
      [
        "customer list, page 1,000 by offset (old URL)",
        await serverTime(SHOP, "/app/customers", customersRoute, { page: "1000" }),
      ],
      ["dashboard", await serverTime(SHOP, "/app", "routes/app._index")],
      ["dashboard, empty shop", await serverTime(EMPTY, "/app", "routes/app._index")],
      ["segments", await serverTime(SHOP, "/app/segments", "routes/app.segments")],
      ["customer detail", await serverTime(SHOP, `/app/customers/${ids.customerId}`, "routes/app.customers.$id")],
      ["analytics (last 30 days)", await serverTime(SHOP, "/app/analytics", "routes/app.analytics")],
      ["analytics (all time)", await serverTime(SHOP, "/app/analytics", "routes/app.analytics", { period: "all" })],
    ];
    log("| request | median ms |\n|---|---:|");
    for (const [name, ms] of server) log(`| ${name} | ${ms.toFixed(1)} |`);

    const { executablePath, env: chromiumEnv } = ensureChromium();
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, env: { ...process.env, ...chromiumEnv } });
    const errors: string[] = [];
    const offline: string[] = [];
    const bridge: Bridge = { script: appBridge, token };
    const baseline: Sample[] = [];
    const results = new Map<AdminPage, Sample[]>(chosen.map((p) => [p, []]));
    for (let rep = 0; rep < REPS; rep++) {
      for (const page of chosen) {
        baseline.push(await measure(browser, bridge, url(EMPTY, "/app"), undefined, errors, offline));
        const target = url(page.shop, page.path, page.params);
        try {
          results.get(page)!.push(await measure(browser, bridge, target, page.interaction, errors, offline));
        } catch (error) {
          // One page failing (a timeout on the loaded machine) is reported with the others, not the end of the run.
          errors.push(`${page.name}: ${error instanceof Error ? error.message.split("\n")[0] : error}`);
        }
      }
      log(`  repetition ${rep + 1}/${REPS} done (load average ${os.loadavg()[0].toFixed(2)})`);
    }

    const fmtMs = (v: number | null) => (v === null ? "—" : `${Math.round(v)}`);
    const baseLcp = p75(baseline.map((s) => s.lcp ?? NaN));
    log(`\nWeb Vitals, p75 of ${REPS} (INP "<${INP_THRESHOLD_MS}": no interaction reached the Event Timing threshold)`);
    log("| page | LCP ms | LCP / baseline | CLS | interaction | INP ms | CLS after | data answered ms | goal |");
    log("|---|---:|---:|---:|---|---:|---:|---:|---|");
    const row = (name: string, samples: Sample[], interaction?: Interaction) => {
      if (samples.length === 0) return log(`| ${name} | failed (see the errors below) | | | | | | | **missed** |`);
      const lcp = p75(samples.map((s) => s.lcp ?? Infinity));
      const cls = p75(samples.map((s) => s.cls));
      const done = samples.filter((s) => s.inp !== undefined);
      const missing = samples.some((s) => s.missing);
      const inps = done.map((s) => s.inp ?? 0);
      const inp = inps.length ? p75(inps) : null;
      const clsAfter = done.length ? p75(done.map((s) => s.clsAfter ?? 0)) : null;
      const data = done.filter((s) => s.dataMs != null).map((s) => s.dataMs!);
      const ok = lcp <= GOAL.lcpMs && cls <= GOAL.cls && (inp ?? 0) <= GOAL.inpMs && (clsAfter ?? 0) <= GOAL.cls;
      log(
        `| ${name} | ${fmtMs(lcp)} | ${(lcp / baseLcp).toFixed(2)}× | ${cls.toFixed(3)} | ${
          interaction ? (missing ? `${interaction.name} (control not found)` : interaction.name) : "—"
        } | ${inp === null ? "—" : inp === 0 ? `<${INP_THRESHOLD_MS}` : fmtMs(inp)} | ${
          clsAfter === null ? "—" : clsAfter.toFixed(3)
        } | ${data.length ? fmtMs(p75(data)) : "—"} | ${ok ? "met" : "**missed**"} |`,
      );
    };
    row("baseline: dashboard of an empty shop", baseline);
    for (const page of chosen) row(page.name, results.get(page)!, page.interaction);
    if (offline.length) log(`\nRequests off the machine, aborted: ${[...new Set(offline)].slice(0, 10).join(", ")}`);
    if (errors.length) log(`\nPage errors (${errors.length}):\n${[...new Set(errors)].slice(0, 10).join("\n")}`);
    log(
      `\nload average at the end: ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
    );
  } finally {
    await browser?.close();
    for (const s of servers) await s.stop();
    rmSync(runDir, { recursive: true, force: true });
  }
}

main()
  .then(() => process.exit(0))
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });

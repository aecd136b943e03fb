import os from "node:os";
// The app as it runs at scale, on this machine: a fresh PostgreSQL database, one web process (WORKER=separate) and N
// worker processes (`scripts/worker.mjs`), all real processes of the built app, against a local Shopify (the
// simulator, in this process: the network edge). Processes can be killed with SIGKILL and restarted, and the
// database restarted, at any moment: what the reliability suite does to it.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { createLocalShopify, type LocalShopify } from "../../simulator/local-shopify";
import { adminHostParam } from "../../simulator/app-bridge/session-token";
import { ensurePostgres, restartPostgres } from "../../scripts/postgres.mjs";
import { migratePostgres } from "../../scripts/migrate-postgres.mjs";

const API_KEY = "reliability-api-key";
const API_SECRET = "reliability-api-secret-not-real";
const BROWSER = { "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36" };
const LOG_DIR = path.resolve("tmp/reliability");

export interface Cluster {
  shopify: LocalShopify;
  databaseUrl: string;
  appUrl: string;
  /** Installs a shop already loaded into the simulator: Shopify's managed install, then the merchant's first visit. */
  install(shop: string): Promise<void>;
  /** SIGKILL, no goodbye. */
  killWeb(): void;
  killWorker(index: number): void;
  startWeb(): Promise<void>;
  startWorker(index: number): void;
  workers(): number;
  /** Processes that ended without being killed by the harness (a crash), each with how it ended and when. */
  crashes(): string[];
  /** Restarts PostgreSQL itself (every connection of every process dies). */
  restartDatabase(): void;
  /** CPU seconds used so far (user + system) by the live web and worker processes, every PostgreSQL process, and this
   *  harness (the load generator and the local Shopify). Read from /proc: Linux only. */
  cpuSeconds(): CpuSeconds;
  /** A client on the app's database (for reading state), closed by stop(). */
  db(): Promise<pg.Client>;
  /**
   * Samples pg_stat_activity every `everyMs` until stop() is called: what each backend of the app's database was
   * doing (state, wait event), by owner (the web processes, the workers, others), and the statements most often seen
   * waiting. Waits, not CPU: where a serialised path spends its time.
   */
  sampleWaits(everyMs?: number): { stop(): Promise<WaitProfile> };
  /** The web processes' probe (web-probe.mjs): one line a second, when started with `probe`. */
  probeLines(): ProbeLine[];
  stop(): Promise<void>;
}

export interface WaitProfile {
  samples: number;
  /** owner → "state / wait" → share of that owner's backend-samples. */
  byOwner: Record<string, { backends: number; states: [string, number][] }>;
  /** The statements most often seen not running on the CPU (waiting on a lock, on IO, on the client). */
  waitingStatements: [string, number][];
}

export interface ProbeLine {
  at: number;
  pid: number;
  loopDelayMs: { p50: number; p99: number; max: number };
  pool: { open: number; idle: number; waitingMean: number; waitingMax: number };
  requestsInFlight: { mean: number; max: number };
  /** ms of that second on a CPU, and runnable but waiting for one. */
  cpuMs?: { on: number; runQueue: number };
}

export interface CpuSeconds {
  web: number;
  workers: number;
  postgres: number;
  harness: number;
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime + stime of one process from /proc/<pid>/stat, in seconds; 0 when it is gone. */
function processCpu(pid: number | undefined): { comm: string; seconds: number } {
  if (!pid) return { comm: "", seconds: 0 };
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = stat.lastIndexOf(")");
    const comm = stat.slice(stat.indexOf("(") + 1, close);
    const fields = stat.slice(close + 2).split(" "); // fields[0] is the state (field 3); utime, stime are fields 14, 15
    return { comm, seconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND };
  } catch {
    return { comm: "", seconds: 0 };
  }
}

/** The pids of a process's children (a node:cluster primary's web processes). */
function childrenOf(pid: number | undefined): number[] {
  if (!pid) return [];
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").split(" ").filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** The local TCP ports of a process's sockets (to tell which PostgreSQL backend serves which process). */
function localPortsOf(pids: number[]): Set<number> {
  const inodes = new Set<string>();
  for (const pid of pids) {
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        try {
          const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
          const m = /^socket:\[(\d+)\]$/.exec(link);
          if (m) inodes.add(m[1]);
        } catch {
          // closed meanwhile
        }
      }
    } catch {
      // gone
    }
  }
  const ports = new Set<number>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && inodes.has(f[9])) ports.add(parseInt(f[1].split(":")[1], 16));
    }
  }
  return ports;
}

function ensureBuild() {
  if (existsSync("build/server/index.js")) return;
  const built = spawnSync(
    process.execPath,
    ["node_modules/@remix-run/dev/dist/cli.js", "vite:build", "--logLevel", "warn"],
    { stdio: "inherit" },
  );
  if (built.status !== 0) throw new Error("build failed");
}

export async function startCluster({
  name,
  workers = 2,
  web: webProcesses = 1,
  probe = false,
  appDir = process.cwd(),
  port = 0,
  simulatorOptions = {},
}: {
  name: string;
  workers?: number;
  /** Web processes: 1 runs server.mjs; more run web-cluster.mjs (node:cluster, one port, round-robin). */
  web?: number;
  /** Preload web-probe.mjs into the web processes (event-loop delay, pool waits, requests in flight). */
  probe?: boolean;
  /**
   * Where the app's processes run from: a folder holding build/, server.mjs and scripts/ (a copy of another build, to
   * compare two versions of the app under the same load); the project by default. It must lie below the project, so
   * its imports resolve to the project's node_modules.
   */
  appDir?: string;
  port?: number;
  simulatorOptions?: Parameters<typeof createLocalShopify>[0] extends infer O ? Partial<O> : never;
}): Promise<Cluster> {
  ensureBuild();
  mkdirSync(LOG_DIR, { recursive: true });
  const serverUrl = ensurePostgres();
  const database = `loyalty_rel_${name}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${database}"`);
  await admin.end();
  const u = new URL(serverUrl);
  u.pathname = `/${database}`;
  const databaseUrl = u.toString();
  await migratePostgres(databaseUrl);

  // Approved for protected customer data with name and email, as the app is (the simulator approves nothing by default).
  const shopify = createLocalShopify({
    apiKey: API_KEY,
    apiSecret: API_SECRET,
    protectedCustomerData: { level: 2, fields: ["name", "email"] },
    ...simulatorOptions,
  });
  const simulator = await shopify.listen(0);
  const appPort = port || 20_000 + Math.floor(Math.random() * 20_000);
  const appUrl = `http://127.0.0.1:${appPort}`;
  const env: NodeJS.ProcessEnv = {
    // The production build, run as in development: the simulator switch (SHOPIFY_ADMIN_API_ORIGIN) is refused in production.
    NODE_ENV: "development",
    PATH: process.env.PATH ?? "",
    PORT: String(appPort),
    SHOPIFY_API_KEY: API_KEY,
    SHOPIFY_API_SECRET: API_SECRET,
    SHOPIFY_APP_URL: appUrl,
    DATABASE_URL: databaseUrl,
    SHOPIFY_ADMIN_API_ORIGIN: simulator.url,
    APP_BRIDGE_URL: shopify.appBridgeUrl,
    LOG_LEVEL: "warn",
    WORKER: "separate",
    // The app's own settings, passed through when the caller sets them (e.g. DATABASE_POOL_SIZE=30 npm run reliability:load).
    ...Object.fromEntries(
      ["DATABASE_POOL_SIZE", "WORKER_CONCURRENCY"].flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : [])),
    ),
  };

  let web: ChildProcess | null = null;
  const workerProcs: (ChildProcess | null)[] = Array.from({ length: workers }, () => null);
  const clients: pg.Client[] = [];
  const crashes: string[] = [];
  const killedByUs = new WeakSet<ChildProcess>();
  const startedAt = Date.now();
  let stopping = false;
  const probeFile = path.join(LOG_DIR, `${name}-web-probe-${process.pid}.jsonl`);
  const spawnApp = (script: string, label: string, extraEnv: Record<string, string> = {}, nodeArgs: string[] = []) => {
    const child = spawn(process.execPath, [...nodeArgs, path.resolve(appDir, script)], {
      cwd: appDir,
      env: { ...env, ...extraEnv },
      stdio: ["ignore", "ignore", "pipe"],
    });
    child.on("exit", (code, signal) => {
      if (!killedByUs.has(child) && !stopping)
        crashes.push(
          `${label} exited on its own (${signal ?? `code ${code}`}) at +${((Date.now() - startedAt) / 1000).toFixed(1)} s`,
        );
    });
    // Errors the processes log are shown (a killed process's connections make some; they are expected).
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      if (process.env.RELIABILITY_VERBOSE) process.stderr.write(`[${label}] ${chunk}`);
    });
    return child;
  };

  async function startWeb() {
    if (probe) rmSync(probeFile, { force: true });
    web = spawnApp(
      webProcesses > 1 ? path.resolve("bench/reliability/web-cluster.mjs") : "server.mjs",
      "web",
      {
        WEB_PROCESSES: String(webProcesses),
        ...(probe ? { PROBE_FILE: probeFile } : {}),
      },
      probe ? ["--import", path.resolve("bench/reliability/web-probe.mjs")] : [],
    );
    for (let i = 0; i < 300; i++) {
      try {
        const response = await fetch(`${appUrl}/`, { headers: BROWSER, redirect: "manual" });
        if (response.status < 500) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("the web process did not start");
  }
  function startWorker(index: number) {
    workerProcs[index] = spawnApp("scripts/worker.mjs", `worker ${index}`);
    // WORKER_NICE=N: the workers at a lower CPU priority than the web process (as when they run on cores of their own,
    // the web tier is served first); unset, every process has the same priority.
    const nice = Number(process.env.WORKER_NICE ?? 0);
    if (nice > 0 && workerProcs[index]!.pid) os.setPriority(workerProcs[index]!.pid!, nice);
  }
  const kill = (child: ChildProcess | null) => {
    if (child && child.exitCode === null && child.signalCode === null) {
      killedByUs.add(child);
      child.kill("SIGKILL");
    }
  };

  await startWeb();
  shopify.connectApp(appUrl);
  for (let i = 0; i < workers; i++) startWorker(i);

  return {
    shopify,
    databaseUrl,
    appUrl,
    async install(shop) {
      shopify.install(shop);
      const params = new URLSearchParams({
        embedded: "1",
        shop,
        host: adminHostParam(shop),
        id_token: shopify.admin.tokens.sessionToken(shop),
      });
      const first = await fetch(`${appUrl}/app?${params}`, { headers: BROWSER });
      if (first.status !== 200) throw new Error(`installing ${shop}: the app answered ${first.status}`);
    },
    killWeb: () => kill(web),
    killWorker: (index) => kill(workerProcs[index]),
    startWeb,
    startWorker,
    workers: () => workers,
    crashes: () => [...crashes],
    restartDatabase() {
      restartPostgres();
    },
    cpuSeconds() {
      let postgres = 0;
      for (const entry of readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        const p = processCpu(Number(entry));
        if (p.comm === "postgres") postgres += p.seconds;
      }
      const own = process.cpuUsage();
      return {
        web: [web?.pid, ...childrenOf(web?.pid)].reduce<number>((sum, pid) => sum + processCpu(pid).seconds, 0),
        workers: workerProcs.reduce((sum, w) => sum + processCpu(w?.pid).seconds, 0),
        postgres,
        harness: (own.user + own.system) / 1e6,
      };
    },
    async db() {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      client.on("error", () => {});
      clients.push(client);
      return client;
    },
    sampleWaits(everyMs = 50) {
      const client = new pg.Client({ connectionString: databaseUrl, application_name: "wait-sampler" });
      const tally = new Map<string, Map<string, number>>();
      const backendsSeen = new Map<string, Set<number>>();
      const statements = new Map<string, number>();
      let samples = 0;
      let running = true;
      const done = (async () => {
        await client.connect();
        client.on("error", () => {});
        let ports = { web: new Set<number>(), workers: new Set<number>(), at: 0 };
        while (running) {
          // Pooled connections live long; reading /proc/net/tcp costs tens of ms with thousands of sockets in
          // TIME_WAIT (every webhook attempt is a new connection), on the loop that also sends the load: every 5 s.
          if (Date.now() - ports.at > 5000) {
            ports = {
              web: localPortsOf([web?.pid, ...childrenOf(web?.pid)].filter((p): p is number => !!p)),
              workers: localPortsOf(workerProcs.map((w) => w?.pid).filter((p): p is number => !!p)),
              at: Date.now(),
            };
          }
          const { rows } = await client.query(
            `SELECT pid, client_port, application_name, state, wait_event_type, wait_event, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS query
               FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
          );
          samples += 1;
          for (const r of rows) {
            const owner = ports.web.has(r.client_port)
              ? "web"
              : ports.workers.has(r.client_port)
                ? "workers"
                : r.application_name || "other";
            const what = `${r.state ?? "?"} / ${r.wait_event_type ? `${r.wait_event_type}:${r.wait_event}` : "on CPU"}`;
            const t = tally.get(owner) ?? new Map<string, number>();
            t.set(what, (t.get(what) ?? 0) + 1);
            tally.set(owner, t);
            const seen = backendsSeen.get(owner) ?? new Set<number>();
            seen.add(r.pid);
            backendsSeen.set(owner, seen);
            if (owner === "web" && r.state === "active" && r.wait_event_type && r.wait_event_type !== "Client") {
              const key = `${r.wait_event_type}:${r.wait_event} ${r.query}`;
              statements.set(key, (statements.get(key) ?? 0) + 1);
            }
          }
          await new Promise((r) => setTimeout(r, everyMs));
        }
        await client.end();
      })();
      return {
        async stop(): Promise<WaitProfile> {
          running = false;
          await done;
          const byOwner: WaitProfile["byOwner"] = {};
          for (const [owner, t] of tally) {
            const total = [...t.values()].reduce((a, b) => a + b, 0);
            byOwner[owner] = {
              backends: backendsSeen.get(owner)?.size ?? 0,
              states: [...t].sort((a, b) => b[1] - a[1]).map(([k, n]) => [k, n / total]),
            };
          }
          const waitingStatements = [...statements].sort((a, b) => b[1] - a[1]).slice(0, 8);
          return { samples, byOwner, waitingStatements };
        },
      };
    },
    probeLines() {
      if (!probe || !existsSync(probeFile)) return [];
      return readFileSync(probeFile, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as ProbeLine);
    },
    async stop() {
      stopping = true;
      kill(web);
      workerProcs.forEach(kill);
      await Promise.all(clients.map((c) => c.end().catch(() => {})));
      await simulator.close();
      const drop = new pg.Client({ connectionString: serverUrl });
      await drop.connect();
      await drop.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await drop.end();
    },
  };
}

/** Waits until `check` holds (polled), or throws after `timeoutMs`. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 120_000, everyMs = 200) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

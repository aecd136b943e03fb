// The README's production commands, run as a deployer and the Docker image run them: child processes of npm on the
// repo's build (`npm test` builds it first; nothing is rebuilt here), a minimal production environment and a database
// of their own — a fresh SQLite file, or on the PostgreSQL pass (TEST_DATABASE=postgresql) a fresh PostgreSQL database.
// Signals go to npm's own process, as `docker stop` sends SIGTERM to the container's first process.
// The children do not inherit the test's environment; a `.env` at the repo root would fill in what they are not given.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterEach, describe, expect, inject, it } from "vitest";
import pg from "pg";
import { pendingMigrations } from "../../scripts/pending-migrations.mjs";
import { createTestDatabase } from "../support/pg";
import { postgresUrlFor } from "../setup/global-setup";
import { freePort } from "../support/app-server";
import { BROWSER_HEADERS, TEST_API_KEY, TEST_API_SECRET, TEST_APP_URL } from "../support/test-env";
import { webhookHeaders } from "../support/webhooks";

const root = process.cwd();
const postgres = inject("postgres");

/** The Docker image's start command (Dockerfile CMD) and what its npm script runs: the README's two commands. */
const IMAGE_COMMAND = ["npm", "run", "docker-start"];
const DOCKER_START = "npm run setup && exec npm start";

/** An empty database of this test's own (never migrated). */
async function freshDatabase(): Promise<string> {
  const id = randomUUID().replaceAll("-", "").slice(0, 12);
  if (!postgres) return `file:${path.join(inject("testRunDir"), `production-${id}.sqlite`)}`;
  // Named after the run's template, so the run's teardown drops it with the others.
  const name = `${postgres.template.replace(/_template$/, "")}_prod_${id}`;
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  return postgresUrlFor(postgres.url, name);
}

async function productionEnv(databaseUrl: string, extra: Record<string, string> = {}) {
  return {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    NODE_ENV: "production",
    SHOPIFY_API_KEY: TEST_API_KEY,
    SHOPIFY_API_SECRET: TEST_API_SECRET,
    SHOPIFY_APP_URL: TEST_APP_URL,
    PORT: String(await freePort()),
    DATABASE_URL: databaseUrl,
    ...extra,
  };
}

interface Run {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}
const running: Run[] = [];

/** `npm <args>` in the repo as its own process group (so a failed test can end every process it started). */
function npm(args: string[], env: Record<string, string>): Run {
  const child = spawn("npm", args, {
    cwd: root,
    env: env as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let text = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const run = { child, output: () => text, exited };
  running.push(run);
  return run;
}

afterEach(() => {
  for (const { child } of running.splice(0)) {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

/** Waits for `pattern` in the process's output; fails with the output if it exits first or takes too long. */
async function waitForOutput(run: Run, pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void run.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    const match = pattern.exec(run.output());
    if (match) return match;
    if (exited) throw new Error(`exited before printing ${pattern}:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${run.output()}`);
}

/** The process's exit, which must come within `timeoutMs`. */
async function exitWithin(run: Run, timeoutMs: number) {
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`still running ${timeoutMs} ms later:\n${run.output()}`)), timeoutMs),
  );
  return Promise.race([run.exited, timeout]);
}

/** Opens a raw HTTP connection; resolves with helpers to write and to read everything until the server closes it. */
function connect(port: number) {
  return new Promise<{ socket: net.Socket; received(): string; closed: Promise<void> }>((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let text = "";
    socket.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
    const closed = new Promise<void>((r) => socket.once("close", () => r()));
    socket.once("error", reject);
    socket.once("connect", () => resolve({ socket, received: () => text, closed }));
  });
}

function refusesConnections(port: number) {
  return new Promise<boolean>((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

describe("production start (README / Dockerfile)", () => {
  it("the image's command runs `npm run setup` then `npm start`, and the package's scripts are those commands", () => {
    const dockerfile = readFileSync(path.join(root, "Dockerfile"), "utf8");
    const instructions = dockerfile.split("\n").filter((l) => /^(CMD|ENTRYPOINT)\b/.test(l));
    expect(instructions).toHaveLength(1);
    expect(JSON.parse(instructions[0].replace(/^CMD\s+/, ""))).toEqual(IMAGE_COMMAND);
    const scripts = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).scripts as Record<string, string>;
    expect(scripts["docker-start"]).toBe(DOCKER_START);
    expect(scripts.start).toBe("exec node scripts/start.mjs");
    expect(scripts.setup).toBe("node scripts/setup.mjs");
    expect(scripts.worker).toBe("exec node scripts/worker.mjs");
  });

  it("on a fresh database: migrates, serves, finishes a request in flight on SIGTERM and exits 0", async () => {
    const databaseUrl = await freshDatabase();
    const env = await productionEnv(databaseUrl);
    const app = npm(IMAGE_COMMAND.slice(1), env);
    const [, url] = await waitForOutput(app, /listening on (http:\/\/\S+)/, 90_000);
    // HOST is not set: every interface, reached here on loopback.
    expect(url).toBe(`http://127.0.0.1:${env.PORT}`);
    expect(app.output()).toContain("(every interface, HOST=0.0.0.0)");
    // The worker's line is a second write, which may reach the pipe after the first was read.
    await waitForOutput(app, /Job worker running in this process/);
    expect(await pendingMigrations(databaseUrl)).toEqual([]);

    const health = await fetch(`${url}/healthz`);
    expect([health.status, await health.text()]).toEqual([200, "ok\n"]);
    const home = await fetch(`${url}/`, { headers: BROWSER_HEADERS });
    expect(home.status).toBe(200);
    expect(await home.text()).toContain("Open the app from your Shopify admin");

    // An idle keep-alive connection must not hold the shutdown; a request whose body is still arriving must finish.
    const idle = await connect(Number(env.PORT));
    idle.socket.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n`);
    await expect
      .poll(() => idle.received(), { timeout: 5000 })
      .toMatch(/^HTTP\/1\.1 200 [^]*\r\n\r\n[^]*ok\n[^]*\r\n0\r\n\r\n$/);
    // A webhook delivery, signed, of which only half the body has arrived when the stop comes: the app still reads
    // it all, verifies it and answers (404: that shop never installed the app).
    const body = JSON.stringify({ id: 1, name: "Never installed", domain: "never-installed.myshopify.com" });
    const headers = webhookHeaders({ shop: "never-installed.myshopify.com", topic: "app/uninstalled", body });
    const head = Object.entries({ ...headers, Host: "127.0.0.1", "Content-Length": String(Buffer.byteLength(body)) })
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join("");
    const inFlight = await connect(Number(env.PORT));
    inFlight.socket.write(`POST /webhooks/app/uninstalled HTTP/1.1\r\n${head}\r\n${body.slice(0, 20)}`);
    await new Promise((r) => setTimeout(r, 300));

    app.child.kill("SIGTERM");
    await waitForOutput(app, /SIGTERM: stopping/, 5000);
    expect(await refusesConnections(Number(env.PORT))).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(app.child.exitCode, "exited with a request in flight").toBeNull();
    inFlight.socket.write(body.slice(20));
    await inFlight.closed;
    expect(inFlight.received()).toMatch(/^HTTP\/1\.1 404 /);
    expect(inFlight.received()).toMatch(/\r\n\r\n[^]*unknown shop/);
    expect(inFlight.received()).toMatch(/\r\nConnection: close\r\n/i);

    expect(await exitWithin(app, 8000)).toEqual({ code: 0, signal: null });
    expect(app.output()).toMatch(/stopped\n$/);
    await idle.closed;
  }, 120_000);

  it("refuses a missing or production-forbidden variable with its name and exit code 1", async () => {
    const databaseUrl = await freshDatabase();
    const missing = npm(["start"], await productionEnv(databaseUrl, { SHOPIFY_API_SECRET: "" }));
    expect(await exitWithin(missing, 20_000)).toEqual({ code: 1, signal: null });
    expect(missing.output()).toContain("SHOPIFY_API_SECRET is required (the app's client secret)");

    const appBridge = npm(
      ["start"],
      await productionEnv(databaseUrl, { APP_BRIDGE_URL: "http://127.0.0.1:4100/app-bridge.js" }),
    );
    expect(await exitWithin(appBridge, 20_000)).toEqual({ code: 1, signal: null });
    expect(appBridge.output()).toMatch(/APP_BRIDGE_URL .*refused when NODE_ENV=production/);
    expect(appBridge.output()).not.toContain("listening");
  });

  it("before `npm run setup`, start and the worker stop with one line saying to run it", async () => {
    const databaseUrl = await freshDatabase();
    for (const args of [["start"], ["run", "worker"]]) {
      const run = npm(args, await productionEnv(databaseUrl));
      expect(await exitWithin(run, 20_000)).toEqual({ code: 1, signal: null });
      const said = run
        .output()
        .split("\n")
        .filter((line) => /migration/.test(line));
      expect(said).toEqual([
        expect.stringMatching(
          /^The database is missing \d+ migration\(s\) .*: run `npm run setup` to apply them, then start again\.$/,
        ),
      ]);
      expect(run.output()).not.toMatch(/listening|worker running|\n\s+at /);
    }
    // Start did not migrate it.
    expect((await pendingMigrations(databaseUrl)).length).toBeGreaterThan(0);
  });

  it("started while its PostgreSQL is still down (a restart, a deploy racing the database): web and worker wait for it", async () => {
    // Given a migrated PostgreSQL database that the app reaches through a port nothing listens on yet
    const database = await createTestDatabase("loyalty_late");
    if (!("url" in database)) throw new Error(database.unavailable);
    try {
      const setup = npm(["run", "setup"], {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        DATABASE_URL: database.url,
      });
      expect(await exitWithin(setup, 60_000)).toEqual({ code: 0, signal: null });
      const target = new URL(database.url);
      const port = await freePort();
      const late = new URL(database.url);
      late.port = String(port);
      const env = await productionEnv(late.toString(), { WORKER: "separate" });
      // When web and worker start before the database answers
      const web = npm(["start"], env);
      const worker = npm(["run", "worker"], env);
      await waitForOutput(web, /Waiting for the database/, 20_000);
      await waitForOutput(worker, /Waiting for the database/, 20_000);
      // and the database comes up two seconds later (a TCP relay to the real server, opened now)
      await new Promise((r) => setTimeout(r, 2000));
      const relay = net.createServer((client) => {
        const upstream = net.connect(Number(target.port), target.hostname);
        client.pipe(upstream).pipe(client);
        const close = () => {
          client.destroy();
          upstream.destroy();
        };
        client.on("error", close);
        upstream.on("error", close);
      });
      await new Promise<void>((r) => relay.listen(port, "127.0.0.1", () => r()));
      try {
        // Then both start, and the web answers with its database
        const [, url] = await waitForOutput(web, /listening on (http:\/\/\S+)/, 30_000);
        await waitForOutput(worker, /Loyalty & RFM worker running/, 30_000);
        expect((await fetch(`${url}/healthz`)).status).toBe(200);
        web.child.kill("SIGTERM");
        worker.child.kill("SIGTERM");
        expect(await exitWithin(web, 8000)).toEqual({ code: 0, signal: null });
        expect(await exitWithin(worker, 8000)).toEqual({ code: 0, signal: null });
      } finally {
        relay.close();
      }
    } finally {
      await database.drop();
    }
  }, 90_000);

  it("WORKER=separate npm start beside npm run worker: both run and both stop cleanly on SIGTERM", async () => {
    // This file's own database, migrated like every test's.
    const databaseUrl = process.env.DATABASE_URL!;
    const env = await productionEnv(databaseUrl, { WORKER: "separate" });
    const web = npm(["start"], env);
    const worker = npm(["run", "worker"], env);
    const [, url] = await waitForOutput(web, /listening on (http:\/\/\S+)/);
    await waitForOutput(web, /Jobs are left to `npm run worker` \(WORKER=separate\)/);
    expect(web.output()).not.toContain("Job worker running in this process");
    await waitForOutput(worker, /Loyalty & RFM worker running/);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    web.child.kill("SIGTERM");
    worker.child.kill("SIGTERM");
    expect(await exitWithin(web, 8000)).toEqual({ code: 0, signal: null });
    expect(await exitWithin(worker, 8000)).toEqual({ code: 0, signal: null });
    expect(web.output()).toMatch(/stopped\n$/);
    expect(worker.output()).toMatch(/stopped\n$/);
    expect(await refusesConnections(Number(env.PORT))).toBe(true);
  }, 60_000);
});

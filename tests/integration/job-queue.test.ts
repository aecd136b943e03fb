// The job queue's contract, run against both engines: the table queue (the app's database, SQLite here) and pg-boss
// on PostgreSQL (a database of this file's own). Durable, leased, retried with backoff, dead-lettered, per-shop
// serialised, coalesced, cancellable, erasable. The pg-boss engine also runs with workers in separate processes.
// PostgreSQL not reachable is a failure; `npm test -- --sqlite-only` skips the pg-boss cases (counted as skipped).
import { fork, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { createPgBossQueue } from "../../app/jobs/pgboss-queue.server";
import { createTableQueue } from "../../app/jobs/table-queue.server";
import { PermanentJobError, retryDelayMs, type JobQueue, type JobState, type Worker } from "../../app/jobs/queue";
import { createTestDatabase, sqliteOnly, type TestDatabase } from "../support/pg";

interface JobView {
  state: JobState;
  attempts: number;
  runAt: Date;
  lastError: string | null;
}

/** One engine under test, with what the contract needs to look inside and to simulate a dead worker. */
interface Engine {
  create(options?: { now?: () => Date; random?: () => number }): JobQueue;
  inspect(id: string): Promise<JobView | null>;
  /** Every job row the engine holds (all shops, all states). */
  rows(): Promise<number>;
  /** As when every process running a job is killed: their leases lapse. */
  loseLeases(): Promise<void>;
  /** After each test: closes the queues it made, erases every job. */
  reset(): Promise<void>;
}

const tableEngine: Engine = {
  create: (options) => createTableQueue(options),
  async inspect(id) {
    const row = await prisma.job.findUnique({ where: { id } });
    return row && { state: row.state as JobState, attempts: row.attempts, runAt: row.runAt, lastError: row.lastError };
  },
  rows: () => prisma.job.count(),
  async loseLeases() {
    await prisma.job.updateMany({
      where: { state: "running" },
      data: { lockedUntil: new Date(Date.now() - 1), lockedBy: "killed-process" },
    });
  },
  async reset() {
    await prisma.job.deleteMany();
  },
};

const PG_STATE: Record<string, JobState> = {
  created: "queued",
  retry: "queued",
  active: "running",
  completed: "done",
  cancelled: "cancelled",
  failed: "dead",
};

function pgBossEngine(database: TestDatabase): Engine & { schema: string; admin: pg.Pool } {
  const schema = `jobs_${randomUUID().replaceAll("-", "").slice(0, 10)}`;
  const admin = new pg.Pool({ connectionString: database.url, max: 3 });
  admin.on("error", () => {});
  const made: JobQueue[] = [];
  return {
    schema,
    admin,
    create(options) {
      const queue = createPgBossQueue({ connectionString: database.url, schema, ...options });
      made.push(queue);
      return queue;
    },
    async inspect(id) {
      const { rows } = await admin.query(
        `SELECT state::text, retry_count, started_on, start_after, output->>'message' AS message FROM ${schema}.job WHERE id = $1
         UNION ALL
         SELECT state::text, retry_count, started_on, start_after, output->>'message' FROM ${schema}.archive WHERE id = $1`,
        [id],
      );
      const row = rows[0];
      return (
        row && {
          state: PG_STATE[row.state],
          attempts: row.retry_count + (row.started_on ? 1 : 0),
          runAt: row.start_after,
          lastError: row.message,
        }
      );
    },
    async rows() {
      const { rows } = await admin.query(
        `SELECT (SELECT count(*) FROM ${schema}.job) + (SELECT count(*) FROM ${schema}.archive) AS n`,
      );
      return Number(rows[0].n);
    },
    async loseLeases() {
      // Ends the workers' own sessions, as the server does when their process dies: their shop locks go with them.
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'loyalty-jobs-worker' AND datname = current_database()`,
      );
    },
    async reset() {
      await Promise.all(made.splice(0).map((q) => q.close()));
      const { rows } = await admin.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [schema]);
      if (rows.length) await admin.query(`TRUNCATE ${schema}.job, ${schema}.archive`);
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(10);
  }
}

// --- PostgreSQL for the pg-boss engine: a database of this file's own, dropped at the end.
const database = sqliteOnly ? null : await createTestDatabase("loyalty_jobq");
const postgres = database && "url" in database ? database : null;
const pgEngine = postgres ? pgBossEngine(postgres) : null;
afterAll(async () => {
  await pgEngine?.admin.end();
  await postgres?.drop();
});

// The table queue is the SQLite engine: its claims rely on SQLite running one writer at a time. When this suite runs
// with the app on PostgreSQL (TEST_DATABASE=postgresql), the app uses pg-boss there, so only pg-boss is checked.
const appOnPostgres = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? "");

// PostgreSQL missing is a failure, unless this run was asked for without it (then the contract's pg-boss cases are
// listed as skipped, below).
if (database && !postgres) {
  describe("job queue contract: pg-boss", () => {
    it("has PostgreSQL to run on", () => {
      throw new Error(
        `PostgreSQL is required (npm test starts it): ${"unavailable" in database ? database.unavailable : ""}`,
      );
    });
  });
}

const engines: [string, Engine][] = [
  ...(appOnPostgres ? [] : ([["table queue", tableEngine]] as [string, Engine][])),
  ...(pgEngine ? ([["pg-boss", pgEngine]] as [string, Engine][]) : []),
];
if (sqliteOnly)
  describe.skip.each([["pg-boss", tableEngine]] as [string, Engine][])("job queue contract: %s", contract);

describe.each(engines)("job queue contract: %s", contract);

function contract(_name: string, engine: Engine) {
  const workers: Worker[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    await engine.reset();
  });

  it("runs an enqueued job once with its payload and marks it done", async () => {
    const queue = engine.create();
    const seen: unknown[] = [];
    const id = await queue.enqueue("a.myshopify.com", "greet", { name: "Ada" });
    expect(await queue.state(id!)).toBe("queued");
    const worker = queue.work(
      { greet: async (job) => void seen.push([job.id, job.shop, job.payload, job.attempt]) },
      { pollMs: 10 },
    );
    workers.push(worker);
    await worker.idle();
    expect(seen).toEqual([[id, "a.myshopify.com", { name: "Ada" }, 1]]);
    expect(await queue.state(id!)).toBe("done");
    expect(await queue.counts("a.myshopify.com")).toEqual({ done: 1 });
  });

  it("retries a failing job with growing delays, then succeeds", async () => {
    let clock = Date.now();
    const queue = engine.create({ now: () => new Date(clock), random: () => 1 });
    let calls = 0;
    const id = (await queue.enqueue("a.myshopify.com", "flaky", {}))!;
    const worker = queue.work(
      {
        flaky: async () => {
          calls += 1;
          if (calls < 3) throw new Error(`boom ${calls}`);
        },
      },
      { pollMs: 5 },
    );
    workers.push(worker);
    await worker.idle();
    const afterFirst = (await engine.inspect(id))!;
    expect(afterFirst).toMatchObject({ state: "queued", attempts: 1, lastError: "Error: boom 1" });
    expect(afterFirst.runAt.getTime() - clock).toBe(retryDelayMs(1, () => 1));
    expect(await queue.state(id)).toBe("queued"); // waiting for its retry
    clock += retryDelayMs(1, () => 1);
    await worker.idle();
    expect((await engine.inspect(id))!.runAt.getTime() - clock).toBe(retryDelayMs(2, () => 1));
    clock += retryDelayMs(2, () => 1);
    await worker.idle();
    expect(await engine.inspect(id)).toMatchObject({ state: "done", attempts: 3 });
    expect(calls).toBe(3);
  });

  it("dead-letters a job after its last attempt, keeping the last error", async () => {
    let clock = Date.now();
    const queue = engine.create({ now: () => new Date(clock) });
    const id = (await queue.enqueue("a.myshopify.com", "broken", {}, { maxAttempts: 2 }))!;
    const worker = queue.work({ broken: async () => Promise.reject(new Error("always")) }, { pollMs: 5 });
    workers.push(worker);
    await worker.idle();
    clock += 3_600_000;
    await worker.idle();
    expect(await engine.inspect(id)).toMatchObject({ state: "dead", attempts: 2, lastError: "Error: always" });
    expect(await queue.counts("a.myshopify.com")).toEqual({ dead: 1 });
  });

  it("dead-letters at once on a permanent error", async () => {
    const queue = engine.create();
    const id = (await queue.enqueue("a.myshopify.com", "bad-input", {}))!;
    const worker = queue.work(
      { "bad-input": async () => Promise.reject(new PermanentJobError("no such order")) },
      { pollMs: 5 },
    );
    workers.push(worker);
    await worker.idle();
    expect(await engine.inspect(id)).toMatchObject({
      state: "dead",
      attempts: 1,
      lastError: "PermanentJobError: no such order",
    });
  });

  it("leaves kinds a worker has no handler for to workers that have one", async () => {
    const queue = engine.create();
    await queue.enqueue("a.myshopify.com", "sync", {});
    const recompute = (await queue.enqueue("a.myshopify.com", "recompute", {}))!;
    const ran: string[] = [];
    const syncOnly = queue.work({ sync: async () => void ran.push("sync") }, { pollMs: 5 });
    workers.push(syncOnly);
    await syncOnly.idle();
    expect(ran).toEqual(["sync"]);
    expect(await queue.state(recompute)).toBe("queued");
    expect(await queue.counts("a.myshopify.com", "recompute")).toEqual({ queued: 1 });
    expect(await queue.counts("a.myshopify.com", "sync")).toEqual({ done: 1 });
    const recomputeOnly = queue.work({ recompute: async () => void ran.push("recompute") }, { pollMs: 5 });
    workers.push(recomputeOnly);
    await recomputeOnly.idle();
    expect(ran).toEqual(["sync", "recompute"]);
  });

  it("never runs two jobs of one shop at once, but runs different shops side by side", async () => {
    const queue = engine.create();
    const active = new Map<string, number>();
    let maxPerShop = 0;
    let maxOverall = 0;
    for (let i = 0; i < 4; i++) {
      await queue.enqueue("a.myshopify.com", "slow", { i });
      await queue.enqueue("b.myshopify.com", "slow", { i });
    }
    const order: number[] = [];
    const slow = async (job: { shop: string; payload: { i: number } }) => {
      active.set(job.shop, (active.get(job.shop) ?? 0) + 1);
      maxPerShop = Math.max(maxPerShop, ...active.values());
      maxOverall = Math.max(
        maxOverall,
        [...active.values()].reduce((a, b) => a + b, 0),
      );
      if (job.shop === "a.myshopify.com") order.push(job.payload.i);
      await sleep(30);
      active.set(job.shop, (active.get(job.shop) ?? 1) - 1);
    };
    // Two workers (as two processes would), each running up to 4 jobs at once.
    const w1 = queue.work({ slow }, { concurrency: 4, pollMs: 5 });
    const w2 = queue.work({ slow }, { concurrency: 4, pollMs: 5 });
    workers.push(w1, w2);
    await sleep(50);
    await w1.idle();
    await w2.idle();
    expect(maxPerShop).toBe(1);
    expect(maxOverall).toBe(2);
    expect(order).toEqual([0, 1, 2, 3]); // per-shop order is enqueue order
    expect(await queue.counts("a.myshopify.com")).toEqual({ done: 4 });
  });

  it("a long backlog of one shop does not hold back another shop's job", async () => {
    const queue = engine.create();
    for (let i = 0; i < 600; i++) await queue.enqueue("a.myshopify.com", "slow", { i });
    const other = (await queue.enqueue("b.myshopify.com", "slow", { i: 0 }))!;
    let aDone = 0;
    let aDoneWhenBRan = -1;
    const worker = queue.work(
      {
        slow: async (job: { shop: string }) => {
          if (job.shop === "b.myshopify.com") aDoneWhenBRan = aDone;
          else {
            await sleep(5);
            aDone += 1;
          }
        },
      },
      { concurrency: 2, pollMs: 5 },
    );
    workers.push(worker);
    await until(async () => (await queue.state(other)) === "done", "the other shop's job is done", 15_000);
    expect(aDoneWhenBRan).toBeGreaterThanOrEqual(0);
    expect(aDoneWhenBRan).toBeLessThan(50);
  });

  it("coalesces: while a job with the same key is queued, enqueueing again is a no-op", async () => {
    const queue = engine.create();
    const first = await queue.enqueue("a.myshopify.com", "sync", {}, { key: "sync" });
    const second = await queue.enqueue("a.myshopify.com", "sync", {}, { key: "sync" });
    const otherShop = await queue.enqueue("b.myshopify.com", "sync", {}, { key: "sync" });
    expect(first).toBeTypeOf("string");
    expect(second).toBeNull();
    expect(otherShop).toBeTypeOf("string");
    expect(await engine.rows()).toBe(2);
  });

  it("coalesces concurrent enqueues of one key into one job", async () => {
    const queue = engine.create();
    const ids = await Promise.all(
      Array.from({ length: 8 }, () => queue.enqueue("a.myshopify.com", "sync", {}, { key: "sync" })),
    );
    expect(ids.filter(Boolean)).toHaveLength(1);
    expect(await engine.rows()).toBe(1);
  });

  it("a running job does not swallow a new one with its key; one waiting for its retry does", async () => {
    let clock = Date.now();
    const queue = engine.create({ now: () => new Date(clock), random: () => 1 });
    let release!: () => void;
    let calls = 0;
    const first = (await queue.enqueue("a.myshopify.com", "sync", {}, { key: "sync" }))!;
    const worker = queue.work(
      {
        sync: async () => {
          calls += 1;
          if (calls === 1) {
            await new Promise<void>((resolve) => (release = resolve));
            throw new Error("fails once");
          }
        },
      },
      { pollMs: 5 },
    );
    workers.push(worker);
    await until(async () => (await queue.state(first)) === "running", "the first job runs");
    const whileRunning = await queue.enqueue("a.myshopify.com", "sync", {}, { key: "sync" });
    expect(whileRunning).toBeTypeOf("string"); // the running one may have read its input already
    release();
    await until(
      async () => (await engine.inspect(first))?.attempts === 1 && (await queue.state(first)) === "queued",
      "the first waits for its retry",
    );
    await worker.idle(); // runs the second one (due now); the first waits for its retry
    expect(await queue.state(whileRunning!)).toBe("done");
    expect(await queue.enqueue("a.myshopify.com", "sync", {}, { key: "sync" })).toBeNull(); // the retry will do it
    clock += retryDelayMs(1, () => 1);
    await worker.idle();
    expect(await queue.state(first)).toBe("done");
    expect(await queue.counts("a.myshopify.com")).toEqual({ done: 2 });
  });

  it("gives a job whose worker died (lease expired) to another worker, and it completes once", async () => {
    const queue = engine.create();
    const id = (await queue.enqueue("a.myshopify.com", "work", {}))!;
    // Given a worker that claimed the job and then hung (it only lets go when told its lease is gone)
    const hung = queue.work(
      { work: (job) => new Promise<void>((resolve) => job.signal.addEventListener("abort", () => resolve())) },
      { pollMs: 5, leaseMs: 150 },
    );
    await until(async () => (await queue.state(id)) === "running", "the hung worker has the job");
    const stopping = hung.stop(); // it claims nothing more, as a dead process would not
    // When its lease lapses, as when its process is killed and stops renewing it
    await engine.loseLeases();
    let runs = 0;
    const rescuer = queue.work({ work: async () => void (runs += 1) }, { pollMs: 5, leaseMs: 150 });
    workers.push(rescuer);
    await until(async () => (await queue.state(id)) === "done", "another worker completed the job");
    await stopping;
    expect(runs).toBe(1);
    expect(await engine.inspect(id)).toMatchObject({ state: "done", attempts: 2 });
  });

  it("aborts a running job when its shop's jobs are cancelled (uninstall), and does not mark it done", async () => {
    const queue = engine.create();
    const id = (await queue.enqueue("a.myshopify.com", "long", {}))!;
    const queuedBehind = (await queue.enqueue("a.myshopify.com", "long", {}))!;
    const otherShop = (await queue.enqueue("b.myshopify.com", "later", {}))!;
    let aborted = false;
    const worker = queue.work(
      {
        long: (job) =>
          new Promise<void>((resolve) => {
            job.signal.addEventListener("abort", () => {
              aborted = true;
              resolve();
            });
          }),
      },
      { pollMs: 5, leaseMs: 90 },
    );
    workers.push(worker);
    await until(async () => (await queue.state(id)) === "running", "the job runs");
    expect(await queue.cancelShop("a.myshopify.com")).toBe(2);
    await until(async () => aborted, "the running job is aborted", 2000);
    await worker.idle();
    expect(await queue.state(id)).toBe("cancelled");
    expect(await queue.state(queuedBehind)).toBe("cancelled");
    expect(await queue.state(otherShop)).toBe("queued");
    expect(await queue.counts("a.myshopify.com")).toEqual({ cancelled: 2 });
  });

  it("erases every job of a shop and nothing of another (shop/redact)", async () => {
    const queue = engine.create();
    const done = (await queue.enqueue("a.myshopify.com", "quick", {}))!;
    const worker = queue.work({ quick: async () => {} }, { pollMs: 5 });
    workers.push(worker);
    await worker.idle();
    await queue.enqueue("a.myshopify.com", "later", {}, { key: "later" });
    const kept = (await queue.enqueue("b.myshopify.com", "later", {}))!;
    expect(await queue.purgeShop("a.myshopify.com")).toBe(2);
    expect(await queue.state(done)).toBeNull();
    expect(await queue.counts("a.myshopify.com")).toEqual({});
    expect(await queue.state(kept)).toBe("queued");
    expect(await queue.state("no-such-job")).toBeNull();
  });
}

// --- Workers in separate processes sharing one pg-boss (PostgreSQL only).
describe.skipIf(!pgEngine)("pg-boss with workers in separate processes", () => {
  const engine = pgEngine!;
  const children: ChildProcess[] = [];
  const CHILD = path.resolve("tests/support/pg-queue-child.ts");

  beforeAll(async () => {
    await engine.admin.query(
      "CREATE TABLE IF NOT EXISTS queue_events (job_id uuid, shop text, i int, pid int, attempt int, event text, at timestamptz)",
    );
  });
  afterEach(async () => {
    await Promise.all(
      children.splice(0).map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.send({ type: "stop" });
        await Promise.race([exited, sleep(10_000).then(() => child.kill("SIGKILL"))]);
      }),
    );
    await engine.admin.query("TRUNCATE queue_events");
    await engine.reset();
  });

  function startChild(mode: "normal" | "hang", concurrency: number) {
    const child = fork(CHILD, [postgres!.url, engine.schema, mode, String(concurrency)], {
      execArgv: ["--import", "tsx"],
      stdio: "inherit",
    });
    children.push(child);
    const ready = new Promise<void>((resolve, reject) => {
      child.on("message", (m: { type?: string }) => m?.type === "ready" && resolve());
      child.once("exit", (code) => reject(new Error(`worker process exited (${code}) before it was ready`)));
    });
    return { child, ready };
  }

  it(
    "two processes: every job runs once, never two of one shop at once, each shop in enqueue order",
    { timeout: 60_000 },
    async () => {
      const a = startChild("normal", 2);
      const b = startChild("normal", 2);
      await Promise.all([a.ready, b.ready]);
      const queue = engine.create();
      const shops = ["a.myshopify.com", "b.myshopify.com", "c.myshopify.com"];
      for (let i = 0; i < 6; i++) for (const shop of shops) await queue.enqueue(shop, "step", { i });
      await until(
        async () => {
          const counts = await Promise.all(shops.map((s) => queue.counts(s)));
          return counts.every((c) => c.done === 6);
        },
        "all 18 jobs are done",
        40_000,
      );

      const { rows } = await engine.admin.query<{
        job_id: string;
        shop: string;
        i: number;
        pid: number;
        event: string;
        at: Date;
      }>("SELECT job_id, shop, i, pid, event, at FROM queue_events ORDER BY at");
      const starts = rows.filter((r) => r.event === "start");
      expect(starts).toHaveLength(18);
      expect(new Set(starts.map((r) => r.job_id)).size).toBe(18); // no job ran twice
      expect(new Set(starts.map((r) => r.pid)).size).toBe(2); // both processes took part
      for (const shop of shops) {
        const own = rows.filter((r) => r.shop === shop);
        // start, end, start, end … in time: one at a time; and i = 0, 1, 2 … in order
        expect(own.map((r) => r.event)).toEqual(Array.from({ length: 12 }, (_, k) => (k % 2 ? "end" : "start")));
        expect(own.filter((r) => r.event === "start").map((r) => r.i)).toEqual([0, 1, 2, 3, 4, 5]);
        for (let k = 0; k < own.length; k += 2) expect(own[k + 1].job_id).toBe(own[k].job_id);
      }
    },
  );

  it(
    "a worker process killed with SIGKILL mid-job leaves the job to the other process, which completes it",
    { timeout: 60_000 },
    async () => {
      const doomed = startChild("hang", 1);
      await doomed.ready;
      const queue = engine.create();
      const started = new Promise<string>((resolve) =>
        doomed.child.on("message", (m: { type?: string; id?: string }) => m?.type === "started" && resolve(m.id!)),
      );
      const id = (await queue.enqueue("a.myshopify.com", "step", { i: 0 }))!;
      const next = (await queue.enqueue("a.myshopify.com", "step", { i: 1 }))!;
      expect(await started).toBe(id);
      const survivor = startChild("normal", 2);
      await survivor.ready;
      await sleep(300);
      expect(await queue.state(id)).toBe("running"); // the survivor does not take a job whose worker is alive
      expect(await queue.state(next)).toBe("queued"); // nor the shop's next one

      doomed.child.kill("SIGKILL");
      await until(
        async () => (await queue.state(id)) === "done" && (await queue.state(next)) === "done",
        "the survivor finished both",
        20_000,
      );

      const { rows } = await engine.admin.query<{
        job_id: string;
        i: number;
        pid: number;
        attempt: number;
        event: string;
      }>("SELECT job_id, i, pid, attempt, event FROM queue_events ORDER BY at");
      expect(rows.map((r) => [r.i, r.event, r.pid === doomed.child.pid ? "killed" : "survivor", r.attempt])).toEqual([
        [0, "start", "killed", 1],
        [0, "start", "survivor", 2],
        [0, "end", "survivor", 2],
        [1, "start", "survivor", 1],
        [1, "end", "survivor", 1],
      ]);
      expect(await engine.inspect(id)).toMatchObject({ state: "done", attempts: 2 });
    },
  );
});

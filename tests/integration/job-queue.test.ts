// The job queue's contract (the PostgreSQL engine will run the same tests): durable, leased, retried with backoff,
// dead-lettered, per-shop serialised, coalesced, cancellable.
import { afterEach, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { createTableQueue } from "../../app/jobs/table-queue.server";
import { PermanentJobError, retryDelayMs, type Worker } from "../../app/jobs/queue";
import { cancelShopJobs } from "../../app/models/job.server";

const workers: Worker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
  await prisma.job.deleteMany();
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("job queue", () => {
  it("runs an enqueued job once with its payload and marks it done", async () => {
    const queue = createTableQueue();
    const seen: unknown[] = [];
    await queue.enqueue("a.myshopify.com", "greet", { name: "Ada" });
    const worker = queue.work({ greet: async (job) => void seen.push([job.shop, job.payload, job.attempt]) }, { pollMs: 10 });
    workers.push(worker);
    await worker.idle();
    expect(seen).toEqual([["a.myshopify.com", { name: "Ada" }, 1]]);
    expect(await queue.counts("a.myshopify.com")).toEqual({ done: 1 });
  });

  it("retries a failing job with growing delays, then succeeds", async () => {
    let clock = Date.parse("2026-01-01T00:00:00Z");
    const queue = createTableQueue({ now: () => new Date(clock), random: () => 1 });
    let calls = 0;
    await queue.enqueue("a.myshopify.com", "flaky", {});
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
    const afterFirst = await prisma.job.findFirstOrThrow();
    expect(afterFirst).toMatchObject({ state: "queued", attempts: 1, lastError: "Error: boom 1" });
    expect(afterFirst.runAt.getTime() - clock).toBe(retryDelayMs(1, () => 1));
    clock += retryDelayMs(1, () => 1);
    await worker.idle();
    expect((await prisma.job.findFirstOrThrow()).runAt.getTime() - clock).toBe(retryDelayMs(2, () => 1));
    clock += retryDelayMs(2, () => 1);
    await worker.idle();
    expect(await prisma.job.findFirstOrThrow()).toMatchObject({ state: "done", attempts: 3, lastError: null });
  });

  it("dead-letters a job after its last attempt, keeping the last error", async () => {
    let clock = Date.parse("2026-01-01T00:00:00Z");
    const queue = createTableQueue({ now: () => new Date(clock) });
    await queue.enqueue("a.myshopify.com", "broken", {}, { maxAttempts: 2 });
    const worker = queue.work({ broken: async () => Promise.reject(new Error("always")) }, { pollMs: 5 });
    workers.push(worker);
    await worker.idle();
    clock += 3_600_000;
    await worker.idle();
    expect(await prisma.job.findFirstOrThrow()).toMatchObject({ state: "dead", attempts: 2, lastError: "Error: always" });
  });

  it("dead-letters at once on a permanent error", async () => {
    const queue = createTableQueue();
    await queue.enqueue("a.myshopify.com", "bad-input", {});
    const worker = queue.work({ "bad-input": async () => Promise.reject(new PermanentJobError("no such order")) }, { pollMs: 5 });
    workers.push(worker);
    await worker.idle();
    const jobs = await prisma.job.findMany();
    expect(jobs.map((j) => [j.state, j.attempts, j.lastError])).toEqual([["dead", 1, "PermanentJobError: no such order"]]);
  });

  it("leaves kinds a worker has no handler for to workers that have one", async () => {
    const queue = createTableQueue();
    await queue.enqueue("a.myshopify.com", "sync", {});
    await queue.enqueue("a.myshopify.com", "recompute", {});
    const ran: string[] = [];
    const syncOnly = queue.work({ sync: async () => void ran.push("sync") }, { pollMs: 5 });
    workers.push(syncOnly);
    await syncOnly.idle();
    expect(ran).toEqual(["sync"]);
    expect((await prisma.job.findFirstOrThrow({ where: { kind: "recompute" } })).state).toBe("queued");
    const recomputeOnly = queue.work({ recompute: async () => void ran.push("recompute") }, { pollMs: 5 });
    workers.push(recomputeOnly);
    await recomputeOnly.idle();
    expect(ran).toEqual(["sync", "recompute"]);
  });

  it("never runs two jobs of one shop at once, but runs different shops side by side", async () => {
    const queue = createTableQueue();
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
      maxOverall = Math.max(maxOverall, [...active.values()].reduce((a, b) => a + b, 0));
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

  it("coalesces: while a job with the same key is queued, enqueueing again is a no-op", async () => {
    const queue = createTableQueue();
    const first = await queue.enqueue("a.myshopify.com", "sync", {}, { key: "sync" });
    const second = await queue.enqueue("a.myshopify.com", "sync", {}, { key: "sync" });
    const otherShop = await queue.enqueue("b.myshopify.com", "sync", {}, { key: "sync" });
    expect(first).toBeTypeOf("string");
    expect(second).toBeNull();
    expect(otherShop).toBeTypeOf("string");
    expect(await prisma.job.count()).toBe(2);
  });

  it("gives a job whose worker died (lease expired) to another worker, and it completes once", async () => {
    const queue = createTableQueue();
    await queue.enqueue("a.myshopify.com", "work", {});
    // Given a worker that claimed the job and then hung (it only lets go when told its lease is gone)
    const hung = queue.work(
      { work: (job) => new Promise<void>((resolve) => job.signal.addEventListener("abort", () => resolve())) },
      { pollMs: 5, leaseMs: 150 },
    );
    workers.push(hung);
    await sleep(40);
    expect((await prisma.job.findFirstOrThrow()).state).toBe("running");
    // When its lease lapses, as when its process is killed and stops renewing it
    await prisma.job.updateMany({ data: { lockedUntil: new Date(Date.now() - 1), lockedBy: "killed-process" } });
    let runs = 0;
    const rescuer = queue.work({ work: async () => void (runs += 1) }, { pollMs: 5, leaseMs: 150 });
    workers.push(rescuer);
    await sleep(30);
    await rescuer.idle();
    expect(runs).toBe(1);
    expect(await prisma.job.findFirstOrThrow()).toMatchObject({ state: "done", attempts: 2 });
  });

  it("aborts a running job when its shop's jobs are cancelled (uninstall), and does not mark it done", async () => {
    const queue = createTableQueue();
    await queue.enqueue("a.myshopify.com", "long", {});
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
    await sleep(30);
    expect(await cancelShopJobs("a.myshopify.com")).toBe(1);
    await sleep(120);
    expect(aborted).toBe(true);
    expect((await prisma.job.findFirstOrThrow()).state).toBe("cancelled");
  });
});

// The default job queue: rows in the app's own database (SQLite file by default). Survives restarts; a claim is one
// atomic UPDATE … RETURNING, so several workers (threads or processes) never run the same job at once.
// Its SQL is portable (Prisma.sql): it also runs on PostgreSQL, though there the runtime picks pg-boss (ADR 0004).
import { randomUUID } from "node:crypto";
import { prisma } from "../db.server";
import { Prisma } from "../generated/prisma/client";
import { logger } from "../logger.server";
import {
  namesGid,
  PermanentJobError,
  retryDelayMs,
  type DatabaseTransaction,
  type EnqueueOptions,
  type JobCounts,
  type JobHandlers,
  type JobQueue,
  type JobState,
  type WorkOptions,
  type Worker,
} from "./queue";

interface JobRow {
  id: string;
  shop: string;
  kind: string;
  payload: string;
  attempts: number;
  maxAttempts: number;
}

export interface TableQueueOptions {
  now?: () => Date;
  random?: () => number;
}

export function createTableQueue({ now = () => new Date(), random = Math.random }: TableQueueOptions = {}): JobQueue {
  function jobData<P>(shop: string, kind: string, payload: P, options: EnqueueOptions, at: Date) {
    return {
      id: randomUUID(),
      shop,
      kind,
      key: options.key ?? null,
      payload: JSON.stringify(payload ?? {}),
      runAt: options.runAt ?? at,
      maxAttempts: options.maxAttempts ?? 8,
    };
  }

  /**
   * The queue's one insert: the job, unless one of the same shop and key is still queued (a job without a key always
   * goes in). INSERT … SELECT … WHERE NOT EXISTS is a single atomic statement (SQLite runs one writer at a time).
   */
  function insertJob(data: ReturnType<typeof jobData>, at: Date) {
    return Prisma.sql`
      INSERT INTO "Job" ("id","shop","kind","key","payload","state","runAt","attempts","maxAttempts","createdAt","updatedAt")
      SELECT ${data.id}, ${data.shop}, ${data.kind}, ${data.key}, ${data.payload}, 'queued', ${data.runAt}, 0, ${data.maxAttempts}, ${at}, ${at}
      WHERE NOT EXISTS (SELECT 1 FROM "Job" WHERE "shop" = ${data.shop} AND "key" = ${data.key} AND "state" = 'queued')`;
  }

  async function enqueue<P>(shop: string, kind: string, payload: P, options: EnqueueOptions = {}) {
    const at = now();
    const data = jobData(shop, kind, payload, options, at);
    if (!options.key) {
      await prisma.job.create({ data });
      return data.id;
    }
    return (await prisma.$executeRaw(insertJob(data, at))) === 1 ? data.id : null;
  }

  /** The insert as the SQLite transaction takes it ($n text), the same text every time. */
  let insertStatement: { name: string; text: string } | undefined;

  /** In the SQLite ledger driver's open transaction (synchronous): the job is inserted before this returns. */
  function enqueueIn<P>(tx: DatabaseTransaction, shop: string, kind: string, payload: P, options: EnqueueOptions = {}) {
    if (!("run" in tx)) throw new Error("the table queue enqueues only in a SQLite transaction");
    const at = now();
    const data = jobData(shop, kind, payload, options, at);
    const insert = insertJob(data, at);
    insertStatement ??= { name: "insertJob", text: insert.text };
    return tx.run(insertStatement, insert.values) === 1 ? data.id : null;
  }

  /** Takes the next due job whose shop has no job running (per-shop order), or a job whose lease expired. */
  async function claim(
    workerId: string,
    leaseMs: number,
    busyShops: Set<string>,
    kinds: string[],
  ): Promise<JobRow | null> {
    const at = now();
    const exclude = busyShops.size ? Prisma.sql`AND j."shop" NOT IN (${Prisma.join([...busyShops])})` : Prisma.empty;
    const rows = await prisma.$queryRaw<JobRow[]>(Prisma.sql`
      UPDATE "Job" SET "state" = 'running', "lockedBy" = ${workerId}, "lockedUntil" = ${new Date(at.getTime() + leaseMs)},
        "attempts" = "attempts" + 1, "updatedAt" = ${at}
      WHERE "id" = (
        SELECT j."id" FROM "Job" j
        WHERE (j."state" = 'queued' OR (j."state" = 'running' AND j."lockedUntil" < ${at}))
          AND j."runAt" <= ${at}
          AND j."kind" IN (${Prisma.join(kinds)})
          ${exclude}
          AND NOT EXISTS (
            SELECT 1 FROM "Job" r WHERE r."shop" = j."shop" AND r."state" = 'running' AND r."lockedUntil" >= ${at} AND r."id" <> j."id")
        ORDER BY j."runAt", j."createdAt" LIMIT 1)
      RETURNING "id", "shop", "kind", "payload", "attempts", "maxAttempts"`);
    return rows[0] ?? null;
  }

  /** Only the lease holder may finish a job: a worker whose lease lapsed must not overwrite the new holder. */
  async function finish(job: JobRow, workerId: string, data: Record<string, unknown>) {
    await prisma.job.updateMany({
      where: { id: job.id, lockedBy: workerId, state: "running" },
      data: { ...data, lockedBy: null, lockedUntil: null },
    });
  }

  function work(handlers: JobHandlers, { concurrency = 2, pollMs = 250, leaseMs = 30_000 }: WorkOptions = {}): Worker {
    const workerId = `worker-${randomUUID()}`;
    // A worker takes only the kinds it can run, so workers with different handlers can share one queue.
    const kinds = Object.keys(handlers);
    const running = new Map<string, { shop: string; done: Promise<void> }>();
    let stopped = false;
    let wake: (() => void) | null = null;
    const idleWaiters: (() => void)[] = [];

    async function run(job: JobRow) {
      const abort = new AbortController();
      const heartbeat = setInterval(
        async () => {
          const renewed = await prisma.job.updateMany({
            where: { id: job.id, lockedBy: workerId, state: "running" },
            data: { lockedUntil: new Date(now().getTime() + leaseMs) },
          });
          if (renewed.count === 0) abort.abort(new Error("job cancelled or lease lost"));
        },
        Math.max(50, Math.floor(leaseMs / 3)),
      );
      try {
        const handler = handlers[job.kind];
        if (!handler) throw new PermanentJobError(`no handler for job kind "${job.kind}"`); // claimed by kind: never
        await handler({
          id: job.id,
          shop: job.shop,
          kind: job.kind,
          payload: JSON.parse(job.payload) as never,
          attempt: job.attempts,
          signal: abort.signal,
        });
        await finish(job, workerId, { state: "done", finishedAt: now(), lastError: null });
      } catch (error) {
        const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        const permanent = error instanceof PermanentJobError;
        if (permanent || job.attempts >= job.maxAttempts) {
          logger.warn("job dead", {
            id: job.id,
            shop: job.shop,
            kind: job.kind,
            attempts: job.attempts,
            error: message,
          });
          await finish(job, workerId, { state: "dead", finishedAt: now(), lastError: message });
        } else {
          const runAt = new Date(now().getTime() + retryDelayMs(job.attempts, random));
          await finish(job, workerId, { state: "queued", runAt, lastError: message });
        }
      } finally {
        clearInterval(heartbeat);
      }
    }

    async function hasDueWork() {
      const due = await prisma.job.count({ where: { state: "queued", kind: { in: kinds }, runAt: { lte: now() } } });
      return due > 0;
    }

    async function loop() {
      while (!stopped) {
        let claimed: JobRow | null = null;
        if (running.size < concurrency) {
          const busy = new Set([...running.values()].map((r) => r.shop));
          claimed = await claim(workerId, leaseMs, busy, kinds).catch((error) => {
            logger.error("job claim failed", { error: String(error) });
            return null;
          });
        }
        if (claimed) {
          const job = claimed;
          const done = run(job).finally(() => {
            running.delete(job.id);
            wake?.();
          });
          running.set(job.id, { shop: job.shop, done });
          continue;
        }
        if (running.size === 0 && idleWaiters.length && !(await hasDueWork())) {
          idleWaiters.splice(0).forEach((resolve) => resolve());
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = null;
      }
    }

    const loopDone = loop();
    return {
      async stop() {
        stopped = true;
        wake?.();
        await loopDone;
        await Promise.all([...running.values()].map((r) => r.done));
      },
      idle() {
        return new Promise<void>((resolve) => {
          idleWaiters.push(resolve);
          wake?.();
        });
      },
    };
  }

  async function counts(shop: string, kind?: string): Promise<JobCounts> {
    const rows = await prisma.job.groupBy({
      by: ["state"],
      where: { shop, ...(kind === undefined ? {} : { kind }) },
      _count: { _all: true },
    });
    return Object.fromEntries(rows.map((r) => [r.state as JobState, r._count._all]));
  }

  async function state(id: string): Promise<JobState | null> {
    const row = await prisma.job.findUnique({ where: { id }, select: { state: true } });
    return (row?.state as JobState | undefined) ?? null;
  }

  /** Stops every job of the shop that has not finished; a running one sees its lease gone at its next renewal. */
  async function cancelShop(shop: string): Promise<number> {
    const { count } = await prisma.job.updateMany({
      where: { shop, state: { in: ["queued", "running"] } },
      data: { state: "cancelled", lockedBy: null, lockedUntil: null },
    });
    return count;
  }

  async function purgeShop(shop: string): Promise<number> {
    return (await prisma.job.deleteMany({ where: { shop } })).count;
  }

  async function purgeCustomer(shop: string, customerId: string): Promise<number> {
    const candidates = await prisma.job.findMany({
      where: {
        shop,
        OR: [
          { key: { contains: customerId } },
          { payload: { contains: customerId } },
          { lastError: { contains: customerId } },
        ],
      },
      select: { id: true, key: true, payload: true, lastError: true },
    });
    const ids = candidates
      .filter((j) => [j.key, j.payload, j.lastError].some((text) => namesGid(text, customerId)))
      .map((j) => j.id);
    return ids.length ? (await prisma.job.deleteMany({ where: { shop, id: { in: ids } } })).count : 0;
  }

  return { enqueue, enqueueIn, work, counts, state, cancelShop, purgeShop, purgeCustomer, close: async () => {} };
}

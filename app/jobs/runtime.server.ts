// The process's job queue and, when this process runs one, its worker. The engine follows DATABASE_URL: on
// PostgreSQL (db-kind.ts) pg-boss, shared by every web and worker process (ADR 0004); otherwise the
// table queue in the app's own database. The web server runs the worker in-process by default (WORKER=inline); with
// WORKER=separate it only enqueues and `npm run worker` processes the jobs.
import { databaseKindOf } from "../db-kind";
import { env } from "../env.server";
import { createPgBossQueue } from "./pgboss-queue.server";
import { createTableQueue } from "./table-queue.server";
import type { JobHandlers, JobQueue, Worker } from "./queue";

let queue: JobQueue | undefined;
let worker: Worker | undefined;

/** The one queue of this process; pg-boss starts (and installs its schema) on first use. */
export function getQueue(): JobQueue {
  queue ??=
    databaseKindOf(env.DATABASE_URL) === "postgresql"
      ? createPgBossQueue({ connectionString: env.DATABASE_URL })
      : createTableQueue();
  return queue;
}

/** Starts this process's worker with the given handlers (idempotent); returns it for stop()/idle(). */
export function startWorker(handlers: JobHandlers, options?: Parameters<JobQueue["work"]>[1]): Worker {
  worker ??= getQueue().work(handlers, options);
  return worker;
}

/** Stops the worker (waiting for its running jobs). */
export async function stopWorker() {
  await worker?.stop();
  worker = undefined;
}

/** Shutdown: stops the worker, then closes the queue's connections (pg-boss's pool and maintenance timers). */
export async function shutdownQueue() {
  await stopWorker();
  const closing = queue;
  queue = undefined;
  await closing?.close();
}

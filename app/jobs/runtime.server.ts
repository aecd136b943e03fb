// The process's job queue and, when this process runs one, its worker. The web server runs the worker in-process
// by default (WORKER=inline); with WORKER=separate it only enqueues and `npm run worker` processes the jobs.
import { createTableQueue } from "./table-queue.server";
import type { JobHandlers, JobQueue, Worker } from "./queue";

let queue: JobQueue | undefined;
let worker: Worker | undefined;

export function getQueue(): JobQueue {
  queue ??= createTableQueue();
  return queue;
}

/** Starts this process's worker with the given handlers (idempotent); returns it for stop()/idle(). */
export function startWorker(handlers: JobHandlers, options?: Parameters<JobQueue["work"]>[1]): Worker {
  worker ??= getQueue().work(handlers, options);
  return worker;
}

export async function stopWorker() {
  await worker?.stop();
  worker = undefined;
}

// Starting and stopping this process's job worker with every handler the app has.
import { env } from "../env.server";
import { appJobHandlers } from "./handlers.server";
import { shutdownQueue, startWorker } from "./runtime.server";

export function startJobWorker() {
  return startWorker(appJobHandlers(), { concurrency: env.WORKER_CONCURRENCY });
}

/** Stops the worker and closes the queue (on PostgreSQL: pg-boss and its connections), for process shutdown. */
export { shutdownQueue as stopJobWorker };

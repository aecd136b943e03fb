// Starting and stopping this process's job worker with every handler the app has.
import { env } from "../env.server";
import { jobHandlers } from "./handlers.server";
import { startWorker, stopWorker } from "./runtime.server";

export function startJobWorker() {
  return startWorker(jobHandlers, { concurrency: env.WORKER_CONCURRENCY });
}

export { stopWorker as stopJobWorker };

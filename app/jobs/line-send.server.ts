// The `line-send` job: one sender pass over the shop's pending LINE rows (services/line-send.server.ts). When rows
// wait (backoff, LINE's Retry-After, the monthly limit) or the pass ran out of its time budget, the job queues the
// next pass for the moment the first of them is due. A pass that dies midway leaves its claimed rows leased; the next
// pass after the lease resends them with the same retry key (LINE answers 409 for what it had accepted).
import { sendLineMessages } from "../services/line-send.server";
import { enqueueLineSend, type LineSendPayload } from "./contracts";
import type { JobContext, JobQueue } from "./queue";

export interface LineSendJobDeps {
  queue: JobQueue;
  now?: () => Date;
}

export function lineSendJob(deps: LineSendJobDeps) {
  return async function runLineSend(job: JobContext<LineSendPayload>) {
    const result = await sendLineMessages(job.shop, { now: deps.now });
    if (result.nextRunAt !== null) {
      const soon = new Date(Math.max(result.nextRunAt.getTime(), (deps.now?.() ?? new Date()).getTime() + 100));
      await enqueueLineSend(deps.queue, job.shop, soon);
    }
  };
}

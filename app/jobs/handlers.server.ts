// Every job kind the worker knows, and the handler that runs it. A plain map: one line per kind.
import { adminClientForJob } from "../shopify/job-client.server";
import { backfillJob, BACKFILL } from "./backfill.server";
import type { JobHandlers } from "./queue";
import { getQueue } from "./runtime.server";

export const jobHandlers: JobHandlers = {
  [BACKFILL]: backfillJob({ clientFor: (shop) => adminClientForJob(shop), queue: getQueue() }),
};

// The `backfill` job: checks the payload and runs the backfill (services/backfill.server.ts), which resumes where the
// last attempt's committed lines ended.
import type { AdminClient } from "../shopify/client";
import { runBackfill } from "../services/backfill.server";
import type { BackfillPayload } from "./contracts";
import { PermanentJobError, type JobContext, type JobQueue } from "./queue";

export interface BackfillJobDeps {
  clientFor(shop: string): Promise<AdminClient>;
  queue: JobQueue;
  fetch?: typeof globalThis.fetch;
  now?: () => Date;
}

export function backfillJob(deps: BackfillJobDeps) {
  return async function backfill(job: JobContext<BackfillPayload>) {
    const { shop, payload } = job;
    if (typeof payload.runId !== "string")
      throw new PermanentJobError(`backfill needs a runId, got ${JSON.stringify(payload.runId)}`);
    const outcome = await runBackfill(shop, payload.runId, { ...deps, signal: job.signal });
    if (outcome === "missing") throw new PermanentJobError(`no backfill run ${payload.runId} for ${shop}`);
  };
}

// The `affinity` job: the shop's product associations and every customer's recommendations recomputed on the ledger
// (services/affinity.server.ts). Queued after the daily and the backfill recompute, when an exclusion changes and by
// the admin's "recompute now". The payload is checked here. Idempotent: a rerun as of the same moment stores the same
// rules and leaves the recommendations as they are.
import { runAffinityJob } from "../services/affinity.server";
import { AFFINITY_REASONS, type AffinityPayload } from "./contracts";
import { PermanentJobError, type JobContext, type JobQueue } from "./queue";

export function affinityJob({ queue, now = () => new Date() }: { queue?: JobQueue; now?: () => Date } = {}) {
  return async function runAffinity(job: JobContext<AffinityPayload>) {
    const { shop, payload } = job;
    if (payload === null || typeof payload !== "object" || !AFFINITY_REASONS.includes(payload.reason))
      throw new PermanentJobError(`unknown affinity reason ${JSON.stringify(payload?.reason)}`);
    if (payload.asOf !== undefined && typeof payload.asOf !== "string")
      throw new PermanentJobError(`asOf ${JSON.stringify(payload.asOf)} is not an ISO-8601 time`);
    const at = now();
    const asOf = payload.asOf === undefined ? at : new Date(payload.asOf);
    if (Number.isNaN(asOf.getTime()))
      throw new PermanentJobError(`asOf ${JSON.stringify(payload.asOf)} is not an ISO-8601 time`);
    await runAffinityJob(shop, { asOf, now: at, queue });
  };
}

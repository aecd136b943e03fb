// The `predictions` job: the shop's BG/NBD and Gamma-Gamma refit on the ledger and every customer's predictions
// replaced (services/predictions.server.ts). Queued after the daily and the backfill recompute and by the admin's
// "refit now". The payload is checked here. Idempotent: a rerun as of the same moment stores the same fit.
import { refitActiveShop } from "../services/predictions.server";
import { PREDICTIONS_REASONS, type PredictionsPayload } from "./contracts";
import { PermanentJobError, type JobContext, type JobQueue } from "./queue";

export function predictionsJob({ queue, now = () => new Date() }: { queue?: JobQueue; now?: () => Date } = {}) {
  return async function runPredictions(job: JobContext<PredictionsPayload>) {
    const { shop, payload } = job;
    if (!PREDICTIONS_REASONS.includes(payload.reason))
      throw new PermanentJobError(`unknown predictions reason ${JSON.stringify(payload.reason)}`);
    const asOf = payload.asOf === undefined ? now() : new Date(payload.asOf);
    if (typeof payload.asOf !== "undefined" && typeof payload.asOf !== "string")
      throw new PermanentJobError(`asOf ${JSON.stringify(payload.asOf)} is not an ISO-8601 time`);
    if (Number.isNaN(asOf.getTime()))
      throw new PermanentJobError(`asOf ${JSON.stringify(payload.asOf)} is not an ISO-8601 time`);
    await refitActiveShop(shop, { asOf, now: now(), queue });
  };
}

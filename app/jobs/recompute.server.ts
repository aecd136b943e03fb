// Recompute jobs: `recompute-shop` (a full recompute: after backfill, when rules change, daily) and
// `customer-changed` (one customer after a ledger write). The payloads are checked here; the work and what follows it
// are services/recompute.server.ts (recomputeShopAndFollowUp, customerLedgerChanged).
import { customerLedgerChanged, recomputeShopAndFollowUp } from "../services/recompute.server";
import { RECOMPUTE_REASONS, type CustomerChangedPayload, type RecomputeShopPayload } from "./contracts";
import { PermanentJobError, type JobContext, type JobQueue } from "./queue";

export interface RecomputeJobDeps {
  queue: JobQueue;
  now?: () => Date;
}

export function recomputeShopJob(deps: RecomputeJobDeps) {
  const now = deps.now ?? (() => new Date());
  return async function runRecomputeShop(job: JobContext<RecomputeShopPayload>) {
    const { shop, payload } = job;
    if (!RECOMPUTE_REASONS.includes(payload.reason))
      throw new PermanentJobError(`unknown recompute reason ${JSON.stringify(payload.reason)}`);
    const asOf = payload.asOf === undefined ? now() : new Date(payload.asOf);
    if (Number.isNaN(asOf.getTime()))
      throw new PermanentJobError(`asOf ${JSON.stringify(payload.asOf)} is not an ISO-8601 time`);
    await recomputeShopAndFollowUp(shop, { asOf, reason: payload.reason, queue: deps.queue, now });
  };
}

export function customerChangedJob(deps: RecomputeJobDeps) {
  const now = deps.now ?? (() => new Date());
  return async function runCustomerChanged(job: JobContext<CustomerChangedPayload>) {
    const { shop, payload } = job;
    if (typeof payload.customerId !== "string" || payload.customerId === "") {
      throw new PermanentJobError(`customer-changed needs a customerId, got ${JSON.stringify(payload.customerId)}`);
    }
    await customerLedgerChanged(shop, payload.customerId, { queue: deps.queue, now });
  };
}

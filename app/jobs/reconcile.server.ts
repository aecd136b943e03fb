// The `reconcile` job: the ledger compared with Shopify's lifetime figures and repaired where they differ
// (services/reconcile.server.ts).
import type { AdminClient } from "../shopify/client";
import { reconcileShop } from "../services/reconcile.server";
import type { ReconcilePayload } from "./contracts";
import { PermanentJobError, type JobContext, type JobQueue } from "./queue";

export interface ReconcileJobDeps {
  clientFor(shop: string): Promise<AdminClient>;
  queue: JobQueue;
  now?: () => Date;
}

export function reconcileJob(deps: ReconcileJobDeps) {
  return async function reconcile(job: JobContext<ReconcilePayload>) {
    if (job.payload.mode !== undefined && job.payload.mode !== "full")
      throw new PermanentJobError(`unknown reconcile mode ${JSON.stringify(job.payload.mode)}`);
    await reconcileShop(job.shop, { ...deps, signal: job.signal });
  };
}

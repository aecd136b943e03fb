// The `klaviyo-sync` job (docs/klaviyo.md): one pass of services/klaviyo-sync.server.ts. Enqueued after a full
// recompute, a customer's move, a points pass and a campaigns run (only for shops connected to Klaviyo), and by the
// merchant ("Sync now"); coalesced by key. Klaviyo's 429 (Retry-After), an event's backoff and an import job still
// running queue the next pass for that moment under its own key; a failure (5xx, timeout, Shopify unreachable)
// throws, and the queue retries with backoff. Nothing is lost or sent twice on a restart: import jobs are recorded
// when Klaviyo answers and polled by the next pass; event rows carry their unique_id.
import type { AdminClient } from "../shopify/client";
import { syncKlaviyo } from "../services/klaviyo-sync.server";
import { enqueueKlaviyoSync, KLAVIYO_SYNC_REASONS, type KlaviyoSyncPayload } from "./contracts";
import { PermanentJobError, type JobContext, type JobQueue } from "./queue";

export interface KlaviyoSyncJobDeps {
  clientFor(shop: string): Promise<AdminClient>;
  queue: JobQueue;
  now?: () => Date;
}

export function klaviyoSyncJob(deps: KlaviyoSyncJobDeps) {
  return async function runKlaviyoSync(job: JobContext<KlaviyoSyncPayload>) {
    const { shop, payload, signal } = job;
    if (!KLAVIYO_SYNC_REASONS.includes(payload.reason))
      throw new PermanentJobError(`unknown klaviyo-sync reason ${JSON.stringify(payload.reason)}`);
    const result = await syncKlaviyo(shop, {
      clientFor: deps.clientFor,
      reason: payload.reason,
      signal,
      now: deps.now,
    });
    if (result.status === "not-connected") return;
    if (result.retryAt) await enqueueKlaviyoSync(deps.queue, shop, "retry", { runAt: result.retryAt });
    // Klaviyo refused a job for good (its errors are on the run): retrying the same pass cannot help.
    if (result.status === "failed" && !result.retryAt)
      throw new PermanentJobError(result.error ?? "klaviyo-sync failed");
  };
}

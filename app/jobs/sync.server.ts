// The `sync` job: writes the shop's computed state back to Shopify (services/sync.server.ts). Enqueued after a
// full recompute that changed something, after a customer's state moved (a webhook), on a settings change and by
// the merchant; coalesced by key (jobs/contracts.ts), so a burst of events makes one sync. Killed midway, the next run
// sends only what is still missing.
import type { AdminClient } from "../shopify/client";
import { syncActiveShop } from "../services/sync.server";
import { SYNC_REASONS, type SyncPayload } from "./contracts";
import { PermanentJobError, type JobContext } from "./queue";

export interface SyncJobDeps {
  clientFor(shop: string): Promise<AdminClient>;
  now?: () => Date;
}

export function syncJob(deps: SyncJobDeps) {
  return async function runSync(job: JobContext<SyncPayload>) {
    const { shop, payload, signal } = job;
    if (!SYNC_REASONS.includes(payload.reason))
      throw new PermanentJobError(`unknown sync reason ${JSON.stringify(payload.reason)}`);
    if (payload.mode !== undefined && payload.mode !== "sync" && payload.mode !== "cleanup") {
      throw new PermanentJobError(`unknown sync mode ${JSON.stringify(payload.mode)}`);
    }
    const result = await syncActiveShop(shop, {
      clientFor: deps.clientFor,
      reason: payload.reason,
      mode: payload.mode,
      signal,
      now: deps.now,
    });
    // A failed run (Shopify unreachable after every retry) goes back to the queue with backoff; refusals of single
    // customers are not failures of the run.
    if (result?.status === "failed")
      throw new Error(`sync of ${shop} failed: ${result.error}`, { cause: result.failure });
  };
}

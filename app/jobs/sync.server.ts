// The `sync` job: writes the shop's computed state back to Shopify (app/services/sync.server.ts). Enqueued after a
// full recompute that changed something, after a customer's state moved (a webhook), on a settings change and by
// the merchant; coalesced by key, so a burst of events makes one sync. Killed midway, the next run sends only what
// is still missing.
import type { AdminClient } from "../shopify/client";
import { getShop } from "../models/shop.server";
import { SYNC_REASONS, syncShop, type SyncReason } from "../services/sync.server";
import { PermanentJobError, type JobContext, type JobQueue } from "./queue";

export const SYNC = "sync";
export const SYNC_KEY = SYNC;
/** How long a sync after a customer event waits, so that the events of the next moments join it. */
export const SYNC_COALESCE_MS = 2_000;

export interface SyncPayload {
  reason: SyncReason;
  mode?: "sync" | "cleanup";
}

export interface SyncJobDeps {
  clientFor(shop: string): Promise<AdminClient>;
  now?: () => Date;
}

/** Queues a sync of the shop (a no-op while one is already queued). */
export function enqueueSync(queue: JobQueue, shop: string, reason: SyncReason, { delayMs = 0, now = () => new Date() } = {}) {
  return queue.enqueue<SyncPayload>(shop, SYNC, { reason }, { key: SYNC_KEY, runAt: new Date(now().getTime() + delayMs) });
}

export function syncJob(deps: SyncJobDeps) {
  return async function runSync(job: JobContext<SyncPayload>) {
    const { shop, payload, signal } = job;
    if (!SYNC_REASONS.includes(payload.reason)) throw new PermanentJobError(`unknown sync reason ${JSON.stringify(payload.reason)}`);
    if (payload.mode !== undefined && payload.mode !== "sync" && payload.mode !== "cleanup") {
      throw new PermanentJobError(`unknown sync mode ${JSON.stringify(payload.mode)}`);
    }
    const row = await getShop(shop);
    if (row?.status === "uninstalled" || row?.status === "redacted") return; // no access token any more
    const result = await syncShop(shop, { client: await deps.clientFor(shop), reason: payload.reason, mode: payload.mode, signal, now: deps.now });
    // A failed run (Shopify unreachable after every retry) goes back to the queue with backoff; refusals of single
    // customers are not failures of the run.
    if (result.status === "failed") throw new Error(`sync of ${shop} failed: ${result.error}`, { cause: result.failure });
  };
}

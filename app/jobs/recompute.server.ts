// Recompute jobs: `recompute-shop` (a full recompute: after backfill, when rules change, daily) and
// `customer-changed` (one customer after a ledger write, enqueued by app/webhooks/ledger-changed.server.ts).
import { getShop } from "../models/shop.server";
import { nextMidnightUtc } from "../services/recompute-core.server";
import { RECOMPUTE_REASONS, recomputeShop, updateCustomerState, type RecomputeReason } from "../services/recompute.server";
import { CUSTOMER_CHANGED } from "../webhooks/ledger-changed.server";
import { PermanentJobError, type JobContext, type JobQueue } from "./queue";
import { enqueueSync, SYNC_COALESCE_MS } from "./sync.server";
import { CAMPAIGNS_COALESCE_MS, enqueueCampaigns } from "./campaigns.server";

export const RECOMPUTE_SHOP = "recompute-shop";
export { CUSTOMER_CHANGED };

export interface RecomputeShopPayload {
  /** ISO-8601; absent: the moment the job runs. */
  asOf?: string;
  reason: RecomputeReason;
}

export interface CustomerChangedPayload {
  customerId: string;
}

/** Coalescing keys: one queued full recompute per shop for ledger/rules triggers, and one daily. */
export const RECOMPUTE_KEY = RECOMPUTE_SHOP;
export const RULES_RECOMPUTE_KEY = `${RECOMPUTE_SHOP}:rules`;
export const DAILY_RECOMPUTE_KEY = `${RECOMPUTE_SHOP}:daily`;

export interface RecomputeJobDeps {
  queue: JobQueue;
  now?: () => Date;
}

/**
 * Segments move as time passes, so every shop is recomputed daily at 00:00 UTC. Idempotent: while the next daily
 * run is queued, scheduling again is a no-op (coalesced by key).
 */
export function scheduleDailyRecompute(shop: string, { queue, now = () => new Date() }: RecomputeJobDeps) {
  const runAt = new Date(nextMidnightUtc(now().getTime()));
  return queue.enqueue<RecomputeShopPayload>(shop, RECOMPUTE_SHOP, { reason: "daily" }, { key: DAILY_RECOMPUTE_KEY, runAt });
}

/** The shop stopped using the app: its states stay as they were until it reinstalls or is erased. */
async function inactive(shop: string) {
  const row = await getShop(shop);
  return row?.status === "uninstalled" || row?.status === "redacted";
}

export function recomputeShopJob(deps: RecomputeJobDeps) {
  const now = deps.now ?? (() => new Date());
  return async function runRecomputeShop(job: JobContext<RecomputeShopPayload>) {
    const { shop, payload } = job;
    if (!RECOMPUTE_REASONS.includes(payload.reason)) throw new PermanentJobError(`unknown recompute reason ${JSON.stringify(payload.reason)}`);
    const asOf = payload.asOf === undefined ? now() : new Date(payload.asOf);
    if (Number.isNaN(asOf.getTime())) throw new PermanentJobError(`asOf ${JSON.stringify(payload.asOf)} is not an ISO-8601 time`);
    if (await inactive(shop)) return;
    const result = await recomputeShop(shop, { asOf, reason: payload.reason });
    if (result.changed > 0 || result.removed > 0) await enqueueSync(deps.queue, shop, "recompute", { now });
    // Campaign audiences move with time too (days since the last order), so every full run is followed by one.
    await enqueueCampaigns(deps.queue, shop, "recompute", { now });
    await scheduleDailyRecompute(shop, { queue: deps.queue, now });
  };
}

export function customerChangedJob(deps: RecomputeJobDeps) {
  const now = deps.now ?? (() => new Date());
  return async function runCustomerChanged(job: JobContext<CustomerChangedPayload>) {
    const { shop, payload } = job;
    if (typeof payload.customerId !== "string" || payload.customerId === "") {
      throw new PermanentJobError(`customer-changed needs a customerId, got ${JSON.stringify(payload.customerId)}`);
    }
    if (await inactive(shop)) return;
    const update = await updateCustomerState(shop, payload.customerId, { asOf: now(), reason: "order" });
    // Never computed yet (the first order before backfill finished): a full run covers this customer too.
    if (update.status === "no-baseline") {
      await deps.queue.enqueue<RecomputeShopPayload>(shop, RECOMPUTE_SHOP, { reason: "order" }, { key: RECOMPUTE_KEY });
    } else if (update.status !== "unchanged") {
      // The shopper's tier or segment moved: on the store within seconds, many events in one sync.
      await enqueueSync(deps.queue, shop, "customer", { delayMs: SYNC_COALESCE_MS, now });
      await enqueueCampaigns(deps.queue, shop, "customer", { delayMs: CAMPAIGNS_COALESCE_MS, now });
    }
  };
}

// One shop's operational status: what the CLI's `status` prints and the admin's progress view reads.
import { SYNC } from "../jobs/contracts";
import { getQueue } from "../jobs/runtime.server";
import { ledgerCounts } from "../models/ledger.server";
import { getShop } from "../models/shop.server";
import { latestSyncRun, syncCounts, syncFailures } from "../models/sync.server";
import { tierDiscounts } from "../models/tier-discounts.server";
import { tierSegments } from "../models/tier-segments.server";
import { backfillStatus } from "./backfill.server";

/** GET /healthz: whether this process's database answers a trivial query in time (nothing about any shop). */
export { databaseAnswers } from "../models/health.server";

/** The sync's part of a shop's status: runs waiting and running, the last run, customers written and refused. */
export async function syncStatus(shop: string) {
  const [lastRun, synced, syncJobs, failures, segments, discounts] = await Promise.all([
    latestSyncRun(shop),
    syncCounts(shop),
    getQueue().counts(shop, SYNC),
    syncFailures(shop, 10),
    tierSegments(shop),
    tierDiscounts(shop),
  ]);
  return {
    /** Sync runs waiting (queued, e.g. coalescing events) and running now. */
    pending: syncJobs.queued ?? 0,
    inFlight: syncJobs.running ?? 0,
    /** The last run: status, what it found, sent and spent (requests, cost points, THROTTLED met), its error. */
    lastRun,
    /** Customers the app has written to Shopify, and those whose last write Shopify refused (the latest ten). */
    customersWritten: synced.written,
    customersFailing: synced.failing,
    failures,
    /** Per tier: its Shopify customer segment, its perk discounts, and what Shopify refused of either. */
    tiers: [...new Set([...segments.map((s) => s.tierKey), ...discounts.map((d) => d.tierKey)])].sort().map((tier) => {
      const segment = segments.find((s) => s.tierKey === tier);
      const own = discounts.filter((d) => d.tierKey === tier);
      const refused = [segment?.failure, ...own.map((d) => d.failure)].filter((f): f is string => !!f);
      return {
        tier,
        segment: segment?.segmentName ?? null,
        discounts: own
          .filter((d) => d.discountId)
          .map((d) => ({
            kind: d.kind,
            method: d.method,
            code: d.spec ? (JSON.parse(d.spec)[2] as string | null) : null,
          })),
        failure: refused.length ? refused.join("; ") : null,
      };
    }),
  };
}

export async function shopStatus(shop: string, now = new Date()) {
  const [row, jobs, ledger, backfill, sync] = await Promise.all([
    getShop(shop),
    getQueue().counts(shop),
    ledgerCounts(shop),
    backfillStatus(shop, now),
    syncStatus(shop),
  ]);
  return {
    shop,
    installed: row?.status ?? "unknown",
    currency: row?.currencyCode ?? null,
    jobs,
    backfill,
    ledger,
    sync,
  };
}

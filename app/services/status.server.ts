// One shop's operational status: what the CLI's `status` prints and the admin's progress view reads.
import { countJobsByState } from "../models/job.server";
import { ledgerCounts } from "../models/ledger.server";
import { getShop } from "../models/shop.server";
import { latestSyncRun, syncCounts } from "../models/sync.server";
import { backfillStatus } from "./backfill.server";

export async function shopStatus(shop: string, now = new Date()) {
  const [row, jobs, ledger, backfill, lastSync, synced] = await Promise.all([
    getShop(shop),
    countJobsByState(shop),
    ledgerCounts(shop),
    backfillStatus(shop, now),
    latestSyncRun(shop),
    syncCounts(shop),
  ]);
  return {
    shop,
    installed: row?.status ?? "unknown",
    currency: row?.currencyCode ?? null,
    jobs,
    backfill,
    ledger,
    sync: {
      /** Customers the app has written to Shopify, and those whose last write Shopify refused. */
      customersWritten: synced.written,
      customersFailing: synced.failing,
      lastRun: lastSync,
    },
  };
}

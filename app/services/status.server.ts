// One shop's operational status: what the CLI's `status` prints and the admin's progress view reads.
import { countJobsByState } from "../models/job.server";
import { ledgerCounts } from "../models/ledger.server";
import { getShop } from "../models/shop.server";
import { backfillStatus } from "./backfill.server";

export async function shopStatus(shop: string, now = new Date()) {
  const [row, jobs, ledger, backfill] = await Promise.all([
    getShop(shop),
    countJobsByState(shop),
    ledgerCounts(shop),
    backfillStatus(shop, now),
  ]);
  return {
    shop,
    installed: row?.status ?? "unknown",
    currency: row?.currencyCode ?? null,
    jobs,
    backfill,
    ledger,
  };
}

// Customer.statistics { rfmGroup predictedSpendTier }: Shopify's own RFM group and predicted spend tier. Shopify does
// not publish how it computes them, so the simulator answers with a documented, deterministic stand-in (docs/history.md
// "Shopify's own view"), computed for the whole shop at once and cached until an order or customer changes or the
// simulator's day moves on:
//
// Over the customer's counted orders (not test, not cancelled) — days since the last one (R), how many (F), the sum of
// their current totals (M) — and the shop's buyers ranked by M ("top": the best 20 %, "low": the lowest 40 %):
//   no order                                   PROSPECTS
//   last order ≤ 30 days ago    1 order         NEW
//                               top, ≥ 3 orders CHAMPIONS
//                               otherwise       ACTIVE
//   31–90 days                  top, ≥ 2 orders LOYAL
//                               1 order or low  PROMISING
//                               otherwise       NEEDS_ATTENTION
//   91–365 days                 top, ≥ 3 orders PREVIOUSLY_LOYAL
//                               ≥ 2, not low    AT_RISK
//                               otherwise       ALMOST_LOST
//   > 365 days                  top, ≥ 3 orders PREVIOUSLY_LOYAL
//                               otherwise       DORMANT
// predictedSpendTier from the spend of the last 365 days (a stand-in for next year's): nothing → LOW; among the
// customers who spent, the best 20 % → HIGH, the lowest 30 % → LOW, the rest MEDIUM.
// Only the enum values of the schema (CustomerRfmGroup, CustomerPredictedSpendTier) are ever returned.
import type { OrderRecord } from "../../shop-file/types";
import type { ShopState } from "../store";

export type RfmGroup =
  | "ACTIVE"
  | "ALMOST_LOST"
  | "AT_RISK"
  | "CHAMPIONS"
  | "DORMANT"
  | "LOYAL"
  | "NEEDS_ATTENTION"
  | "NEW"
  | "PREVIOUSLY_LOYAL"
  | "PROMISING"
  | "PROSPECTS";
export type SpendTier = "HIGH" | "MEDIUM" | "LOW";

export interface CustomerStatistics {
  rfmGroup: RfmGroup;
  predictedSpendTier: SpendTier;
}

const DAY_MS = 86_400_000;
const TOP_SHARE = 0.2;
const LOW_SHARE = 0.4;
const TIER_HIGH_SHARE = 0.2;
const TIER_LOW_SHARE = 0.3;

interface Figures {
  lastAt: number;
  orders: number;
  spend: number;
  yearSpend: number;
}

/** The group of one buyer from their figures and whether their spend ranks top or low in the shop. */
export function rfmGroupOf(days: number, orders: number, top: boolean, low: boolean): RfmGroup {
  if (days <= 30) return orders === 1 ? "NEW" : top && orders >= 3 ? "CHAMPIONS" : "ACTIVE";
  if (days <= 90) return top && orders >= 2 ? "LOYAL" : orders === 1 || low ? "PROMISING" : "NEEDS_ATTENTION";
  if (days <= 365) return top && orders >= 3 ? "PREVIOUSLY_LOYAL" : orders >= 2 && !low ? "AT_RISK" : "ALMOST_LOST";
  return top && orders >= 3 ? "PREVIOUSLY_LOYAL" : "DORMANT";
}

/** Rank share of each value among `values` (0 lowest … <1 highest; ties share the lowest rank). */
function rankShares(values: number[]): (v: number) => number {
  const sorted = [...values].sort((a, b) => a - b);
  return (v) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    return sorted.length ? lo / sorted.length : 0;
  };
}

const counted = (o: OrderRecord) => !o.test && !o.cancelledAt;

function computeAll(shop: ShopState, now: number): Map<string, CustomerStatistics> {
  const figures = new Map<string, Figures>();
  for (const customer of shop.customers.values()) {
    const orders = shop.ordersOf(customer.id).filter(counted);
    if (orders.length === 0) continue;
    let lastAt = -Infinity;
    let spend = 0;
    let yearSpend = 0;
    for (const o of orders) {
      const at = Date.parse(o.processedAt);
      const amount = Number(o.currentTotalPriceSet.shopMoney.amount);
      lastAt = Math.max(lastAt, at);
      spend += amount;
      if (at > now - 365 * DAY_MS && at <= now) yearSpend += amount;
    }
    figures.set(customer.id, { lastAt, orders: orders.length, spend, yearSpend });
  }
  const spendRank = rankShares([...figures.values()].map((f) => f.spend));
  const yearRank = rankShares([...figures.values()].filter((f) => f.yearSpend > 0).map((f) => f.yearSpend));
  const out = new Map<string, CustomerStatistics>();
  for (const [id, f] of figures) {
    const share = spendRank(f.spend);
    const days = Math.max(0, Math.floor((now - f.lastAt) / DAY_MS));
    const yearShare = yearRank(f.yearSpend);
    out.set(id, {
      rfmGroup: rfmGroupOf(days, f.orders, share >= 1 - TOP_SHARE, share < LOW_SHARE),
      predictedSpendTier:
        f.yearSpend <= 0
          ? "LOW"
          : yearShare >= 1 - TIER_HIGH_SHARE
            ? "HIGH"
            : yearShare < TIER_LOW_SHARE
              ? "LOW"
              : "MEDIUM",
    });
  }
  return out;
}

const PROSPECT: CustomerStatistics = { rfmGroup: "PROSPECTS", predictedSpendTier: "LOW" };
const cache = new WeakMap<ShopState, { key: string; stats: Map<string, CustomerStatistics> }>();

/** The statistics of one customer of the shop (who must exist: the caller resolves a Customer). */
export function customerStatistics(shop: ShopState, customerId: string): CustomerStatistics {
  const now = shop.now();
  const key = `${shop.orders.version}:${shop.customers.version}:${Math.floor(now / DAY_MS)}`;
  let entry = cache.get(shop);
  if (!entry || entry.key !== key) cache.set(shop, (entry = { key, stats: computeAll(shop, now) }));
  return entry.stats.get(customerId) ?? PROSPECT;
}

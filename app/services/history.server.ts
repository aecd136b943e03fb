// History from the first visit (docs/history.md): after the install backfill, the shop's last 52 weeks of segment and
// tier sizes and the moves between them, reconstructed from the ledger by as-of recomputes at the end of each week —
// the same pure scoring as the live recompute (scoreRfm, evaluateTier) over one read of the ledger, without
// writing any customer's state. A rerun replaces the shop's reconstructed rows.
import { HISTORY_WEEKS, historyMoments, movesBetween, sizesOf, type HistoryKind, type Place } from "../domain/history";
import {
  customerCreationTimes,
  replaceStateHistory,
  type HistoryMove,
  type HistorySizes,
} from "../models/state-history.server";
import { isShopActive } from "../models/shop.server";
import { scanLedger } from "../models/qualifying-orders.server";
import { compareIds, rfmWindowStart, tierHorizon } from "../domain/recompute";
import { scoreRfm, type RfmAggregate } from "../domain/rfm";
import { evaluateTier, type TierOrder, type TierStatus } from "../domain/tiers";
import { loadComputeSettings, type ComputeSettings } from "./recompute.server";

const BATCH = 1000;

export interface HistoryResult {
  anchor: string;
  weeks: number;
  /** Rows written: sizes (per moment, kind and key) and moves (per week, kind, from and to). */
  sizes: number;
  moves: number;
  ms: number;
}

/**
 * The shop's ledger as the reconstruction reads it, once: every live customer and, per customer with qualifying
 * orders up to `anchor`, those orders sorted by time. Qualifying as of an earlier moment is the same rule with the
 * order's time at or before that moment (QUALIFYING_ORDER depends on asOf through the time alone), so one read at the
 * anchor serves every week.
 */
interface LedgerHistory {
  customerIds: string[];
  orders: Map<string, TierOrder[]>;
  /** Per customer, the running sums of their order values: spend[k] = the first k orders' values. */
  spend: Map<string, Float64Array>;
}

async function readLedgerHistory(shop: string, anchor: number): Promise<LedgerHistory> {
  const scan = await scanLedger(shop, { asOf: anchor, windowStart: null, tierFrom: null });
  const ids = new Set(await scan.liveCustomerIds());
  const buyers = scan.aggregates.map((a) => a.customerId).sort(compareIds);
  for (const id of buyers) ids.add(id);
  const orders = new Map<string, TierOrder[]>();
  for (let i = 0; i < buyers.length; i += BATCH) {
    const batch = await scan.tierOrders(buyers.slice(i, i + BATCH));
    for (const [id, list] of batch)
      orders.set(
        id,
        [...list].sort((a, b) => a.time - b.time),
      );
  }
  const spend = new Map<string, Float64Array>();
  for (const [id, list] of orders) {
    const sums = new Float64Array(list.length + 1);
    for (let i = 0; i < list.length; i++) sums[i + 1] = sums[i] + list[i].value;
    spend.set(id, sums);
  }
  return { customerIds: [...ids].sort(compareIds), orders, spend };
}

/** Index of the first order with time > t (orders sorted by time), searching from `from`. */
function countUpTo(orders: readonly TierOrder[], t: number, from = 0): number {
  let lo = from;
  let hi = orders.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (orders[mid].time <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Every customer's place (segment, tier) as of `at`, by the live recompute's pure scoring (scoreRfm over the RFM
 * population, evaluateTier over the orders inside the programme's horizon, segment and tier as stateOf keeps them):
 * what recomputeShop would store as of `at`. A customer Shopify says was created after `at` and without a qualifying
 * order by then was not a customer yet, and is left out.
 */
export function placesAsOf(
  ledger: LedgerHistory,
  at: number,
  settings: ComputeSettings,
  created: ReadonlyMap<string, number>,
): Map<string, Place> {
  const windowStart = rfmWindowStart(settings.windowDays, at);
  const horizon = tierHorizon(settings.program, at);
  const population: RfmAggregate[] = [];
  const tiers = new Map<string, TierStatus>();
  for (const [id, orders] of ledger.orders) {
    const upTo = countUpTo(orders, at);
    if (upTo === 0) continue;
    const from = windowStart === null ? 0 : countUpTo(orders, windowStart);
    if (upTo > from) {
      const sums = ledger.spend.get(id)!;
      const monetary = sums[upTo] - sums[from]; // integers in minor units: exact below 2^53
      population.push({ customerId: id, lastOrderAt: orders[upTo - 1].time, frequency: upTo - from, monetary });
    }
    // As tierStatuses gives them: the orders inside the horizon, or one order at the last time standing for a
    // history that lies wholly before it.
    const first = horizon === null ? 0 : countUpTo(orders, horizon - 1);
    const own =
      first >= upTo
        ? [{ time: orders[upTo - 1].time, value: 1 }]
        : first === 0 && upTo === orders.length
          ? orders
          : orders.slice(first, upTo);
    tiers.set(id, evaluateTier(settings.program, own, at));
  }
  const { results } = scoreRfm(population, { asOf: at, windowDays: settings.windowDays });
  const scored = new Map(results.map((r) => [r.customerId, r]));
  const places = new Map<string, Place>();
  for (const id of ledger.customerIds) {
    const tier = tiers.get(id) ?? null;
    const createdAt = created.get(id);
    if (tier === null && createdAt !== undefined && createdAt > at) continue;
    // The segment and tier as stateOf stores them: the RFM result's segment (prospect when not scored) and the tier
    // status's tier (none when there is no status or it holds no tier).
    places.set(id, { segment: scored.get(id)?.segment ?? "prospect", tier: tier?.tier ?? "" });
  }
  return places;
}

/**
 * Reconstructs the shop's history for the `weeks` weeks ending at `anchor` (the install's first computation) and
 * replaces the stored one. Null: the shop stopped using the app.
 */
export async function reconstructHistory(
  shop: string,
  { anchor, weeks = HISTORY_WEEKS }: { anchor: Date; weeks?: number },
): Promise<HistoryResult | null> {
  if (!(await isShopActive(shop))) return null;
  const started = performance.now();
  const [settings, created, ledger] = await Promise.all([
    loadComputeSettings(shop),
    customerCreationTimes(shop),
    readLedgerHistory(shop, anchor.getTime()),
  ]);
  const sizes: HistorySizes[] = [];
  const moves: HistoryMove[] = [];
  let previous: Map<string, Place> | null = null;
  for (const moment of historyMoments(anchor.getTime(), weeks)) {
    const at = new Date(moment);
    const places = placesAsOf(ledger, moment, settings, created);
    const counted = sizesOf(places);
    for (const kind of ["segment", "tier"] as HistoryKind[]) {
      for (const [key, customers] of Object.entries(counted[kind])) sizes.push({ at, kind, key, customers });
    }
    if (previous) for (const move of movesBetween(previous, places)) moves.push({ ...move, at });
    previous = places;
  }
  await replaceStateHistory(shop, sizes, moves);
  return {
    anchor: anchor.toISOString(),
    weeks,
    sizes: sizes.length,
    moves: moves.length,
    ms: Math.round(performance.now() - started),
  };
}

// History from the first visit (docs/history.md): after the install backfill, the shop's last 52 weeks of segment and
// tier sizes and the moves between them, reconstructed from the ledger by as-of recomputes at the end of each week —
// the same scoring as the live recompute (scoreShop, computeStates), without writing any customer's state. A rerun
// replaces the shop's reconstructed rows.
import { HISTORY_WEEKS, historyMoments, movesBetween, sizesOf, type HistoryKind, type Place } from "../domain/history";
import {
  customerCreationTimes,
  replaceStateHistory,
  type HistoryMove,
  type HistorySizes,
} from "../models/state-history.server";
import { isShopActive } from "../models/shop.server";
import { computeStates, loadComputeSettings, scoreShop } from "./recompute.server";

export interface HistoryResult {
  anchor: string;
  weeks: number;
  /** Rows written: sizes (per moment, kind and key) and moves (per week, kind, from and to). */
  sizes: number;
  moves: number;
  ms: number;
}

/**
 * Every customer's place (segment, tier) as of `at`, by the live recompute's scoring. A customer Shopify says was
 * created after `at` and without a qualifying order by then was not a customer yet, and is left out.
 */
export async function placesAsOf(
  shop: string,
  at: number,
  settings: Awaited<ReturnType<typeof loadComputeSettings>>,
  created: ReadonlyMap<string, number>,
): Promise<Map<string, Place>> {
  const scoring = await scoreShop(shop, at, settings.windowDays, [settings.program]);
  const places = new Map<string, Place>();
  for await (const batch of computeStates(scoring, settings.program)) {
    for (const state of batch) {
      const createdAt = created.get(state.customerId);
      if (createdAt !== undefined && createdAt > at && !scoring.aggregates.has(state.customerId)) continue;
      places.set(state.customerId, { segment: state.segment, tier: state.tier ?? "" });
    }
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
  const [settings, created] = await Promise.all([loadComputeSettings(shop), customerCreationTimes(shop)]);
  const sizes: HistorySizes[] = [];
  const moves: HistoryMove[] = [];
  let previous: Map<string, Place> | null = null;
  for (const moment of historyMoments(anchor.getTime(), weeks)) {
    const at = new Date(moment);
    const places = await placesAsOf(shop, moment, settings, created);
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

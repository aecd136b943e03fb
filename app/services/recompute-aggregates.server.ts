// The full recompute from the maintained per-customer aggregates (docs/decisions/0009-recompute-from-maintained-
// aggregates.md): instead of reading the shop's orders, it reads one row per customer — their qualifying orders as a
// compact list, kept current by the ledger's write path — in two streamed passes, a page of customers at a time:
//   1. every order list, for the RFM population's day counts, frequencies and monetary values (24 bytes a customer);
//   2. every customer with their order list, whether the ledger holds them live, and their stored digest: the state
//      computed (RFM scored against pass 1, tier evaluated from the list), compared with the stored digest, and
//      written only when it moved.
// Recency is not stored (it is derived at read time), so a day passing rewrites only customers whose scores, segment,
// tier or window figures moved. The result is the same as the one-pass computation over the ledger (services/
// recompute.server.ts computeStates), tested equal on generated shops (tests/integration/recompute-aggregates.test.ts).
import { evaluateTier, type TierProgram } from "../domain/tiers";
import { recencyDays, rfmPopulation, type RfmResult, type RfmValues } from "../domain/rfm";
import { parseOrderList, tierOrdersFromText, valuesAsOf, type AggregateValues } from "../domain/customer-aggregate";
import { changesBetween, rfmWindowStart, stateOf, tierHorizon, type CustomerStateValues } from "../domain/recompute";
import { stateDigest } from "../domain/customer-state";
import {
  aggregatePages,
  ensureAggregates,
  recomputePages,
  type AggregateRow,
} from "../models/customer-aggregates.server";
import { deleteStates, saveShopComputation, writeStates, type HistoryEntry } from "../models/customer-state.server";
import type { RecomputeReason } from "../jobs/contracts";

/** Numbers appended one by one into a typed array that doubles when full. */
class Column {
  private data = new Float64Array(1024);
  length = 0;
  push(value: number) {
    if (this.length === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }
  values(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

/**
 * A customer's RFM values as of `at` from their aggregate: straight from its columns when every order counts (no
 * window, none after asOf — the daily run's usual case), from the parsed list otherwise.
 */
function valuesOf(row: AggregateRow, at: number, windowStart: number | null): AggregateValues {
  if (row.orders === null || (windowStart === null && row.lastOrderAt <= at)) {
    if (windowStart !== null || row.lastOrderAt > at) throw new Error("valuesOf: the order list was not read");
    return {
      lastOrderAtEver: row.lastOrderAt,
      frequency: row.orderCount,
      monetary: row.totalMinor,
      lastOrderAt: row.lastOrderAt,
    };
  }
  return valuesAsOf(parseOrderList(row.orders), at, windowStart);
}

/** What a run computes with (recompute.server's ComputeSettings is one): the tier programme and the RFM window. */
export interface AggregateSettings {
  program: TierProgram;
  programVersion: number;
  windowDays: number | null;
}

export interface AggregateRecompute {
  customers: number;
  population: number;
  changed: number;
  removed: number;
  moves: number;
  segments: Record<string, number>;
  tiers: Record<string, number>;
  /** Whether the shop's aggregates had to be rebuilt first (after bulk writes). */
  rebuilt: boolean;
  /** Time spent per phase, ms: the rebuild, pass 1 (population), pass 2 (states and writes). */
  phases: { rebuild: number; population: number; states: number };
}

/**
 * Full recompute of one shop as of `asOf` from its maintained aggregates, with `settings` (the active tier programme
 * and RFM window). Writes only states that moved, their history, removes states of customers no longer in the
 * ledger, and records the computation (ShopComputation) for incremental updates and for deriving recency.
 */
export async function recomputeFromAggregates(
  shop: string,
  asOf: Date,
  reason: RecomputeReason,
  settings: AggregateSettings,
): Promise<AggregateRecompute> {
  const at = asOf.getTime();
  let mark = performance.now();
  const lap = () => {
    const now = performance.now();
    const ms = now - mark;
    mark = now;
    return Math.round(ms);
  };
  const rebuilt = await ensureAggregates(shop);
  const rebuildMs = lap();
  const windowStart = rfmWindowStart(settings.windowDays, at);
  const tierFrom = tierHorizon(settings.program, at);

  // Pass 1: the RFM population.
  const days = new Column();
  const frequencies = new Column();
  const monetaries = new Column();
  for await (const page of aggregatePages(shop, { asOf, windowed: windowStart !== null })) {
    for (const row of page) {
      const v = valuesOf(row, at, windowStart);
      if (v.frequency === 0) continue;
      days.push(recencyDays(v.lastOrderAt!, at));
      frequencies.push(v.frequency);
      monetaries.push(v.monetary);
    }
  }
  const scorer = rfmPopulation(days.values(), frequencies.values(), monetaries.values(), {
    asOf: at,
    windowDays: settings.windowDays,
  });
  const populationMs = lap();

  // Pass 2: every customer's state against what is stored.
  const segments: Record<string, number> = {};
  const tiers: Record<string, number> = {};
  const stale: string[] = [];
  let customers = 0;
  let changed = 0;
  let moves = 0;
  for await (const page of recomputePages(shop)) {
    const writes: CustomerStateValues[] = [];
    const history: HistoryEntry[] = [];
    const sameKeys = new Set<string>();
    for (const row of page) {
      const { aggregate } = row;
      const v = aggregate === null ? null : valuesOf(aggregate, at, windowStart);
      const hasOrdered = v !== null && v.lastOrderAtEver !== null;
      // In the computation: every live ledger customer and every customer with a qualifying order by asOf.
      if (!row.live && !hasOrdered) {
        if (row.stored) stale.push(row.customerId);
        continue;
      }
      customers++;
      const base: RfmValues | null =
        v !== null && v.frequency > 0
          ? { lastOrderAt: v.lastOrderAt!, frequency: v.frequency, monetary: v.monetary }
          : null;
      const rfm: RfmResult = base
        ? scorer.score(row.customerId, base)
        : { customerId: row.customerId, segment: "prospect" };
      const tier = hasOrdered
        ? evaluateTier(settings.program, tierOrdersFromText(aggregate!.orders!, at, tierFrom), at)
        : null;
      const state = stateOf(rfm, base?.lastOrderAt ?? null, tier, base);
      segments[state.segment] = (segments[state.segment] ?? 0) + 1;
      tiers[state.tier ?? ""] = (tiers[state.tier ?? ""] ?? 0) + 1;
      const before = row.stored;
      // A row computed after this asOf (an incremental update ahead of a run dated earlier) is rewritten: after a
      // full run no row is computed after its asOf, which is what derived recency relies on.
      if (before && before.computedAt <= at && before.digest === stateDigest(state)) continue;
      writes.push(state);
      const moved = changesBetween(before ? { segment: before.segment, tier: before.tier } : null, state);
      if (before && moved.length === 0) sameKeys.add(state.customerId);
      history.push(...moved);
    }
    await writeStates(shop, writes, history, { computedAt: asOf, reason }, sameKeys);
    changed += writes.length;
    moves += history.length;
  }
  const removed = await deleteStates(shop, stale);
  await saveShopComputation(shop, {
    asOf,
    reason,
    windowDays: settings.windowDays,
    tierProgramVersion: settings.programVersion,
    boundaries: scorer.boundaries,
    customers,
    population: scorer.boundaries.population,
    finishedAt: new Date(),
  });
  const statesMs = lap();
  return {
    customers,
    population: scorer.boundaries.population,
    changed,
    removed,
    moves,
    segments,
    tiers,
    rebuilt,
    phases: { rebuild: rebuildMs, population: populationMs, states: statesMs },
  };
}

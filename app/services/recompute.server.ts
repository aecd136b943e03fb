// Recomputing customer state from the ledger: the full recompute of a shop (after backfill, when rules change, daily)
// and the incremental update of one customer after a ledger change. Both write only rows that changed and history
// only for real segment or tier moves, so running either twice leaves the same rows.
//
// How a full run stays fast: RFM needs one aggregate per customer, which SQL computes (GROUP BY customer); tiers need
// each order's time and value, but only those inside the programme's horizon (retention + window), fetched for
// 1000 customers at a time. States are then compared with the stored ones batch by batch and the changed ones
// written in multi-row upserts.
import { evaluateTier, type TierOrder, type TierProgram, type TierStatus } from "../domain/tiers";
import {
  scoreRfm,
  scoreRfmIncremental,
  type RfmBoundaries,
  type RfmResult,
  type RfmScored,
  type RfmValues,
} from "../domain/rfm";
import {
  deleteStates,
  getShopComputation,
  loadState,
  saveShopComputation,
  stateDigest,
  storedDigests,
  writeStates,
  type HistoryEntry,
} from "../models/customer-state.server";
import {
  isCustomerDeleted,
  scanLedger,
  scanLedgerWithPrisma,
  type CustomerAggregate,
  type LedgerScan,
} from "../models/qualifying-orders.server";
import { getRfmSettings } from "../models/rfm-settings.server";
import { recomputeFromAggregates } from "./recompute-aggregates.server";
import { shopCurrency } from "../models/shop-currency.server";
import { getActiveTierProgram } from "../models/tier-program.server";
import { isShopActive } from "../models/shop.server";
import { ledgerCounts } from "../models/ledger-counts.server";
import {
  CAMPAIGNS_COALESCE_MS,
  CHANNEL_EVENTS_COALESCE_MS,
  enqueueAffinity,
  enqueueCampaigns,
  enqueueHistory,
  enqueuePointsCustomer,
  enqueuePointsShop,
  enqueuePredictions,
  enqueueRecompute,
  enqueueReferrals,
  enqueueShopifyStats,
  enqueueSync,
  scheduleDailyRecompute,
  SYNC_COALESCE_MS,
  type RecomputeReason,
} from "../jobs/contracts";
import type { JobQueue } from "../jobs/queue";
import { KLAVIYO_SYNC_COALESCE_MS } from "../jobs/contracts";
import { enqueueKlaviyoSyncIfConnected } from "./klaviyo-sync.server";
import { enqueueLineEventsIfConnected } from "./channel-events.server";
import {
  changesBetween,
  compareIds,
  earlierHorizon,
  rfmWindowStart,
  sameState,
  stateOf,
  tierHorizon,
  type CustomerStateValues,
} from "../domain/recompute";

export type { RecomputeReason };

/** What a computation runs with: the active tier programme and RFM window, and the currency money is shown in. */
export interface ComputeSettings {
  currency: string;
  program: TierProgram;
  programVersion: number;
  windowDays: number | null;
}

export async function loadComputeSettings(shop: string): Promise<ComputeSettings> {
  const [active, rfm, currency] = await Promise.all([
    getActiveTierProgram(shop),
    getRfmSettings(shop),
    shopCurrency(shop),
  ]);
  return { currency, program: active.program, programVersion: active.version, windowDays: rfm.windowDays };
}

const CUSTOMER_BATCH = 1000;

/** The shop-wide part of a computation: every ledger customer, sorted, with their aggregate and RFM result. */
export interface ShopScoring {
  asOf: number;
  /** Every customer in the ledger (not deleted) and every customer with a qualifying order, sorted by id. */
  customerIds: string[];
  aggregates: Map<string, CustomerAggregate>;
  rfm: Map<string, RfmScored>;
  boundaries: RfmBoundaries;
  /** The ledger read behind it, with the orders the given tier programmes look at. */
  scan: LedgerScan;
}

/** The earliest order time any of these programmes looks at as of asOf (null: all history). */
function horizonOf(programs: readonly TierProgram[], asOf: number): number | null {
  return programs.map((p) => tierHorizon(p, asOf)).reduce(earlierHorizon);
}

/**
 * Reads the ledger once (scanLedger) and scores RFM over the population (a customer with an order in the window).
 * `programs` are the tier programmes the scoring's tier statuses will be asked for.
 */
export async function scoreShop(
  shop: string,
  asOf: number,
  windowDays: number | null,
  programs: readonly TierProgram[],
): Promise<ShopScoring> {
  const windowStart = rfmWindowStart(windowDays, asOf);
  const scan = await scanLedger(shop, { asOf, windowStart, tierFrom: horizonOf(programs, asOf) });
  const aggregateRows = scan.aggregates;
  const aggregates = new Map(aggregateRows.map((a) => [a.customerId, a]));
  const population = aggregateRows
    .filter((a) => a.frequency > 0)
    .map((a) => ({
      customerId: a.customerId,
      lastOrderAt: a.lastOrderAt!,
      frequency: a.frequency,
      monetary: a.monetary,
    }));
  const { results, boundaries } = scoreRfm(population, { asOf, windowDays });
  const ids = new Set(await scan.liveCustomerIds());
  for (const a of aggregateRows) ids.add(a.customerId);
  return {
    asOf,
    customerIds: [...ids].sort(compareIds),
    aggregates,
    rfm: new Map(results.map((r) => [r.customerId, r])),
    boundaries,
    scan,
  };
}

/**
 * Tier statuses of a batch of customers at asOf under `programs` (one or two: a preview compares two), from their
 * qualifying orders inside the programmes' horizon. Customers without any qualifying order get null.
 */
export async function tierStatuses(
  scan: LedgerScan,
  customerIds: readonly string[],
  aggregates: ReadonlyMap<string, CustomerAggregate>,
  asOf: number,
  programs: readonly TierProgram[],
): Promise<Map<string, TierStatus>[]> {
  const horizon = horizonOf(programs, asOf);
  if (scan.tierFrom !== null && (horizon === null || horizon < scan.tierFrom)) {
    throw new Error("tierStatuses: the ledger scan does not reach back as far as these tier programmes look");
  }
  const ordered = customerIds.filter((id) => aggregates.has(id));
  const orders = await scan.tierOrders(ordered);
  const out = programs.map(() => new Map<string, TierStatus>());
  for (const id of ordered) {
    // A customer whose orders all lie before the horizon holds the lowest tier with nothing in the window; one order
    // at their last order time stands for that history: outside every window and retention the domain looks at, it
    // changes nothing but "has ordered", exactly as all of those orders would.
    const own: readonly TierOrder[] = orders.get(id) ?? [{ time: aggregates.get(id)!.lastOrderAtEver, value: 1 }];
    programs.forEach((program, i) => out[i].set(id, evaluateTier(program, own, asOf)));
  }
  return out;
}

/**
 * The states of every ledger customer as of `scoring.asOf`, in batches sorted by customer id. A full run's states
 * carry the customer's own values as the base for later incremental updates.
 */
export async function* computeStates(
  scoring: ShopScoring,
  program: TierProgram,
  batchSize = CUSTOMER_BATCH,
): AsyncGenerator<CustomerStateValues[]> {
  const { customerIds, aggregates, rfm, asOf, scan } = scoring;
  for (let i = 0; i < customerIds.length; i += batchSize) {
    const ids = customerIds.slice(i, i + batchSize);
    const [tiers] = await tierStatuses(scan, ids, aggregates, asOf, [program]);
    yield ids.map((id) => {
      const scored = rfm.get(id);
      const result: RfmResult = scored ?? { customerId: id, segment: "prospect" };
      const base: RfmValues | null = scored
        ? { lastOrderAt: aggregates.get(id)!.lastOrderAt!, frequency: scored.frequency, monetary: scored.monetary }
        : null;
      return stateOf(result, base?.lastOrderAt ?? null, tiers.get(id) ?? null, base);
    });
  }
}

export interface RecomputeResult {
  asOf: string;
  reason: RecomputeReason;
  /** Customers computed (every ledger customer). */
  customers: number;
  /** The RFM population (customers with a qualifying order in the window). */
  population: number;
  /** State rows written (new or changed) and removed (customers deleted from the ledger). */
  changed: number;
  removed: number;
  /** History rows written (segment and tier moves). */
  moves: number;
  /** Customers per segment key and per tier key ("" for no tier) after the run. */
  segments: Record<string, number>;
  tiers: Record<string, number>;
  ms: number;
}

/**
 * Full recompute of one shop as of `asOf` (default now), from the per-customer aggregates the ledger maintains
 * (services/recompute-aggregates.server.ts, docs/decisions/0009). Idempotent: a second run at the same asOf writes
 * nothing.
 */
export async function recomputeShop(
  shop: string,
  { asOf = new Date(), reason }: { asOf?: Date; reason: RecomputeReason },
): Promise<RecomputeResult> {
  const started = performance.now();
  const settings = await loadComputeSettings(shop);
  const run = await recomputeFromAggregates(shop, asOf, reason, settings);
  return {
    asOf: asOf.toISOString(),
    reason,
    customers: run.customers,
    population: run.population,
    changed: run.changed,
    removed: run.removed,
    moves: run.moves,
    segments: run.segments,
    tiers: run.tiers,
    ms: Math.round(performance.now() - started),
  };
}

/**
 * The same full recompute from one pass over the ledger's orders (scoreShop, computeStates): what the aggregates'
 * path is tested against (tests/integration/recompute-aggregates.test.ts) and measured against (bench/recompute.ts).
 */
export async function recomputeShopByScan(
  shop: string,
  { asOf = new Date(), reason }: { asOf?: Date; reason: RecomputeReason },
): Promise<RecomputeResult> {
  const started = performance.now();
  const at = asOf.getTime();
  const settings = await loadComputeSettings(shop);
  const [scoring, stored] = await Promise.all([
    scoreShop(shop, at, settings.windowDays, [settings.program]),
    storedDigests(shop),
  ]);
  const segments: Record<string, number> = {};
  const tiers: Record<string, number> = {};
  let changed = 0;
  let moves = 0;
  for await (const batch of computeStates(scoring, settings.program)) {
    const writes: CustomerStateValues[] = [];
    const history: HistoryEntry[] = [];
    const sameKeys = new Set<string>();
    for (const state of batch) {
      segments[state.segment] = (segments[state.segment] ?? 0) + 1;
      tiers[state.tier ?? ""] = (tiers[state.tier ?? ""] ?? 0) + 1;
      const before = stored.get(state.customerId);
      stored.delete(state.customerId); // what is left at the end is no longer in the ledger
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
  const stale = [...stored.keys()];
  const removed = await deleteStates(shop, stale);
  await saveShopComputation(shop, {
    asOf,
    reason,
    windowDays: settings.windowDays,
    tierProgramVersion: settings.programVersion,
    boundaries: scoring.boundaries,
    customers: scoring.customerIds.length,
    population: scoring.rfm.size,
    finishedAt: new Date(),
  });
  return {
    asOf: asOf.toISOString(),
    reason,
    customers: scoring.customerIds.length,
    population: scoring.rfm.size,
    changed,
    removed,
    moves,
    segments,
    tiers,
    ms: Math.round(performance.now() - started),
  };
}

export type CustomerUpdate =
  | { status: "no-baseline" } // the shop was never fully computed: run recomputeShop
  | { status: "unchanged" | "updated" | "removed"; state: CustomerStateValues | null; moves: HistoryEntry[] };

/**
 * Updates one customer after their ledger rows changed, against the last full run's RFM boundaries (so the shopper's
 * tier and segment move within seconds of an order or refund). The tier is exact; RFM scores are those the customer
 * would have if the rest of the shop had not moved since that run (scoreRfmIncremental), until the next full run.
 */
export async function updateCustomerState(
  shop: string,
  customerId: string,
  { asOf = new Date(), reason }: { asOf?: Date; reason: RecomputeReason },
): Promise<CustomerUpdate> {
  const computation = await getShopComputation(shop);
  if (!computation) return { status: "no-baseline" };
  const { boundaries } = computation;
  // Scoring against a run needs a moment at or after it (a run dated in the future, say by the CLI, wins).
  const at = Math.max(asOf.getTime(), boundaries.asOf);
  const program = await getActiveTierProgram(shop);
  const [before, deleted, scan] = await Promise.all([
    loadState(shop, customerId),
    isCustomerDeleted(shop, customerId),
    scanLedgerWithPrisma(shop, {
      asOf: at,
      windowStart: rfmWindowStart(boundaries.windowDays, at),
      tierFrom: tierHorizon(program.program, at),
      customerId,
    }),
  ]);
  const aggregate = scan.aggregates[0];
  const inLedger = !deleted && (aggregate !== undefined || (await scan.liveCustomerIds()).length > 0);
  if (!inLedger) {
    const removed = before ? await deleteStates(shop, [customerId]) : 0;
    return { status: removed ? "removed" : "unchanged", state: null, moves: [] };
  }
  const current: RfmValues | null =
    aggregate && aggregate.frequency > 0
      ? { lastOrderAt: aggregate.lastOrderAt!, frequency: aggregate.frequency, monetary: aggregate.monetary }
      : null;
  const base: RfmValues | null =
    before && before.baseLastOrderAt !== null && before.baseLastOrderAt <= boundaries.asOf
      ? { lastOrderAt: before.baseLastOrderAt, frequency: before.baseFrequency!, monetary: before.baseMonetaryMinor! }
      : null;
  const rfm = scoreRfmIncremental(boundaries, { customerId, current, previous: base }, at);
  const byId = new Map(aggregate ? [[customerId, aggregate]] : []);
  const [tiers] = await tierStatuses(scan, [customerId], byId, at, [program.program]);
  const state = stateOf(rfm, current?.lastOrderAt ?? null, tiers.get(customerId) ?? null, base);
  if (before && sameState(before, state)) return { status: "unchanged", state: before, moves: [] };
  const moves = changesBetween(before, state);
  await writeStates(shop, [state], moves, { computedAt: new Date(at), reason });
  return { status: "updated", state, moves };
}

// ---- The jobs' work: a run and what follows it ----------------------------------------------------------------

interface FollowUpDeps {
  /** Where the follow-ups (sync, campaigns, the next daily run) are queued. */
  queue: JobQueue;
  now?: () => Date;
}

/**
 * The `recompute-shop` job's work: a full run, then a sync when a state changed or the rules were saved (a new tier
 * programme may change only perks or names: discounts, segments and every member's status still follow), a campaigns
 * run (audiences move with time too: days since the last order) and the next daily run. Null: the shop stopped using the app, and its states
 * stay as they were until it reinstalls or is erased.
 */
export async function recomputeShopAndFollowUp(
  shop: string,
  { asOf, reason, queue, now = () => new Date() }: { asOf: Date; reason: RecomputeReason } & FollowUpDeps,
): Promise<RecomputeResult | null> {
  if (!(await isShopActive(shop))) return null;
  const result = await recomputeShop(shop, { asOf, reason });
  if (result.changed > 0 || result.removed > 0 || reason === "rules") {
    await enqueueSync(queue, shop, "recompute", { now });
    // Klaviyo's profiles follow the same states (docs/klaviyo.md): a pass for shops connected to Klaviyo.
    await enqueueKlaviyoSyncIfConnected(queue, shop, "recompute", { now });
  }
  await enqueueCampaigns(queue, shop, "recompute", { now });
  // LINE messages for tier news (and tiers about to end, as days pass) when the shop connected LINE (docs/line-sending.md).
  await enqueueLineEventsIfConnected(queue, shop, "recompute", { now });
  // The points journal follows the same moments: expiries as days pass, the history a backfill brought, new rules.
  await enqueuePointsShop(queue, shop, reason);
  // The install's first computation: the year before it is reconstructed from the ledger (docs/history.md).
  if (reason === "backfill") await enqueueHistory(queue, shop, asOf);
  // Shopify's own RFM group and spend tier, read once the ledger is in and then daily, beside ours (docs/history.md).
  if (reason === "backfill" || reason === "daily") await enqueueShopifyStats(queue, shop, reason);
  // Predicted CLV and churn risk are refitted daily and once the backfill brought the history (docs/predictions.md).
  if (reason === "daily" || reason === "backfill") await enqueuePredictions(queue, shop, reason, asOf);
  // Product associations and recommendations follow the ledger daily and once the backfill is in (docs/affinity.md).
  if (reason === "daily" || reason === "backfill") await enqueueAffinity(queue, shop, reason, asOf);
  // Referrals pass their return window as days go by (docs/referrals.md).
  if (reason === "daily") await enqueueReferrals(queue, shop, { now });
  // The dashboard's ledger counts fold their trigger-written deltas on read; folding once a day too bounds what a shop
  // whose dashboard nobody opens accumulates to a day's inserts (docs/ledger-counts.md).
  if (reason === "daily") await ledgerCounts(shop);
  await scheduleDailyRecompute(queue, shop, { now });
  return result;
}

/**
 * The `customer-changed` job's work, after a ledger write: the customer's state updated now, and when their tier or
 * segment moved, a sync and a campaigns run a few seconds later (the moves of the next moments join them). A shop never
 * computed yet (the first order before backfill finished) gets a full run instead. Null: the shop left.
 */
export async function customerLedgerChanged(
  shop: string,
  customerId: string,
  { queue, now = () => new Date() }: FollowUpDeps,
): Promise<CustomerUpdate | null> {
  if (!(await isShopActive(shop))) return null;
  // The customer's points journal follows every ledger change of theirs, whether or not their state moves.
  await enqueuePointsCustomer(queue, shop, customerId);
  const update = await updateCustomerState(shop, customerId, { asOf: now(), reason: "order" });
  if (update.status === "no-baseline") {
    await enqueueRecompute(queue, shop, "order");
  } else if (update.status !== "unchanged") {
    await enqueueSync(queue, shop, "customer", { delayMs: SYNC_COALESCE_MS, now });
    await enqueueCampaigns(queue, shop, "customer", { delayMs: CAMPAIGNS_COALESCE_MS, now });
    await enqueueKlaviyoSyncIfConnected(queue, shop, "customer", { delayMs: KLAVIYO_SYNC_COALESCE_MS, now });
    await enqueueLineEventsIfConnected(queue, shop, "customer", { delayMs: CHANNEL_EVENTS_COALESCE_MS, now });
  }
  return update;
}

// The dashboard: customers per segment and per tier with the change over 30 days, segment sizes week by week (walked
// back from today's counts through the history of moves, and before the install from the history reconstructed from
// the ledger), backfill and sync progress, the last recompute, and what needs the merchant's attention (refused sync
// writes, dead jobs, tiers Shopify refused).
import { SEGMENT_KEYS } from "../domain/segments";
import { momentAtOrBefore } from "../domain/history";
import { getShopComputation, stateCounts, stateMovesSince } from "../models/customer-state.server";
import { historySizes } from "../models/state-history.server";
import { getQueue } from "../jobs/runtime.server";
import { getRfmSettings } from "../models/rfm-settings.server";
import { getInstallOverview } from "../models/shop.server";
import { getActiveTierProgram } from "../models/tier-program.server";
import { accessStatus } from "./access.server";
import { backfillStatus } from "./backfill.server";
import { syncStatus } from "./status.server";

const DAY_MS = 86_400_000;
const CHANGE_DAYS = 30;
const WEEKS = 12;

type Counts = Record<string, number>;

export async function dashboard(shop: string, now = new Date()) {
  const since = new Date(now.getTime() - WEEKS * 7 * DAY_MS);
  const [overview, stored, moves, computation, backfill, sync, jobs, { program }, rfm, access, history] =
    await Promise.all([
      getInstallOverview(shop),
      stateCounts(shop),
      // Moves since the chart starts: enough to walk today's counts back, week by week.
      // (Runs stamp all their moves with one time, so this groups a full run's moves into a handful of rows.)
      stateMovesSince(shop, since),
      getShopComputation(shop),
      backfillStatus(shop, now),
      syncStatus(shop),
      getQueue().counts(shop),
      getActiveTierProgram(shop),
      getRfmSettings(shop),
      accessStatus(shop),
      // Sizes reconstructed from the ledger for the year before the install's first computation (docs/history.md).
      Promise.all([historySizes(shop, "segment"), historySizes(shop, "tier")]),
    ]);
  const segments: Counts = Object.fromEntries(SEGMENT_KEYS.map((k) => [k, 0]));
  Object.assign(segments, stored.segments);
  const tiers: Counts = Object.fromEntries([...program.tiers.map((t) => [t.key, 0]), ["", 0]]);
  Object.assign(tiers, stored.tiers);

  const [segmentSizes, tierSizes] = history;
  const anchor = segmentSizes.length ? segmentSizes[segmentSizes.length - 1].at : null;
  /**
   * Counts as they were at `at`: today's, with every later move undone; before the install's first computation (the
   * reconstruction's last moment), the reconstructed sizes of the latest week ending at or before `at`.
   */
  const countsAt = (kind: "segment" | "tier", current: Counts, at: number): Counts => {
    if (anchor !== null && at <= anchor) {
      const sizes = kind === "segment" ? segmentSizes : tierSizes;
      const moments = sizes.map((s) => s.at);
      const moment = momentAtOrBefore(moments, at);
      const keys = Object.fromEntries(Object.keys(current).map((k) => [k, 0]));
      return { ...keys, ...(sizes.find((s) => s.at === moment)?.counts ?? {}) };
    }
    const counts = { ...current };
    for (const m of moves) {
      if (m.kind !== kind || m.at.getTime() < at) continue;
      const n = m.count;
      const to = m.to ?? "";
      counts[to] = (counts[to] ?? 0) - n;
      if (m.from !== null) counts[m.from] = (counts[m.from] ?? 0) + n;
    }
    return counts;
  };
  const changeStart = now.getTime() - CHANGE_DAYS * DAY_MS;
  const segmentsBefore = countsAt("segment", segments, changeStart);
  const tiersBefore = countsAt("tier", tiers, changeStart);
  const weeks = Array.from({ length: WEEKS + 1 }, (_, i) => now.getTime() - (WEEKS - i) * 7 * DAY_MS);

  return {
    ...overview,
    jobs: jobs as Record<string, number>,
    currencyTiers: program.tiers.map((t) => ({ key: t.key, name: t.name })),
    segmentNames: rfm.segmentNames,
    segments: SEGMENT_KEYS.map((key) => ({
      key,
      customers: segments[key],
      change: segments[key] - (segmentsBefore[key] ?? 0),
    })),
    tiers: Object.keys(tiers).map((key) => ({
      key,
      customers: tiers[key],
      change: tiers[key] - (tiersBefore[key] ?? 0),
    })),
    /** Segment sizes at the end of each of the last 12 weeks, oldest first. */
    segmentHistory: weeks.map((at) => ({ at: new Date(at).toISOString(), counts: countsAt("segment", segments, at) })),
    lastRecompute: computation && {
      asOf: computation.asOf.toISOString(),
      reason: computation.reason,
      finishedAt: computation.finishedAt.toISOString(),
    },
    // An import parked for lack of access is waiting for it, not running.
    backfill:
      backfill && access.parkedKinds.includes("backfill") && backfill.status !== "done"
        ? { ...backfill, status: "waiting" as const }
        : backfill,
    sync: {
      ...sync,
      lastRun: sync.lastRun && {
        ...sync.lastRun,
        startedAt: sync.lastRun.startedAt.toISOString(),
        finishedAt: sync.lastRun.finishedAt?.toISOString() ?? null,
      },
    },
    /** Features that do not fully work for lack of access, and what fixes each. */
    access,
    problems: {
      refusedCustomers: sync.customersFailing,
      deadJobs: jobs.dead ?? 0,
      tierFailures: sync.tiers.filter((t) => t.failure).map((t) => ({ tier: t.tier, failure: t.failure! })),
    },
    /** The page polls while something is moving. */
    busy:
      (backfill?.status === "running" && !access.parkedKinds.includes("backfill")) ||
      backfill?.status === "queued" ||
      sync.pending + sync.inFlight > 0 ||
      (jobs.running ?? 0) > 0,
  };
}

// History from the first visit (docs/history.md): a shop backfilled today with more than a year of orders gets its
// last 52 weeks of segment and tier sizes and moves reconstructed by the `history` job the backfill's recompute
// queues. Checked against the plain, independent computation of recompute-fixtures.ts run as of each week's end (no
// app code), through the dashboard's 12-week chart and 30-day change and the segments page's moves; idempotent; shop
// isolation. Runs on SQLite and on PostgreSQL (TEST_DATABASE=postgresql).
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { HISTORY, type HistoryPayload } from "../../app/jobs/contracts";
import { historyJob } from "../../app/jobs/history.server";
import { PermanentJobError, type JobContext } from "../../app/jobs/queue";
import { recomputeShop, recomputeShopAndFollowUp } from "../../app/services/recompute.server";
import { reconstructHistory } from "../../app/services/history.server";
import { dashboard } from "../../app/services/dashboard.server";
import { segmentsOverview } from "../../app/services/segments.server";
import { testQueue } from "../support/queue";
import { DAY, DEFAULT_USD, expectedStates, loadGeneratedShop, type GeneratedShop } from "./recompute-fixtures";

const A = "history-a.myshopify.com";
const B = "history-b.myshopify.com";
const END = "2025-09-01T00:00:00.000Z";
const AS_OF = new Date(END);
const WEEK = 7 * DAY;
let shopA: GeneratedShop;
let shopB: GeneratedShop;

type Places = Map<string, { segment: string; tier: string }>;

/**
 * Where every customer stood at `at` by the plain computation: customers created later and without a qualifying
 * order by then were not customers yet.
 */
function expectedPlaces(generated: GeneratedShop, at: number): Places {
  const created = new Map(generated.customers.map((c) => [c.id, Date.parse(c.createdAt)]));
  const places: Places = new Map();
  for (const s of expectedStates(generated, at, DEFAULT_USD)) {
    const hasOrdered = s.segment !== "prospect" || s.tier !== null;
    if (!hasOrdered && (created.get(s.customerId) ?? -Infinity) > at) continue;
    places.set(s.customerId, { segment: s.segment, tier: s.tier ?? "" });
  }
  return places;
}

function tally(places: Places, kind: "segment" | "tier"): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of places.values()) out[p[kind]] = (out[p[kind]] ?? 0) + 1;
  return out;
}

function plainMoves(before: Places, after: Places, kind: "segment" | "tier"): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [id, p] of after) {
    const from = before.get(id)?.[kind] ?? "";
    if (from !== p[kind]) out[`${from}>${p[kind]}`] = (out[`${from}>${p[kind]}`] ?? 0) + 1;
  }
  return out;
}

async function storedSizes(shop: string, kind: string, at: Date): Promise<Record<string, number>> {
  const rows = await prisma.stateHistory.findMany({ where: { shop, kind, at } });
  return Object.fromEntries(rows.map((r) => [r.key, r.customers]));
}

async function storedMoves(shop: string, kind: string, at: Date): Promise<Record<string, number>> {
  const rows = await prisma.stateMoveHistory.findMany({ where: { shop, kind, at } });
  return Object.fromEntries(rows.map((r) => [`${r.from}>${r.to}`, r.customers]));
}

async function allRows(shop: string) {
  const [sizes, moves] = await Promise.all([
    prisma.stateHistory.findMany({ where: { shop }, orderBy: [{ at: "asc" }, { kind: "asc" }, { key: "asc" }] }),
    prisma.stateMoveHistory.findMany({
      where: { shop },
      orderBy: [{ at: "asc" }, { kind: "asc" }, { from: "asc" }, { to: "asc" }],
    }),
  ]);
  return { sizes, moves };
}

const weekEnd = (k: number) => new Date(AS_OF.getTime() - k * WEEK);
const nonZero = (counts: Record<string, number>) => Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));

beforeAll(async () => {
  // A demo shop whose orders run over more than a year, and a small second shop.
  shopA = await loadGeneratedShop(A, { preset: "demo", seed: 41, endDate: END, shopDomain: A, customers: 400 });
  shopB = await loadGeneratedShop(B, { preset: "demo", seed: 42, endDate: END, shopDomain: B, customers: 80 });
  const first = Math.min(...shopA.orders.map((o) => Date.parse(o.processedAt)));
  expect(AS_OF.getTime() - first).toBeGreaterThan(53 * WEEK);
  // The install: the backfill's recompute queues the history job, which a worker runs.
  const queue = testQueue();
  await recomputeShopAndFollowUp(A, { asOf: AS_OF, reason: "backfill", queue, now: () => AS_OF });
  const worker = queue.work({ [HISTORY]: historyJob() }, { pollMs: 20 });
  await worker.idle();
  await worker.stop();
}, 120_000);

describe("history reconstructed after the install backfill", () => {
  it("stores, for weeks across the year, the sizes the plain as-of computation gives", async () => {
    // Given the shop reconstructed by the job the backfill's recompute queued
    const moments = await prisma.stateHistory.findMany({ where: { shop: A }, distinct: ["at"], select: { at: true } });
    expect(moments).toHaveLength(53);
    // Then at the end of picked weeks, sizes per segment and per tier equal the plain computation's
    for (const k of [52, 40, 26, 13, 5, 1, 0]) {
      const places = expectedPlaces(shopA, weekEnd(k).getTime());
      expect(await storedSizes(A, "segment", weekEnd(k)), `segments ${k} weeks back`).toEqual(tally(places, "segment"));
      expect(await storedSizes(A, "tier", weekEnd(k)), `tiers ${k} weeks back`).toEqual(tally(places, "tier"));
    }
    // And the year is not flat: the population grew and segments changed sizes
    const then = tally(expectedPlaces(shopA, weekEnd(52).getTime()), "segment");
    const now = tally(expectedPlaces(shopA, AS_OF.getTime()), "segment");
    expect(then).not.toEqual(now);
  });

  it("stores each week's moves as the plain computation's places at the week's two ends give them", async () => {
    for (const k of [51, 26, 4, 0]) {
      const before = expectedPlaces(shopA, weekEnd(k + 1).getTime());
      const after = expectedPlaces(shopA, weekEnd(k).getTime());
      expect(await storedMoves(A, "segment", weekEnd(k)), `segment moves, week ${k}`).toEqual(
        plainMoves(before, after, "segment"),
      );
      expect(await storedMoves(A, "tier", weekEnd(k)), `tier moves, week ${k}`).toEqual(
        plainMoves(before, after, "tier"),
      );
    }
    // And the starting point has no moves of its own
    expect(await storedMoves(A, "segment", weekEnd(52))).toEqual({});
    const weeksWithMoves = await prisma.stateMoveHistory.findMany({
      where: { shop: A, kind: "segment", from: { not: "" } },
      distinct: ["at"],
    });
    expect(weeksWithMoves.length).toBeGreaterThan(40);
  });

  it("ends where the live state starts: no jump on the install day", async () => {
    const live = await prisma.customerState.groupBy({ by: ["segment"], where: { shop: A }, _count: { _all: true } });
    expect(await storedSizes(A, "segment", AS_OF)).toEqual(
      Object.fromEntries(live.map((s) => [s.segment, s._count._all])),
    );
  });

  it("makes the dashboard's 12-week chart and 30-day change real on the install day", async () => {
    // Given the dashboard an hour after the install's computation
    const now = new Date(AS_OF.getTime() + 3600_000);
    const data = await dashboard(A, now);
    expect(data.segmentHistory).toHaveLength(13);
    // Then each past week shows the sizes at the end of that week (the chart's points fall an hour after them)
    data.segmentHistory.forEach((point, i) => {
      const k = 12 - i;
      expect(Date.parse(point.at)).toBe(weekEnd(k).getTime() + 3600_000);
      expect(nonZero(point.counts), `chart point ${i}`).toEqual(
        tally(expectedPlaces(shopA, weekEnd(k).getTime()), "segment"),
      );
    });
    // And the chart is not a flat line: earlier weeks differ from today
    expect(data.segmentHistory[0].counts).not.toEqual(data.segmentHistory[12].counts);
    // And the change over 30 days is against the latest week ending 30 days before (5 weeks back)
    const before = tally(expectedPlaces(shopA, weekEnd(5).getTime()), "segment");
    const current = tally(expectedPlaces(shopA, AS_OF.getTime()), "segment");
    for (const s of data.segments) expect(s.change, s.key).toBe((current[s.key] ?? 0) - (before[s.key] ?? 0));
    const tiersBefore = tally(expectedPlaces(shopA, weekEnd(5).getTime()), "tier");
    const tiersNow = tally(expectedPlaces(shopA, AS_OF.getTime()), "tier");
    for (const t of data.tiers) expect(t.change, t.key).toBe((tiersNow[t.key] ?? 0) - (tiersBefore[t.key] ?? 0));
  });

  it("shows the segments page's moves of the last 30 days from the reconstructed weeks", async () => {
    // Given the segments page an hour after the install: the weeks ending in the last 30 days are the last four
    const now = new Date(AS_OF.getTime() + 3600_000);
    const overview = await segmentsOverview(A, 30, now);
    const expected: Record<string, number> = {};
    for (let k = 0; k < 5; k++) {
      if (weekEnd(k).getTime() <= now.getTime() - 30 * DAY) continue;
      const moves = plainMoves(
        expectedPlaces(shopA, weekEnd(k + 1).getTime()),
        expectedPlaces(shopA, weekEnd(k).getTime()),
        "segment",
      );
      for (const [key, n] of Object.entries(moves)) if (!key.startsWith(">")) expected[key] = (expected[key] ?? 0) + n;
    }
    const shown: Record<string, number> = {};
    for (const s of overview.segments) for (const f of s.wentTo) shown[`${f.from}>${f.to}`] = f.moves;
    expect(Object.keys(expected).length).toBeGreaterThan(3);
    expect(shown).toEqual(expected);
  });

  it("is idempotent: a rerun replaces the rows with the same rows", async () => {
    const before = await allRows(A);
    const result = await reconstructHistory(A, { anchor: AS_OF });
    expect(result).toMatchObject({ weeks: 52, sizes: before.sizes.length, moves: before.moves.length });
    expect(await allRows(A)).toEqual(before);
  });

  it("keeps shops apart: B's reconstruction leaves A's rows alone and A's pages never count B", async () => {
    const aBefore = await allRows(A);
    await recomputeShop(B, { asOf: AS_OF, reason: "backfill" });
    await reconstructHistory(B, { anchor: AS_OF });
    expect(await allRows(A)).toEqual(aBefore);
    const bSizes = await storedSizes(B, "segment", weekEnd(13));
    expect(bSizes).toEqual(tally(expectedPlaces(shopB, weekEnd(13).getTime()), "segment"));
    // A rerun of A leaves B's rows alone too
    const bBefore = await allRows(B);
    await reconstructHistory(A, { anchor: AS_OF });
    expect(await allRows(B)).toEqual(bBefore);
    const data = await dashboard(A, new Date(AS_OF.getTime() + 3600_000));
    expect(nonZero(data.segmentHistory[0].counts)).toEqual(
      tally(expectedPlaces(shopA, weekEnd(12).getTime()), "segment"),
    );
  });

  it("refuses a job without a valid anchor, and changes nothing", async () => {
    const before = await allRows(A);
    const run = historyJob();
    const job = (payload: unknown) =>
      ({
        shop: A,
        kind: HISTORY,
        payload,
        attempt: 1,
        signal: new AbortController().signal,
      }) as unknown as JobContext<HistoryPayload>;
    await expect(run(job({}))).rejects.toBeInstanceOf(PermanentJobError);
    await expect(run(job({ anchor: "yesterday" }))).rejects.toBeInstanceOf(PermanentJobError);
    expect(await allRows(A)).toEqual(before);
  });
});

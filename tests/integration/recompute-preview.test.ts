// What-if previews of tier rules and RFM settings, then saving them: the preview's "after" is exactly what a save and
// the recompute it triggers produce; invalid input is a list of issues and saves nothing.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { deleteJobs, jobRows, testQueue } from "../support/queue";
import type { Worker } from "../../app/jobs/queue";
import { recomputeShopJob } from "../../app/jobs/recompute.server";
import { RECOMPUTE_SHOP, RULES_RECOMPUTE_KEY } from "../../app/jobs/contracts";
import { getActiveTierProgram } from "../../app/models/tier-program.server";
import { previewRfmSettings, previewTierProgram } from "../../app/services/preview.server";
import { recomputeShop } from "../../app/services/recompute.server";
import { saveRfmSettings, saveTierProgram } from "../../app/services/rule-changes.server";
import { loadGeneratedShop, storedStates } from "./recompute-fixtures";

const SHOP = "preview.myshopify.com";
const AS_OF = new Date("2025-06-01T00:00:00.000Z");
// The queue and the handlers share one stopped clock, so the daily run they schedule (next midnight) is not due.
const queue = testQueue({ now: () => AS_OF });
const workers: Worker[] = [];

/** Runs the queued recompute jobs with the handler's clock at AS_OF. */
async function runRecomputeJobs() {
  const worker = queue.work({ [RECOMPUTE_SHOP]: recomputeShopJob({ queue, now: () => AS_OF }) }, { pollMs: 5 });
  workers.push(worker);
  await worker.idle();
}

async function storedCounts() {
  const states = await storedStates(SHOP);
  const tiers: Record<string, number> = {};
  const segments: Record<string, number> = {};
  for (const s of states) {
    tiers[s.tier ?? ""] = (tiers[s.tier ?? ""] ?? 0) + 1;
    segments[s.segment] = (segments[s.segment] ?? 0) + 1;
  }
  return { tiers, segments, states };
}

/** Tier counts as stored (no tier under ""), in the preview's shape. */
function asTierCounts(tiers: Record<string, number>, keys: string[]) {
  return { byTier: Object.fromEntries(keys.map((k) => [k, tiers[k] ?? 0])), noTier: tiers[""] ?? 0 };
}

// Tighter rules: Silver needs 400.00 and two orders, a new top tier "diamond" at 5000.00, a 180-day window.
const PROPOSED = {
  tiers: [
    { key: "member", name: "Member", threshold: 0 },
    { key: "silver", name: "Silver", threshold: 40_000, minOrders: 2 },
    { key: "gold", name: "Gold", threshold: 90_000 },
    { key: "platinum", name: "Platinum", threshold: 200_000 },
    { key: "diamond", name: "Diamond", threshold: 500_000 },
  ],
  window: { kind: "rolling", days: 180 },
  retentionDays: 90,
};

beforeAll(async () => {
  await loadGeneratedShop(SHOP, {
    preset: "demo",
    seed: 41,
    endDate: AS_OF.toISOString(),
    shopDomain: SHOP,
    customers: 400,
  });
  await recomputeShop(SHOP, { asOf: AS_OF, reason: "backfill" });
});

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
});

describe("tier programme preview and save", () => {
  it("the preview's before is what is stored, and its after is what saving and recomputing then stores", async () => {
    // Given the shop computed with the default programme
    const before = await storedCounts();
    // When the merchant previews the proposed programme
    const preview = await previewTierProgram(SHOP, PROPOSED, { asOf: AS_OF, sampleSize: 5 });
    if (!preview.ok) throw new Error(JSON.stringify(preview.issues));
    // Then "before" equals the stored distribution, and some customers would move
    expect(preview.before).toEqual(asTierCounts(before.tiers, ["member", "silver", "gold", "platinum"]));
    expect(preview.changed).toBeGreaterThan(0);
    expect(preview.sample).toHaveLength(5);
    // And nothing was saved by previewing
    expect(await prisma.tierProgramVersion.count({ where: { shop: SHOP } })).toBe(0);

    // When the programme is saved and the recompute it queued runs
    const saved = await saveTierProgram(SHOP, PROPOSED, { queue });
    expect(saved).toEqual({ ok: true, version: 1 });
    const [job] = await jobRows(SHOP, { key: RULES_RECOMPUTE_KEY });
    expect(JSON.parse(job.payload)).toEqual({ reason: "rules" });
    await runRecomputeJobs();

    // Then the stored distribution is the preview's "after", the sampled movers moved as shown, and every move is
    // in the history with reason "rules"
    const after = await storedCounts();
    expect(asTierCounts(after.tiers, ["member", "silver", "gold", "platinum", "diamond"])).toEqual(preview.after);
    const stored = new Map(after.states.map((s) => [s.customerId, s.tier]));
    const was = new Map(before.states.map((s) => [s.customerId, s.tier]));
    for (const move of preview.sample) {
      expect([was.get(move.customerId), stored.get(move.customerId)]).toEqual([move.from, move.to]);
    }
    expect(await prisma.customerStateChange.count({ where: { shop: SHOP, reason: "rules", kind: "tier" } })).toBe(
      preview.changed,
    );
    expect((await getActiveTierProgram(SHOP)).version).toBe(1);
  });

  it("invalid rules give structured issues, and neither preview nor save changes anything", async () => {
    // Given the active programme (version 1) and no queued job
    await deleteJobs(SHOP);
    const input = {
      tiers: [
        { key: "member", name: "Member", threshold: 100 },
        { key: "Gold!", name: "Gold", threshold: 50_000 },
        { key: "vip", name: "VIP", threshold: 40_000 },
      ],
      window: { kind: "rolling", days: 10 },
    };
    // When the merchant previews and saves rules with several mistakes
    const preview = await previewTierProgram(SHOP, input, { asOf: AS_OF });
    const saved = await saveTierProgram(SHOP, input, { queue });
    // Then both answer with the issues, each naming its field and message key (amounts in the shop currency)
    expect(preview).toEqual(saved);
    expect(saved.ok).toBe(false);
    const issues = saved.ok ? [] : saved.issues;
    expect(issues.map((i) => [i.path, i.key])).toEqual([
      [["tiers", 0, "threshold"], "tier.threshold.lowest_not_zero"],
      [["tiers", 1, "key"], "tier.key.invalid"],
      [["tiers", 2, "threshold"], "tier.threshold.not_increasing"],
      [["window", "days"], "window.days.out_of_range"],
    ]);
    expect(issues[2].message).toContain("500.00 USD");
    // And no version was saved and no recompute queued
    expect((await getActiveTierProgram(SHOP)).version).toBe(1);
    expect(await jobRows(SHOP)).toHaveLength(0);
  });

  it("input of the wrong shape is an issue too, not an exception", async () => {
    // When the body is not a programme at all
    const result = await saveTierProgram(SHOP, { tiers: "gold" }, { queue });
    // Then it is refused with a field issue
    expect(result).toMatchObject({ ok: false, issues: [{ path: ["tiers"], key: "field.invalid_type" }] });
  });
});

describe("RFM settings preview and save", () => {
  it("a 365-day analysis window: the preview's segment counts are what saving and recomputing store", async () => {
    // Given the shop computed over all history
    const before = await storedCounts();
    // When the merchant previews a 365-day window
    const preview = await previewRfmSettings(
      SHOP,
      { windowDays: 365, segmentNames: { champions: "VIPs" } },
      { asOf: AS_OF },
    );
    if (!preview.ok) throw new Error(JSON.stringify(preview.issues));
    // Then "before" is the stored distribution and customers without an order in the last year become prospects
    expect(Object.fromEntries(Object.entries(preview.before).filter(([, n]) => n > 0))).toEqual(before.segments);
    expect(preview.after.prospect).toBeGreaterThan(preview.before.prospect);

    // When it is saved and the recompute runs
    expect(await saveRfmSettings(SHOP, { windowDays: 365, segmentNames: { champions: "VIPs" } }, { queue })).toEqual({
      ok: true,
      recompute: true,
    });
    await runRecomputeJobs();
    // Then the stored segments are the preview's "after"
    const after = await storedCounts();
    expect(after.segments).toEqual(Object.fromEntries(Object.entries(preview.after).filter(([, n]) => n > 0)));
  });

  it("renaming a segment saves without a recompute; an out-of-range window is an issue", async () => {
    // When only the names change
    await deleteJobs(SHOP);
    expect(
      await saveRfmSettings(SHOP, { windowDays: 365, segmentNames: { at_risk: "Slipping away" } }, { queue }),
    ).toEqual({ ok: true, recompute: false });
    expect(await jobRows(SHOP)).toHaveLength(0);
    // When the window is 5 days and a segment is unknown
    const result = await saveRfmSettings(SHOP, { windowDays: 5, segmentNames: { vip: "VIP" } }, { queue });
    // Then both are reported and nothing changed
    expect(result).toMatchObject({
      ok: false,
      issues: [
        { path: ["windowDays"], key: "rfm.window_days.out_of_range" },
        { path: ["segmentNames", "vip"], key: "rfm.segment_name.unknown_segment" },
      ],
    });
    expect(await prisma.rfmSettings.findUnique({ where: { shop: SHOP } })).toMatchObject({
      windowDays: 365,
      segmentNames: JSON.stringify({ at_risk: "Slipping away" }),
    });
  });
});

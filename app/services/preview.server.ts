// What-if previews for the admin: counts per tier (or segment) before and after a proposed change of the tier
// programme (or RFM settings), and a sample of customers who would move. Nothing is saved.
import { validateTierProgram, type TierRuleIssue } from "../domain/tier-rules";
import type { TierCounts } from "../domain/tiers";
import { SEGMENT_KEYS } from "../domain/segments";
import { compareIds, validateRfmSettings, type RfmSettingsIssue } from "../domain/recompute";
import { perkDiscountChanges, perkLocale, type PerkDiscountChange } from "../domain/perks";
import { shopLocale } from "../models/shop.server";
import { getSyncSettings } from "../models/sync.server";
import { loadComputeSettings, scoreShop, tierStatuses } from "./recompute.server";

const BATCH = 1000;

export interface Move {
  customerId: string;
  from: string | null;
  to: string | null;
}

export type TierPreview =
  | { ok: false; issues: TierRuleIssue[] }
  | {
      ok: true;
      asOf: string;
      before: TierCounts;
      after: TierCounts;
      changed: number;
      sample: Move[];
      /** What saving would do to the tier discounts in Shopify under the shop's sync settings. */
      discounts: PerkDiscountChange[];
    };

/**
 * Tier distribution under the active programme and under `input` (as the admin submits it), as of `asOf`, with up
 * to `sampleSize` customers who would change tier (by customer id). Invalid input gives its issues, never throws.
 */
export async function previewTierProgram(
  shop: string,
  input: unknown,
  { asOf = new Date(), sampleSize = 20 }: { asOf?: Date; sampleSize?: number } = {},
): Promise<TierPreview> {
  const [settings, syncSettings, locale] = await Promise.all([
    loadComputeSettings(shop),
    getSyncSettings(shop),
    shopLocale(shop),
  ]);
  const validation = validateTierProgram(input, { currency: settings.currency });
  if (!validation.ok) return { ok: false, issues: validation.issues };
  const next = validation.program;
  const at = asOf.getTime();
  const scoring = await scoreShop(shop, at, settings.windowDays, [settings.program, next]);
  const before: TierCounts = { byTier: Object.fromEntries(settings.program.tiers.map((t) => [t.key, 0])), noTier: 0 };
  const after: TierCounts = { byTier: Object.fromEntries(next.tiers.map((t) => [t.key, 0])), noTier: 0 };
  const sample: Move[] = [];
  let changed = 0;
  for (let i = 0; i < scoring.customerIds.length; i += BATCH) {
    const ids = scoring.customerIds.slice(i, i + BATCH);
    const [now, then] = await tierStatuses(scoring.scan, ids, scoring.aggregates, at, [settings.program, next]);
    for (const id of ids) {
      const from = now.get(id)?.tier ?? null;
      const to = then.get(id)?.tier ?? null;
      if (from === null) before.noTier += 1;
      else before.byTier[from] += 1;
      if (to === null) after.noTier += 1;
      else after.byTier[to] += 1;
      if (from !== to) {
        changed += 1;
        if (sample.length < sampleSize) sample.push({ customerId: id, from, to });
      }
    }
  }
  const discounts = perkDiscountChanges(settings.program, next, { ...syncSettings, locale: perkLocale(locale) });
  return { ok: true, asOf: asOf.toISOString(), before, after, changed, sample, discounts };
}

export type RfmPreview =
  | { ok: false; issues: RfmSettingsIssue[] }
  | {
      ok: true;
      asOf: string;
      before: Record<string, number>;
      after: Record<string, number>;
      changed: number;
      sample: Move[];
    };

/** Segment counts (every key, prospects included) under the current RFM window and under the proposed one. */
export async function previewRfmSettings(
  shop: string,
  input: unknown,
  { asOf = new Date(), sampleSize = 20 }: { asOf?: Date; sampleSize?: number } = {},
): Promise<RfmPreview> {
  const validation = validateRfmSettings(input);
  if (!validation.ok) return { ok: false, issues: validation.issues };
  const settings = await loadComputeSettings(shop);
  const at = asOf.getTime();
  const [now, then] = await Promise.all([
    scoreShop(shop, at, settings.windowDays, [settings.program]),
    scoreShop(shop, at, validation.settings.windowDays, [settings.program]),
  ]);
  const before: Record<string, number> = Object.fromEntries(SEGMENT_KEYS.map((k) => [k, 0]));
  const after: Record<string, number> = Object.fromEntries(SEGMENT_KEYS.map((k) => [k, 0]));
  const sample: Move[] = [];
  let changed = 0;
  // Same customers in both (the ledger's), sorted the same way.
  for (const id of now.customerIds) {
    const from = now.rfm.get(id)?.segment ?? "prospect";
    const to = then.rfm.get(id)?.segment ?? "prospect";
    before[from] += 1;
    after[to] += 1;
    if (from !== to) {
      changed += 1;
      if (sample.length < sampleSize) sample.push({ customerId: id, from, to });
    }
  }
  sample.sort((a, b) => compareIds(a.customerId, b.customerId));
  return { ok: true, asOf: asOf.toISOString(), before, after, changed, sample };
}

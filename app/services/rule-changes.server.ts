// Rule changes: saving the rules recomputation depends on: the tier programme (validated, then saved as a new version) and the
// RFM settings. A change that moves customers triggers a full recompute with reason "rules".
import { validateTierProgram, type TierRuleIssue } from "../domain/tier-rules";
import type { JobQueue } from "../jobs/queue";
import { getQueue } from "../jobs/runtime.server";
import { enqueueRecompute } from "../jobs/contracts";
import { getRfmSettings, saveRfmSettings as storeRfmSettings } from "../models/rfm-settings.server";
import { shopCurrency } from "../models/shop-currency.server";
import { saveTierProgramVersion } from "../models/tier-program.server";
import { validateRfmSettings, type RfmSettingsIssue } from "../domain/recompute";

async function triggerRecompute(shop: string, queue: JobQueue) {
  return enqueueRecompute(queue, shop, "rules");
}

/**
 * Validates the programme as the admin submits it; when valid, saves it as the next version (the active one) and
 * queues a recompute. Invalid input saves nothing and returns the issues (for a 422 with field messages).
 */
export async function saveTierProgram(
  shop: string,
  input: unknown,
  { queue = getQueue() }: { queue?: JobQueue } = {},
): Promise<{ ok: false; issues: TierRuleIssue[] } | { ok: true; version: number }> {
  const validation = validateTierProgram(input, { currency: await shopCurrency(shop) });
  if (!validation.ok) return { ok: false, issues: validation.issues };
  const version = await saveTierProgramVersion(shop, validation.program);
  await triggerRecompute(shop, queue);
  return { ok: true, version };
}

/** Same for RFM settings; only a new analysis window moves customers (names are display only). */
export async function saveRfmSettings(
  shop: string,
  input: unknown,
  { queue = getQueue() }: { queue?: JobQueue } = {},
): Promise<{ ok: false; issues: RfmSettingsIssue[] } | { ok: true; recompute: boolean }> {
  const validation = validateRfmSettings(input);
  if (!validation.ok) return { ok: false, issues: validation.issues };
  const previous = await getRfmSettings(shop);
  await storeRfmSettings(shop, validation.settings);
  const recompute = previous.windowDays !== validation.settings.windowDays;
  if (recompute) await triggerRecompute(shop, queue);
  return { ok: true, recompute };
}

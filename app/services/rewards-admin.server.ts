// The merchant's rewards catalogue (docs/rules.md#rewards-catalogue): the shop's rewards with their redemptions, and
// creating, editing, deactivating and activating one. The form is checked by the domain (domain/rewards-form.ts,
// domain/rewards.ts) and every problem goes back to its field; money is typed in major units of the shop currency and
// stored in exact minor units. Nothing is ever deleted.
import { formOfReward, rewardFromForm, type RewardForm, type RewardFormIssue } from "../domain/rewards-form";
import type { RewardKind, RewardLimits } from "../domain/rewards";
import { createReward, listRewards } from "../models/rewards.server";
import {
  redemptionsByReward,
  setRewardActiveIn,
  updateReward,
  type RewardRedemptionCounts,
} from "../models/rewards-catalogue.server";
import { shopCurrency } from "../models/shop-currency.server";
import { enqueueSync } from "../jobs/contracts";
import { getQueue } from "../jobs/runtime.server";

/** The shoppers' points metafield names what they can redeem and the next reward: a catalogue change re-syncs it. */
const resync = (shop: string) => enqueueSync(getQueue(), shop, "settings");

export interface CatalogueReward {
  id: string;
  title: string;
  kind: RewardKind;
  pointsPrice: number;
  valueMinor: number | null;
  expiryDays: number | null;
  limits: RewardLimits;
  active: boolean;
  redemptions: RewardRedemptionCounts;
  form: RewardForm;
}

export async function rewardsCatalogue(shop: string): Promise<{ currency: string; rewards: CatalogueReward[] }> {
  const [currency, rewards, counts] = await Promise.all([
    shopCurrency(shop),
    listRewards(shop),
    redemptionsByReward(shop),
  ]);
  return {
    currency,
    rewards: rewards.map((r) => ({
      id: r.id,
      title: r.title,
      kind: r.kind,
      pointsPrice: r.pointsPrice,
      valueMinor: r.valueMinor,
      expiryDays: r.expiryDays,
      limits: r.limits,
      active: r.active,
      redemptions: counts.get(r.id) ?? { reserved: 0, confirmed: 0, released: 0 },
      form: formOfReward(r, currency),
    })),
  };
}

export type RewardsAdminResult =
  | { ok: true; intent: "save"; id: string; created: boolean }
  | { ok: true; intent: "activate" | "deactivate"; id: string }
  | { ok: false; intent: string; issues: RewardFormIssue[] };

const refused = (intent: string, key: string, message: string): RewardsAdminResult => ({
  ok: false,
  intent,
  issues: [{ field: null, path: [], key, message }],
});

/**
 * One submission of the screen: `{intent: "save", id?, form}` creates (no id) or edits a reward; `{intent:
 * "activate" | "deactivate", id}` switches it. Anything else is refused with an issue, and nothing changes.
 */
export async function submitRewardsAdmin(shop: string, body: unknown): Promise<RewardsAdminResult> {
  const input = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  const intent = typeof input.intent === "string" ? input.intent : "";
  const id = typeof input.id === "string" && input.id !== "" ? input.id : null;
  if (intent === "activate" || intent === "deactivate") {
    if (!id || !(await setRewardActiveIn(shop, id, intent === "activate")))
      return refused(intent, "rewards.form.unknown_reward", "This reward does not exist.");
    await resync(shop);
    return { ok: true, intent, id };
  }
  if (intent !== "save") return refused(intent, "rewards.form.unknown_intent", "Unknown action.");
  const form = typeof input.form === "object" && input.form !== null ? (input.form as Record<string, unknown>) : {};
  const currency = await shopCurrency(shop);
  const checked = rewardFromForm(form, currency);
  if (!checked.ok) return { ok: false, intent, issues: checked.issues };
  if (id) {
    if (!(await updateReward(shop, id, checked.reward)))
      return refused(intent, "rewards.form.unknown_reward", "This reward does not exist.");
    await resync(shop);
    return { ok: true, intent, id, created: false };
  }
  const created = await createReward(shop, checked.reward);
  await resync(shop);
  return { ok: true, intent, id: created.id, created: true };
}

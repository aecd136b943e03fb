// The points section of the shoppers' loyalty page (docs/rules.md#loyalty-page-points) as data: the balance, pending
// points by the moment they become available, points expiring soon, the newest journal entries in words, the rewards
// (affordable or how many points short), the customer's redemptions with what Shopify created, the result banner of a
// form just sent (Post/Redirect/Get: the redirect's query names it) and the birthday entry. Pure: the caller reads the
// rows and gives `now`.
import type { BirthDate } from "./birthdays";
import { balancesAt, type PointsEntryValues, type PointsKind } from "./points";
import type { RedemptionRefusal, RedemptionState, RewardKind } from "./rewards";
import { DAY_MS } from "./time";

/** The newest journal entries shown. */
export const POINTS_HISTORY_SHOWN = 20;
/** Points expiring within this many days are shown as expiring soon (as the `points` metafield does). */
export const POINTS_EXPIRING_DAYS = 30;

export interface ShopperRewardView {
  id: string;
  title: string;
  kind: RewardKind;
  pointsPrice: number;
  valueMinor: number | null;
  expiryDays: number | null;
  /** Why it cannot be redeemed now; null: it can (the page shows its form). */
  refusal: RedemptionRefusal | null;
  /** Points still needed (0 when the balance covers the price). */
  pointsShort: number;
}

export interface ShopperRedemptionView {
  id: string;
  title: string;
  kind: RewardKind;
  points: number;
  valueMinor: number | null;
  currencyCode: string;
  state: RedemptionState;
  /** The discount or gift card code (shown once confirmed); null for store credit. */
  code: string | null;
  expiresAt: number | null;
  at: number;
}

/** The shopper's words for a history line: what moved the points. */
export type PointsHistoryReason = Exclude<PointsKind, "loss" | "redemption"> | "redeemed" | "released";

export interface PointsHistoryLine {
  at: number;
  reason: PointsHistoryReason;
  points: number;
}

/** What the form just sent did (the redirect's query), shown at the top of the points section. */
export type PointsBanner =
  | { kind: "redemption"; redemption: ShopperRedemptionView }
  | { kind: "refused"; reason: RefusalReason }
  | { kind: "birthday_saved" }
  | { kind: "birthday_refused"; reason: BirthdayRefusal };

export const REFUSAL_REASONS = [
  "not_enough_points",
  "customer_limit_reached",
  "total_limit_reached",
  "reward_inactive",
  "reward_unknown",
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export const BIRTHDAY_REFUSALS = ["day", "month", "year", "held", "off"] as const;
export type BirthdayRefusal = (typeof BIRTHDAY_REFUSALS)[number];

export interface ShopperPointsView {
  available: number;
  pending: number;
  /** Pending points by the moment they become available, soonest first (moments whose points add up to more than 0). */
  pendingBy: { points: number; at: number }[];
  expiring: { points: number; at: number } | null;
  /** Newest first, at most POINTS_HISTORY_SHOWN. */
  history: PointsHistoryLine[];
  /** Older lines not shown. */
  historyOlder: number;
  /** Active rewards, cheapest first. */
  rewards: ShopperRewardView[];
  /** Newest first. */
  redemptions: ShopperRedemptionView[];
  banner: PointsBanner | null;
  /** The birthday entry: null when the shop's rules give no birthday bonus. */
  birthday: { held: BirthDate | null } | null;
}

/** The section as the page renders it: the view, and a fresh token for each form it shows. */
export interface ShopperPointsSection extends ShopperPointsView {
  /** Per reward id the page offers a form for: that form's token. */
  tokens: Record<string, string>;
  /** The birthday form's token (when the form is shown). */
  birthdayToken: string | null;
}

export interface ShopperPointsInput {
  now: number;
  /** The customer's journal as held. */
  entries: readonly PointsEntryValues[];
  /** Expiry entries the rules would write within the warning window if the ledger does not change. */
  upcoming: readonly Pick<PointsEntryValues, "kind" | "points" | "effectiveAt">[];
  rewards: readonly {
    reward: Omit<ShopperRewardView, "refusal" | "pointsShort">;
    refusal: RedemptionRefusal | null;
  }[];
  redemptions: readonly ShopperRedemptionView[];
  /** The redirect's query parameters (already verified as Shopify's). */
  query: URLSearchParams;
  birthdayBonus: boolean;
  birthday: BirthDate | null;
}

function historyReason(e: PointsEntryValues): PointsHistoryReason {
  if (e.kind === "redemption") return e.points < 0 ? "redeemed" : "released";
  return e.kind as Exclude<PointsKind, "loss" | "redemption">;
}

/** The banner the redirect's query names, or null. A redemption not in `redemptions` (not this customer's) is none. */
export function pointsBanner(
  query: URLSearchParams,
  redemptions: readonly ShopperRedemptionView[],
): PointsBanner | null {
  const redemption = query.get("redemption");
  if (redemption !== null) {
    const found = redemptions.find((r) => r.id === redemption);
    return found ? { kind: "redemption", redemption: found } : null;
  }
  const refused = query.get("refused");
  if (refused !== null)
    return (REFUSAL_REASONS as readonly string[]).includes(refused)
      ? { kind: "refused", reason: refused as RefusalReason }
      : null;
  const birthday = query.get("birthday");
  if (birthday === "saved") return { kind: "birthday_saved" };
  if (birthday !== null && (BIRTHDAY_REFUSALS as readonly string[]).includes(birthday))
    return { kind: "birthday_refused", reason: birthday as BirthdayRefusal };
  return null;
}

export function shopperPointsView(input: ShopperPointsInput): ShopperPointsView {
  const { now } = input;
  const held = input.entries.filter((e) => e.effectiveAt <= now);
  const balance = balancesAt(held, now);
  const byMoment = new Map<number, number>();
  for (const e of held)
    if (e.kind !== "loss" && e.availableAt > now)
      byMoment.set(e.availableAt, (byMoment.get(e.availableAt) ?? 0) + e.points);
  const expiries = input.upcoming.filter(
    (e) => e.kind === "expiry" && e.effectiveAt > now && e.effectiveAt <= now + POINTS_EXPIRING_DAYS * DAY_MS,
  );
  const expiringPoints = -expiries.reduce((sum, e) => sum + e.points, 0);
  // Losses move no points: the shopper is shown movements only.
  const lines = held
    .filter((e) => e.kind !== "loss" && e.points !== 0)
    .map((e, i) => ({ e, i }))
    .sort((a, b) => b.e.effectiveAt - a.e.effectiveAt || b.i - a.i)
    .map(({ e }) => ({ at: e.effectiveAt, reason: historyReason(e), points: e.points }));
  return {
    available: Math.max(0, balance.available),
    pending: Math.max(0, balance.pending),
    pendingBy: [...byMoment]
      .filter(([, points]) => points > 0)
      .sort(([a], [b]) => a - b)
      .map(([at, points]) => ({ points, at })),
    expiring:
      expiringPoints > 0 ? { points: expiringPoints, at: Math.min(...expiries.map((e) => e.effectiveAt)) } : null,
    history: lines.slice(0, POINTS_HISTORY_SHOWN),
    historyOlder: Math.max(0, lines.length - POINTS_HISTORY_SHOWN),
    rewards: input.rewards.map(({ reward, refusal }) => ({
      ...reward,
      refusal,
      pointsShort: Math.max(0, reward.pointsPrice - Math.max(0, balance.available)),
    })),
    redemptions: [...input.redemptions].sort((a, b) => b.at - a.at),
    banner: pointsBanner(input.query, input.redemptions),
    birthday: input.birthdayBonus ? { held: input.birthday } : null,
  };
}

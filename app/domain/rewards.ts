// Rewards and redemption (docs/rules.md#points-redemption): the rewards a merchant defines (what Shopify creates, its
// points price, its value and limits), their validation with merchant-readable issues, the decision whether a
// customer may redeem one now, the journal entries a redemption writes, and the app-chosen code that makes Shopify's
// create findable again. Pure: epoch milliseconds in, no clock, no I/O; randomness is passed in.
import { DAY_MS } from "./time";
import type { PointsEntryValues } from "./points";

/** What Shopify creates for a redemption. */
export const REWARD_KINDS = ["amount_off", "free_shipping", "store_credit", "gift_card"] as const;
export type RewardKind = (typeof REWARD_KINDS)[number];

export interface RewardLimits {
  /** At most `count` redemptions of this reward per customer in any `periodDays` days (rolling); null: no limit. */
  perCustomer: { count: number; periodDays: number } | null;
  /** At most this many redemptions of this reward in the shop, ever (released ones do not count); null: no limit. */
  total: number | null;
}

export interface RewardDefinition {
  kind: RewardKind;
  title: string;
  /** Whole points the customer pays. */
  pointsPrice: number;
  /** Amount off, credit or card value in the shop currency's minor units; null for free shipping. */
  valueMinor: number | null;
  /** Days the code, credit or card stays valid after the redemption; null: no expiry. */
  expiryDays: number | null;
  limits: RewardLimits;
}

export const REWARD_LIMITS = {
  titleMaxLength: 80,
  pointsPrice: { min: 1, max: 100_000_000 },
  /** Largest value in minor units (1,000,000.00 in a 2-decimal currency); Shopify caps store credit and cards lower. */
  valueMinor: { min: 1, max: 100_000_000 },
  expiryDays: { min: 1, max: 3650 },
  perCustomerCount: { min: 1, max: 1000 },
  periodDays: { min: 1, max: 3650 },
  total: { min: 1, max: 10_000_000 },
} as const;

/** One problem with a reward: `path` to the field, `key` the stable message key, `message` the English text. */
export interface RewardIssue {
  path: (string | number)[];
  key: string;
  message: string;
  params?: Record<string, string | number>;
}

export type RewardValidation = { ok: true; reward: RewardDefinition } | { ok: false; issues: RewardIssue[] };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

const FIELDS = ["kind", "title", "pointsPrice", "valueMinor", "expiryDays", "limits"];

/** Checks a reward as the merchant entered it (JSON-like values); every problem is reported, not only the first. */
export function validateReward(input: unknown): RewardValidation {
  if (!isObject(input))
    return {
      ok: false,
      issues: [{ path: [], key: "field.invalid_type", message: "The reward must be a group of settings." }],
    };
  const issues: RewardIssue[] = [];
  const range = (
    path: (string | number)[],
    value: unknown,
    { min, max }: { min: number; max: number },
    key: string,
    label: string,
  ): number | null => {
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
      issues.push({
        path,
        key,
        message: `${label} must be a whole number from ${min} to ${max}.`,
        params: { min, max },
      });
      return null;
    }
    return value;
  };
  for (const field of Object.keys(input))
    if (!FIELDS.includes(field))
      issues.push({ path: [field], key: "field.unknown", message: `Unknown setting "${field}".` });

  const kind = REWARD_KINDS.includes(input.kind as RewardKind) ? (input.kind as RewardKind) : null;
  if (kind === null)
    issues.push({
      path: ["kind"],
      key: "rewards.kind.unknown",
      message: `The reward kind must be one of ${REWARD_KINDS.join(", ")}.`,
    });
  const title = typeof input.title === "string" ? input.title.trim() : "";
  if (title === "")
    issues.push({ path: ["title"], key: "rewards.title.required", message: "The reward needs a title." });
  else if (title.length > REWARD_LIMITS.titleMaxLength)
    issues.push({
      path: ["title"],
      key: "rewards.title.too_long",
      message: `The title must be at most ${REWARD_LIMITS.titleMaxLength} characters.`,
      params: { max: REWARD_LIMITS.titleMaxLength },
    });
  const pointsPrice = range(
    ["pointsPrice"],
    input.pointsPrice,
    REWARD_LIMITS.pointsPrice,
    "rewards.pointsPrice.out_of_range",
    "The points price",
  );
  let valueMinor: number | null = null;
  if (kind === "free_shipping") {
    if (input.valueMinor != null)
      issues.push({
        path: ["valueMinor"],
        key: "rewards.valueMinor.not_allowed",
        message: "A free shipping reward has no value.",
      });
  } else if (kind !== null)
    valueMinor = range(
      ["valueMinor"],
      input.valueMinor,
      REWARD_LIMITS.valueMinor,
      "rewards.valueMinor.out_of_range",
      "The value (in minor units)",
    );
  const expiryDays =
    input.expiryDays == null
      ? null
      : range(
          ["expiryDays"],
          input.expiryDays,
          REWARD_LIMITS.expiryDays,
          "rewards.expiryDays.out_of_range",
          "Expiry days",
        );

  let limits: RewardLimits = { perCustomer: null, total: null };
  if (input.limits != null) {
    if (!isObject(input.limits))
      issues.push({ path: ["limits"], key: "field.invalid_type", message: "The limits must be a group of settings." });
    else {
      const raw = input.limits;
      let perCustomer: RewardLimits["perCustomer"] = null;
      if (raw.perCustomer != null) {
        if (!isObject(raw.perCustomer))
          issues.push({
            path: ["limits", "perCustomer"],
            key: "field.invalid_type",
            message: "The per-customer limit must give a count and a period in days.",
          });
        else {
          const count = range(
            ["limits", "perCustomer", "count"],
            raw.perCustomer.count,
            REWARD_LIMITS.perCustomerCount,
            "rewards.limits.perCustomer.count.out_of_range",
            "Redemptions per customer",
          );
          const periodDays = range(
            ["limits", "perCustomer", "periodDays"],
            raw.perCustomer.periodDays,
            REWARD_LIMITS.periodDays,
            "rewards.limits.perCustomer.periodDays.out_of_range",
            "The period",
          );
          if (count !== null && periodDays !== null) perCustomer = { count, periodDays };
        }
      }
      const total =
        raw.total == null
          ? null
          : range(
              ["limits", "total"],
              raw.total,
              REWARD_LIMITS.total,
              "rewards.limits.total.out_of_range",
              "The total limit",
            );
      limits = { perCustomer, total };
    }
  }
  if (issues.length > 0 || kind === null || pointsPrice === null) return { ok: false, issues };
  return { ok: true, reward: { kind, title, pointsPrice, valueMinor, expiryDays, limits } };
}

// ---- The decision --------------------------------------------------------------------------------------------------

/** Why a redemption is refused; nothing changes anywhere when it is. */
export type RedemptionRefusal =
  | { reason: "reward_inactive" }
  | { reason: "not_enough_points"; available: number; price: number }
  | { reason: "customer_limit_reached"; count: number; periodDays: number }
  | { reason: "total_limit_reached"; total: number };

export interface RedemptionCounts {
  /** This customer's redemptions of the reward (reserved or confirmed) created after `now - periodDays`. */
  customerInPeriod: number;
  /** The shop's redemptions of the reward, reserved or confirmed. */
  total: number;
}

/** Whether a customer with `available` points may redeem the reward now; null: yes. */
export function redemptionRefusal(
  reward: Pick<RewardDefinition, "pointsPrice" | "limits"> & { active: boolean },
  available: number,
  counts: RedemptionCounts,
): RedemptionRefusal | null {
  if (!reward.active) return { reason: "reward_inactive" };
  const per = reward.limits.perCustomer;
  if (per !== null && counts.customerInPeriod >= per.count)
    return { reason: "customer_limit_reached", count: per.count, periodDays: per.periodDays };
  if (reward.limits.total !== null && counts.total >= reward.limits.total)
    return { reason: "total_limit_reached", total: reward.limits.total };
  if (available < reward.pointsPrice) return { reason: "not_enough_points", available, price: reward.pointsPrice };
  return null;
}

/** The start of the per-customer period that `now` closes (redemptions created after it count). */
export const periodStart = (now: number, periodDays: number) => now - periodDays * DAY_MS;

/** The shopper's sentence for a refusal (English; the page's own strings may translate the reason). */
export function refusalMessage(refusal: RedemptionRefusal): string {
  switch (refusal.reason) {
    case "reward_inactive":
      return "This reward is no longer available.";
    case "not_enough_points":
      return `This reward costs ${refusal.price} points; you have ${refusal.available} available.`;
    case "customer_limit_reached":
      return `You can redeem this reward ${refusal.count} time${refusal.count === 1 ? "" : "s"} every ${refusal.periodDays} day${refusal.periodDays === 1 ? "" : "s"}, and you already have.`;
    case "total_limit_reached":
      return "This reward has been fully redeemed.";
  }
}

// ---- Journal entries -------------------------------------------------------------------------------------------------

/** Source keys of a redemption: neither is derived from the ledger, so derive keeps them (rules.md#points-keys). */
export const redemptionKeys = {
  reserve: (redemptionId: string) => `redeem:${redemptionId}`,
  release: (redemptionId: string) => `release:${redemptionId}`,
};

/** The reservation: the price taken from the available balance at `at`. Confirming writes nothing more. */
export function reservationEntry(redemptionId: string, points: number, at: number): PointsEntryValues {
  return {
    sourceKey: redemptionKeys.reserve(redemptionId),
    kind: "redemption",
    points: -points,
    ruleVersion: 0,
    effectiveAt: at,
    availableAt: at,
    orderId: null,
    refundId: null,
    note: `reserved for redemption ${redemptionId}`,
  };
}

/** The release of a reservation Shopify refused (or that recovery gave up): the points come back at `at`. */
export function releaseEntry(redemptionId: string, points: number, at: number): PointsEntryValues {
  return {
    sourceKey: redemptionKeys.release(redemptionId),
    kind: "redemption",
    points,
    ruleVersion: 0,
    effectiveAt: at,
    availableAt: at,
    orderId: null,
    refundId: null,
    note: `released redemption ${redemptionId}`,
  };
}

// ---- Codes and dates -------------------------------------------------------------------------------------------------

const CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";
/** Shopify's gift card codes are 8-20 letters and digits, case-insensitive; discount codes accept the same. */
export const REDEMPTION_CODE_LENGTH = 16;

/**
 * The code of a redemption's discount or gift card, chosen by the app and stored with the redemption before Shopify
 * is asked: Shopify has no idempotency key for these creates, so the code is the handle — a second create with it is
 * refused as taken, and the first is found by it. Random (not derived from the id), so that a leaked id does not
 * reveal a card's code. `randomBytes(n)` gives n uniform bytes.
 */
export function redemptionCode(randomBytes: (n: number) => Uint8Array): string {
  const bytes = randomBytes(REDEMPTION_CODE_LENGTH * 2);
  let out = "";
  for (let i = 0; i < bytes.length && out.length < REDEMPTION_CODE_LENGTH; i++) {
    // Rejection sampling keeps the letters uniform: 248 = 8 × 31.
    if (bytes[i] < 248) out += CODE_ALPHABET[bytes[i] % CODE_ALPHABET.length];
  }
  if (out.length < REDEMPTION_CODE_LENGTH) throw new Error("not enough random bytes for a redemption code");
  return out.toUpperCase();
}

/** When the reward stops being valid: `expiryDays` after the redemption, or never. */
export const rewardExpiresAt = (redeemedAt: number, expiryDays: number | null) =>
  expiryDays === null ? null : redeemedAt + expiryDays * DAY_MS;

/** A gift card's expiresOn (a date, UTC) for an expiry instant. */
export const giftCardExpiresOn = (expiresAt: number | null) =>
  expiresAt === null ? null : new Date(expiresAt).toISOString().slice(0, 10);

/** Redemption states: reserved (points taken, Shopify not yet known to have the reward), then confirmed or released. */
export const REDEMPTION_STATES = ["reserved", "confirmed", "released"] as const;
export type RedemptionState = (typeof REDEMPTION_STATES)[number];

// The points Flow triggers' payloads (extensions/flow-points-earned, flow-reward-redeemed, flow-points-expiring;
// docs/rules.md#flow-triggers): exactly the fields each extension declares, keys of letters and spaces, the customer
// as `customer_id` (its numeric id), whole numbers as text. Pure.
import { balancesAt, sourceOf, type PointsEntryValues } from "./points";
import { DAY_MS } from "./time";
import { splitStorefrontDigest, type PointsStatusJson } from "./sync";
export const POINTS_EARNED_TRIGGER = "points-earned";
export const REWARD_REDEEMED_TRIGGER = "reward-redeemed";
export const POINTS_EXPIRING_TRIGGER = "points-expiring";

export interface FlowTriggerCall {
  handle: string;
  payload: Record<string, unknown>;
}

const customerNumber = (customerId: string) => {
  const n = Number(customerId.split("/").pop());
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`not a customer id: ${customerId}`);
  return n;
};

/** Where announced points came from: a staff adjustment or bonus, a Flow award, an order, a derived bonus. */
export type EarnedSource = "adjustment" | "bonus" | "flow" | "order";

export function pointsEarnedTrigger(input: {
  customerId: string;
  points: number;
  reason: string;
  source: EarnedSource;
  availablePoints: number;
}): FlowTriggerCall {
  return {
    handle: POINTS_EARNED_TRIGGER,
    payload: {
      customer_id: customerNumber(input.customerId),
      points: String(input.points),
      reason: input.reason,
      source: input.source,
      "available points": String(input.availablePoints),
    },
  };
}

export function rewardRedeemedTrigger(input: {
  customerId: string;
  reward: string;
  kind: string;
  points: number;
  code: string | null;
}): FlowTriggerCall {
  return {
    handle: REWARD_REDEEMED_TRIGGER,
    payload: {
      customer_id: customerNumber(input.customerId),
      reward: input.reward,
      "reward kind": input.kind,
      points: String(input.points),
      code: input.code ?? "",
    },
  };
}

export function pointsExpiringTrigger(input: { customerId: string; points: number; at: number }): FlowTriggerCall {
  return {
    handle: POINTS_EXPIRING_TRIGGER,
    payload: {
      customer_id: customerNumber(input.customerId),
      points: String(input.points),
      "expires at": new Date(input.at).toISOString(),
    },
  };
}

/**
 * The "Points expiring" announcement a sync's write makes, from the customer's metafields digest before and after it
 * (CustomerSync.metafields; the points JSON's `expiring`, points expiring within the warning window): one when the
 * written text has an `expiring` whose instant the text before did not have (none before, or another instant). The
 * digest is the record: the same expiry is never announced twice, and an unwritten text (Shopify refused it) is not
 * announced until it is written. Null: nothing to announce.
 */
export function expiringAnnouncement(
  customerId: string,
  beforeDigest: string | null,
  afterDigest: string | null,
): FlowTriggerCall | null {
  const expiring = (digest: string | null) => {
    const text = splitStorefrontDigest(digest).points;
    if (text === null) return null;
    try {
      return (JSON.parse(text) as PointsStatusJson).expiring ?? null;
    } catch {
      return null;
    }
  };
  const after = expiring(afterDigest);
  if (after === null || after.points <= 0) return null;
  const before = expiring(beforeDigest);
  if (before !== null && before.at === after.at) return null;
  return pointsExpiringTrigger({ customerId, points: after.points, at: Date.parse(after.at) });
}

// ---- "Points earned" for points that become available (docs/rules.md#flow-triggers) ---------------------------------

/** How far back the points pass looks for points that became available: older ones are never announced (those from
 * before the trigger existed, a programme start moved back, a journal rebuilt from old orders). The daily pass runs
 * every day, so each entry is seen on at least two passes. */
export const EARNED_LOOKBACK_DAYS = 2;
export const EARNED_LOOKBACK_MS = EARNED_LOOKBACK_DAYS * DAY_MS;
/** Sends of one announcement (the first included); after the last refusal it is marked refused and never tried again. */
export const EARNED_MAX_ATTEMPTS = 5;

export type AnnouncementState = "pending" | "sent" | "refused";

/** What the record table holds for one customer and announced source. */
export interface AnnouncementRecord {
  customerId: string;
  sourceKey: string;
  state: AnnouncementState;
  attempts: number;
}

/**
 * The announced source of a journal entry the points pass announces by itself, or null: an order's earning (all its
 * versions and corrections are one: `order:<order id>`) and a derived positive bonus (`bonus:signup`,
 * `bonus:first-order`, `bonus:birthday:<year>`; a correction `~n` and the first-order clawback count with it).
 */
export function derivedAnnouncementKey(e: Pick<PointsEntryValues, "kind" | "sourceKey" | "orderId">): string | null {
  if (e.kind === "order" && e.orderId !== null && e.sourceKey.startsWith("order:")) return `order:${e.orderId}`;
  if (e.kind === "bonus" && e.sourceKey.startsWith("bonus:")) {
    const source = sourceOf(e.sourceKey);
    return source.endsWith(":clawback") ? source.slice(0, -":clawback".length) : source;
  }
  return null;
}

const BONUS_REASONS: [prefix: string, reason: string][] = [
  ["bonus:signup", "Sign-up bonus"],
  ["bonus:first-order", "First order bonus"],
  ["bonus:birthday:", "Birthday bonus"],
];

/** One announcement to make: the record to write (or advance) and the trigger to send; trigger null: the source
 * holds no points any more (a pending one refunded to zero), the record is closed as refused without a send. */
export interface EarnedAnnouncement {
  customerId: string;
  sourceKey: string;
  points: number;
  /** The record's attempts so far (0: none yet, the record is written first). */
  attempts: number;
  trigger: FlowTriggerCall | null;
}

/**
 * What the points pass announces for one customer at `now`, from the customer's journal and the records held for
 * them: each order or derived bonus whose points became available in (now − lookback, now] and that still holds
 * points (its entries available by now summed: an order less what refunds and a cancellation took from it), not yet
 * recorded; and each pending record (a refused or failed send) again, with the points its source holds now. Its
 * reason: the order's name (`orderNames`, else its id), the bonus's kind, an adjustment's note. Pure.
 */
export function earnedAnnouncements(
  customerId: string,
  journal: readonly PointsEntryValues[],
  records: readonly AnnouncementRecord[],
  now: number,
  orderNames: ReadonlyMap<string, string> = new Map(),
  lookbackMs = EARNED_LOOKBACK_MS,
): EarnedAnnouncement[] {
  const recorded = new Map(records.filter((r) => r.customerId === customerId).map((r) => [r.sourceKey, r]));
  const available = balancesAt(journal, now).available;
  // The points each derived source holds by now, and whether its earning became available within the lookback
  const held = new Map<string, { points: number; recent: boolean; orderId: string | null }>();
  for (const e of journal) {
    if (e.effectiveAt > now || e.availableAt > now) continue;
    const orderKey =
      e.orderId !== null && (e.kind === "refund" || e.kind === "cancellation") ? `order:${e.orderId}` : null;
    const key = orderKey ?? derivedAnnouncementKey(e);
    if (key === null) continue;
    const h = held.get(key) ?? { points: 0, recent: false, orderId: e.kind === "order" ? e.orderId : null };
    h.points += e.points;
    if (e.points > 0 && (e.kind === "order" || e.kind === "bonus") && e.availableAt > now - lookbackMs) h.recent = true;
    if (e.kind === "order") h.orderId = e.orderId;
    held.set(key, h);
  }
  const out: EarnedAnnouncement[] = [];
  const announce = (sourceKey: string, points: number, reason: string, source: EarnedSource, attempts: number) =>
    out.push({
      customerId,
      sourceKey,
      points: Math.max(points, 0),
      attempts,
      trigger:
        points > 0 ? pointsEarnedTrigger({ customerId, points, reason, source, availablePoints: available }) : null,
    });
  const reasonOf = (key: string, orderId: string | null) => {
    if (key.startsWith("order:")) return `Order ${orderNames.get(orderId ?? "") ?? orderId ?? key.slice(6)}`;
    return BONUS_REASONS.find(([prefix]) => key.startsWith(prefix))?.[1] ?? "Bonus";
  };
  for (const [key, h] of held) {
    const record = recorded.get(key);
    if (record && record.state !== "pending") continue;
    if (!record && (!h.recent || h.points <= 0)) continue;
    const source = key.startsWith("order:") ? "order" : "bonus";
    announce(key, h.points, reasonOf(key, h.orderId), source, record?.attempts ?? 0);
  }
  // Pending records of what the pass does not derive: a staff adjustment or bonus, a Flow award, whose send failed
  for (const record of recorded.values()) {
    if (record.state !== "pending" || held.has(record.sourceKey)) continue;
    const entries = journal.filter((e) => sourceOf(e.sourceKey) === record.sourceKey);
    const points = entries.reduce((sum, e) => sum + e.points, 0);
    const first = entries[0];
    const source: EarnedSource = record.sourceKey.startsWith("flow:")
      ? "flow"
      : first?.kind === "adjustment"
        ? "adjustment"
        : "bonus";
    announce(record.sourceKey, points, first?.note ?? "", source, record.attempts);
  }
  return out;
}

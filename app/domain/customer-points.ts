// One customer's points journal explained for the admin (docs/rules.md#adjustments-and-the-audit-trail): what each
// entry was for, as an i18n key under pointsReport.history.reason and its values, and pending points by the moment
// they become available. Pure.
import type { PointsBalance, PointsEntryValues, PointsKind } from "./points";

/** What an entry was for, as the page says it: an i18n key under pointsReport.history and its values. */
export interface PointsHistoryRow {
  id: number;
  kind: PointsKind;
  points: number;
  effectiveAt: string;
  /** When its points become available, when that is after now (pending). */
  pendingUntil: string | null;
  /** pointsReport.history.<reason> */
  reason: string;
  values: Record<string, string>;
  /** The order's id in Shopify admin (numeric), for a link. */
  orderLegacyId: string | null;
  /** "staff:<user id>", "flow", "import", "shopper" or null (derived from the ledger). */
  actor: string | null;
  note: string | null;
  /** When the app wrote it (ISO). */
  writtenAt: string;
  correction: boolean;
}

export interface CustomerPointsView {
  balance: PointsBalance;
  /** Pending points by the moment they become available, earliest first (moments whose points add up to > 0). */
  pending: { at: string; points: number }[];
  expiring: { points: number; at: string } | null;
  warningDays: number;
  history: PointsHistoryRow[];
  /** A fresh idempotency token for the adjust form (one per page load: a double submit reuses it). */
  token: string;
}

/** A held entry with what the admin shows of it. */
export interface HeldEntry extends PointsEntryValues {
  id: number;
  actor: string | null;
  createdAt: number;
}

/** The redemption a `redeem:` or `release:` source names. */
export const redemptionIdOf = (sourceKey: string) => /^(?:redeem|release):([^~]+)/.exec(sourceKey)?.[1] ?? null;

/** Pending points as of `at` by the moment they become available, earliest first (moments adding up to > 0). */
export function pendingByMoment(entries: readonly PointsEntryValues[], at: number) {
  const byMoment = new Map<number, number>();
  for (const e of entries)
    if (e.kind !== "loss" && e.effectiveAt <= at && e.availableAt > at)
      byMoment.set(e.availableAt, (byMoment.get(e.availableAt) ?? 0) + e.points);
  return [...byMoment]
    .filter(([, points]) => points > 0)
    .sort(([a], [b]) => a - b)
    .map(([moment, points]) => ({ at: new Date(moment).toISOString(), points }));
}

/**
 * One entry as the history shows it as of `at`: `orderName` the order's name (#1001) when the ledger has it,
 * `rewardTitle` the redeemed reward's title.
 */
export function historyRow(
  e: HeldEntry,
  at: number,
  orderName: string | null,
  rewardTitle: string | null,
): PointsHistoryRow {
  const order = e.orderId ? (orderName ?? `#${e.orderId.split("/").pop()}`) : "";
  const values: Record<string, string> = { order, note: e.note ?? "" };
  let reason: string = e.kind;
  if (e.kind === "expiry") values.version = String(e.ruleVersion);
  else if (e.kind === "redemption") {
    values.reward = rewardTitle ?? "—";
    reason = e.sourceKey.startsWith("release:") ? "released" : "redemption";
  } else if (e.kind === "bonus")
    reason = e.actor === "flow" ? "bonusFlow" : e.actor?.startsWith("staff:") ? "bonusStaff" : "bonus";
  else if (e.kind === "import") values.format = /^import:([^~]+)/.exec(e.sourceKey)?.[1] ?? "";
  if (e.actor?.startsWith("staff:")) values.staff = e.actor.slice("staff:".length);
  return {
    id: e.id,
    kind: e.kind,
    points: e.points,
    effectiveAt: new Date(e.effectiveAt).toISOString(),
    pendingUntil: e.availableAt > at && e.effectiveAt <= at ? new Date(e.availableAt).toISOString() : null,
    reason,
    values,
    orderLegacyId: e.orderId ? e.orderId.split("/").pop()! : null,
    actor: e.actor,
    note: e.note,
    writtenAt: new Date(e.createdAt).toISOString(),
    correction: e.sourceKey.includes("~"),
  };
}

// Who responds to a campaign (issue #24 item 4) and, for a sign-up campaign, how soon its members place a first order
// (item 1). Pure: the model reads the members with the segment and tier they had when they were chosen, and their
// qualifying orders; this splits them and does the arithmetic. Each group's figures are campaign-stats.ts's own
// (conversion of recipients and of the holdout in their windows, the lift with its 95 % interval, revenue per
// recipient), so a group's row and the whole campaign's figures always agree in definition.
import {
  campaignStats,
  proportionDifferenceInterval,
  type CampaignMember,
  type Interval,
  type MemberOrder,
} from "./campaign-stats";

const DAY_MS = 86_400_000;

/** A member with the group keys recorded at assignment (null: no segment or tier then, or assigned before they were recorded). */
export interface GroupedMember extends CampaignMember {
  segment: string | null;
  tier: string | null;
}

export interface GroupRow {
  /** The segment or tier key; null: none recorded. */
  key: string | null;
  recipients: number;
  holdout: number;
  conversionRecipients: number | null;
  conversionHoldout: number | null;
  conversionLift: number | null;
  conversionLiftInterval: Interval | null;
  revenuePerRecipientMinor: number | null;
  redemptions: number;
}

/** The campaign's figures per value of `by` (segment or tier), the largest groups first, ties by key. */
export function campaignGroups(
  members: readonly GroupedMember[],
  orders: readonly MemberOrder[],
  by: "segment" | "tier",
  options: { windowDays: number; codes: ReadonlySet<string> },
): GroupRow[] {
  const groups = new Map<string | null, GroupedMember[]>();
  for (const m of members) {
    const key = m[by];
    const list = groups.get(key);
    if (list) list.push(m);
    else groups.set(key, [m]);
  }
  const rows: GroupRow[] = [];
  for (const [key, list] of groups) {
    const ids = new Set(list.map((m) => m.customerId));
    const s = campaignStats(
      list,
      orders.filter((o) => ids.has(o.customerId)),
      options,
    );
    rows.push({
      key,
      recipients: s.recipients,
      holdout: s.holdout,
      conversionRecipients: s.conversionRecipients,
      conversionHoldout: s.conversionHoldout,
      conversionLift: s.conversionLift,
      conversionLiftInterval: s.conversionLiftInterval,
      revenuePerRecipientMinor: s.revenuePerRecipientMinor,
      redemptions: s.redemptions,
    });
  }
  return rows.sort(
    (a, b) =>
      b.recipients + b.holdout - (a.recipients + a.holdout) ||
      (a.key === null ? 1 : b.key === null ? -1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
}

// ---- Sign-ups: first order within N days of signing up -----------------------------------------------------------

export interface SignupMember {
  customerId: string;
  holdout: boolean;
  /** When the customer's account was created in Shopify (ms); null: unknown (left out of the measure). */
  signedUpAt: number | null;
  /** Their first qualifying order (ms); null: none yet. */
  firstOrderAt: number | null;
}

export interface FirstOrderWithin {
  days: number;
  recipients: number;
  holdout: number;
  /** Share of the group whose first qualifying order came within `days` of signing up. */
  rateRecipients: number | null;
  rateHoldout: number | null;
  lift: number | null;
  liftInterval: Interval | null;
}

/**
 * "First order within N days of sign-up" for recipients and holdout: a member counts in the denominator once the
 * N days since their sign-up are over or they have ordered (so a member signed up yesterday who has not ordered yet
 * is not counted as a failure before their time is up), and in the numerator when their first qualifying order came
 * within those N days. The lift's 95 % interval is the conversion lift's (Newcombe's hybrid score interval,
 * campaign-stats.ts).
 */
export function firstOrderWithin(members: readonly SignupMember[], days: number, asOf: number): FirstOrderWithin {
  const windowMs = days * DAY_MS;
  const n = { recipients: 0, holdout: 0 };
  const yes = { recipients: 0, holdout: 0 };
  for (const m of members) {
    if (m.signedUpAt === null) continue;
    const within = m.firstOrderAt !== null && m.firstOrderAt - m.signedUpAt < windowMs;
    const decided = within || asOf - m.signedUpAt >= windowMs;
    if (!decided) continue;
    const group = m.holdout ? "holdout" : "recipients";
    n[group] += 1;
    if (within) yes[group] += 1;
  }
  const pT = n.recipients ? yes.recipients / n.recipients : null;
  const pH = n.holdout ? yes.holdout / n.holdout : null;
  let lift: number | null = null;
  let liftInterval: Interval | null = null;
  if (pT !== null && pH !== null) {
    lift = pT - pH;
    liftInterval = proportionDifferenceInterval(yes.recipients, n.recipients, yes.holdout, n.holdout);
  }
  return {
    days,
    recipients: n.recipients,
    holdout: n.holdout,
    rateRecipients: pT,
    rateHoldout: pH,
    lift,
    liftInterval,
  };
}

// ---- First order only ------------------------------------------------------------------------------------------

/**
 * Whether a first-order-only code must be withdrawn: the customer has a qualifying order placed after the code was
 * issued (or any at all: then it is no longer their first) and none of those orders carries the code.
 */
export function firstOrderCameWithout(code: string, orders: readonly { discountCodes: readonly string[] }[]): boolean {
  if (orders.length === 0) return false;
  const c = code.toLowerCase();
  return !orders.some((o) => o.discountCodes.some((d) => d.toLowerCase() === c));
}

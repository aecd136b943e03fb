// A campaign's LINE option and its quota check (docs/line-messages.md#campaigns). Pure.
// - off: the campaign sends nothing through LINE;
// - push: each linked, following recipient gets their own code in a push message (one message per recipient);
// - multicast: one identical message per locale batch of up to 500 recipients, with a button to the loyalty page,
//   where each shopper sees their own code. LINE counts a multicast per recipient too, so both modes need one
//   message of the month's quota per recipient.
import type { CampaignIssue } from "./campaigns";

export const LINE_MODES = ["off", "push", "multicast"] as const;
export type LineMode = (typeof LINE_MODES)[number];
export const isLineMode = (v: unknown): v is LineMode =>
  typeof v === "string" && (LINE_MODES as readonly string[]).includes(v);

/** Recipients per multicast request (LINE's limit). */
export const MULTICAST_BATCH = 500;

export type LineModeCheck = { ok: true; mode: LineMode | null } | { ok: false; issues: CampaignIssue[] };

/**
 * The form's LINE option. Absent (`null`/`undefined`): unchanged (a new campaign: off). A mode other than off
 * needs the shop's LINE Messaging API connection; multicast is refused for a campaign with an A/B test (`abTest`).
 */
export function checkLineMode(
  raw: unknown,
  { lineConnected, abTest = false }: { lineConnected: boolean; abTest?: boolean },
): LineModeCheck {
  if (raw === null || raw === undefined) return { ok: true, mode: null };
  if (!isLineMode(raw))
    return { ok: false, issues: [{ path: ["lineMode"], key: "line_mode", message: "Choose how LINE is used." }] };
  // A multicast is one identical announcement naming the campaign's offer: an A/B test's recipients hold different
  // offers, so half of them would be told the wrong one. Each recipient's own message (push) carries their own.
  if (raw === "multicast" && abTest)
    return {
      ok: false,
      issues: [
        {
          path: ["lineMode"],
          key: "line_multicast_ab",
          message: "An A/B test's recipients get different offers: send each recipient their own LINE message.",
        },
      ],
    };
  if (raw !== "off" && !lineConnected)
    return {
      ok: false,
      issues: [
        {
          path: ["lineMode"],
          key: "line_not_connected",
          message: "Connect the shop's LINE Official Account on the Channels page first.",
        },
      ],
    };
  return { ok: true, mode: raw };
}

/** LINE's answer to GET /v2/bot/message/quota (none: no monthly limit) and /quota/consumption. */
export type Quota = { type: "none" } | { type: "limited"; value: number };

export interface QuotaCheck {
  /** Messages left this month; null: no limit. */
  remaining: number | null;
  limit: number | null;
  used: number;
  /** Messages the campaign would still need (one per linked, following recipient not yet messaged). */
  needed: number;
  /** Requests: pushes, or multicast batches of ≤ 500 per locale. */
  requests: number;
  exceeds: boolean;
}

/**
 * Whether a campaign's LINE messages fit in what is left of the month's quota. `recipientsByLocale`: the linked,
 * following recipients still to message, per locale (a multicast batch carries one locale's message).
 */
export function quotaCheck(
  quota: Quota,
  used: number,
  mode: Exclude<LineMode, "off">,
  recipientsByLocale: Record<string, number>,
): QuotaCheck {
  const counts = Object.values(recipientsByLocale).filter((n) => n > 0);
  const needed = counts.reduce((a, b) => a + b, 0);
  const requests = mode === "push" ? needed : counts.reduce((a, n) => a + Math.ceil(n / MULTICAST_BATCH), 0);
  const limit = quota.type === "limited" ? quota.value : null;
  const remaining = limit === null ? null : Math.max(0, limit - used);
  return { remaining, limit, used, needed, requests, exceeds: remaining !== null && needed > remaining };
}

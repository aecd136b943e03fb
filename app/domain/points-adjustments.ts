// Points a person or a workflow moves by hand (docs/rules.md#adjustments-and-the-audit-trail): a staff member's
// adjustment (add or remove, with a required reason) from the customer page, and the "Award points" Shopify Flow
// action. Each is one journal entry keyed by its own source — `adjust:<form token>` or `flow:<action_run_id>` — so
// a double submit or a retried Flow request is the same entry, never a second one. Pure: no clock, no I/O.
import type { PointsEntryValues } from "./points";

/** The most points one adjustment or award may move (either way). */
export const ADJUSTMENT_MAX_POINTS = 1_000_000;
/** The longest reason kept (characters, after trimming). */
export const ADJUSTMENT_REASON_MAX = 500;

/** What the form's token and Flow's action_run_id may be: what a source key can hold without ambiguity. */
const TOKEN = /^[A-Za-z0-9_-]{8,100}$/;

export const adjustmentKeys = {
  staff: (token: string) => `adjust:${token}`,
  flow: (actionRunId: string) => `flow:${actionRunId}`,
};

/** A staff member as the journal's `actor` records them: the session token's `sub` (Shopify's user id). */
export const staffActor = (userId: string) => `staff:${userId}`;
export const FLOW_ACTOR = "flow";

export interface AdjustmentIssue {
  field: "points" | "reason" | "token" | "kind" | "customer";
  /** i18n key under pointsReport.adjust.errors. */
  key: string;
  message: string;
}

export interface Adjustment {
  /** Signed: + adds, − removes. Never 0. */
  points: number;
  reason: string;
  token: string;
  /** "bonus": a positive adjustment the merchant labels a bonus (it counts as earned, like any bonus). */
  kind: "adjustment" | "bonus";
}

export type AdjustmentValidation = { ok: true; adjustment: Adjustment } | { ok: false; issues: AdjustmentIssue[] };

const wholePoints = (value: unknown): number | null => {
  if (typeof value === "number") return Number.isSafeInteger(value) ? value : null;
  if (typeof value !== "string") return null;
  const text = value.trim().replace(/^\+/, "");
  if (!/^-?\d{1,16}$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
};

/**
 * Checks an adjustment as the form submits it: `points` a whole number, not 0, at most ADJUSTMENT_MAX_POINTS either
 * way (text like "-50" or "+20", or a number); `reason` required; `kind` "adjustment" (default) or "bonus" (adding
 * only); `token` the form's idempotency token.
 */
export function validateAdjustment(input: {
  points: unknown;
  reason: unknown;
  token: unknown;
  kind?: unknown;
}): AdjustmentValidation {
  const issues: AdjustmentIssue[] = [];
  const points = wholePoints(input.points);
  if (points === null || points === 0 || Math.abs(points) > ADJUSTMENT_MAX_POINTS)
    issues.push({
      field: "points",
      key: "points",
      message: `Points must be a whole number other than 0, from -${ADJUSTMENT_MAX_POINTS} to ${ADJUSTMENT_MAX_POINTS}.`,
    });
  const reason = typeof input.reason === "string" ? input.reason.trim() : "";
  if (reason === "") issues.push({ field: "reason", key: "reasonRequired", message: "A reason is required." });
  else if (reason.length > ADJUSTMENT_REASON_MAX)
    issues.push({
      field: "reason",
      key: "reasonTooLong",
      message: `The reason may be at most ${ADJUSTMENT_REASON_MAX} characters.`,
    });
  const kind = input.kind === undefined || input.kind === null || input.kind === "" ? "adjustment" : input.kind;
  if (kind !== "adjustment" && kind !== "bonus")
    issues.push({ field: "kind", key: "kind", message: "The kind must be adjustment or bonus." });
  else if (kind === "bonus" && points !== null && points < 0)
    issues.push({
      field: "kind",
      key: "bonusNegative",
      message: "A bonus adds points: remove points as an adjustment.",
    });
  if (typeof input.token !== "string" || !TOKEN.test(input.token))
    issues.push({ field: "token", key: "token", message: "The form is out of date: reload the page and try again." });
  if (issues.length) return { ok: false, issues };
  return {
    ok: true,
    adjustment: { points: points!, reason, token: input.token as string, kind: kind as Adjustment["kind"] },
  };
}

/** The entry an adjustment appends: effective and available at `at`. */
export function adjustmentEntry(
  sourceKey: string,
  adjustment: Pick<Adjustment, "points" | "reason" | "kind">,
  at: number,
): PointsEntryValues {
  return {
    sourceKey,
    kind: adjustment.kind,
    points: adjustment.points,
    ruleVersion: 0,
    effectiveAt: at,
    availableAt: at,
    orderId: null,
    refundId: null,
    note: adjustment.reason,
  };
}

/** Why a valid adjustment is refused against the balance: a removal may not take the available balance below 0. */
export function adjustmentRefusal(points: number, available: number): AdjustmentIssue | null {
  if (points < 0 && available + points < 0)
    return {
      field: "points",
      key: "insufficient",
      message: `Only ${Math.max(0, available)} points are available: a removal may not take the balance below 0.`,
    };
  return null;
}

// ---- The "Award points" Flow action --------------------------------------------------------------------------------

export interface FlowAward {
  actionRunId: string;
  customerId: string;
  points: number;
  reason: string;
}

/**
 * The "Award points" request's body as Flow sends it (docs/rules.md#flow-triggers): `action_run_id`, and under
 * `properties` the customer (a `customer_reference` field: `customer_id`, a number, its text, or a gid), `points`
 * (a whole number, 1 to ADJUSTMENT_MAX_POINTS: an award only adds) and `reason` (text, required). Null with what is
 * wrong when it is not.
 */
export function parseFlowAward(body: unknown): { ok: true; award: FlowAward } | { ok: false; error: string } {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    return { ok: false, error: "the body is not an object" };
  const b = body as Record<string, unknown>;
  if (typeof b.action_run_id !== "string" || !TOKEN.test(b.action_run_id))
    return { ok: false, error: "action_run_id is missing or not an id" };
  const p = b.properties;
  if (typeof p !== "object" || p === null || Array.isArray(p)) return { ok: false, error: "properties is missing" };
  const props = p as Record<string, unknown>;
  const rawCustomer = props.customer_id;
  const customerText =
    typeof rawCustomer === "number" && Number.isSafeInteger(rawCustomer) && rawCustomer > 0
      ? String(rawCustomer)
      : typeof rawCustomer === "string"
        ? rawCustomer.replace(/^gid:\/\/shopify\/Customer\//, "")
        : "";
  if (!/^\d{1,20}$/.test(customerText)) return { ok: false, error: "customer_id is missing or not a customer id" };
  const points = wholePoints(props.points);
  if (points === null || points < 1 || points > ADJUSTMENT_MAX_POINTS)
    return { ok: false, error: `points must be a whole number from 1 to ${ADJUSTMENT_MAX_POINTS}` };
  const reason = typeof props.reason === "string" ? props.reason.trim() : "";
  if (reason === "" || reason.length > ADJUSTMENT_REASON_MAX)
    return { ok: false, error: `reason must be text of 1 to ${ADJUSTMENT_REASON_MAX} characters` };
  return {
    ok: true,
    award: {
      actionRunId: b.action_run_id,
      customerId: `gid://shopify/Customer/${customerText}`,
      points,
      reason,
    },
  };
}

// A staff member's points adjustment and the "Award points" Flow action (docs/rules.md#adjustments-and-the-audit-trail).
// Both check their input (domain/points-adjustments.ts), check the customer is the shop's, and append one entry
// under the per-customer lock a redemption takes (models/points-adjustments.server.ts). The journal row records who
// (actor), when (effectiveAt, createdAt) and why (note).
import { createHmac, timingSafeEqual } from "node:crypto";
import {
  adjustmentEntry,
  adjustmentKeys,
  adjustmentRefusal,
  FLOW_ACTOR,
  parseFlowAward,
  validateAdjustment,
  type AdjustmentIssue,
} from "../domain/points-adjustments";
import { appendAdjustment, isLiveCustomer } from "../models/points-adjustments.server";
import { env } from "../env.server";
import { firePointsEarned, type FlowTarget } from "./points-flow.server";

type Clock = { now?: () => Date };
/** Where the "Points earned" trigger goes (none: not sent, e.g. the CLI or a test of the journal alone). */
type Deps = Clock & { flow?: FlowTarget };

export type AdjustResult =
  | { ok: true; repeated: boolean; points: number; available: number | null }
  | { ok: false; status: 400 | 404 | 409; issues: AdjustmentIssue[] };

/**
 * Adds or removes a customer's points by hand. `form` is what the admin form submits (points, reason, kind, token);
 * `actor` who submits it (staffActor). The same token again is the same adjustment (nothing more is written).
 */
export async function adjustPoints(
  shop: string,
  customerId: string,
  form: { points: unknown; reason: unknown; kind?: unknown; token: unknown },
  actor: string,
  { now = () => new Date(), flow }: Deps = {},
): Promise<AdjustResult> {
  const checked = validateAdjustment(form);
  if (!checked.ok) return { ok: false, status: 400, issues: checked.issues };
  if (!(await isLiveCustomer(shop, customerId)))
    return {
      ok: false,
      status: 404,
      issues: [{ field: "customer", key: "customer", message: "This shop has no such customer." }],
    };
  const { adjustment } = checked;
  const at = now();
  const entry = adjustmentEntry(adjustmentKeys.staff(adjustment.token), adjustment, at.getTime());
  const result = await appendAdjustment(shop, customerId, entry, actor, at);
  if (result.outcome === "insufficient")
    return { ok: false, status: 409, issues: [adjustmentRefusal(adjustment.points, result.available)!] };
  if (result.outcome === "existing") return { ok: true, repeated: true, points: result.entry.points, available: null };
  await firePointsEarned(shop, flow, {
    sourceKey: entry.sourceKey,
    customerId,
    points: entry.points,
    reason: adjustment.reason,
    source: adjustment.kind,
    availablePoints: result.available,
  });
  return { ok: true, repeated: false, points: entry.points, available: result.available };
}

export type FlowAwardResult =
  | { status: 200; repeated: boolean }
  | { status: 400; error: string }
  | { status: 404; error: string };

/**
 * The "Award points" action's work for a request whose signature was verified and whose shop is `shop`: a bonus
 * entry `flow:<action_run_id>` (Flow's retries of one run are one award). A malformed body (400) or a customer the
 * shop does not have (404; another shop's customer included) changes nothing.
 */
export async function awardPointsFromFlow(
  shop: string,
  body: unknown,
  { now = () => new Date(), flow }: Deps = {},
): Promise<FlowAwardResult> {
  const parsed = parseFlowAward(body);
  if (!parsed.ok) return { status: 400, error: parsed.error };
  const { award } = parsed;
  if (!(await isLiveCustomer(shop, award.customerId))) return { status: 404, error: "unknown customer" };
  const at = now();
  const entry = adjustmentEntry(
    adjustmentKeys.flow(award.actionRunId),
    { points: award.points, reason: award.reason, kind: "bonus" },
    at.getTime(),
  );
  const result = await appendAdjustment(shop, award.customerId, entry, FLOW_ACTOR, at);
  if (result.outcome === "appended")
    await firePointsEarned(shop, flow, {
      sourceKey: entry.sourceKey,
      customerId: award.customerId,
      points: award.points,
      reason: award.reason,
      source: "flow",
      availablePoints: result.available,
    });
  return { status: 200, repeated: result.outcome === "existing" };
}

/**
 * Whether a Flow action request is Flow's: `X-Shopify-Hmac-Sha256` is the base64 HMAC-SHA256 of the raw body keyed
 * with the app's secret (compared in constant time). The route answers 401 to anything else before reading it.
 */
export function flowSignatureValid(rawBody: string, header: string | null): boolean {
  if (!header) return false;
  const expected = createHmac("sha256", env.SHOPIFY_API_SECRET).update(rawBody, "utf8").digest();
  const given = Buffer.from(header, "base64");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

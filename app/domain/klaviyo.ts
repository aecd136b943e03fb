// What the app keeps on a Klaviyo profile and what it sends as Klaviyo events (docs/klaviyo.md). Pure: the facts come
// from the ledger (models), the wire format is the client's (services/klaviyo-client.server.ts).
import { createHash } from "node:crypto";
import { fromMinorUnits } from "./money";

/** Klaviyo metric names, exactly as flows trigger on them, per ChannelMessage event of channel "klaviyo". */
export const KLAVIYO_METRICS = {
  "tier-changed": "Tier changed",
  "campaign-offer": "Offer issued",
  "points-earned": "Points earned",
  "reward-redeemed": "Reward redeemed",
} as const;
export type KlaviyoEvent = keyof typeof KLAVIYO_METRICS;
export const KLAVIYO_EVENTS = Object.keys(KLAVIYO_METRICS) as KlaviyoEvent[];
export const isKlaviyoEvent = (e: string): e is KlaviyoEvent => Object.hasOwn(KLAVIYO_METRICS, e);

export interface OpenCode {
  code: string;
  source: "campaign" | "reward";
  expiresAt: Date | null;
}

/** One customer's loyalty facts at the sync's moment. Money in minor units. */
export interface ProfileFacts {
  tierKey: string | null;
  tierName: string | null;
  segmentKey: string | null;
  segmentName: string | null;
  pointsAvailable: number | null;
  pointsPending: number | null;
  clv12Minor: bigint | null;
  currency: string;
  openCodes: OpenCode[];
}

/** The profile properties the app owns (all prefixed `loyalty_`, so a merchant's own properties are never touched). */
export function profileProperties(f: ProfileFacts): Record<string, string | number | null | string[] | object[]> {
  const codes = [...f.openCodes].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  return {
    loyalty_tier: f.tierName,
    loyalty_tier_key: f.tierKey,
    loyalty_rfm_segment: f.segmentName,
    loyalty_rfm_segment_key: f.segmentKey,
    loyalty_points_balance: f.pointsAvailable,
    loyalty_points_pending: f.pointsPending,
    // Exact decimal of the minor units (Klaviyo's properties are JSON numbers), with its currency.
    loyalty_predicted_clv_12m: f.clv12Minor === null ? null : Number(fromMinorUnits(f.clv12Minor, f.currency)),
    loyalty_predicted_clv_currency: f.clv12Minor === null ? null : f.currency,
    loyalty_open_offer_codes: codes.map((c) => c.code),
    loyalty_open_offers: codes.map((c) => ({
      code: c.code,
      source: c.source,
      expires_at: c.expiresAt ? c.expiresAt.toISOString() : null,
    })),
  };
}

/** A digest of the properties (keys in a fixed order): equal digests, nothing to send. */
export function propertiesDigest(properties: Record<string, unknown>): string {
  const canonical = JSON.stringify(
    Object.keys(properties)
      .sort()
      .map((k) => [k, properties[k]]),
  );
  return createHash("sha256").update(canonical).digest("base64url").slice(0, 32);
}

/** A code is open while it is unexpired at `at` and not used on an order. */
export function isOpen(code: OpenCode, at: number, used: ReadonlySet<string>): boolean {
  return (code.expiresAt === null || code.expiresAt.getTime() > at) && !used.has(code.code.toUpperCase());
}

/** What an event announces, read back from its source when the row is sent. */
export type KlaviyoEventFacts =
  | {
      event: "tier-changed";
      at: Date;
      fromKey: string | null;
      fromName: string | null;
      toKey: string | null;
      toName: string | null;
    }
  | { event: "campaign-offer"; at: Date; campaign: string; code: string; expiresAt: Date | null; offer: string }
  | { event: "points-earned"; at: Date; points: number; source: string }
  | { event: "reward-redeemed"; at: Date; reward: string; code: string | null; expiresAt: Date | null; points: number };

/** The event's metric, properties and time (when it happened, not when it is sent). */
export function eventPayload(f: KlaviyoEventFacts): {
  metric: string;
  properties: Record<string, unknown>;
  time: Date;
} {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  const metric = KLAVIYO_METRICS[f.event];
  switch (f.event) {
    case "tier-changed":
      return {
        metric,
        time: f.at,
        properties: { from_tier: f.fromName, from_tier_key: f.fromKey, to_tier: f.toName, to_tier_key: f.toKey },
      };
    case "campaign-offer":
      return {
        metric,
        time: f.at,
        properties: { campaign: f.campaign, code: f.code, expires_at: iso(f.expiresAt), offer: f.offer },
      };
    case "points-earned":
      return { metric, time: f.at, properties: { points: f.points, source: f.source } };
    case "reward-redeemed":
      return {
        metric,
        time: f.at,
        properties: { reward: f.reward, code: f.code, expires_at: iso(f.expiresAt), points: f.points },
      };
  }
}

/** Backoff of a failed event send (the row's attempt count): 2 s, 4 s … capped at 10 min. */
export function eventRetryDelayMs(attempts: number): number {
  return Math.min(600_000, 1000 * 2 ** Math.max(1, attempts));
}
/** After this many failed attempts (5xx, timeouts) a row is given up as refused, with its last error. */
export const KLAVIYO_EVENT_MAX_ATTEMPTS = 10;

/** Every property profileProperties writes: what is removed from the profile of a customer who withdrew consent. */
export const LOYALTY_PROPERTY_KEYS = [
  "loyalty_tier",
  "loyalty_tier_key",
  "loyalty_rfm_segment",
  "loyalty_rfm_segment_key",
  "loyalty_points_balance",
  "loyalty_points_pending",
  "loyalty_predicted_clv_12m",
  "loyalty_predicted_clv_currency",
  "loyalty_open_offer_codes",
  "loyalty_open_offers",
] as const;

/** KlaviyoProfile.pendingDigest of a profile whose import job removes the loyalty properties (no digest to accept). */
export const UNSET_DIGEST = "unset";

/**
 * KlaviyoProfile.digest of a customer who gave consent again while Klaviyo may still hold their loyalty properties:
 * equal to no properties' digest (so the next pass sends them all), yet not null (so a withdrawal before that pass
 * still marks the properties for removal).
 */
export const RESEND_DIGEST = "resend";

/**
 * Import jobs in a row that Klaviyo may finish without a profile (its import-errors name it) before the app stops
 * sending that profile; it is tried again once its properties change.
 */
export const KLAVIYO_IMPORT_MAX_FAILURES = 5;
/** How long after a pass that met failed profiles the next one tries them again. */
export const KLAVIYO_IMPORT_RETRY_MS = 60_000;

/**
 * The profile an import error is about, read from the error's `original_payload` (the profile resource as it was
 * sent, or its attributes): its external id (the customer gid) and email. Null fields when the payload does not say.
 */
export function importErrorProfile(originalPayload: unknown): { externalId: string | null; email: string | null } {
  const p = (originalPayload && typeof originalPayload === "object" ? originalPayload : {}) as Record<string, unknown>;
  const attrs = (p.attributes && typeof p.attributes === "object" ? p.attributes : p) as Record<string, unknown>;
  return {
    externalId: typeof attrs.external_id === "string" ? attrs.external_id : null,
    email: typeof attrs.email === "string" ? attrs.email.toLowerCase() : null,
  };
}

/** Shopify's email marketing consent state (customers_email_marketing_consent/update, lower case): only this one consents. */
export const emailConsentSubscribed = (state: string) => state.toLowerCase() === "subscribed";

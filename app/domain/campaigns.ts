// Lifecycle campaigns (issue #10), as pure rules: what a campaign is, the built-in templates, the validation of a
// merchant's input, who is held out (deterministic per customer), the offer's code and how it reads, and the
// audience rules in a form the model's queries apply. The campaign job (app/jobs/campaigns.server.ts) runs them;
// the attribution arithmetic lives in app/domain/campaign-stats.ts.
import { fromMinorUnits, toMinorUnits } from "./money";
import { GRID_SEGMENT_KEYS } from "./segments";
import { parseStoredInsight, validateInsight, type Insight } from "./insights";

export const CAMPAIGN_TEMPLATES = ["welcome", "thank_you", "win_back", "vip_reward", "custom"] as const;
export type CampaignTemplate = (typeof CAMPAIGN_TEMPLATES)[number];

export const CAMPAIGN_STATUSES = ["active", "paused", "archived"] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/**
 * Who a campaign is for.
 * - segment: customers whose RFM segment is one of `segments`.
 * - tier_up: customers whose tier went up (to one of `tiers`, or any higher tier when empty) after the campaign began.
 * - first_order: customers with exactly one qualifying order, placed after the campaign began.
 * - days_since_last_order: customers whose last qualifying order is at least `days` old — once per lapse (they must
 *   order again before this campaign reaches them again).
 * - insight: customers who match an insight now (app/domain/insights.ts: CLV band, likely lost, promotion-only, a
 *   product or product type bought); cooldown decides when they may get it again.
 * - signup: customers who created an account (customers/create) after the campaign began — any time with "include
 *   existing" — and have no qualifying order, optionally only those who accept email marketing; their code works on
 *   their first order only.
 */
export type CampaignAudience =
  | { kind: "segment"; segments: string[] }
  | { kind: "tier_up"; tiers: string[] }
  | { kind: "first_order" }
  | { kind: "days_since_last_order"; days: number }
  | { kind: "insight"; insight: Insight }
  | { kind: "signup"; marketingOnly: boolean };
export const AUDIENCE_KINDS = [
  "segment",
  "tier_up",
  "first_order",
  "days_since_last_order",
  "insight",
  "signup",
] as const;

/** Audiences whose code is for the customer's first order only (withdrawn when a first order comes without it). */
export const firstOrderOnly = (audience: CampaignAudience) => audience.kind === "signup";

/** `entry`: whenever customers newly match (after each scoring); `daily`: once a day. */
export const CAMPAIGN_SCHEDULES = ["entry", "daily"] as const;
export type CampaignSchedule = (typeof CAMPAIGN_SCHEDULES)[number];

/** A unique, single-use code limited to its recipient: percentage off or a fixed amount, expiry, minimum spend. */
export interface CampaignOffer {
  kind: "percentage" | "fixed_amount";
  /** Percent (1–100) for percentage; minor units of the shop currency for fixed_amount. */
  value: number;
  /** Minimum subtotal in minor units; null: none. */
  minimumSubtotalMinor: number | null;
  /** The code is valid for this many days after it is issued. */
  expiryDays: number;
}

export interface CampaignDefinition {
  name: string;
  template: CampaignTemplate;
  audience: CampaignAudience;
  /** Segment audiences: whether customers already in the segments when the campaign starts are included. */
  includeExisting: boolean;
  schedule: CampaignSchedule;
  offer: CampaignOffer;
  /** Share of matching customers held out (get nothing, are recorded, and are the comparison group), 0–50 %. */
  holdoutPercent: number;
  /** A customer gets this campaign at most once in this many days. */
  cooldownDays: number;
  /** Codes start with this, then a random part: WINBACK-7KQ2M9XD. */
  codePrefix: string;
}

export const CAMPAIGN_LIMITS = {
  nameMaxLength: 80,
  percentMax: 100,
  expiryDaysMax: 365,
  holdoutPercentMax: 50,
  cooldownDaysMax: 3650,
  daysSinceMax: 3650,
  codePrefixMaxLength: 20,
} as const;
export const CAMPAIGN_CODE_PREFIX_PATTERN = /^[A-Z0-9-]{0,20}$/;

/** The built-in templates (the seeds' lifecycle plays), with offers a merchant can start from and edit. */
export function campaignTemplate(template: Exclude<CampaignTemplate, "custom">, currency: string): CampaignDefinition {
  const major = (amount: string) => toMinorUnits(amount, currency);
  switch (template) {
    case "welcome":
      return {
        name: "Welcome",
        template,
        audience: { kind: "signup", marketingOnly: false },
        includeExisting: false,
        schedule: "entry",
        offer: { kind: "percentage", value: 10, minimumSubtotalMinor: null, expiryDays: 30 },
        holdoutPercent: 10,
        // Once per customer: a sign-up is welcomed once.
        cooldownDays: 3650,
        codePrefix: "WELCOME-",
      };
    case "thank_you":
      return {
        name: "Thank you – next purchase",
        template,
        audience: { kind: "first_order" },
        includeExisting: false,
        schedule: "entry",
        offer: { kind: "percentage", value: 15, minimumSubtotalMinor: null, expiryDays: 60 },
        holdoutPercent: 10,
        cooldownDays: 3650,
        codePrefix: "THANKS-",
      };
    case "win_back":
      return {
        name: "Win-back",
        template,
        audience: { kind: "segment", segments: ["at_risk", "cant_lose", "hibernating"] },
        includeExisting: true,
        schedule: "daily",
        offer: { kind: "fixed_amount", value: major("10"), minimumSubtotalMinor: major("50"), expiryDays: 30 },
        holdoutPercent: 10,
        cooldownDays: 90,
        codePrefix: "COMEBACK-",
      };
    case "vip_reward":
      return {
        name: "VIP reward",
        template,
        audience: { kind: "tier_up", tiers: [] },
        includeExisting: false,
        schedule: "entry",
        offer: { kind: "percentage", value: 20, minimumSubtotalMinor: null, expiryDays: 45 },
        holdoutPercent: 10,
        cooldownDays: 180,
        codePrefix: "VIP-",
      };
  }
}

// ---- Validation ------------------------------------------------------------------------------------------------

export interface CampaignIssue {
  path: string[];
  /** i18n key under campaigns.rules */
  key: string;
  message: string;
  params?: Record<string, string | number>;
}
export type CampaignValidation = { ok: true; campaign: CampaignDefinition } | { ok: false; issues: CampaignIssue[] };

/** The form's raw input: every value as the browser sent it (text), money in major units of the shop currency. */
export interface CampaignFormInput {
  name?: unknown;
  template?: unknown;
  audienceKind?: unknown;
  segments?: unknown; // string[]
  tiers?: unknown; // string[]
  days?: unknown;
  insight?: unknown;
  insightProduct?: unknown; // product gid
  insightProductType?: unknown;
  signupMarketingOnly?: unknown; // sign-ups: only those who accept email marketing ("on")
  includeExisting?: unknown;
  schedule?: unknown;
  offerKind?: unknown;
  offerValue?: unknown; // percent, or an amount in major units
  minimumSubtotal?: unknown; // major units, empty: none
  expiryDays?: unknown;
  holdoutPercent?: unknown;
  cooldownDays?: unknown;
  codePrefix?: unknown;
}

const text = (v: unknown) => (typeof v === "string" ? v.trim() : "");

/** Validates a campaign as the merchant entered it; `tierKeys` are the active programme's tiers. */
export function validateCampaign(
  input: CampaignFormInput,
  { currency, tierKeys }: { currency: string; tierKeys: readonly string[] },
): CampaignValidation {
  const issues: CampaignIssue[] = [];
  const issue = (path: string, key: string, message: string, params?: Record<string, string | number>) =>
    issues.push({ path: [path], key, message, params });

  const integer = (field: string, value: unknown, min: number, max: number): number => {
    const raw = text(value);
    if (!/^\d+$/.test(raw)) {
      issue(field, "whole_number", "Enter a whole number.");
      return min;
    }
    const n = Number(raw);
    if (n < min || n > max) issue(field, "range", `Enter a number from ${min} to ${max}.`, { min, max });
    return n;
  };
  const money = (field: string, value: unknown, { required }: { required: boolean }): number | null => {
    const raw = text(value);
    if (raw === "") {
      if (required) issue(field, "required", "This field is required.");
      return null;
    }
    try {
      if (!/^\d+(\.\d+)?$/.test(raw)) throw new Error("not an amount");
      const minor = toMinorUnits(raw, currency);
      if (minor <= 0) issue(field, "positive", "Enter an amount greater than zero.");
      return minor;
    } catch {
      issue(field, "amount", "Enter an amount such as 10 or 10.50 in the shop's currency.", { currency });
      return null;
    }
  };

  const name = text(input.name);
  if (name === "") issue("name", "required", "This field is required.");
  else if (Array.from(name).length > CAMPAIGN_LIMITS.nameMaxLength)
    issue("name", "too_long", `At most ${CAMPAIGN_LIMITS.nameMaxLength} characters.`, {
      max: CAMPAIGN_LIMITS.nameMaxLength,
    });

  const template = (CAMPAIGN_TEMPLATES as readonly string[]).includes(text(input.template))
    ? (text(input.template) as CampaignTemplate)
    : "custom";

  let audience: CampaignAudience = { kind: "first_order" };
  const list = (v: unknown) =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : typeof v === "string" && v ? [v] : [];
  switch (text(input.audienceKind)) {
    case "segment": {
      const segments = [...new Set(list(input.segments))];
      if (segments.length === 0) issue("segments", "choose_segment", "Choose at least one segment.");
      else if (segments.some((s) => !(GRID_SEGMENT_KEYS as readonly string[]).includes(s)))
        issue("segments", "unknown_segment", "Unknown segment.");
      audience = { kind: "segment", segments };
      break;
    }
    case "tier_up": {
      const tiers = [...new Set(list(input.tiers))];
      if (tiers.some((t) => !tierKeys.includes(t))) issue("tiers", "unknown_tier", "Unknown tier.");
      audience = { kind: "tier_up", tiers };
      break;
    }
    case "first_order":
      audience = { kind: "first_order" };
      break;
    case "signup":
      audience = {
        kind: "signup",
        marketingOnly: [true, "true", "on"].includes(input.signupMarketingOnly as string | boolean),
      };
      break;
    case "days_since_last_order":
      audience = { kind: "days_since_last_order", days: integer("days", input.days, 1, CAMPAIGN_LIMITS.daysSinceMax) };
      break;
    case "insight": {
      const checked = validateInsight({
        insight: input.insight,
        product: input.insightProduct,
        productType: input.insightProductType,
      });
      if (checked.ok) audience = { kind: "insight", insight: checked.insight };
      else issues.push(...checked.issues);
      break;
    }
    default:
      issue("audienceKind", "choose", "Choose who the campaign is for.");
  }

  const schedule = text(input.schedule);
  if (!(CAMPAIGN_SCHEDULES as readonly string[]).includes(schedule))
    issue("schedule", "choose", "Choose when the campaign runs.");

  const offerKind = text(input.offerKind);
  let offerValue = 0;
  if (offerKind === "percentage") offerValue = integer("offerValue", input.offerValue, 1, CAMPAIGN_LIMITS.percentMax);
  else if (offerKind === "fixed_amount") offerValue = money("offerValue", input.offerValue, { required: true }) ?? 0;
  else issue("offerKind", "choose", "Choose the kind of offer.");
  const minimumSubtotalMinor = money("minimumSubtotal", input.minimumSubtotal, { required: false });

  const expiryDays = integer("expiryDays", input.expiryDays, 1, CAMPAIGN_LIMITS.expiryDaysMax);
  const holdoutPercent = integer("holdoutPercent", input.holdoutPercent, 0, CAMPAIGN_LIMITS.holdoutPercentMax);
  const cooldownDays = integer("cooldownDays", input.cooldownDays, 1, CAMPAIGN_LIMITS.cooldownDaysMax);

  const codePrefix = text(input.codePrefix).toUpperCase();
  if (!CAMPAIGN_CODE_PREFIX_PATTERN.test(codePrefix))
    issue("codePrefix", "code_prefix", "Use at most 20 letters A–Z, digits and hyphens.", {
      max: CAMPAIGN_LIMITS.codePrefixMaxLength,
    });

  if (issues.length) return { ok: false, issues };
  return {
    ok: true,
    campaign: {
      name,
      template,
      audience,
      includeExisting:
        input.includeExisting === true || input.includeExisting === "true" || input.includeExisting === "on",
      schedule: schedule as CampaignSchedule,
      offer: { kind: offerKind as CampaignOffer["kind"], value: offerValue, minimumSubtotalMinor, expiryDays },
      holdoutPercent,
      cooldownDays,
      codePrefix,
    },
  };
}

/** The form's values for a campaign (the inverse of validateCampaign's parsing), money in major units. */
export function campaignFormValues(c: CampaignDefinition, currency: string) {
  return {
    name: c.name,
    template: c.template,
    audienceKind: c.audience.kind,
    segments: c.audience.kind === "segment" ? c.audience.segments : [],
    tiers: c.audience.kind === "tier_up" ? c.audience.tiers : [],
    days: c.audience.kind === "days_since_last_order" ? String(c.audience.days) : "60",
    insight: c.audience.kind === "insight" ? c.audience.insight.key : "promotion_only",
    insightProduct:
      c.audience.kind === "insight" && c.audience.insight.key === "product" ? c.audience.insight.productId : "",
    insightProductType:
      c.audience.kind === "insight" && c.audience.insight.key === "product_type" ? c.audience.insight.productType : "",
    includeExisting: c.includeExisting,
    signupMarketingOnly: c.audience.kind === "signup" && c.audience.marketingOnly,
    schedule: c.schedule,
    offerKind: c.offer.kind,
    offerValue: c.offer.kind === "percentage" ? String(c.offer.value) : fromMinorUnits(c.offer.value, currency),
    minimumSubtotal:
      c.offer.minimumSubtotalMinor === null ? "" : fromMinorUnits(c.offer.minimumSubtotalMinor, currency),
    expiryDays: String(c.offer.expiryDays),
    holdoutPercent: String(c.holdoutPercent),
    cooldownDays: String(c.cooldownDays),
    codePrefix: c.codePrefix,
  };
}

// ---- Holdout, codes, eligibility ------------------------------------------------------------------------------

/**
 * Whether a customer is in the campaign's holdout: a hash of campaign and customer, so every rerun (and every
 * process) agrees, and the share converges on `holdoutPercent` without any state.
 */
export function inHoldout(campaignId: string, customerId: string, holdoutPercent: number): boolean {
  if (holdoutPercent <= 0) return false;
  return holdoutBucket(`${campaignId}\u0000${customerId}`) < holdoutPercent / 100;
}

/** A uniform number in [0, 1) from a text: 32-bit FNV-1a, then murmur3's finaliser to spread similar ids apart. */
export function holdoutBucket(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}

/** Letters and digits that cannot be mistaken for one another when read aloud or typed (no 0/O, 1/I/L). */
const CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
export const CODE_RANDOM_LENGTH = 10;

/** A new code: the campaign's prefix and 10 random characters (~49 bits: collisions are for Shopify to refuse). */
export function campaignCode(prefix: string, randomBytes: (n: number) => Uint8Array): string {
  const bytes = randomBytes(CODE_RANDOM_LENGTH);
  let out = prefix;
  for (const b of bytes) out += CODE_ALPHABET[b % CODE_ALPHABET.length];
  return out;
}

const DAY_MS = 86_400_000;

/** When a code issued at `issuedAt` stops working. */
export function offerExpiresAt(offer: CampaignOffer, issuedAt: Date): Date {
  return new Date(issuedAt.getTime() + offer.expiryDays * DAY_MS);
}

/** Whether a customer last assigned to this campaign at `lastAssignedAt` may be assigned again at `now`. */
export function cooledDown(lastAssignedAt: Date | null, cooldownDays: number, now: Date): boolean {
  return lastAssignedAt === null || now.getTime() - lastAssignedAt.getTime() >= cooldownDays * DAY_MS;
}

/** A daily campaign runs once per UTC day; an entry campaign on every run. */
export function dueToday(schedule: CampaignSchedule, lastRunAt: Date | null, now: Date): boolean {
  if (schedule === "entry" || lastRunAt === null) return true;
  return Math.floor(lastRunAt.getTime() / DAY_MS) < Math.floor(now.getTime() / DAY_MS);
}

/** The offer as the shopper reads it, in the app-owned metafield and the Flow trigger: "15%" or "10.00 USD". */
export function offerText(offer: CampaignOffer, currency: string): string {
  return offer.kind === "percentage" ? `${offer.value}%` : `${fromMinorUnits(offer.value, currency)} ${currency}`;
}

/** Tier moves that count as "up" for a tier_up audience, given the programme's tier order (lowest first). */
export function isTierUp(
  audience: Extract<CampaignAudience, { kind: "tier_up" }>,
  order: readonly string[],
  from: string | null,
  to: string | null,
): boolean {
  if (to === null) return false;
  const rank = (k: string | null) => (k === null ? -1 : order.indexOf(k));
  if (rank(to) <= rank(from)) return false;
  // "Joining" the lowest tier is a first order, not a step up the programme.
  if (from === null && rank(to) === 0) return false;
  return audience.tiers.length === 0 || audience.tiers.includes(to);
}

export function parseAudience(json: string): CampaignAudience {
  const a = JSON.parse(json) as CampaignAudience;
  if (!(AUDIENCE_KINDS as readonly string[]).includes(a.kind)) throw new Error(`unknown audience ${json}`);
  if (a.kind === "insight") return { kind: "insight", insight: parseStoredInsight(a.insight) };
  if (a.kind === "signup") return { kind: "signup", marketingOnly: a.marketingOnly === true };
  return a;
}

// What the app writes back to Shopify for one customer (docs/rules.md#sync), as pure
// functions: the tags a state asks for under the app's prefixes, the difference to what was last written, the two
// app-owned metafields, and the settings' validation. The sync job (app/jobs/sync.server.ts) sends the differences.
import { fromMinorUnits } from "./money";
import { balancesAt, type PointsEntryValues } from "./points";
import { DAY_MS } from "./time";
import { perkLocale, programShopperPerks, shopperPerks, type ShopperPerks } from "./perks";
import { NO_PERKS, type TierProgram } from "./tiers";

/** Shopify's limits on customer tags. */
export const MAX_TAGS = 250;
export const MAX_TAG_LENGTH = 255;
export const PREFIX_MAX_LENGTH = 40;

export interface SyncSettings {
  /** Tag prefix for the RFM segment (`rfm:champions`); null: no segment tags. */
  rfmPrefix: string | null;
  /** Tag prefix for the tier (`tier:gold`); null: no tier tags. */
  tierPrefix: string | null;
  /**
   * Tag prefix for the customer's insights (`insight:promotion_only`, app/domain/insights.ts); null or absent: none
   * (the default: the merchant asks for them).
   */
  insightPrefix?: string | null;
  /** Whether the tier metafields are written (the storefront reads them). */
  metafields: boolean;
  /** Whether each tier gets a Shopify customer segment (selecting its tier tag, so tier tags must be on). */
  segments: boolean;
  /** Whether a tier with a discount perk gets a discount code limited to its segment (segments must be on). */
  codes: boolean;
  /** Name of the Shopify customer segment of a tier: this prefix and the tier's name ("Loyalty tier: Gold"). */
  segmentNamePrefix: string;
  /** A tier discount code is this prefix, the tier key in capitals and the percent: "GOLD-10". */
  codePrefix: string;
}

export const DEFAULT_SYNC_SETTINGS: SyncSettings = {
  rfmPrefix: "rfm:",
  tierPrefix: "tier:",
  insightPrefix: null,
  metafields: true,
  segments: true,
  codes: true,
  segmentNamePrefix: "Loyalty tier: ",
  codePrefix: "",
};
/** The settings a shop starts with, in its storefront's language (a Thai shop's segments are named in Thai). */
export function defaultSyncSettings(locale: string | null = null): SyncSettings {
  return (locale ?? "").toLowerCase().startsWith("th")
    ? { ...DEFAULT_SYNC_SETTINGS, segmentNamePrefix: "ระดับสมาชิก: " }
    : { ...DEFAULT_SYNC_SETTINGS };
}

export const CODE_PREFIX_PATTERN = /^[A-Z0-9_-]{0,20}$/;
export const SEGMENT_NAME_PREFIX_MAX_LENGTH = 60;

/** The Shopify segment query that selects a tier's customers: its tag. */
export function tierSegmentQuery(tierPrefix: string, tierKey: string): string {
  return `customer_tags CONTAINS '${tierPrefix}${tierKey}'`;
}

/** The state a sync needs of a customer (a subset of CustomerState). */
export interface SyncState {
  customerId: string;
  segment: string;
  tier: string | null;
  spendInWindowMinor: number | null;
  nextTier: string | null;
  amountToNextMinor: number | null;
  tierExpiresAt: number | null;
  /** The customer's tagged insights (TAGGED_INSIGHTS keys); read only when insight tags are on. */
  insights?: readonly string[];
}

/** The app-reserved namespace and keys of the customer metafields (declared in shopify.app.toml). */
export const METAFIELD_NAMESPACE = "$app";
export const TIER_METAFIELD = { key: "tier", type: "single_line_text_field" } as const;
export const STATUS_METAFIELD = { key: "status", type: "json" } as const;
/** The customer's points (PointsStatusJson): its own metafield, so shops and customers without points write as before. */
export const POINTS_METAFIELD = { key: "points", type: "json" } as const;

/** Tags are compared as Shopify does: without regard to case. */
const fold = (tag: string) => tag.toLowerCase();

/** The app's tags for a state under the settings: one per enabled prefix (no tier: no tier tag). */
export function desiredTags(state: Pick<SyncState, "segment" | "tier" | "insights">, settings: SyncSettings): string[] {
  const tags: string[] = [];
  if (settings.rfmPrefix !== null) tags.push(`${settings.rfmPrefix}${state.segment}`);
  if (settings.tierPrefix !== null && state.tier !== null) tags.push(`${settings.tierPrefix}${state.tier}`);
  if (settings.insightPrefix) for (const key of state.insights ?? []) tags.push(`${settings.insightPrefix}${key}`);
  return tags;
}

/** Whether a tag lies under one of the app's prefixes (enabled ones, and those of earlier settings passed in). */
export function underPrefixes(tag: string, prefixes: readonly string[]): boolean {
  const t = fold(tag);
  return prefixes.some((p) => t.startsWith(fold(p)));
}

export interface TagChange {
  add: string[];
  remove: string[];
}

/**
 * What to send so the customer carries `desired` of the app's tags. `synced` are the tags the app wrote and still
 * owns; `foreign` the tags under the app's prefixes the customer already had before the app wrote any: those are the
 * merchant's, never removed, and not re-added. `pending` are tags the app sent to add without learning the outcome
 * (the process or the answer lost): Shopify may hold them, so they are the app's to remove, and added again if still
 * wanted (adding a tag twice is a no-op; so is removing one Shopify does not hold). Only the app's own tags are ever
 * removed.
 */
export function tagChange(
  desired: readonly string[],
  synced: readonly string[],
  foreign: readonly string[],
  pending: readonly string[] = [],
): TagChange {
  const want = new Set(desired.map(fold));
  const have = new Set(synced.map(fold));
  const theirs = new Set(foreign.map(fold));
  const claimed = new Map<string, string>();
  for (const t of pending)
    if (!have.has(fold(t)) && !theirs.has(fold(t)) && !claimed.has(fold(t))) claimed.set(fold(t), t);
  return {
    add: desired.filter((t) => !have.has(fold(t)) && !theirs.has(fold(t))),
    remove: [...synced, ...claimed.values()].filter((t) => !want.has(fold(t))),
  };
}

/** The app's tags after a change was applied. */
export function tagsAfter(synced: readonly string[], change: TagChange): string[] {
  const removed = new Set(change.remove.map(fold));
  return [...synced.filter((t) => !removed.has(fold(t))), ...change.add];
}

export interface TierMetafields {
  tier: string;
  /** JSON text of TierStatusJson. */
  status: string;
}

/** The storefront's view of a shopper's tier (the `status` metafield). Money as decimal strings, times ISO-8601. */
export interface TierStatusJson {
  tier: string;
  tier_name: string;
  spend_in_window: string;
  next_tier: string | null;
  next_tier_name: string | null;
  amount_to_next: string | null;
  expires_at: string | null;
  currency: string;
  /** What the tier gives, in the shop's language (domain/perks.ts). */
  perks: ShopperPerks;
  /** What the next tier would give; null at the top. */
  next_perks: ShopperPerks | null;
}

/**
 * The two metafields for a state, or null when the customer has no tier (nothing is stored for them). Perk texts are
 * in the shop's language (`locale`, e.g. "th"), and the codes are those the settings give.
 */
export function tierMetafields(
  state: SyncState,
  program: TierProgram,
  currency: string,
  {
    settings = DEFAULT_SYNC_SETTINGS,
    locale = null,
    perks = programShopperPerks(program, settings, currency, perkLocale(locale)),
  }: { settings?: SyncSettings; locale?: string | null; perks?: Map<string, ShopperPerks> } = {},
): TierMetafields | null {
  if (state.tier === null) return null;
  const name = (key: string | null) => (key === null ? null : (program.tiers.find((t) => t.key === key)?.name ?? key));
  const perksOf = (key: string | null) => (key === null ? null : (perks.get(key) ?? null));
  const money = (minor: number | null) => (minor === null ? null : fromMinorUnits(minor, currency));
  const status: TierStatusJson = {
    tier: state.tier,
    tier_name: name(state.tier)!,
    spend_in_window: money(state.spendInWindowMinor ?? 0)!,
    next_tier: state.nextTier,
    next_tier_name: name(state.nextTier),
    amount_to_next: money(state.amountToNextMinor),
    expires_at: state.tierExpiresAt === null ? null : new Date(state.tierExpiresAt).toISOString(),
    currency,
    perks:
      perksOf(state.tier) ??
      shopperPerks(
        { key: state.tier, name: state.tier, threshold: 0, minOrders: null, perks: NO_PERKS },
        settings,
        currency,
        perkLocale(locale),
      ),
    next_perks: perksOf(state.nextTier),
  };
  return { tier: state.tier, status: JSON.stringify(status) };
}

/** One text for the tier metafields as written (what the sync compares with what it last wrote); null for none. */
export function metafieldsDigest(values: TierMetafields | null): string | null {
  return values === null ? null : `${values.tier}\n${values.status}`;
}

// ---- Points for the storefront (the `points` metafield) ----------------------------------------------------------

/** Points expiring within this many days of the sync are shown as "expiring soon". */
export const POINTS_EXPIRY_WARNING_DAYS = 30;

/**
 * The storefront's view of a shopper's points (the `points` metafield), as of the sync: whole points, ISO-8601 UTC
 * times. `next_available`: the earliest moment pending points become available and how many; `expiring`: the points
 * that expire within POINTS_EXPIRY_WARNING_DAYS and the first instant they do (00:00 of the shop's local day).
 */
export interface PointsStatusJson {
  available: number;
  pending: number;
  next_available: { points: number; at: string } | null;
  expiring: { points: number; at: string } | null;
  /** Active rewards the available balance pays for now. */
  rewards_affordable: number;
  /** The cheapest active reward the available balance does not pay for yet, and the points still needed; null: none. */
  next_reward: { title: string; points_price: number; points_needed: number } | null;
}

/** A reward as the storefront's points JSON names it (active rewards only). */
export interface StatusReward {
  title: string;
  pointsPrice: number;
}

/**
 * What the available balance affords in `rewards` (active ones) and the next reward to save for: the cheapest price
 * above the balance (ties: the title first in code-point order, so the choice does not depend on the list's order).
 */
export function rewardsProgress(
  available: number,
  rewards: readonly StatusReward[],
): Pick<PointsStatusJson, "rewards_affordable" | "next_reward"> {
  let next: StatusReward | null = null;
  let affordable = 0;
  for (const r of rewards) {
    if (r.pointsPrice <= available) affordable += 1;
    else if (!next || r.pointsPrice < next.pointsPrice || (r.pointsPrice === next.pointsPrice && r.title < next.title))
      next = r;
  }
  return {
    rewards_affordable: affordable,
    next_reward: next
      ? { title: next.title, points_price: next.pointsPrice, points_needed: next.pointsPrice - Math.max(0, available) }
      : null,
  };
}

/**
 * The points JSON of a customer as of `asOf` from their journal as held; null for a customer without a journal
 * (nothing is stored for them). `upcoming` are the expiry entries the rules will write after asOf if the ledger does
 * not change (the target journal as of asOf + the warning window, less what is held): those up to the window count as
 * expiring soon.
 */
export function pointsStatus(
  held: readonly PointsEntryValues[],
  asOf: number,
  upcoming: readonly Pick<PointsEntryValues, "kind" | "points" | "effectiveAt">[] = [],
  warningDays = POINTS_EXPIRY_WARNING_DAYS,
  rewards: readonly StatusReward[] = [],
): PointsStatusJson | null {
  if (held.length === 0) return null;
  const balance = balancesAt(held, asOf);
  // Pending points by the moment they become available (an order and the refunds taken from its pending points
  // share it); the first moment whose points add up to more than nothing.
  const byMoment = new Map<number, number>();
  for (const e of held)
    if (e.kind !== "loss" && e.effectiveAt <= asOf && e.availableAt > asOf)
      byMoment.set(e.availableAt, (byMoment.get(e.availableAt) ?? 0) + e.points);
  const next = [...byMoment].sort(([a], [b]) => a - b).find(([, points]) => points > 0);
  const expiries = upcoming.filter(
    (e) => e.kind === "expiry" && e.effectiveAt > asOf && e.effectiveAt <= asOf + warningDays * DAY_MS,
  );
  const expiringPoints = -expiries.reduce((sum, e) => sum + e.points, 0);
  return {
    available: balance.available,
    pending: balance.pending,
    next_available: next ? { points: next[1], at: new Date(next[0]).toISOString() } : null,
    expiring:
      expiringPoints > 0
        ? { points: expiringPoints, at: new Date(Math.min(...expiries.map((e) => e.effectiveAt))).toISOString() }
        : null,
    ...rewardsProgress(balance.available, rewards),
  };
}

/** The `points` metafield's text for a customer; null: none. */
export function pointsMetafield(status: PointsStatusJson | null): string | null {
  return status === null ? null : JSON.stringify(status);
}

/** What the app writes to a customer's metafields: the tier pair and the points JSON, each null for none. */
export interface StorefrontMetafields {
  tier: TierMetafields | null;
  points: string | null;
}

const POINTS_MARK = "\npoints\n";

/**
 * One text for everything the app's metafields hold (CustomerSync.metafields). A customer without points has exactly
 * the tier digest of before (metafieldsDigest), so a shop without points writes nothing new; the points JSON follows
 * a `points` line. null: nothing written.
 */
export function storefrontDigest(values: StorefrontMetafields): string | null {
  return joinStorefrontDigest({ tier: metafieldsDigest(values.tier), points: values.points });
}

/** A storefrontDigest from its parts: the tier digest (metafieldsDigest) and the points text. */
export function joinStorefrontDigest({ tier, points }: { tier: string | null; points: string | null }): string | null {
  return points === null ? tier : `${tier ?? ""}${POINTS_MARK}${points}`;
}

/** The two parts of a storefrontDigest: the tier digest and the points text, each null for none. */
export function splitStorefrontDigest(digest: string | null): { tier: string | null; points: string | null } {
  // A recommendations part (withRecommendationsDigest) follows everything else: it is not the tier's or the points'.
  digest = splitRecommendationsDigest(digest).rest;
  if (digest === null) return { tier: null, points: null };
  // Neither a tier key nor JSON text holds a newline: the mark is the digest's last line but one.
  const cut = digest.lastIndexOf(POINTS_MARK);
  if (cut === -1) return { tier: digest, points: null };
  return { tier: cut === 0 ? null : digest.slice(0, cut), points: digest.slice(cut + POINTS_MARK.length) };
}

// ---- Recommendations for the storefront (the `recommendations` metafield) -----------------------------------------

/**
 * The products recommended to the customer (docs/recommendations.md): a list of product references,
 * best first, so Liquid reads `customer.metafields.app.recommendations.value` as product objects. Its own metafield:
 * a customer without recommendations has none, and a shop without them writes nothing new.
 */
export const RECOMMENDATIONS_METAFIELD = { key: "recommendations", type: "list.product_reference" } as const;
/** At most this many products are written (the block shows up to its own setting, at most this). */
export const RECOMMENDATIONS_WRITTEN_MAX = 8;

/**
 * The recommendations metafield's value for a customer: a JSON array of product gids (those given, already reduced to
 * products the storefront can show: domain/recommendation-delivery.ts), at most RECOMMENDATIONS_WRITTEN_MAX, no
 * repeats; null: none (the metafield is deleted or never written).
 */
export function recommendationsMetafield(products: readonly string[]): string | null {
  const unique = [...new Set(products)].slice(0, RECOMMENDATIONS_WRITTEN_MAX);
  return unique.length === 0 ? null : JSON.stringify(unique);
}

const RECOMMENDATIONS_MARK = "\nrecommendations\n";

/**
 * A storefront digest (storefrontDigest) with the recommendations text after everything else, behind a
 * `recommendations` line. Without recommendations the digest is exactly the one before, so nothing is rewritten for
 * customers who have none.
 */
export function withRecommendationsDigest(digest: string | null, recommendations: string | null): string | null {
  return recommendations === null ? digest : `${digest ?? ""}${RECOMMENDATIONS_MARK}${recommendations}`;
}

/** A digest's recommendations text and the rest (tier and points), each null for none. */
export function splitRecommendationsDigest(digest: string | null): {
  rest: string | null;
  recommendations: string | null;
} {
  if (digest === null) return { rest: null, recommendations: null };
  // The JSON array of gids holds no newline: the mark is the digest's last line but one.
  const cut = digest.lastIndexOf(RECOMMENDATIONS_MARK);
  if (cut === -1) return { rest: digest, recommendations: null };
  return {
    rest: cut === 0 ? null : digest.slice(0, cut),
    recommendations: digest.slice(cut + RECOMMENDATIONS_MARK.length),
  };
}

export interface SyncSettingsIssue {
  path: string[];
  key: string;
  message: string;
  params?: Record<string, string | number>;
}

export type SyncSettingsValidation = { ok: true; settings: SyncSettings } | { ok: false; issues: SyncSettingsIssue[] };

/**
 * Checks tag prefixes as the admin submits them: blank turns the tags off; otherwise 1–40 characters, no comma
 * (Shopify splits tags on commas), no leading or trailing space, and the two prefixes must not overlap (one cannot
 * start with the other, or the app could not tell its segment tags from its tier tags).
 */
export function validateSyncSettings(input: {
  rfmPrefix?: unknown;
  tierPrefix?: unknown;
  insightPrefix?: unknown;
  metafields?: unknown;
  segments?: unknown;
  codes?: unknown;
  segmentNamePrefix?: unknown;
  codePrefix?: unknown;
}): SyncSettingsValidation {
  const issues: SyncSettingsIssue[] = [];
  const prefix = (field: "rfmPrefix" | "tierPrefix" | "insightPrefix"): string | null => {
    const value = input[field];
    if (value === null || value === undefined || (typeof value === "string" && value.trim() === "")) return null;
    if (typeof value !== "string") {
      issues.push({
        path: [field],
        key: "field.invalid_type",
        message: "This field must be text.",
        params: { expected: "string" },
      });
      return null;
    }
    if (value !== value.trim()) {
      issues.push({
        path: [field],
        key: "sync.prefix.spaces",
        message: "A tag prefix cannot start or end with a space.",
      });
    } else if (value.includes(",")) {
      issues.push({ path: [field], key: "sync.prefix.comma", message: "A tag prefix cannot contain a comma." });
    } else if (/['"\\]/.test(value)) {
      // The tier's customer segment selects it by a quoted tag in Shopify's segment query language.
      issues.push({
        path: [field],
        key: "sync.prefix.quote",
        message: "A tag prefix cannot contain quotes or backslashes.",
      });
    } else if (Array.from(value).length > PREFIX_MAX_LENGTH) {
      issues.push({
        path: [field],
        key: "sync.prefix.too_long",
        message: `A tag prefix can be at most ${PREFIX_MAX_LENGTH} characters.`,
        params: { max: PREFIX_MAX_LENGTH },
      });
    }
    return value;
  };
  const rfmPrefix = prefix("rfmPrefix");
  const tierPrefix = prefix("tierPrefix");
  const insightPrefix = prefix("insightPrefix");
  // Insight tags must be told apart from the segment and tier tags, like those two from each other.
  const overlaps = (a: string | null, b: string | null) =>
    a !== null && b !== null && (fold(a).startsWith(fold(b)) || fold(b).startsWith(fold(a)));
  if (
    insightPrefix !== null &&
    !issues.some((i) => i.path[0] === "insightPrefix") &&
    (overlaps(insightPrefix, rfmPrefix) || overlaps(insightPrefix, tierPrefix))
  ) {
    issues.push({
      path: ["insightPrefix"],
      key: "sync.prefix.insight_overlap",
      message:
        "The insight prefix must differ from the segment and tier prefixes, and neither may start with the other.",
    });
  }
  if (
    rfmPrefix !== null &&
    tierPrefix !== null &&
    (fold(rfmPrefix).startsWith(fold(tierPrefix)) || fold(tierPrefix).startsWith(fold(rfmPrefix)))
  ) {
    issues.push({
      path: ["tierPrefix"],
      key: "sync.prefix.overlap",
      message: "The segment and tier prefixes must differ, and neither may start with the other.",
    });
  }
  const flag = (field: "metafields" | "segments" | "codes") => {
    const value = input[field] === undefined ? DEFAULT_SYNC_SETTINGS[field] : input[field];
    if (typeof value !== "boolean") {
      issues.push({
        path: [field],
        key: "field.invalid_type",
        message: "This field must be on or off.",
        params: { expected: "boolean" },
      });
    }
    return value as boolean;
  };
  const metafields = flag("metafields");
  const segments = flag("segments");
  const codes = flag("codes");
  if (segments === true && tierPrefix === null && input.tierPrefix !== undefined) {
    issues.push({
      path: ["segments"],
      key: "sync.segments.need_tier_tags",
      message: "Tier segments select customers by their tier tag: turn tier tags on, or segments off.",
    });
  }
  if (codes === true && segments === false) {
    issues.push({
      path: ["codes"],
      key: "sync.codes.need_segments",
      message: "Tier discount codes are limited to the tier's segment: turn segments on, or codes off.",
    });
  }
  const segmentNamePrefix =
    input.segmentNamePrefix === undefined ? DEFAULT_SYNC_SETTINGS.segmentNamePrefix : input.segmentNamePrefix;
  if (typeof segmentNamePrefix !== "string") {
    issues.push({
      path: ["segmentNamePrefix"],
      key: "field.invalid_type",
      message: "This field must be text.",
      params: { expected: "string" },
    });
  } else if (Array.from(segmentNamePrefix).length > SEGMENT_NAME_PREFIX_MAX_LENGTH) {
    issues.push({
      path: ["segmentNamePrefix"],
      key: "sync.segment_name_prefix.too_long",
      message: `The segment name prefix can be at most ${SEGMENT_NAME_PREFIX_MAX_LENGTH} characters.`,
      params: { max: SEGMENT_NAME_PREFIX_MAX_LENGTH },
    });
  }
  const codePrefix = input.codePrefix === undefined ? DEFAULT_SYNC_SETTINGS.codePrefix : input.codePrefix;
  if (typeof codePrefix !== "string" || !CODE_PREFIX_PATTERN.test(codePrefix)) {
    issues.push({
      path: ["codePrefix"],
      key: "sync.code_prefix.invalid",
      message: "The code prefix can hold up to 20 capital letters, digits, dashes and underscores.",
      params: { max: 20 },
    });
  }
  return issues.length
    ? { ok: false, issues }
    : {
        ok: true,
        settings: {
          rfmPrefix,
          tierPrefix,
          insightPrefix,
          metafields,
          segments,
          codes,
          segmentNamePrefix: segmentNamePrefix as string,
          codePrefix: codePrefix as string,
        },
      };
}

// The shoppers' loyalty page (docs/rules.md#loyalty-page) as data: what a guest or a signed-in customer is shown,
// built from the shop's programme, its sync settings (which perks exist in Shopify), the customer's stored state, their
// open campaign offers and their tier moves. Pure: the caller reads the rows and gives `now`; app/storefront renders it.
import type { CampaignOffer } from "./campaigns";
import type { CustomerStateValues } from "./customer-state";
import type { ShownProduct } from "./recommendation-delivery";
import { perkLocale, shopperPerks, type PerkLocale, type PerkSettings, type ShopperPerks } from "./perks";
import type { ShopperPointsSection } from "./shopper-points";
import type { MemberReferralView } from "./referrals";
import type { LineLinkView } from "./line-login";
import type { TierProgram, TierWindow } from "./tiers";

/** A tier expiring within this many days is shown as ending soon. */
export const EXPIRES_SOON_DAYS = 30;
/** The newest tier moves shown. */
export const HISTORY_SHOWN = 10;
/** The recommended products shown ("Picked for you"), at most. */
export const PICKS_SHOWN = 4;
const DAY_MS = 86_400_000;

export interface LoyaltyTierView {
  key: string;
  name: string;
  thresholdMinor: number;
  minOrders: number | null;
  /**
   * What the tier gives, as it exists in Shopify under the sync settings. `codes` are filled only on the member's own
   * tier: another tier's codes are never shown (`byCode` says that tier's perks come as codes).
   */
  perks: ShopperPerks;
  byCode: boolean;
}

export interface LoyaltyOfferView {
  campaign: string;
  code: string;
  offer: CampaignOffer;
  expiresAt: number;
}

export type TierMoveDirection = "joined" | "up" | "down" | "left";

export interface LoyaltyMoveView {
  at: number;
  /** Tier names (a tier since removed from the programme: its key). */
  from: string | null;
  to: string | null;
  direction: TierMoveDirection;
}

export interface LoyaltyMemberView {
  firstName: string | null;
  /** The tier held (with its codes), or null: no qualifying order yet. */
  tier: LoyaltyTierView | null;
  spendInWindowMinor: number;
  ordersInWindow: number;
  nextTier: LoyaltyTierView | null;
  amountToNextMinor: number | null;
  ordersToNext: number | null;
  /** Spend towards the next tier's threshold, 0–100 (whole percent, rounded down); null at the top or without a tier. */
  progressPercent: number | null;
  /** The last instant the tier is held if nothing more is ordered (expiresAt − 1 ms), or null: it does not lapse. */
  tierHeldUntil: number | null;
  expiresSoon: boolean;
  /** When, with no new order, the amount to the next tier starts to grow (an order leaves the window), or null. */
  windowChangesAt: number | null;
  offers: LoyaltyOfferView[];
  /** Tier moves, newest first. */
  history: LoyaltyMoveView[];
  /** Their points, rewards and redemptions (docs/rules.md#loyalty-page-points); null: not shown. */
  points: ShopperPointsSection | null;
  /** Products recommended to them that the shop sells now, best first, at most PICKS_SHOWN; empty: none shown. */
  picks: ShownProduct[];
}

export type LoyaltyPageView =
  | {
      kind: "page";
      locale: PerkLocale;
      currency: string;
      /** IANA zone dates are shown in (the shop's; UTC when unknown). */
      timeZone: string;
      program: { tiers: LoyaltyTierView[]; window: TierWindow; retentionDays: number };
      /** The signed-in customer, or null for a guest. */
      member: LoyaltyMemberView | null;
      /** The member's referral code and offer while referrals are on (docs/referrals.md); absent otherwise. */
      referral?: MemberReferralView | null;
      /**
       * The member's LINE link section while the shop offers it (docs/line-link.md); absent otherwise. `token`: its
       * form's anti-forgery token (docs/storefront-forms.md), for "line-link" or, when linked, "line-unlink".
       */
      line?: (LineLinkView & { token: string }) | null;
    }
  | { kind: "unavailable"; locale: PerkLocale };

/** An issued, unexpired campaign code of the customer, with its campaign's name and offer. */
export interface OfferInput {
  campaign: { name: string; offer: CampaignOffer };
  code: string;
  expiresAt: number;
}

export interface LoyaltyPageInput {
  locale: string | null;
  currency: string;
  timeZone: string | null;
  program: TierProgram;
  settings: PerkSettings;
  now: number;
  /** Null for a guest. */
  customer: {
    firstName: string | null;
    state: Pick<
      CustomerStateValues,
      | "tier"
      | "spendInWindowMinor"
      | "ordersInWindow"
      | "nextTier"
      | "amountToNextMinor"
      | "ordersToNext"
      | "tierExpiresAt"
      | "windowChangesAt"
    > | null;
    offers: OfferInput[];
    /** Codes found on the customer's orders (any case): those offers are used, not open. */
    usedCodes: readonly string[];
    /** Tier moves (keys), in any order. */
    moves: { from: string | null; to: string | null; at: number }[];
    /** The points section, built by domain/shopper-points.ts (null: not shown). */
    points?: ShopperPointsSection | null;
    /** Their recommended products that may be shown (domain/recommendation-delivery.ts), best first. */
    picks?: ShownProduct[];
  } | null;
}

/** How a tier move reads against the programme's order: joined, up, down or left. */
export function tierMoveDirection(order: readonly string[], from: string | null, to: string | null): TierMoveDirection {
  if (from === null) return "joined";
  if (to === null) return "left";
  return order.indexOf(to) > order.indexOf(from) ? "up" : "down";
}

export function loyaltyPageView(input: LoyaltyPageInput): LoyaltyPageView {
  const locale = perkLocale(input.locale);
  const { program, settings, currency, now } = input;
  const tierView = (key: string, withCodes: boolean): LoyaltyTierView | null => {
    const tier = program.tiers.find((t) => t.key === key);
    if (!tier) return null;
    const perks = shopperPerks(tier, settings, currency, locale);
    return {
      key: tier.key,
      name: tier.name,
      thresholdMinor: tier.threshold,
      minOrders: tier.minOrders,
      perks: withCodes ? perks : { ...perks, codes: [] },
      byCode: perks.codes.length > 0,
    };
  };
  const page = {
    kind: "page" as const,
    locale,
    currency,
    timeZone: input.timeZone || "UTC",
    program: {
      tiers: program.tiers.map((t) => tierView(t.key, false)!),
      window: program.window,
      retentionDays: program.retentionDays,
    },
    member: null as LoyaltyMemberView | null,
  };
  const customer = input.customer;
  if (!customer) return page;

  const state = customer.state;
  const tier = state?.tier ? tierView(state.tier, true) : null;
  const nextTier = state?.nextTier ? tierView(state.nextTier, false) : null;
  const spend = state?.spendInWindowMinor ?? 0;
  const heldUntil = tier && state?.tierExpiresAt != null ? state.tierExpiresAt - 1 : null;
  const used = new Set(customer.usedCodes.map((c) => c.toLowerCase()));
  const order = program.tiers.map((t) => t.key);
  const nameOf = (key: string | null) =>
    key === null ? null : (program.tiers.find((t) => t.key === key)?.name ?? key);
  page.member = {
    firstName: customer.firstName?.trim() || null,
    tier,
    spendInWindowMinor: spend,
    ordersInWindow: state?.ordersInWindow ?? 0,
    nextTier,
    amountToNextMinor: nextTier ? (state?.amountToNextMinor ?? null) : null,
    ordersToNext: nextTier ? (state?.ordersToNext ?? null) : null,
    progressPercent:
      tier && nextTier
        ? nextTier.thresholdMinor > 0
          ? Math.max(0, Math.min(100, Math.floor((spend * 100) / nextTier.thresholdMinor)))
          : 100
        : null,
    tierHeldUntil: heldUntil,
    expiresSoon: heldUntil !== null && heldUntil - now <= EXPIRES_SOON_DAYS * DAY_MS,
    windowChangesAt: nextTier ? (state?.windowChangesAt ?? null) : null,
    offers: customer.offers
      .filter((o) => o.expiresAt > now && !used.has(o.code.toLowerCase()))
      .sort((a, b) => a.expiresAt - b.expiresAt || a.code.localeCompare(b.code))
      .map((o) => ({ campaign: o.campaign.name, code: o.code, offer: o.campaign.offer, expiresAt: o.expiresAt })),
    history: [...customer.moves]
      .sort((a, b) => b.at - a.at)
      .slice(0, HISTORY_SHOWN)
      .map((m) => ({
        at: m.at,
        from: nameOf(m.from),
        to: nameOf(m.to),
        direction: tierMoveDirection(order, m.from, m.to),
      })),
    points: customer.points ?? null,
    picks: (customer.picks ?? []).slice(0, PICKS_SHOWN),
  };
  return page;
}

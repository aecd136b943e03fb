// Tier perks as Shopify discounts (docs/rules.md#perks), as pure functions: which discounts a programme asks for in
// Shopify (one per tier and kind: percentage off, free shipping), automatic or as a code, limited to the tier's
// segment; what a change of programme would do to them (the tier editor's preview); and what a member is told.
import { fromMinorUnits } from "./money";
import type { PerkCombination, PerkDelivery, Tier, TierPerks, TierProgram } from "./tiers";

/** What of the sync settings decides the tier discounts (a subset of PerkSettings, domain/sync.ts). */
export interface PerkSettings {
  tierPrefix: string | null;
  segments: boolean;
  /** Whether the tier perks become Shopify discounts at all. */
  codes: boolean;
  segmentNamePrefix: string;
  codePrefix: string;
  /** The storefront's language, for discount titles shoppers see at checkout; English when absent. */
  locale?: PerkLocale;
}

export type PerkKind = "percent" | "shipping";
export const PERK_KINDS: readonly PerkKind[] = ["percent", "shipping"];

/** One Shopify discount the app keeps for a tier. Money in minor units of the shop currency. */
export interface PerkDiscount {
  tierKey: string;
  kind: PerkKind;
  method: PerkDelivery;
  /** Shown to the merchant in Shopify admin and to the buyer at checkout. */
  title: string;
  /** The code the member enters (method "code"); null for automatic discounts. */
  code: string | null;
  /** Percent off (kind "percent"), 1..100. */
  percent: number | null;
  /** Free shipping for rates up to this price (kind "shipping"); null: any rate. */
  maxShippingMinor: number | null;
  minimumSubtotalMinor: number | null;
  combinesWith: PerkCombination;
}

/** The tier's free-shipping code: "GOLD-SHIP" (with the settings' code prefix: "VIP-GOLD-SHIP"). */
export function tierShippingCode(codePrefix: string, tierKey: string): string {
  return `${codePrefix}${tierKey.toUpperCase()}-SHIP`;
}

/** The tier's percentage code: "GOLD-10" (with the settings' code prefix: "VIP-GOLD-10"). */
export function tierPercentCode(codePrefix: string, tierKey: string, percent: number): string {
  return `${codePrefix}${tierKey.toUpperCase()}-${percent}`;
}

/**
 * The discounts one tier asks for. The tier's two discounts always combine with each other (the percentage with
 * shipping discounts, free shipping with order discounts); with anything else only as the merchant chose.
 */
export function tierPerkDiscounts(
  tier: Tier,
  settings: Pick<PerkSettings, "segmentNamePrefix" | "codePrefix" | "locale">,
) {
  const th = settings.locale === "th";
  const p = tier.perks;
  const out: PerkDiscount[] = [];
  const base = `${settings.segmentNamePrefix}${tier.name}`;
  const code = p.delivery === "code";
  if (p.discountPercent !== null) {
    out.push({
      tierKey: tier.key,
      kind: "percent",
      method: p.delivery,
      title: th ? `${base} — ลด ${p.discountPercent}%` : `${base} — ${p.discountPercent}% off`,
      code: code ? tierPercentCode(settings.codePrefix, tier.key, p.discountPercent) : null,
      percent: p.discountPercent,
      maxShippingMinor: null,
      minimumSubtotalMinor: p.minimumSubtotalMinor,
      combinesWith: { ...p.combinesWith, shippingDiscounts: p.combinesWith.shippingDiscounts || p.freeShipping },
    });
  }
  if (p.freeShipping) {
    out.push({
      tierKey: tier.key,
      kind: "shipping",
      method: p.delivery,
      title: th ? `${base} — จัดส่งฟรี` : `${base} — free shipping`,
      code: code ? tierShippingCode(settings.codePrefix, tier.key) : null,
      percent: null,
      maxShippingMinor: p.freeShippingMaxPriceMinor,
      minimumSubtotalMinor: p.minimumSubtotalMinor,
      // Shopify does not combine two shipping discounts: a shipping discount's own class is never offered.
      combinesWith: {
        orderDiscounts: p.combinesWith.orderDiscounts || p.discountPercent !== null,
        productDiscounts: p.combinesWith.productDiscounts,
        shippingDiscounts: false,
      },
    });
  }
  return out;
}

/**
 * Every discount the programme asks for under the settings: none when tier segments or tier discounts are off (a
 * discount is limited to the tier's segment, so there is nothing to limit it to).
 */
export function programPerkDiscounts(program: TierProgram, settings: PerkSettings): PerkDiscount[] {
  if (settings.tierPrefix === null || !settings.segments || !settings.codes) return [];
  return program.tiers.flatMap((t) => tierPerkDiscounts(t, settings));
}

/** What a discount is in Shopify, as one comparable text: equal specs need no write. */
export function perkDiscountSpec(d: PerkDiscount): string {
  return JSON.stringify([
    d.method,
    d.title,
    d.code,
    d.percent,
    d.maxShippingMinor,
    d.minimumSubtotalMinor,
    d.combinesWith.orderDiscounts,
    d.combinesWith.productDiscounts,
    d.combinesWith.shippingDiscounts,
  ]);
}

export type PerkDiscountAction = "create" | "update" | "replace" | "remove";

export interface PerkDiscountChange {
  tierKey: string;
  kind: PerkKind;
  action: PerkDiscountAction;
  before: PerkDiscount | null;
  after: PerkDiscount | null;
}

/**
 * What saving `after` in place of `before` does to the tier discounts in Shopify: created, updated in place,
 * replaced (automatic ⇄ code cannot be edited into each other: the old one is deleted, a new one made), removed.
 * Sorted by tier order in `after` (removed tiers last), percentage before shipping.
 */
export function perkDiscountChanges(
  before: TierProgram,
  after: TierProgram,
  settings: PerkSettings,
): PerkDiscountChange[] {
  const id = (d: Pick<PerkDiscount, "tierKey" | "kind">) => `${d.tierKey}\u0000${d.kind}`;
  const old = new Map(programPerkDiscounts(before, settings).map((d) => [id(d), d]));
  const changes: PerkDiscountChange[] = [];
  for (const d of programPerkDiscounts(after, settings)) {
    const was = old.get(id(d)) ?? null;
    old.delete(id(d));
    if (was === null) changes.push({ tierKey: d.tierKey, kind: d.kind, action: "create", before: null, after: d });
    else if (was.method !== d.method)
      changes.push({ tierKey: d.tierKey, kind: d.kind, action: "replace", before: was, after: d });
    else if (perkDiscountSpec(was) !== perkDiscountSpec(d))
      changes.push({ tierKey: d.tierKey, kind: d.kind, action: "update", before: was, after: d });
  }
  for (const d of old.values())
    changes.push({ tierKey: d.tierKey, kind: d.kind, action: "remove", before: d, after: null });
  return changes;
}

/**
 * A tier's perks as the storefront shows them (status metafield, loyalty page). Money as decimal strings in the shop
 * currency; `codes` are what the member enters when the perks come as codes (empty when they apply automatically).
 */
export interface ShopperPerks {
  discount_percent: number | null;
  free_shipping: boolean;
  free_shipping_max_price: string | null;
  minimum_purchase: string | null;
  automatic: boolean;
  codes: string[];
  text: string | null;
  /** The perks in one line, in the shop's language ("10% off every order · Free shipping"); empty for none. */
  summary: string;
}

export type PerkLocale = "en" | "th";

/** The shop's language for shopper-facing perk text: Thai for th*, English otherwise. */
export function perkLocale(locale: string | null | undefined): PerkLocale {
  return (locale ?? "").toLowerCase().startsWith("th") ? "th" : "en";
}

const PHRASES: Record<PerkLocale, { percent: string; shipping: string; maxShipping: string; minimum: string }> = {
  en: {
    percent: "{percent}% off every order",
    shipping: "Free shipping",
    maxShipping: " on rates up to {amount}",
    minimum: "on orders from {amount}",
  },
  th: {
    percent: "ลด {percent}% ทุกคำสั่งซื้อ",
    shipping: "จัดส่งฟรี",
    maxShipping: " สำหรับค่าส่งไม่เกิน {amount}",
    minimum: "เมื่อสั่งซื้อตั้งแต่ {amount}",
  },
};

/** An amount in the shop currency as a shopper reads it (฿500.00, $25.00), in the shop's language. */
export function shopperMoney(minor: number, currency: string, locale: PerkLocale): string {
  const decimal = fromMinorUnits(minor, currency);
  const digits = decimal.includes(".") ? decimal.split(".")[1].length : 0;
  return new Intl.NumberFormat(locale === "th" ? "th-TH" : "en-US", {
    style: "currency",
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(Number(decimal));
}

/** The perks of `tier` for shoppers, with the codes the settings give them (none when discounts are off). */
export function shopperPerks(tier: Tier, settings: PerkSettings, currency: string, locale: PerkLocale): ShopperPerks {
  const p: TierPerks = tier.perks;
  const discounts = new Map(
    programPerkDiscounts({ tiers: [tier] } as TierProgram, settings).map((d) => [d.kind, d] as const),
  );
  const phrases = PHRASES[locale];
  const fill = (text: string, values: Record<string, string | number>) =>
    text.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name]));
  const parts: string[] = [];
  const percent = discounts.get("percent");
  const shipping = discounts.get("shipping");
  if (percent) parts.push(fill(phrases.percent, { percent: percent.percent! }));
  if (shipping)
    parts.push(
      phrases.shipping +
        (shipping.maxShippingMinor === null
          ? ""
          : fill(phrases.maxShipping, { amount: shopperMoney(shipping.maxShippingMinor, currency, locale) })),
    );
  let summary = parts.join(" · ");
  if (summary && p.minimumSubtotalMinor !== null)
    summary += ` (${fill(phrases.minimum, { amount: shopperMoney(p.minimumSubtotalMinor, currency, locale) })})`;
  if (p.customText) summary = summary ? `${summary} · ${p.customText}` : p.customText;
  return {
    discount_percent: percent ? percent.percent : null,
    free_shipping: !!shipping,
    free_shipping_max_price:
      shipping && shipping.maxShippingMinor !== null ? fromMinorUnits(shipping.maxShippingMinor, currency) : null,
    minimum_purchase:
      (percent || shipping) && p.minimumSubtotalMinor !== null
        ? fromMinorUnits(p.minimumSubtotalMinor, currency)
        : null,
    automatic: [...discounts.values()].some((d) => d.method === "automatic"),
    codes: [...discounts.values()].flatMap((d) => (d.code ? [d.code] : [])),
    text: p.customText,
    summary,
  };
}

/** Every tier's shopper perks, by tier key (computed once per sync, not per customer). */
export function programShopperPerks(
  program: TierProgram,
  settings: PerkSettings,
  currency: string,
  locale: PerkLocale,
): Map<string, ShopperPerks> {
  return new Map(program.tiers.map((t) => [t.key, shopperPerks(t, settings, currency, locale)]));
}

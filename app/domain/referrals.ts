// Referrals (docs/referrals.md): the merchant's settings and their checks, the codes, and every decision of a referral's
// life — may a friend claim an offer, is the referrer rewarded, is a reward clawed back — as pure functions of the facts
// the services read. Pure: no clock (instants are passed in), no I/O.

export type ReferralOfferKind = "percentage" | "fixed_amount";

export interface ReferralSettings {
  enabled: boolean;
  /** The friend's first-order offer: a percentage (1–100) or a fixed amount in minor units. */
  offerKind: ReferralOfferKind;
  offerValue: number;
  /** The order subtotal the friend's code needs (minor units); null: none. Also the least a rewarded order may count for. */
  minimumSubtotalMinor: number | null;
  /** Days the friend's code is valid after it is issued. */
  offerValidityDays: number;
  /** Points the referrer earns per completed referral. */
  rewardPoints: number;
  /** Days after the friend's order before the referral completes (returns and refunds settle first). */
  returnWindowDays: number;
  /** At most this many rewarded referrals per referrer within capPeriodDays (rolling); null: no cap. */
  capPerPeriod: number | null;
  capPeriodDays: number;
  /** At most this many rewarded referrals per referrer ever; null: no cap. */
  capTotal: number | null;
}

export const DEFAULT_REFERRAL_SETTINGS: ReferralSettings = {
  enabled: false,
  offerKind: "percentage",
  offerValue: 10,
  minimumSubtotalMinor: null,
  offerValidityDays: 30,
  rewardPoints: 500,
  returnWindowDays: 30,
  capPerPeriod: 5,
  capPeriodDays: 30,
  capTotal: 50,
};

export const REFERRAL_LIMITS = {
  validityDays: 365,
  returnWindowDays: 365,
  rewardPoints: 1_000_000,
  cap: 10_000,
  periodDays: 3_650,
  fixedAmountMinor: 100_000_000,
};

export interface ReferralSettingsIssue {
  field: keyof ReferralSettings;
  /** i18n key under referrals.errors. */
  key: string;
  message: string;
}

const wholeNumber = (value: unknown): number | null => {
  if (typeof value === "number") return Number.isSafeInteger(value) ? value : null;
  if (typeof value !== "string") return null;
  const text = value.trim();
  if (!/^\d{1,12}$/.test(text)) return null;
  return Number(text);
};

const blank = (value: unknown) => value === undefined || value === null || (typeof value === "string" && !value.trim());

/** Minor units of a decimal amount typed by the merchant ("5", "5.50") for a currency with `decimals` digits. */
export function parseAmountMinor(value: unknown, decimals: number): number | null {
  const text = typeof value === "number" ? String(value) : typeof value === "string" ? value.trim() : "";
  const m = /^(\d{1,10})(?:\.(\d+))?$/.exec(text);
  if (!m) return null;
  const fraction = m[2] ?? "";
  if (fraction.length > decimals) return null;
  return Number(m[1]) * 10 ** decimals + (fraction ? Number(fraction.padEnd(decimals, "0")) : 0);
}

/**
 * Checks the settings as the admin form submits them (strings; amounts as decimals of the shop currency with
 * `decimals` digits). Every problem is named with its field; nothing is partly accepted.
 */
export function validateReferralSettings(
  form: Record<string, unknown>,
  decimals: number,
): { ok: true; settings: ReferralSettings } | { ok: false; issues: ReferralSettingsIssue[] } {
  const issues: ReferralSettingsIssue[] = [];
  const issue = (field: keyof ReferralSettings, key: string, message: string) => issues.push({ field, key, message });
  const enabled = form.enabled === true || form.enabled === "true" || form.enabled === "on";
  const offerKind = form.offerKind;
  if (offerKind !== "percentage" && offerKind !== "fixed_amount")
    issue("offerKind", "offerKind", "The offer is a percentage or a fixed amount.");
  let offerValue = 0;
  if (offerKind === "fixed_amount") {
    const minor = parseAmountMinor(form.offerValue, decimals);
    if (minor === null || minor <= 0 || minor > REFERRAL_LIMITS.fixedAmountMinor)
      issue("offerValue", "amount", "Enter an amount greater than 0 in the shop currency.");
    else offerValue = minor;
  } else {
    const percent = wholeNumber(form.offerValue);
    if (percent === null || percent < 1 || percent > 100)
      issue("offerValue", "percent", "The percentage is a whole number from 1 to 100.");
    else offerValue = percent;
  }
  let minimumSubtotalMinor: number | null = null;
  if (!blank(form.minimumSubtotal)) {
    const minor = parseAmountMinor(form.minimumSubtotal, decimals);
    if (minor === null || minor > REFERRAL_LIMITS.fixedAmountMinor)
      issue("minimumSubtotalMinor", "minimum", "The minimum is an amount in the shop currency, or empty for none.");
    else minimumSubtotalMinor = minor === 0 ? null : minor;
  }
  if (offerKind === "fixed_amount" && minimumSubtotalMinor !== null && offerValue > minimumSubtotalMinor)
    issue("offerValue", "amountOverMinimum", "A fixed amount may not be more than the minimum order.");
  const ranged = (field: keyof ReferralSettings, value: unknown, min: number, max: number, key: string) => {
    const n = wholeNumber(value);
    if (n === null || n < min || n > max) {
      issue(field, key, `Enter a whole number from ${min} to ${max}.`);
      return min;
    }
    return n;
  };
  const offerValidityDays = ranged(
    "offerValidityDays",
    form.offerValidityDays,
    1,
    REFERRAL_LIMITS.validityDays,
    "days",
  );
  const rewardPoints = ranged("rewardPoints", form.rewardPoints, 1, REFERRAL_LIMITS.rewardPoints, "points");
  const returnWindowDays = ranged(
    "returnWindowDays",
    form.returnWindowDays,
    0,
    REFERRAL_LIMITS.returnWindowDays,
    "days",
  );
  const optionalCap = (field: keyof ReferralSettings, value: unknown) =>
    blank(value) ? null : ranged(field, value, 1, REFERRAL_LIMITS.cap, "cap");
  const capPerPeriod = optionalCap("capPerPeriod", form.capPerPeriod);
  const capPeriodDays = ranged("capPeriodDays", form.capPeriodDays, 1, REFERRAL_LIMITS.periodDays, "days");
  const capTotal = optionalCap("capTotal", form.capTotal);
  if (capPerPeriod !== null && capTotal !== null && capPerPeriod > capTotal)
    issue("capPerPeriod", "capOverTotal", "The cap per period may not be more than the total cap.");
  if (issues.length) return { ok: false, issues };
  return {
    ok: true,
    settings: {
      enabled,
      offerKind: offerKind as ReferralOfferKind,
      offerValue,
      minimumSubtotalMinor,
      offerValidityDays,
      rewardPoints,
      returnWindowDays,
      capPerPeriod,
      capPeriodDays,
      capTotal,
    },
  };
}

/** Settings as stored (JSON), read back leniently: anything missing or malformed takes the default. */
export function parseStoredSettings(json: string | null | undefined): ReferralSettings {
  if (!json) return DEFAULT_REFERRAL_SETTINGS;
  try {
    const raw = JSON.parse(json) as Partial<ReferralSettings>;
    return { ...DEFAULT_REFERRAL_SETTINGS, ...raw };
  } catch {
    return DEFAULT_REFERRAL_SETTINGS;
  }
}

/** The friend's offer as issued (kept with each referral). */
export interface ReferralOffer {
  kind: ReferralOfferKind;
  value: number;
  minimumSubtotalMinor: number | null;
}

/** The member's part of the loyalty page. */
export interface MemberReferralView {
  code: string;
  rewardPoints: number;
  offer: ReferralOffer;
}

/** The page behind a member's link. */
export type LandingView =
  | { kind: "unavailable"; locale: string }
  | {
      kind: "offer";
      locale: string;
      currency: string;
      code: string;
      offer: ReferralOffer;
      validityDays: number;
      token: string;
      refused: ClaimRefusal | "form_expired" | "not_created" | null;
    }
  | {
      kind: "issued";
      locale: string;
      currency: string;
      offer: ReferralOffer;
      friendCode: string;
      expiresAt: number;
      timeZone: string;
    };

// ---- codes -----------------------------------------------------------------------------------------------------

/** No 0/O, 1/I/L: a code read aloud or copied by hand is not mistaken. 31 symbols. */
const ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

function randomText(randomBytes: (n: number) => Uint8Array, length: number): string {
  let out = "";
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      // Rejection sampling: 248 = 8 × 31, so every symbol is equally likely.
      if (b < 248 && out.length < length) out += ALPHABET[b % 31];
    }
  }
  return out;
}

/** A member's referral code: 10 symbols (~49.5 bits), chosen by the app; unique per shop (the table's key decides). */
export const memberReferralCode = (randomBytes: (n: number) => Uint8Array) => randomText(randomBytes, 10);
/** A friend's single-use discount code: REF- and 12 symbols (~59 bits). */
export const friendDiscountCode = (randomBytes: (n: number) => Uint8Array) => `REF-${randomText(randomBytes, 12)}`;

/** What a member code in a link may look like: anything else is unknown without a read. */
export const MEMBER_CODE = /^[2-9A-HJ-NP-Z]{10}$/;
export const isMemberCode = (value: string) => MEMBER_CODE.test(value);

// ---- identities: what makes two people the same for the self-referral guard ------------------------------------

/** An email as compared: trimmed, lower case; null when it is not an email at all. */
export function normalizeEmail(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const email = value.trim().toLowerCase();
  if (email.length > 254 || !/^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/.test(email)) return null;
  return email;
}

/**
 * An email as a person: Gmail-style aliases folded (the part after `+` dropped; dots dropped for gmail.com and
 * googlemail.com), so `ann+2@x.com` and `a.nn@gmail.com` are the referrer's own `ann@…`.
 */
export function emailIdentity(email: string): string {
  const [local, domain] = email.split("@");
  const base = local.split("+")[0];
  const gmail = domain === "gmail.com" || domain === "googlemail.com";
  return `${gmail ? base.replaceAll(".", "") : base}@${gmail ? "gmail.com" : domain}`;
}

/** A phone as compared: its digits, the last 9 (a national number without its country or trunk prefix). */
export function phoneIdentity(value: string | null | undefined): string | null {
  const digits = (value ?? "").replace(/\D/g, "");
  return digits.length >= 7 ? digits.slice(-9) : null;
}

export interface AddressFacts {
  address1: string | null;
  zip: string | null;
  countryCodeV2: string | null;
}

/** A postal address as compared: first line, postcode and country, case and spacing folded; null when incomplete. */
export function addressIdentity(a: AddressFacts | null | undefined): string | null {
  if (!a?.address1 || !a.countryCodeV2) return null;
  const fold = (s: string | null) => (s ?? "").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");
  return `${fold(a.address1)}|${fold(a.zip)}|${fold(a.countryCodeV2)}`;
}

export interface PersonFacts {
  customerId: string | null;
  email: string | null;
  phone: string | null;
  address: AddressFacts | null;
}

/** Which identity the friend shares with the referrer (the self-referral guard), or null. */
export function sharedIdentity(
  referrer: PersonFacts,
  friend: PersonFacts,
): "customer" | "email" | "phone" | "address" | null {
  if (referrer.customerId && friend.customerId && referrer.customerId === friend.customerId) return "customer";
  const e = (p: PersonFacts) => (p.email ? emailIdentity(p.email.toLowerCase()) : null);
  if (e(referrer) && e(referrer) === e(friend)) return "email";
  if (phoneIdentity(referrer.phone) && phoneIdentity(referrer.phone) === phoneIdentity(friend.phone)) return "phone";
  if (addressIdentity(referrer.address) && addressIdentity(referrer.address) === addressIdentity(friend.address))
    return "address";
  return null;
}

// ---- claiming an offer (the friend gives an email on the referral page) ----------------------------------------

export type ClaimRefusal =
  | "disabled"
  | "unknown_code"
  | "email_invalid"
  | "own_email"
  | "existing_customer"
  | "already_referred";

/**
 * Whether a friend's email may claim the offer of a member's code. `referrerEmail`: the member's (null if unknown);
 * `customerWithOrders`: the shop already has a customer with this email who ordered; `claimedBy`: the referrer whose
 * link this email already claimed an offer through (null: none).
 */
export function claimRefusal(input: {
  enabled: boolean;
  referrerId: string | null;
  email: string | null;
  referrerEmail: string | null;
  customerWithOrders: boolean;
  claimedBy: string | null;
}): ClaimRefusal | null {
  if (!input.enabled) return "disabled";
  if (!input.referrerId) return "unknown_code";
  if (!input.email) return "email_invalid";
  if (input.referrerEmail && emailIdentity(input.referrerEmail.toLowerCase()) === emailIdentity(input.email))
    return "own_email";
  if (input.customerWithOrders) return "existing_customer";
  if (input.claimedBy !== null && input.claimedBy !== input.referrerId) return "already_referred";
  return null;
}

// ---- completion: rewarding the referrer -------------------------------------------------------------------------

export type CompletionRefusal =
  | "self_referral_customer"
  | "self_referral_email"
  | "self_referral_phone"
  | "self_referral_address"
  | "not_first_order"
  | "cancelled"
  | "below_minimum"
  | "cap_period"
  | "cap_total";

export interface CompletionFacts {
  now: number;
  settings: Pick<
    ReferralSettings,
    "returnWindowDays" | "capPerPeriod" | "capPeriodDays" | "capTotal" | "minimumSubtotalMinor"
  >;
  /** The friend's order that carried the code. */
  order: { processedAt: number; cancelled: boolean; valueMinor: number };
  /** The friend had a qualifying order before this one (the shop's ledger, any customer record with their id). */
  earlierQualifyingOrder: boolean;
  /** What the friend shares with the referrer (sharedIdentity). */
  shared: ReturnType<typeof sharedIdentity>;
  /** The referrer's rewarded referrals: when each was rewarded. */
  rewardedAt: readonly number[];
}

export type CompletionDecision =
  | { kind: "wait"; until: number }
  | { kind: "refuse"; reason: CompletionRefusal }
  | { kind: "reward" };

const DAY_MS = 86_400_000;

/**
 * What happens to a referral whose friend ordered: wait until the return window has passed; then refuse (self-
 * referral, not the friend's first order, cancelled, refunded below the minimum or to nothing, a cap reached), or
 * reward. The checks that can change with time (refunds, cancellation) are made only after the window.
 */
export function completionDecision(f: CompletionFacts): CompletionDecision {
  const until = f.order.processedAt + f.settings.returnWindowDays * DAY_MS;
  if (f.now < until) return { kind: "wait", until };
  if (f.shared) return { kind: "refuse", reason: `self_referral_${f.shared}` };
  if (f.earlierQualifyingOrder) return { kind: "refuse", reason: "not_first_order" };
  if (f.order.cancelled) return { kind: "refuse", reason: "cancelled" };
  const least = Math.max(1, f.settings.minimumSubtotalMinor ?? 0);
  if (f.order.valueMinor < least) return { kind: "refuse", reason: "below_minimum" };
  if (f.settings.capTotal !== null && f.rewardedAt.length >= f.settings.capTotal)
    return { kind: "refuse", reason: "cap_total" };
  if (f.settings.capPerPeriod !== null) {
    const since = f.now - f.settings.capPeriodDays * DAY_MS;
    if (f.rewardedAt.filter((t) => t > since).length >= f.settings.capPerPeriod)
      return { kind: "refuse", reason: "cap_period" };
  }
  return { kind: "reward" };
}

/**
 * Whether a rewarded referral is clawed back: its order was cancelled, or refunded below what a reward needs. The
 * points taken back are the reward, at most what the referrer has available (the journal never goes below 0).
 */
export function clawbackPoints(input: {
  order: { cancelled: boolean; valueMinor: number; deleted: boolean };
  minimumSubtotalMinor: number | null;
  rewardPoints: number;
  available: number;
}): number | null {
  const least = Math.max(1, input.minimumSubtotalMinor ?? 0);
  const lost = input.order.deleted || input.order.cancelled || input.order.valueMinor < least;
  if (!lost) return null;
  return Math.max(0, Math.min(input.rewardPoints, input.available));
}

// ---- the merchant's figures -------------------------------------------------------------------------------------

export type ReferralState =
  | "reserved" // the friend's code chosen, Shopify not confirmed yet
  | "issued" // the code exists in Shopify, no order yet
  | "ordered" // an order carried the code; waiting for the return window
  | "rewarded"
  | "refused"
  | "clawed_back"
  | "expired"; // the code expired unused

export interface ReferralFunnel {
  linksFollowed: number;
  codesIssued: number;
  firstOrders: number;
  rewarded: number;
  /** Friends' discounts (what the codes took off the orders) plus rewards (points) — money and points kept apart. */
  discountCostMinor: number;
  rewardPoints: number;
}

/** The funnel's ratios: each step over the one before (null where the step before is 0). */
export function funnelRates(f: ReferralFunnel) {
  const rate = (a: number, b: number) => (b === 0 ? null : a / b);
  return {
    issuedPerVisit: rate(f.codesIssued, f.linksFollowed),
    orderedPerIssued: rate(f.firstOrders, f.codesIssued),
    rewardedPerOrdered: rate(f.rewarded, f.firstOrders),
  };
}

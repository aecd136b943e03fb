// Money in the shop file: integer minor units inside the generator, exact decimal strings on the way out.
import type { MoneyBag } from "../shop-file/types";

export interface CurrencyProfile {
  code: string;
  /** Digits after the decimal point (ISO 4217 minor unit). */
  decimals: number;
  /** Shop settings that usually go with the currency. */
  ianaTimezone: string;
  /** Fixed UTC offset in minutes used for the daily and weekly rhythm (daylight saving is ignored). */
  utcOffsetMinutes: number;
  primaryLocale: string;
  /** Country of the shop's home market: addresses of customers writing in the shop's main language. */
  homeCountry: "US" | "JP" | "TH" | "DE" | "GB";
  /** Typical (median) order value, minor units. */
  medianOrderMinor: number;
  /** Prices are rounded to this many minor units, then given a typical ending ($x.99, ¥1,280, ฿590). */
  priceRoundMinor: number;
  priceEndingsMinor: readonly number[];
  shippingMinor: number;
  freeShippingOverMinor: number;
  /** Fixed-amount discount code value, minor units. */
  fixedDiscountMinor: number;
  /** Prices include tax (JP, TH, EU, UK) or tax is added at checkout (US). */
  taxesIncluded: boolean;
}

export const CURRENCIES: Record<string, CurrencyProfile> = {
  USD: {
    code: "USD",
    decimals: 2,
    ianaTimezone: "America/New_York",
    utcOffsetMinutes: -300,
    primaryLocale: "en",
    homeCountry: "US",
    medianOrderMinor: 5_500,
    priceRoundMinor: 100,
    priceEndingsMinor: [-1, -1, -5, 0, -51],
    shippingMinor: 699,
    freeShippingOverMinor: 7_500,
    fixedDiscountMinor: 500,
    taxesIncluded: false,
  },
  JPY: {
    code: "JPY",
    decimals: 0,
    ianaTimezone: "Asia/Tokyo",
    utcOffsetMinutes: 540,
    primaryLocale: "ja",
    homeCountry: "JP",
    medianOrderMinor: 6_000,
    priceRoundMinor: 100,
    priceEndingsMinor: [0, -20, -20, -50, 0],
    shippingMinor: 770,
    freeShippingOverMinor: 8_000,
    fixedDiscountMinor: 500,
    taxesIncluded: true,
  },
  THB: {
    code: "THB",
    decimals: 2,
    ianaTimezone: "Asia/Bangkok",
    utcOffsetMinutes: 420,
    primaryLocale: "th",
    homeCountry: "TH",
    medianOrderMinor: 120_000,
    priceRoundMinor: 1_000,
    priceEndingsMinor: [0, 0, -100, -1_100],
    shippingMinor: 5_000,
    freeShippingOverMinor: 150_000,
    fixedDiscountMinor: 10_000,
    taxesIncluded: true,
  },
  EUR: {
    code: "EUR",
    decimals: 2,
    ianaTimezone: "Europe/Berlin",
    utcOffsetMinutes: 60,
    primaryLocale: "de",
    homeCountry: "DE",
    medianOrderMinor: 5_000,
    priceRoundMinor: 100,
    priceEndingsMinor: [-1, -5, 0, -51],
    shippingMinor: 490,
    freeShippingOverMinor: 6_000,
    fixedDiscountMinor: 500,
    taxesIncluded: true,
  },
  GBP: {
    code: "GBP",
    decimals: 2,
    ianaTimezone: "Europe/London",
    utcOffsetMinutes: 0,
    primaryLocale: "en",
    homeCountry: "GB",
    medianOrderMinor: 4_500,
    priceRoundMinor: 100,
    priceEndingsMinor: [-1, -1, 0, -51],
    shippingMinor: 399,
    freeShippingOverMinor: 5_000,
    fixedDiscountMinor: 500,
    taxesIncluded: true,
  },
};

export type CurrencyCode = keyof typeof CURRENCIES;

/** Integer minor units → decimal string with exactly `decimals` digits: (1250, 2) → "12.50", (1200, 0) → "1200". */
export function formatMinor(minor: number, decimals: number): string {
  if (!Number.isSafeInteger(minor)) throw new Error(`money must be a safe integer of minor units, got ${minor}`);
  const negative = minor < 0;
  const digits = String(negative ? -minor : minor);
  if (decimals === 0) return negative ? `-${digits}` : digits;
  const padded = digits.padStart(decimals + 1, "0");
  const text = `${padded.slice(0, -decimals)}.${padded.slice(-decimals)}`;
  return negative ? `-${text}` : text;
}

/**
 * Decimal string → integer minor units, exactly (no floating point): ("12.5", 2) → 1250, ("1200", 0) → 1200.
 * Accepts what the Admin API sends ("10.0", "12.50"); refuses more fractional digits than the currency has
 * unless they are zeros.
 */
export function parseMinor(amount: string, decimals: number): number {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(amount);
  if (!match) throw new Error(`not a decimal amount: "${amount}"`);
  const [, sign, whole, fraction = ""] = match;
  const kept = fraction.slice(0, decimals);
  if (/[^0]/.test(fraction.slice(decimals))) {
    throw new Error(`"${amount}" has more than ${decimals} decimal digits`);
  }
  const value = Number(whole + kept.padEnd(decimals, "0"));
  if (!Number.isSafeInteger(value)) throw new Error(`amount out of range: "${amount}"`);
  return sign === "-" && value !== 0 ? -value : value;
}

/** A single-currency MoneyBag: presentment equals shop money. */
export function moneyBag(minor: number, currency: CurrencyProfile): MoneyBag {
  const money = { amount: formatMinor(minor, currency.decimals), currencyCode: currency.code };
  return { shopMoney: money, presentmentMoney: { ...money } };
}

/** round(value * basisPoints / 10000), half up, in integers. */
export function applyBasisPoints(minor: number, basisPoints: number): number {
  return Math.floor((minor * basisPoints + 5_000) / 10_000);
}

// ISO 4217 currencies whose minor unit is not 2 (the ones a Shopify shop can use).
const ZERO_DECIMAL = new Set([
  "BIF",
  "CLP",
  "DJF",
  "GNF",
  "ISK",
  "JPY",
  "KMF",
  "KRW",
  "PYG",
  "RWF",
  "UGX",
  "VND",
  "VUV",
  "XAF",
  "XOF",
  "XPF",
]);
const THREE_DECIMAL = new Set(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"]);

/** Number of decimals of a currency's minor unit, for any ISO 4217 code. */
export function currencyDecimals(code: string): number {
  if (ZERO_DECIMAL.has(code)) return 0;
  if (THREE_DECIMAL.has(code)) return 3;
  return 2;
}

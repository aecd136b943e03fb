// Money is exact: integer minor units of a currency, never floats. Shopify sends decimal strings ("12.50", "1200").

/** Shopify's CurrencyCode enum (Admin API 2026-04); a test keeps it equal to the schema. */
export const SHOPIFY_CURRENCIES: readonly string[] = [
  "AED",
  "AFN",
  "ALL",
  "AMD",
  "ANG",
  "AOA",
  "ARS",
  "AUD",
  "AWG",
  "AZN",
  "BAM",
  "BBD",
  "BDT",
  "BGN",
  "BHD",
  "BIF",
  "BMD",
  "BND",
  "BOB",
  "BRL",
  "BSD",
  "BTN",
  "BWP",
  "BYN",
  "BYR",
  "BZD",
  "CAD",
  "CDF",
  "CHF",
  "CLP",
  "CNY",
  "COP",
  "CRC",
  "CVE",
  "CZK",
  "DJF",
  "DKK",
  "DOP",
  "DZD",
  "EGP",
  "ERN",
  "ETB",
  "EUR",
  "FJD",
  "FKP",
  "GBP",
  "GEL",
  "GHS",
  "GIP",
  "GMD",
  "GNF",
  "GTQ",
  "GYD",
  "HKD",
  "HNL",
  "HRK",
  "HTG",
  "HUF",
  "IDR",
  "ILS",
  "INR",
  "IQD",
  "IRR",
  "ISK",
  "JEP",
  "JMD",
  "JOD",
  "JPY",
  "KES",
  "KGS",
  "KHR",
  "KID",
  "KMF",
  "KRW",
  "KWD",
  "KYD",
  "KZT",
  "LAK",
  "LBP",
  "LKR",
  "LRD",
  "LSL",
  "LTL",
  "LVL",
  "LYD",
  "MAD",
  "MDL",
  "MGA",
  "MKD",
  "MMK",
  "MNT",
  "MOP",
  "MRU",
  "MUR",
  "MVR",
  "MWK",
  "MXN",
  "MYR",
  "MZN",
  "NAD",
  "NGN",
  "NIO",
  "NOK",
  "NPR",
  "NZD",
  "OMR",
  "PAB",
  "PEN",
  "PGK",
  "PHP",
  "PKR",
  "PLN",
  "PYG",
  "QAR",
  "RON",
  "RSD",
  "RUB",
  "RWF",
  "SAR",
  "SBD",
  "SCR",
  "SDG",
  "SEK",
  "SGD",
  "SHP",
  "SLL",
  "SOS",
  "SRD",
  "SSP",
  "STD",
  "STN",
  "SYP",
  "SZL",
  "THB",
  "TJS",
  "TMT",
  "TND",
  "TOP",
  "TRY",
  "TTD",
  "TWD",
  "TZS",
  "UAH",
  "UGX",
  "USD",
  "USDC",
  "UYU",
  "UZS",
  "VED",
  "VEF",
  "VES",
  "VND",
  "VUV",
  "WST",
  "XAF",
  "XCD",
  "XOF",
  "XPF",
  "XXX",
  "YER",
  "ZAR",
  "ZMW",
];

// ISO 4217 minor units where they are not 2. (CLDR, and so Intl, rounds some currencies to 0 for display — HUF, IDR,
// COP, PKR … — but their amounts still carry two decimals; the ledger keeps what the money is, not how it is shown.)
const ZERO_DECIMALS = new Set([
  "BIF",
  "BYR",
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
const THREE_DECIMALS = new Set(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"]);
const KNOWN = new Set(SHOPIFY_CURRENCIES);

export class MoneyError extends Error {
  override name = "MoneyError";
}

export function isKnownCurrency(code: string): boolean {
  return KNOWN.has(code);
}

/** Number of decimals of a currency's minor unit; throws for a code Shopify does not know. */
export function currencyDecimals(code: string): number {
  if (!KNOWN.has(code)) throw new MoneyError(`unknown currency "${code}"`);
  if (ZERO_DECIMALS.has(code)) return 0;
  if (THREE_DECIMALS.has(code)) return 3;
  return 2;
}

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/**
 * "12.50" USD → 1250; "1200" JPY → 1200; "1200.0" JPY → 1200. Extra decimals are accepted only when they are zeros:
 * an amount that cannot be represented exactly in the currency's minor unit is refused, never rounded.
 */
export function toMinorUnits(amount: string, currency: string): number {
  const decimals = currencyDecimals(currency);
  const match = DECIMAL.exec(amount.trim());
  if (!match) throw new MoneyError(`"${amount}" is not a decimal amount`);
  const [, sign, whole, fraction = ""] = match;
  if (fraction.length > decimals && /[^0]/.test(fraction.slice(decimals))) {
    throw new MoneyError(`"${amount}" has more precision than ${currency} allows (${decimals} decimals)`);
  }
  const digits = whole + fraction.slice(0, decimals).padEnd(decimals, "0");
  const value = Number(digits);
  if (!Number.isSafeInteger(value)) throw new MoneyError(`"${amount}" is too large`);
  return sign ? -value : value;
}

/** 1250 USD → "12.50"; 1200 JPY → "1200". The inverse of toMinorUnits. */
export function fromMinorUnits(minor: number | bigint, currency: string): string {
  const decimals = currencyDecimals(currency);
  const value = BigInt(minor);
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(decimals + 1, "0");
  const text = decimals === 0 ? digits : `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
  return negative ? `-${text}` : text;
}

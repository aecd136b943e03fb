// A shop's money formats and Shopify Liquid's money filters. Liquid money values are in the currency's subunits ×100
// whatever the currency (¥1,000 is 100000), and print through the shop's "HTML without currency" format
// (`money_format`, e.g. `${{amount}}`) or "HTML with currency" format (`money_with_currency_format`).
// Placeholders and their examples: https://help.shopify.com/en/manual/markets/pricing/currency-formatting
import type { ShopRecord } from "../shop-file/types";
import { currencyDigits } from "../webhooks/payloads/shared";

interface Placeholder {
  decimals: 0 | 2;
  thousands: string;
  decimal: string;
}

/** Every placeholder Shopify's currency formatting table lists, as 113465 (1134.65) prints with it. */
export const MONEY_PLACEHOLDERS: Record<string, Placeholder> = {
  amount: { decimals: 2, thousands: ",", decimal: "." }, // 1,134.65
  amount_no_decimals: { decimals: 0, thousands: ",", decimal: "." }, // 1,135
  amount_with_comma_separator: { decimals: 2, thousands: ".", decimal: "," }, // 1.134,65
  amount_no_decimals_with_comma_separator: { decimals: 0, thousands: ".", decimal: "," }, // 1.135
  amount_with_apostrophe_separator: { decimals: 2, thousands: "'", decimal: "." }, // 1'134.65
  amount_no_decimals_with_space_separator: { decimals: 0, thousands: " ", decimal: "." }, // 1 135
  amount_with_space_separator: { decimals: 2, thousands: " ", decimal: "," }, // 1 134,65
  amount_with_period_and_space_separator: { decimals: 2, thousands: " ", decimal: "." }, // 1 134.65
};

const PLACEHOLDER = /{{\s*(\w+)\s*}}/;

export interface MoneyFormats {
  /** "HTML without currency": what `money` prints through. */
  moneyFormat: string;
  /** "HTML with currency": what `money_with_currency` prints through. */
  moneyWithCurrencyFormat: string;
}

/** Throws when a format has no placeholder or one Shopify does not know. */
export function checkMoneyFormat(format: string): void {
  const name = PLACEHOLDER.exec(format)?.[1];
  if (!name || !MONEY_PLACEHOLDERS[name]) {
    throw new Error(
      `money format ${JSON.stringify(format)} needs one of {{${Object.keys(MONEY_PLACEHOLDERS).join("}}, {{")}}}`,
    );
  }
}

/** The amount alone (no symbol), as a placeholder prints it; `trimZeros` drops ".00" / ",00" of whole amounts. */
function amountText(subunits: number, placeholder: Placeholder, trimZeros = false): string {
  // Half up, on whole subunits: 50 or more rounds up (Shopify's rule for the no-decimals formats).
  const cents = Math.round(Math.abs(subunits));
  const decimals = trimZeros && cents % 100 === 0 ? 0 : placeholder.decimals;
  const whole = decimals === 0 ? Math.floor((cents + 50) / 100) : Math.floor(cents / 100);
  const grouped = String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, placeholder.thousands);
  const fraction = decimals === 0 ? "" : `${placeholder.decimal}${String(cents % 100).padStart(2, "0")}`;
  return `${subunits < 0 && cents !== 0 ? "-" : ""}${grouped}${fraction}`;
}

function numberOf(input: unknown): number | null {
  if (input === null || input === undefined || input === "") return null;
  const n = typeof input === "number" ? input : Number(input);
  return Number.isFinite(n) ? n : null;
}

/** `{{ 113465 | money }}` with format `${{amount}}` → "$1,134.65". Empty for nil or non-numbers. */
export function formatMoney(input: unknown, format: string, options: { trimZeros?: boolean } = {}): string {
  const subunits = numberOf(input);
  if (subunits === null) return "";
  checkMoneyFormat(format);
  return format.replace(PLACEHOLDER, (_, name: string) =>
    amountText(subunits, MONEY_PLACEHOLDERS[name], options.trimZeros),
  );
}

/** `money_without_currency`: the amount as the shop's money format's placeholder prints it, without the symbol. */
export function formatMoneyWithoutCurrency(input: unknown, format: string): string {
  const subunits = numberOf(input);
  if (subunits === null) return "";
  checkMoneyFormat(format);
  return amountText(subunits, MONEY_PLACEHOLDERS[PLACEHOLDER.exec(format)![1]]);
}

/**
 * The formats Shopify sets up for a new shop in its currency: the currency's symbol in the shop's language before the
 * amount (THB `฿{{amount}}`, USD `${{amount}}`), whole amounts for currencies without minor units (JPY
 * `¥{{amount_no_decimals}}`), and the ISO code after it for "with currency". The app/uninstalled payload's
 * money_format reads the same (simulator/webhooks/payloads/app.ts).
 */
export function defaultMoneyFormats(currencyCode: string, locale = "en"): MoneyFormats {
  const symbol =
    new Intl.NumberFormat(locale, { style: "currency", currency: currencyCode, currencyDisplay: "narrowSymbol" })
      .formatToParts(0)
      .find((part) => part.type === "currency")?.value ?? currencyCode;
  const amount = currencyDigits(currencyCode) === 0 ? "{{amount_no_decimals}}" : "{{amount}}";
  return { moneyFormat: `${symbol}${amount}`, moneyWithCurrencyFormat: `${symbol}${amount} ${currencyCode}` };
}

/** The shop's formats: its record's when it has them, else the defaults for its currency. */
export function shopMoneyFormats(shop: ShopRecord): MoneyFormats {
  const defaults = defaultMoneyFormats(shop.currencyCode, shop.primaryLocale);
  const formats = {
    moneyFormat: shop.moneyFormat ?? defaults.moneyFormat,
    moneyWithCurrencyFormat: shop.moneyWithCurrencyFormat ?? defaults.moneyWithCurrencyFormat,
  };
  checkMoneyFormat(formats.moneyFormat);
  checkMoneyFormat(formats.moneyWithCurrencyFormat);
  return formats;
}

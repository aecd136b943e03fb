// Writing text into Liquid that Shopify renders (app proxy answers): every text the merchant or a customer typed is
// HTML-escaped AND has Liquid's delimiters neutralised, so `<script>`, `{{ shop.secret }}` or `{% … %}` is shown as
// typed, never run by the browser or by Shopify; money goes through Liquid's `money` filter, in the shop's own format.
import { currencyDecimals } from "../domain/money";

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "{": "&#123;",
  "}": "&#125;",
};

/**
 * Text as HTML that Liquid leaves alone: & < > " ' escaped, and { } as character references (Liquid sees no `{{` or
 * `{%`, the browser shows the braces). Safe in element content and in quoted attribute values.
 */
export function text(value: string | number): string {
  return String(value).replace(/[&<>"'{}]/g, (c) => ENTITIES[c]);
}

/** Markup the page built itself (already safe): passed through `t()` values unescaped. */
export interface Html {
  readonly html: string;
}
export const html = (markup: string): Html => ({ html: markup });

/**
 * An amount in minor units of `currency` as Shopify's Liquid money expects it: hundredths of the currency's major
 * unit whatever its decimals (¥1,000 is 100000; 1.000 KWD is 100, rounded half up for three-decimal currencies).
 */
export function liquidCents(minor: number, currency: string): number {
  const decimals = currencyDecimals(currency);
  if (decimals <= 2) return minor * 10 ** (2 - decimals);
  const divisor = 10 ** (decimals - 2);
  return Math.sign(minor) * Math.floor((Math.abs(minor) + divisor / 2) / divisor);
}

/** The money in the shop's money format, for element content: `{{ 81250 | money }}`. */
export function money(minor: number, currency: string): Html {
  return html(`{{ ${liquidCents(minor, currency)} | money }}`);
}

/** The money as plain text for an attribute value (a shop's format may hold HTML): stripped and escaped. */
export function moneyAttribute(minor: number, currency: string): string {
  return `{{ ${liquidCents(minor, currency)} | money | strip_html | escape }}`;
}

// Numbers, money and dates for the admin's locale, with Intl. Money arrives in minor units of the shop currency.
import { fromMinorUnits } from "../domain/money";
import type { Locale } from "./index";

const INTL_LOCALE: Record<Locale, string> = { en: "en-US", th: "th-TH" };

export function formatNumber(locale: Locale, value: number, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(INTL_LOCALE[locale], options).format(value);
}

/** Minor units of `currency` as money in the locale ("฿1,234.50", "$1,234.50", "¥5,000"). */
export function formatMoney(locale: Locale, minor: number, currency: string): string {
  return new Intl.NumberFormat(INTL_LOCALE[locale], { style: "currency", currency }).format(
    Number(fromMinorUnits(minor, currency)),
  );
}

export function formatDate(
  locale: Locale,
  at: Date | string | number,
  options: Intl.DateTimeFormatOptions = { dateStyle: "medium" },
): string {
  return new Intl.DateTimeFormat(INTL_LOCALE[locale], { timeZone: "UTC", ...options }).format(new Date(at));
}

export function formatPercent(locale: Locale, share: number): string {
  return new Intl.NumberFormat(INTL_LOCALE[locale], { style: "percent", maximumFractionDigits: 1 }).format(share);
}

// Markup helpers the loyalty page's parts share (app/storefront/loyalty-page.ts, loyalty-points.ts): translated strings
// with escaped values, dates in the shop's language and zone, cards and lists.
import type { TFunction } from "i18next";
import type { LoyaltyPageView } from "../domain/loyalty-page";
import type { PerkLocale } from "../domain/perks";
import { createI18n } from "../i18n";
import { html, text, type Html } from "./liquid-text";

export type Page = Extract<LoyaltyPageView, { kind: "page" }>;

// One i18next instance per language (they are read-only once initialised).
const translators = new Map<PerkLocale, TFunction>();
export function translator(locale: PerkLocale): TFunction {
  let t = translators.get(locale);
  if (!t) {
    t = createI18n(locale).getFixedT(locale, undefined, "loyalty");
    translators.set(locale, t);
  }
  return t;
}

export type Values = Record<string, string | number | Html>;

/** A translated string with its values: text values escaped, markup (Html) as built. */
export function say(t: TFunction, key: string, values: Values = {}): string {
  const filled: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(values)) {
    filled[name] = typeof value === "object" ? value.html : name === "count" ? value : text(value);
  }
  return t(key, filled) as string;
}

export const INTL_LOCALE: Record<PerkLocale, string> = { en: "en-US", th: "th-TH" };

export function formatterFor(locale: PerkLocale, timeZone: string, options: Intl.DateTimeFormatOptions) {
  try {
    return new Intl.DateTimeFormat(INTL_LOCALE[locale], { ...options, timeZone });
  } catch {
    return new Intl.DateTimeFormat(INTL_LOCALE[locale], { ...options, timeZone: "UTC" });
  }
}

/** A date (or date and time) in the shop's language and zone, as <time> with the instant in UTC. */
export function dateMarkup(page: Page, at: number, withTime = false): Html {
  const format = formatterFor(
    page.locale,
    page.timeZone,
    withTime ? { dateStyle: "long", timeStyle: "short" } : { dateStyle: "long" },
  );
  return html(`<time datetime="${new Date(at).toISOString()}">${text(format.format(new Date(at)))}</time>`);
}

export const strong = (value: string) => html(`<strong>${text(value)}</strong>`);
export const codeMarkup = (code: string) => html(`<code>${text(code)}</code>`);

export function card(id: string, heading: string, body: string): string {
  return `<section class="lp_card" aria-labelledby="${id}"><h2 id="${id}">${heading}</h2>${body}</section>`;
}

export const list = (items: string[], className = "") =>
  `<ul${className ? ` class="${className}"` : ""}>${items.map((i) => `<li>${i}</li>`).join("")}</ul>`;

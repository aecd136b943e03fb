/// <reference types="node" />
// Shopify's i18n for the extension tests. The tester's own mock echoes translation keys and stringifies numbers; these
// read the extension's real locale files (en.default.json, th.json) with Shopify's `{{name}}` interpolation and format
// money and dates with Intl in the given locale (dates in UTC, so the tests do not depend on the machine's zone).
import { readFileSync } from "node:fs";
import path from "node:path";

export type TestLocale = "en" | "th";

const LANGUAGE_TAGS: Record<TestLocale, string> = { en: "en-US", th: "th-TH" };

/** The locale file's strings by dotted key ("tier.toNext"). */
export function localeStrings(extensionDir: string, locale: TestLocale): Map<string, string> {
  const file = locale === "en" ? "en.default.json" : `${locale}.json`;
  const json = JSON.parse(readFileSync(path.join(extensionDir, "locales", file), "utf8")) as unknown;
  const out = new Map<string, string>();
  const walk = (value: unknown, prefix: string) => {
    if (typeof value === "string") out.set(prefix, value);
    else if (typeof value === "object" && value !== null)
      for (const [k, v] of Object.entries(value)) walk(v, prefix ? `${prefix}.${k}` : k);
    else throw new Error(`${file}: ${prefix} is neither text nor a group`);
  };
  walk(json, "");
  return out;
}

/** The `{{name}}` placeholders of a string, sorted. */
export const placeholders = (text: string) => [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();

/** shopify.i18n.translate over the locale file: a missing key or replacement throws, so a test cannot miss it. */
export function translator(extensionDir: string, locale: TestLocale) {
  const strings = localeStrings(extensionDir, locale);
  return (key: string, replacements: Record<string, unknown> = {}): string => {
    const text = strings.get(key);
    if (text === undefined) throw new Error(`no "${key}" in the ${locale} locale file`);
    return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => {
      if (!(name in replacements)) throw new Error(`"${key}" needs {{${name}}}`);
      return String(replacements[name]);
    });
  };
}

type FormatOptions = { inExtensionLocale?: boolean } & Intl.NumberFormatOptions;
type DateOptions = { inExtensionLocale?: boolean } & Intl.DateTimeFormatOptions;

/** formatCurrency, formatNumber and formatDate as Shopify documents them (Intl), in the given locale. */
export function intlFormatters(locale: TestLocale) {
  const tag = LANGUAGE_TAGS[locale];
  return {
    formatCurrency: (n: number | bigint, { inExtensionLocale: _, ...options }: FormatOptions = {}) =>
      new Intl.NumberFormat(tag, { ...options, style: "currency" }).format(n),
    formatNumber: (n: number | bigint, { inExtensionLocale: _, ...options }: FormatOptions = {}) =>
      new Intl.NumberFormat(tag, options).format(n),
    formatDate: (d: Date, { inExtensionLocale: _, ...options }: DateOptions = {}) =>
      new Intl.DateTimeFormat(tag, { timeZone: "UTC", ...options }).format(d),
  };
}

/** Every key the extension's source passes to translate: `t("…")` and `translate("…")` calls with a literal key. */
export function translateKeysInSource(files: string[]): string[] {
  const keys = new Set<string>();
  for (const file of files)
    for (const m of readFileSync(file, "utf8").matchAll(/\b(?:t|translate)\(\s*"([\w.]+)"/g)) keys.add(m[1]);
  return [...keys].sort();
}

// The storefront's Liquid for tests of the theme app extension: the local Shopify's storefront engine
// (simulator/storefront/liquid.ts: Shopify's tags and filters only, `money` in the shop's format, locale-aware `date`)
// with the extension's own locale files for `t`, where a missing string is an error rather than Shopify's
// "translation missing" text. Dates print in UTC.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Liquid as Engine } from "liquidjs";
import { createStorefrontLiquid } from "../../simulator/storefront/liquid";

const ROOT = path.resolve("extensions/loyalty-theme");
const json = (file: string) => JSON.parse(readFileSync(path.join(ROOT, file), "utf8"));
export const LOCALES = { en: json("locales/en.default.json"), th: json("locales/th.json") };

/** A liquidjs engine with the storefront's filters for one locale and money format. */
export function storefront(locale: "en" | "th", moneyFormat: string): Engine {
  return createStorefrontLiquid({
    locale,
    moneyFormat,
    translations: LOCALES[locale],
    missingTranslation: "throw",
    timezone: "UTC",
  });
}

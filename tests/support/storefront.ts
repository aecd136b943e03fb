// The storefront's Liquid for tests: liquidjs with Shopify's `t` (the extension's locale files), `money` (cents in
// the shop's money format) and `date` (format: 'date') filters, and {% schema %} rendering nothing.
import { readFileSync } from "node:fs";
import path from "node:path";
import { Liquid, Tag, type TagToken, type TopLevelToken, type Liquid as Engine } from "liquidjs";

const ROOT = path.resolve("extensions/loyalty-theme");
const json = (file: string) => JSON.parse(readFileSync(path.join(ROOT, file), "utf8"));
export const LOCALES = { en: json("locales/en.default.json"), th: json("locales/th.json") };

/** A liquidjs engine with the storefront's filters for one locale and money format. */
export function storefront(locale: "en" | "th", moneyFormat: string): Engine {
  const engine = new Liquid({ strictFilters: true });
  const lookup = (key: string) =>
    key
      .split(".")
      .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], LOCALES[locale]);
  engine.registerFilter("t", (key: string, ...args: [string, unknown][]) => {
    const text = lookup(key);
    if (typeof text !== "string") throw new Error(`missing translation ${locale}:${key}`);
    const values = Object.fromEntries(args);
    return text.replace(/{{\s*(\w+)\s*}}/g, (_, name: string) => String(values[name] ?? ""));
  });
  // Shopify's money filter takes cents and the shop's money format.
  engine.registerFilter("money", (cents: number) =>
    moneyFormat.replace(
      "{{amount}}",
      (Number(cents) / 100).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
    ),
  );
  engine.registerFilter("date", (value: string, ...args: [string, unknown][]) => {
    const named = Object.fromEntries(args.filter(Array.isArray));
    if (named.format !== "date") throw new Error("only format: 'date' is used");
    return new Intl.DateTimeFormat(locale === "th" ? "th-TH" : "en-US", { dateStyle: "long", timeZone: "UTC" }).format(
      new Date(value),
    );
  });
  // {% schema %} is the block's settings for the theme editor: it renders nothing.
  engine.registerTag(
    "schema",
    class extends Tag {
      constructor(token: TagToken, remain: TopLevelToken[], liquid: Engine) {
        super(token, remain, liquid);
        while (remain.length) {
          const next = remain.shift()! as TagToken;
          if (next.name === "endschema") return;
        }
        throw new Error("unclosed schema");
      }
      *render() {}
    },
  );
  return engine;
}

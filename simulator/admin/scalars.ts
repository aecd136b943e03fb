// Strict parsers for every scalar of the 2026-04 Admin schema, as Shopify's graphql-ruby server coerces input values.
// A value a parser refuses is answered with graphql-ruby's explanation for a variable, `Could not coerce value … to
// <Type>` (Query::VariableValidationError / Schema::Scalar#validate_input), or Shopify's own for IDs. The scalars and
// their documented forms are those of the vendored schema (simulator/schema/admin_2026-04.json.gz), e.g.
// https://shopify.dev/docs/api/admin-graphql/2026-04/scalars/DateTime: "an ISO 8601-encoded date and time string …
// "2019-09-07T15:50:00Z"". A scalar without a parser here is refused, never accepted as anything.

const ID_PATTERN = /^gid:\/\/[A-Za-z0-9-]+\/[A-Za-z0-9]+\/.+/;
const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
const UINT64_MAX = 18446744073709551615n;
const INT64_MIN = -9223372036854775808n;
const INT64_MAX = 9223372036854775807n;

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function validDate(y: string, m: string, d: string): boolean {
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month);
}

// ISO 8601 calendar date, extended format: https://shopify.dev/docs/api/admin-graphql/2026-04/scalars/Date
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// ISO 8601 date and time, extended format with seconds, optional fraction and zone (Z or ±hh:mm / ±hhmm / ±hh), as
// Ruby's Time.iso8601 reads it; graphql-ruby's ISO8601DateTime also takes a bare date (midnight).
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;

/** Is `value` an ISO 8601 date-time Shopify's DateTime accepts? ("December 5, 2026", "2026-12-05 10:00" are not.) */
export function isIsoDateTime(value: string): boolean {
  const date = DATE.exec(value);
  if (date) return validDate(date[1], date[2], date[3]);
  const m = DATE_TIME.exec(value);
  if (!m) return false;
  if (!validDate(m[1], m[2], m[3])) return false;
  const [hour, minute, second] = [Number(m[4]), Number(m[5]), Number(m[6])];
  if (hour > 23 || minute > 59 || second > 59) return false;
  const zone = m[8];
  if (zone && zone.length > 1) {
    const digits = zone.slice(1).replace(":", "");
    if (Number(digits.slice(0, 2)) > 23 || (digits.length === 4 && Number(digits.slice(2)) > 59)) return false;
  }
  return true;
}

export function isIsoDate(value: string): boolean {
  const m = DATE.exec(value);
  return !!m && validDate(m[1], m[2], m[3]);
}

const DECIMAL = /^[+-]?\d+(\.\d+)?$/;

function integerString(value: unknown, min: bigint, max: bigint): boolean {
  if (typeof value === "number") return Number.isSafeInteger(value) && BigInt(value) >= min && BigInt(value) <= max;
  if (typeof value !== "string" || !/^-?\d+$/.test(value)) return false;
  const n = BigInt(value);
  return n >= min && n <= max;
}

/** Absolute http(s) URL with a host, no whitespace: https://shopify.dev/docs/api/admin-graphql/2026-04/scalars/URL */
function isUrl(value: string): boolean {
  if (/[\s\u0000-\u001f\u007f]/.test(value)) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "" && /^https?:\/\//i.test(value);
}

/** A JSON value: anything a JSON document can hold (variables always are; literals are checked here too). */
function isJsonValue(value: unknown, depth = 0): boolean {
  if (depth > 100) return false;
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((v) => isJsonValue(v, depth + 1));
  if (typeof value === "object") return Object.values(value as object).every((v) => isJsonValue(v, depth + 1));
  return false;
}

type Parser = (value: unknown) => boolean;

const str =
  (test: (s: string) => boolean): Parser =>
  (value) =>
    typeof value === "string" && test(value);

/** One parser per scalar of the 2026-04 schema; ID is handled by scalarProblem (its own message). */
const PARSERS: Record<string, Parser> = {
  Int: (v) => typeof v === "number" && Number.isInteger(v) && v >= INT_MIN && v <= INT_MAX,
  Float: (v) => typeof v === "number" && Number.isFinite(v),
  String: (v) => typeof v === "string",
  Boolean: (v) => typeof v === "boolean",
  // https://shopify.dev/docs/api/admin-graphql/2026-04/scalars/DateTime
  DateTime: str(isIsoDateTime),
  // https://shopify.dev/docs/api/admin-graphql/2026-04/scalars/Date
  Date: str(isIsoDate),
  // https://shopify.dev/docs/api/admin-graphql/2026-04/scalars/Decimal ("29.99"); a JSON number is read as one too.
  Decimal: (v) => (typeof v === "string" && DECIMAL.test(v)) || (typeof v === "number" && Number.isFinite(v)),
  // https://shopify.dev/docs/api/admin-graphql/2026-04/scalars/Money ("100.57", no symbol or code)
  Money: (v) => (typeof v === "string" && DECIMAL.test(v)) || (typeof v === "number" && Number.isFinite(v)),
  // https://shopify.dev/docs/api/admin-graphql/2026-04/scalars/UnsignedInt64 (0 … 2^64−1, base-10 digits)
  UnsignedInt64: (v) => integerString(v, 0n, UINT64_MAX),
  // https://shopify.dev/docs/api/admin-graphql/2026-04/scalars/BigInt (signed, "encoded as a string")
  BigInt: (v) => integerString(v, INT64_MIN, INT64_MAX),
  URL: str(isUrl),
  // https://shopify.dev/docs/api/admin-graphql/2026-04/scalars/Color ("#6A8D48")
  Color: str((s) => /^#[0-9A-Fa-f]{6}$/.test(s)),
  // https://shopify.dev/docs/api/admin-graphql/2026-04/scalars/UtcOffset ("+HH:MM" / "-HH:MM")
  UtcOffset: str((s) => /^[+-](0\d|1[0-4]):[0-5]\d$/.test(s)),
  // https://shopify.dev/docs/api/admin-graphql/2026-04/scalars/ARN (arn:partition:service:region:account-id:resource)
  ARN: str((s) => /^arn:[A-Za-z0-9-]+:[A-Za-z0-9-]+:[A-Za-z0-9-]*:\d*:\S+$/.test(s)),
  // https://shopify.dev/docs/api/admin-graphql/2026-04/scalars/JSON
  JSON: (v) => v !== undefined && isJsonValue(v),
  // Strings whose content Shopify sanitises rather than refuses.
  HTML: (v) => typeof v === "string",
  FormattedString: (v) => typeof v === "string",
  StorefrontID: str((s) => s.length > 0),
};

export const KNOWN_SCALARS: readonly string[] = ["ID", ...Object.keys(PARSERS)];

/** graphql-ruby's explanation of why `value` is not a `typeName`, or null when it is one. */
export function scalarProblem(typeName: string, value: unknown): string | null {
  const fail = `Could not coerce value ${JSON.stringify(value) ?? String(value)} to ${typeName}`;
  if (typeName === "ID") {
    if (typeof value !== "string" && typeof value !== "number") return fail;
    return ID_PATTERN.test(String(value)) ? null : `Invalid global id '${String(value)}'`;
  }
  const parser = PARSERS[typeName];
  if (!parser) return `${fail} (the local Shopify has no parser for the ${typeName} scalar)`;
  return parser(value) ? null : fail;
}

// What metafieldsSet checks of each input before anything is written, in Shopify's words.
//
// - namespace "3-255 characters long and can contain alphanumeric, hyphen, and underscore characters", key "2-64
//   characters" of the same set (MetafieldsSetInput in the 2026-04 schema,
//   https://shopify.dev/docs/api/admin-graphql/2026-04/input-objects/MetafieldsSetInput); `$app` and `$app:suffix`
//   are the app's reserved namespace `app--{app id}[--suffix]`; another app's `app--…` namespace is refused.
// - value size: "Most metafield types have a 64KB (65,536 bytes) size limit", `id` and `url` 2KB, and from 2026-04
//   `json` 128KB (https://shopify.dev/docs/apps/build/metafields/metafield-limits,
//   https://shopify.dev/changelog/reduced-metafield-value-sizes); list types hold at most 128 items.
// - value per type (https://shopify.dev/docs/apps/build/metafields/list-of-data-types).
// Messages and codes are those Shopify answers ("Type can't be blank", Shopify/shopify_python_api#641; "Type 'x' must
// be consistent with the definition's type: 'y'.", as apps report it) and those recorded from the real API by other
// Shopify doubles ("Namespace is too short (minimum is 3 characters)", "Value must be a single line text string.",
// "Value is invalid JSON.", "Exceeded the maximum metafields input limit of 25.", …).
import { isIsoDate } from "./scalars";
import { notImplemented } from "./shopify-error";

export type MetafieldUserError = { field: string[]; message: string; code: string | null; elementIndex: number | null };

export const NAMESPACE_MIN = 3;
export const NAMESPACE_MAX = 255;
export const KEY_MIN = 2;
export const KEY_MAX = 64;
export const LIST_MAX_ITEMS = 128;
const IDENTIFIER = /^[A-Za-z0-9_-]+$/;
/** Namespaces Shopify keeps for itself. */
const RESERVED_NAMESPACES = new Set(["shopify_standard", "protected", "shopify-l10n-fields"]);

const KB = 1024;
/** Bytes a value of each type may hold when written with API 2026-04. */
export function valueSizeLimit(type: string): number {
  if (type === "json") return 128 * KB;
  if (type === "id" || type === "url") return 2 * KB;
  return 64 * KB;
}

export const METAFIELD_TYPES = new Set([
  "boolean",
  "color",
  "date",
  "date_time",
  "dimension",
  "id",
  "json",
  "link",
  "money",
  "multi_line_text_field",
  "number_decimal",
  "number_integer",
  "rating",
  "rich_text_field",
  "single_line_text_field",
  "url",
  "volume",
  "weight",
  "customer_reference",
  "product_reference",
  "variant_reference",
  "collection_reference",
  "metaobject_reference",
  "file_reference",
  "page_reference",
  "order_reference",
  "company_reference",
  "list.single_line_text_field",
  "list.number_integer",
  "list.number_decimal",
  "list.date",
  "list.date_time",
  "list.url",
  "list.color",
  "list.boolean",
  "list.json",
  "list.link",
  "list.rating",
  "list.dimension",
  "list.volume",
  "list.weight",
  "list.customer_reference",
  "list.product_reference",
  "list.variant_reference",
  "list.collection_reference",
  "list.metaobject_reference",
  "list.file_reference",
  "list.page_reference",
]);

/** `$app` and `$app:suffix` are the app's reserved namespaces; Shopify stores them as `app--{app id}[--suffix]`. */
export function resolveNamespace(namespace: string | null | undefined, appId: number): string {
  const ns = namespace ?? "$app";
  if (ns === "$app") return `app--${appId}`;
  if (ns.startsWith("$app:")) return `app--${appId}--${ns.slice(5)}`;
  return ns;
}

const error = (
  field: string[],
  message: string,
  code: string | null,
  elementIndex: number | null = null,
): MetafieldUserError => ({
  field,
  message,
  code,
  elementIndex,
});

/** The namespace and key of input `index`, or the first thing Shopify refuses about them. */
export function identifierError(
  index: number,
  rawNamespace: string | null | undefined,
  key: string,
  appId: number,
): MetafieldUserError | null {
  const at = (part: string) => ["metafields", String(index), part];
  const namespace = resolveNamespace(rawNamespace, appId);
  // What the app typed (for `$app:suffix`, the suffix) must be of the allowed characters.
  const typed =
    rawNamespace == null || rawNamespace === "$app"
      ? null
      : rawNamespace.startsWith("$app:")
        ? rawNamespace.slice(5)
        : rawNamespace;
  if (namespace.length < NAMESPACE_MIN)
    return error(at("namespace"), `Namespace is too short (minimum is ${NAMESPACE_MIN} characters)`, "TOO_SHORT");
  if (key.length < KEY_MIN) return error(at("key"), `Key is too short (minimum is ${KEY_MIN} characters)`, "TOO_SHORT");
  if (namespace.length > NAMESPACE_MAX)
    return error(at("namespace"), `Namespace is too long (maximum is ${NAMESPACE_MAX} characters)`, "TOO_LONG");
  if (key.length > KEY_MAX) return error(at("key"), `Key is too long (maximum is ${KEY_MAX} characters)`, "TOO_LONG");
  if (typed !== null && !IDENTIFIER.test(typed))
    return error(at("namespace"), "Namespace contains one or more invalid characters.", "INVALID");
  if (!IDENTIFIER.test(key)) return error(at("key"), "Key contains one or more invalid characters.", "INVALID");
  if (RESERVED_NAMESPACES.has(namespace))
    return error(at("namespace"), `Namespace ${namespace} is a reserved namespace`, null);
  const app = /^app--(\d+)(--|$)/.exec(namespace);
  if (namespace.startsWith("app--") && (!app || Number(app[1]) !== appId)) {
    return error(
      ["metafields", String(index)],
      "Access to this namespace and key on Metafields for this resource type is not allowed.",
      "APP_NOT_AUTHORIZED",
    );
  }
  return null;
}

const DECIMAL = /^[+-]?\d+(\.\d+)?$/;
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;
const URL_SCHEMES = ["http:", "https:", "mailto:", "sms:", "tel:"];

function parseJson(value: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(value) };
  } catch {
    return { ok: false };
  }
}

function urlProblem(value: string): string | null {
  let url: URL | null = null;
  try {
    url = new URL(value);
  } catch {
    url = null;
  }
  return url && URL_SCHEMES.includes(url.protocol)
    ? null
    : `Value cannot have an empty scheme (protocol), must include one of the following URL schemes: ["http", "https", "mailto", "sms", "tel"].`;
}

export interface ValueContext {
  /** Whether a referenced resource exists (customer_reference and product_reference are the types modelled). */
  customerExists(id: string): boolean;
  productExists(id: string): boolean;
}

/** Why `value` is not a `type` value, or null. Lists are handled by listValueErrors. */
export function scalarValueProblem(type: string, value: string, ctx: ValueContext): string | null {
  switch (type) {
    case "boolean":
      return value === "true" || value === "false" ? null : "Value must be true or false.";
    case "number_integer":
      return /^-?\d+$/.test(value) && BigInt(value) >= -(2n ** 63n) && BigInt(value) < 2n ** 63n
        ? null
        : "Value must be an integer.";
    case "number_decimal":
      return DECIMAL.test(value) ? null : "Value must be a decimal.";
    case "date":
      return isIsoDate(value) ? null : "Value must be in YYYY-MM-DD format.";
    case "date_time": {
      const m = DATE_TIME.exec(value);
      return m && isIsoDate(m[1]) ? null : "Value must be in YYYY-MM-DDTHH:MM:SS format.";
    }
    case "json":
      return parseJson(value).ok ? null : "Value is invalid JSON.";
    case "single_line_text_field":
      if (value.trim() === "") return "Value can't be blank.";
      return /[\r\n]/.test(value) ? "Value must be a single line text string." : null;
    case "multi_line_text_field":
      return value.trim() === "" ? "Value can't be blank." : null;
    case "color":
      return /^#[0-9A-Fa-f]{6}$/.test(value) ? null : "Value must be a hex color code.";
    case "url":
      return urlProblem(value);
    case "id":
      return value.trim() === "" ? "Value can't be blank." : null;
    case "money": {
      const parsed = parseJson(value);
      const v = parsed.ok ? (parsed.value as Record<string, unknown> | null) : null;
      return v &&
        typeof v === "object" &&
        typeof v.amount === "string" &&
        DECIMAL.test(v.amount) &&
        typeof v.currency_code === "string"
        ? null
        : "Value must be a stringified JSON object with amount (numeric) and currency_code (string matching the shop's currency) fields.";
    }
    case "customer_reference":
      return ctx.customerExists(value) ? null : `Value references non-existent resource ${value}.`;
    // A product of the shop (any status: Shopify keeps references to drafts and archived products; the storefront
    // does not show them). Another resource's gid, or a product deleted or never made, is not one.
    case "product_reference":
      return /^gid:\/\/shopify\/Product\/\d+$/.test(value) && ctx.productExists(value)
        ? null
        : `Value references non-existent resource ${value}.`;
    default: {
      if (type.endsWith("_reference")) throw notImplemented(`metafield values of type ${type}`);
      // JSON object types (link, rating, dimension, volume, weight, rich_text_field): at least a JSON object.
      const parsed = parseJson(value);
      return parsed.ok && parsed.value !== null && typeof parsed.value === "object" && !Array.isArray(parsed.value)
        ? null
        : "Value is invalid.";
    }
  }
}

/** Every problem of a `list.*` value: a JSON array of at most 128 items, each checked as its type (elementIndex). */
export function listValueErrors(index: number, type: string, value: string, ctx: ValueContext): MetafieldUserError[] {
  const field = ["metafields", String(index), "value"];
  const parsed = parseJson(value);
  if (!parsed.ok || !Array.isArray(parsed.value)) return [error(field, "Value must be a JSON array.", "INVALID_VALUE")];
  const items = parsed.value as unknown[];
  if (items.length > LIST_MAX_ITEMS)
    return [error(field, `Value has more than ${LIST_MAX_ITEMS} elements.`, "INVALID_VALUE")];
  const inner = type.slice("list.".length);
  const out: MetafieldUserError[] = [];
  items.forEach((item, i) => {
    const text =
      typeof item === "string"
        ? item
        : typeof item === "number" || typeof item === "boolean"
          ? String(item)
          : item && typeof item === "object"
            ? JSON.stringify(item)
            : null;
    const problem = text === null ? "Value is invalid." : scalarValueProblem(inner, text, ctx);
    if (problem) out.push(error(field, problem, "INVALID_VALUE", i));
  });
  return out;
}

/** Size, then type, problems of one input's value. */
export function valueErrors(index: number, type: string, value: string, ctx: ValueContext): MetafieldUserError[] {
  const field = ["metafields", String(index), "value"];
  const limit = valueSizeLimit(type);
  const bytes = Buffer.byteLength(value, "utf8");
  if (bytes > limit) return [error(field, `Value is too long (maximum is ${limit} bytes)`, "TOO_LONG")];
  if (type.startsWith("list.")) return listValueErrors(index, type, value, ctx);
  const problem = scalarValueProblem(type, value, ctx);
  return problem ? [error(field, problem, "INVALID_VALUE")] : [];
}

export { error as metafieldUserError };

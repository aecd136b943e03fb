// A request validator over a vendor's own OpenAPI 3.0 description, shared by the local LINE and Klaviyo doubles.
// It finds the operation for a method and path, then checks what the vendor's description says about it:
// required path/query/header parameters and their schemas, the request body's media type and schema, and that the
// security header is present. The doubles turn the problems it finds into each vendor's own error shape.
//
// Two things about OpenAPI 3.0 that JSON Schema validators do not do on their own are handled here:
// - `discriminator` with a `mapping` on a base schema that its subtypes extend with `allOf` (LINE's Message,
//   Action, FlexComponent...): the base is rewritten to pick the mapped subtype by the property's value (and to
//   refuse values the mapping does not list), and the subtypes' `allOf` reference the untouched base.
// - `nullable: true` (OpenAPI 3.0) becomes `anyOf: [schema, { type: "null" }]`.
// - `$ref`s are local to the document: every schema is compiled against one registered copy of the components.
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

export interface OpenApiProblem {
  /** Where: "path", "query", "header", "body" or "security". */
  in: "path" | "query" | "header" | "body" | "security";
  /** The parameter name, or for the body a property path like `messages[0].text` (LINE's style). */
  property: string;
  /** JSON pointer into the body (Klaviyo's `source.pointer`), empty when not in the body. */
  pointer: string;
  message: string;
}

export interface MatchedOperation {
  operationId: string;
  method: string;
  template: string;
  pathParams: Record<string, string>;
  operation: JsonObject;
}

const SPEC_ID = "openapi-spec";
const BASE_SUFFIX = "__base";

export function readGzippedJson(file: string): JsonObject {
  return JSON.parse(gunzipSync(readFileSync(file)).toString("utf8")) as JsonObject;
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Deep copy with every document-local `$ref` ("#/...") pointed at the registered spec. */
function relink(value: Json, rename: (ref: string) => string = (r) => r): Json {
  if (Array.isArray(value)) return value.map((v) => relink(v, rename));
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === "$ref" && typeof v === "string" && v.startsWith("#/")) out[k] = `${SPEC_ID}${rename(v)}`;
    else if (k === "discriminator" || k === "example" || k === "examples" || k === "externalDocs") continue;
    else if (k === "nullable") continue;
    else out[k] = relink(v, rename);
  }
  // OpenAPI 3.0's `nullable: true` means "or null"; JSON Schema says it with anyOf.
  if (value.nullable === true) return { anyOf: [out, { type: "null" }] };
  return out;
}

/** Components with OpenAPI discriminators (mapping, no oneOf) turned into JSON Schema that dispatches on the value. */
function transformSchemas(schemas: JsonObject): JsonObject {
  const out: JsonObject = {};
  const bases = new Map<string, { property: string; mapping: Record<string, string> }>();
  for (const [name, schema] of Object.entries(schemas)) {
    if (!isObject(schema) || !isObject(schema.discriminator)) continue;
    const d = schema.discriminator;
    if (schema.oneOf || schema.anyOf || !isObject(d.mapping) || typeof d.propertyName !== "string") continue;
    bases.set(name, { property: d.propertyName, mapping: d.mapping as Record<string, string> });
  }
  const subtypeOf = new Map<string, Set<string>>();
  for (const [base, { mapping }] of bases) {
    for (const ref of Object.values(mapping)) {
      const sub = ref.split("/").pop()!;
      if (!subtypeOf.has(sub)) subtypeOf.set(sub, new Set());
      subtypeOf.get(sub)!.add(base);
    }
  }
  for (const [name, schema] of Object.entries(schemas)) {
    const parents = subtypeOf.get(name);
    if (parents && isObject(schema) && Array.isArray(schema.allOf)) {
      // A subtype's allOf extends the base: point it at the base without the dispatch, or it would recurse.
      const allOf = schema.allOf.map((part) =>
        isObject(part) && typeof part.$ref === "string" && parents.has(part.$ref.split("/").pop()!)
          ? { $ref: `${part.$ref}${BASE_SUFFIX}` }
          : part,
      );
      out[name] = relink({ ...schema, allOf });
    } else {
      out[name] = relink(schema);
    }
    const base = bases.get(name);
    if (base) {
      out[`${name}${BASE_SUFFIX}`] = out[name];
      const keys = Object.keys(base.mapping);
      out[name] = {
        type: "object",
        required: [base.property],
        properties: { [base.property]: { type: "string", enum: keys } },
        allOf: keys.map((k) => ({
          if: { properties: { [base.property]: { const: k } }, required: [base.property] },
          then: { $ref: `${SPEC_ID}${base.mapping[k]}` },
        })),
      };
    }
  }
  return out;
}

/** `messages[0].text` from `/messages/0/text`. */
function pointerToProperty(pointer: string): string {
  const parts = pointer
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  let out = "";
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out ? `.${p}` : p;
  return out;
}

function describe(e: ErrorObject): { pointer: string; message: string } {
  let pointer = e.instancePath;
  let message = e.message ?? "is invalid";
  if (e.keyword === "required") {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    pointer = `${pointer}/${missing}`;
    message = "must be specified";
  } else if (e.keyword === "enum") {
    message = `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map(String).join(", ")}`;
  } else if (e.keyword === "additionalProperties") {
    pointer = `${pointer}/${(e.params as { additionalProperty: string }).additionalProperty}`;
    message = "is not allowed";
  }
  return { pointer, message };
}

export class OpenApiValidator {
  readonly doc: JsonObject;
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly routes: { method: string; template: string; regex: RegExp; names: string[]; op: JsonObject }[] = [];

  constructor(doc: JsonObject) {
    this.doc = doc;
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true, coerceTypes: false });
    addFormats(this.ajv);
    const components = isObject(doc.components) ? doc.components : {};
    const schemas = isObject(components.schemas) ? transformSchemas(components.schemas) : {};
    this.ajv.addSchema({ $id: SPEC_ID, components: { schemas } } as object);
    const paths = isObject(doc.paths) ? doc.paths : {};
    for (const [template, item] of Object.entries(paths)) {
      if (!isObject(item)) continue;
      const names: string[] = [];
      const regex = new RegExp(
        "^" +
          template
            .split(/(\{[^}]+\})/)
            .map((part) => {
              const m = /^\{([^}]+)\}$/.exec(part);
              if (!m) return part.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
              names.push(m[1]);
              return "([^/]+)";
            })
            .join("") +
          "/?$",
      );
      for (const method of ["get", "post", "put", "patch", "delete"]) {
        const op = item[method];
        if (isObject(op)) {
          const shared = Array.isArray(item.parameters) ? item.parameters : [];
          const own = Array.isArray(op.parameters) ? op.parameters : [];
          this.routes.push({ method, template, regex, names, op: { ...op, parameters: [...shared, ...own] } });
        }
      }
    }
    // Literal paths before templated ones (e.g. /quota/consumption before /{id}).
    this.routes.sort((a, b) => a.names.length - b.names.length);
  }

  /** The operation for this method and path; `null` when the path is unknown, "method" when only the method is. */
  match(method: string, pathname: string): MatchedOperation | null | "method" {
    let pathKnown = false;
    for (const r of this.routes) {
      const m = r.regex.exec(pathname);
      if (!m) continue;
      pathKnown = true;
      if (r.method !== method.toLowerCase()) continue;
      const pathParams: Record<string, string> = {};
      r.names.forEach((n, i) => (pathParams[n] = decodeURIComponent(m[i + 1])));
      return {
        operationId: String(r.op.operationId ?? `${r.method} ${r.template}`),
        method: r.method,
        template: r.template,
        pathParams,
        operation: r.op,
      };
    }
    return pathKnown ? "method" : null;
  }

  private validatorFor(key: string, schema: Json): ValidateFunction {
    let v = this.compiled.get(key);
    if (!v) {
      v = this.ajv.compile(relink(schema) as object);
      this.compiled.set(key, v);
    }
    return v;
  }

  private resolveParameter(p: Json): JsonObject | null {
    if (!isObject(p)) return null;
    if (typeof p.$ref === "string") {
      const target = p.$ref
        .slice(2)
        .split("/")
        .reduce<Json | undefined>((acc, k) => (isObject(acc) ? acc[k] : undefined), this.doc);
      return isObject(target) ? target : null;
    }
    return p;
  }

  /** What the description refuses in this request (empty when it is acceptable). */
  validate(
    matched: MatchedOperation,
    request: {
      headers: Record<string, string | undefined>;
      query: URLSearchParams;
      contentType: string | undefined;
      body: Json | undefined;
      rawBodyLength: number;
    },
  ): OpenApiProblem[] {
    const problems: OpenApiProblem[] = [];
    const op = matched.operation;
    for (const raw of (op.parameters as Json[]) ?? []) {
      const p = this.resolveParameter(raw);
      if (!p || typeof p.name !== "string") continue;
      const where = p.in as "path" | "query" | "header";
      let value: string | undefined;
      if (where === "path") value = matched.pathParams[p.name];
      else if (where === "query") value = matched ? (request.query.get(p.name) ?? undefined) : undefined;
      else if (where === "header") value = request.headers[p.name.toLowerCase()];
      else continue;
      if (value === undefined || value === "") {
        if (p.required === true) problems.push({ in: where, property: p.name, pointer: "", message: "is required" });
        continue;
      }
      if (!isObject(p.schema)) continue;
      const schema = p.schema;
      let typed: Json = value;
      if (schema.type === "integer" || schema.type === "number") typed = Number(value);
      else if (schema.type === "boolean") typed = value === "true" ? true : value === "false" ? false : value;
      else if (schema.type === "array" || schema.type === "object") continue; // deepObject/explode forms: not checked
      const check = this.validatorFor(`${matched.operationId}:${where}:${p.name}`, schema);
      if (!check(typed)) {
        problems.push({
          in: where,
          property: p.name,
          pointer: "",
          message: `is invalid: ${check.errors?.map((e) => describe(e).message).join("; ")}`,
        });
      }
    }

    const security = Array.isArray(op.security)
      ? op.security
      : Array.isArray(this.doc.security)
        ? this.doc.security
        : [];
    const schemes =
      isObject(this.doc.components) && isObject(this.doc.components.securitySchemes)
        ? this.doc.components.securitySchemes
        : {};
    if (security.length > 0 && !security.some((req) => isObject(req) && Object.keys(req).length === 0)) {
      const satisfied = security.some(
        (req) =>
          isObject(req) &&
          Object.keys(req).every((name) => {
            const s = schemes[name];
            if (!isObject(s)) return false;
            if (s.type === "http" && s.scheme === "bearer")
              return /^Bearer \S+/.test(request.headers.authorization ?? "");
            if (s.type === "http" && s.scheme === "basic")
              return /^Basic \S+/.test(request.headers.authorization ?? "");
            if (s.type === "apiKey" && s.in === "header" && typeof s.name === "string") {
              return Boolean(request.headers[s.name.toLowerCase()]);
            }
            return true;
          }),
      );
      if (!satisfied) problems.push({ in: "security", property: "Authorization", pointer: "", message: "is required" });
    }

    const body = isObject(op.requestBody) ? op.requestBody : null;
    if (body) {
      const content = isObject(body.content) ? body.content : {};
      const mediaTypes = Object.keys(content);
      const given = (request.contentType ?? "").split(";")[0].trim().toLowerCase();
      if (request.rawBodyLength === 0) {
        if (body.required === true) problems.push({ in: "body", property: "", pointer: "", message: "is required" });
      } else if (!mediaTypes.includes(given)) {
        problems.push({
          in: "header",
          property: "Content-Type",
          pointer: "",
          message: `must be ${mediaTypes.join(" or ")}`,
        });
      } else {
        const media = content[given];
        if (isObject(media) && media.schema !== undefined) {
          const check = this.validatorFor(`${matched.operationId}:body:${given}`, media.schema);
          if (!check(request.body)) {
            for (const e of check.errors ?? []) {
              // The dispatch's if/then failures repeat the subtype's errors; report only the concrete ones.
              if (e.keyword === "if") continue;
              const d = describe(e);
              problems.push({
                in: "body",
                property: pointerToProperty(d.pointer),
                pointer: d.pointer,
                message: d.message,
              });
            }
          }
        }
      }
    } else if (request.rawBodyLength > 0 && matched.method === "get") {
      // GETs carry no body at either vendor; ignore rather than refuse (clients may send an empty JSON object).
    }
    return problems;
  }

  /**
   * What the description says is wrong with an answer the double is about to give (empty when it conforms): the
   * doubles check their own answers, so a double cannot drift from the vendor's description unnoticed.
   */
  responseProblems(matched: MatchedOperation, status: number, body: Json | undefined): string[] {
    const responses = isObject(matched.operation.responses) ? matched.operation.responses : {};
    const key = [String(status), `${String(status)[0]}XX`, "default"].find((k) => k in responses);
    if (!key) return [`status ${status} is not among the operation's responses`];
    const response = responses[key];
    if (!isObject(response) || !isObject(response.content)) return [];
    const media = Object.values(response.content)[0];
    if (!isObject(media) || media.schema === undefined) return [];
    const check = this.validatorFor(`${matched.operationId}:response:${key}`, media.schema);
    if (check(body ?? null)) return [];
    return (check.errors ?? [])
      .filter((e) => e.keyword !== "if")
      .map((e) => {
        const d = describe(e);
        return `${d.pointer || "/"} ${d.message}`;
      });
  }

  /** Checks a value against a named component schema (used for what the doubles send, e.g. LINE webhooks). */
  validateComponent(name: string, value: Json): string[] {
    const check = this.validatorFor(`component:${name}`, { $ref: `#/components/schemas/${name}` });
    if (check(value)) return [];
    return (check.errors ?? [])
      .filter((e) => e.keyword !== "if")
      .map((e) => {
        const d = describe(e);
        return `${d.pointer || "/"} ${d.message}`;
      });
  }
}

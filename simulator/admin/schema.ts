// Shopify's real Admin GraphQL schema (API 2026-04), built once per process from the vendored introspection file.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { buildClientSchema, type GraphQLSchema, type IntrospectionQuery } from "graphql";

export const ADMIN_API_VERSION = "2026-04";

const SCHEMA_FILE = fileURLToPath(new URL(`../schema/admin_${ADMIN_API_VERSION}.json.gz`, import.meta.url));

let cached: GraphQLSchema | undefined;

/** The Admin schema; the first call parses ≈20 MB of JSON, later calls are free. */
export function adminSchema(): GraphQLSchema {
  if (!cached) {
    const json = JSON.parse(gunzipSync(readFileSync(SCHEMA_FILE)).toString("utf8")) as
      | IntrospectionQuery
      | { data: IntrospectionQuery };
    cached = buildClientSchema("data" in json ? json.data : json, { assumeValid: true });
  }
  return cached;
}

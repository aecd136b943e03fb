// Every GraphQL document the gateway sends is valid against Shopify's real Admin 2026-04 schema, uses no deprecated
// field, and lives in app/shopify/documents.ts (so this one test sees them all).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { NoDeprecatedCustomRule, parse, specifiedRules, validate } from "graphql";
import { describe, expect, it } from "vitest";
import * as documents from "../../app/shopify/documents";
import { adminSchema } from "../../simulator/admin/schema";

const GATEWAY_DIR = path.resolve("app/shopify");
const exported: [string, string][] = Object.entries(documents as Record<string, unknown>).flatMap(([name, value]) => (typeof value === "string" ? [[name, value] as [string, string]] : []));

function gatewayFiles(dir = GATEWAY_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? gatewayFiles(path.join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [path.join(dir, e.name)] : [],
  );
}

describe("gateway documents", () => {
  it("are all exported from documents.ts, each tagged #graphql", () => {
    // Given every source file of the gateway
    const tagged = gatewayFiles().map((file) => ({ file: path.relative(GATEWAY_DIR, file), count: (readFileSync(file, "utf8").match(/`#graphql/g) ?? []).length }));
    // Then only documents.ts holds #graphql literals, and it exports exactly as many documents as it holds
    expect(tagged.filter((t) => t.count > 0).map((t) => t.file)).toEqual(["documents.ts"]);
    expect(exported.length).toBe(tagged.find((t) => t.file === "documents.ts")!.count);
    for (const [name, text] of exported) expect(text.startsWith("#graphql"), name).toBe(true);
  });

  it.each(exported)("%s is valid against the Admin 2026-04 schema and uses no deprecated field", (_name, text) => {
    const schema = adminSchema();
    // When the document is validated with graphql-js and the schema Shopify publishes
    const errors = validate(schema, parse(text), [...specifiedRules, NoDeprecatedCustomRule]);
    // Then there is nothing to report
    expect(errors.map((e) => e.message)).toEqual([]);
  });

  it("names every operation, so the request log and the stats say which one ran", () => {
    for (const [name, text] of exported) {
      const operations = parse(text).definitions.filter((d) => d.kind === "OperationDefinition");
      expect(operations, name).toHaveLength(1);
      expect(operations.every((o) => o.kind === "OperationDefinition" && o.name), name).toBe(true);
    }
  });

  it("keeps bulk queries within Shopify's bulk rules: no variables, no pageInfo", () => {
    for (const [name, text] of exported.filter(([n]) => n.endsWith("_BULK_QUERY"))) {
      expect(text, name).not.toMatch(/\$\w+/);
      expect(text, name).not.toMatch(/pageInfo/);
    }
  });
});

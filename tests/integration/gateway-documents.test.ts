// Every GraphQL document the gateway sends is valid against Shopify's real Admin 2026-04 schema, uses no deprecated
// field, and lives in app/shopify/documents.ts (so this one test sees them all).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { NoDeprecatedCustomRule, parse, specifiedRules, validate } from "graphql";
import { describe, expect, it } from "vitest";
import * as documents from "../../app/shopify/documents";
import { requestedQueryCost } from "../../simulator/admin/cost";
import { adminSchema } from "../../simulator/admin/schema";

const GATEWAY_DIR = path.resolve("app/shopify");
const exported: [string, string][] = Object.entries(documents as Record<string, unknown>).flatMap(([name, value]) =>
  typeof value === "string" ? [[name, value] as [string, string]] : [],
);

function gatewayFiles(dir = GATEWAY_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? gatewayFiles(path.join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [path.join(dir, e.name)] : [],
  );
}

describe("gateway documents", () => {
  it("are all exported from documents.ts, each tagged #graphql", () => {
    // Given every source file of the gateway
    const tagged = gatewayFiles().map((file) => ({
      file: path.relative(GATEWAY_DIR, file),
      count: (readFileSync(file, "utf8").match(/`#graphql/g) ?? []).length,
    }));
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
      expect(
        operations.every((o) => o.kind === "OperationDefinition" && o.name),
        name,
      ).toBe(true);
    }
  });

  // Costs written out by hand (Shopify: 10 points per mutation field, at most 1000 a request), compared with the
  // local Shopify's cost calculation (simulator/admin/cost.ts, Shopify's documented rules; not the app's code).
  const costOf = (text: string) => {
    const document = parse(text);
    const operation = document.definitions[0];
    if (operation.kind !== "OperationDefinition") throw new Error("not an operation");
    return requestedQueryCost(adminSchema(), document, operation, {});
  };

  it.each([
    [{ tagsAdd: 1, tagsRemove: 0, metafieldsSet: 0, metafieldsDelete: 0 }, 10],
    [{ tagsAdd: 0, tagsRemove: 0, metafieldsSet: 0, metafieldsDelete: 1 }, 10],
    [{ tagsAdd: 3, tagsRemove: 2, metafieldsSet: 1, metafieldsDelete: 0 }, 60],
    [{ tagsAdd: 40, tagsRemove: 40, metafieldsSet: 10, metafieldsDelete: 10 }, 1000],
  ])("the sync mutation built for %o is valid, named, and costs 10 points a field (%i)", (shape, cost) => {
    const text = documents.syncCustomersMutation(shape);
    expect(text.startsWith("#graphql")).toBe(true);
    const errors = validate(adminSchema(), parse(text), [...specifiedRules, NoDeprecatedCustomRule]);
    expect(errors.map((e) => e.message)).toEqual([]);
    const operation = parse(text).definitions[0];
    expect(operation.kind === "OperationDefinition" && operation.name?.value).toBe("SyncCustomers");
    const fields = shape.tagsAdd + shape.tagsRemove + shape.metafieldsSet + shape.metafieldsDelete;
    expect(operation.kind === "OperationDefinition" && operation.selectionSet.selections.length).toBe(fields);
    expect(costOf(text)).toBe(cost);
    expect(cost).toBeLessThanOrEqual(1000);
  });

  it.each([
    [1, 10],
    [37, 370],
    [100, 1000],
  ])("the Flow triggers mutation for %i triggers is valid and costs 10 points a trigger (%i)", (count, cost) => {
    const text = documents.flowTriggersMutation(count);
    const errors = validate(adminSchema(), parse(text), [...specifiedRules, NoDeprecatedCustomRule]);
    expect(errors.map((e) => e.message)).toEqual([]);
    const operation = parse(text).definitions[0];
    expect(operation.kind === "OperationDefinition" && operation.selectionSet.selections.length).toBe(count);
    expect(costOf(text)).toBe(cost);
  });

  it("refuses to build a sync mutation over the single-query cost limit, or an empty one", () => {
    expect(() =>
      documents.syncCustomersMutation({ tagsAdd: 101, tagsRemove: 0, metafieldsSet: 0, metafieldsDelete: 0 }),
    ).toThrow(RangeError);
    expect(() =>
      documents.syncCustomersMutation({ tagsAdd: 0, tagsRemove: 0, metafieldsSet: 0, metafieldsDelete: 0 }),
    ).toThrow(RangeError);
  });

  it("keeps bulk queries within Shopify's bulk rules: no variables, no pageInfo", () => {
    for (const [name, text] of exported.filter(([n]) => n.endsWith("_BULK_QUERY"))) {
      expect(text, name).not.toMatch(/\$\w+/);
      expect(text, name).not.toMatch(/pageInfo/);
    }
  });
});

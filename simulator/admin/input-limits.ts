// Shopify's input array limit: "Input arguments that accept an array have a maximum size of 250 for all APIs.
// Requests return an error if an input array exceeds 250 items." (https://shopify.dev/docs/api/usage/limits#input-limits)
// The request is answered with errors only, one per oversized argument, in Shopify's words:
// {"message":"The input array size of 251 is greater than the maximum allowed of 250.","locations":[…the field…],
//  "path":["productUpdate","product","tags"],"extensions":{"code":"MAX_INPUT_SIZE_EXCEEDED"}} — the shape recorded
// from the real Admin API by other Shopify doubles (e.g. the productUpdate tags and collection productIds captures).
// This covers `nodes(ids:)`, `tagsAdd(tags:)`, `metafieldsSet(metafields:)`, `discountRedeemCodeBulkAdd(codes:)`
// ("Maximum: 250 codes", schema description) and every other list argument, at any depth of an input object.
import {
  type DocumentNode,
  type FieldNode,
  type GraphQLField,
  type GraphQLInputType,
  isInputObjectType,
  isListType,
  isNonNullType,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  TypeInfo,
  getArgumentValues,
  visit,
  visitWithTypeInfo,
} from "graphql";
import type { ShopifyErrorJson } from "./shopify-error";

export const INPUT_ARRAY_MAX = 250;

/** Lists of the input type (not JSON scalars that happen to hold arrays) longer than the limit, with their path. */
function oversized(
  type: GraphQLInputType,
  value: unknown,
  path: (string | number)[],
  out: { path: (string | number)[]; size: number }[],
): void {
  if (value === null || value === undefined) return;
  const t = isNonNullType(type) ? type.ofType : type;
  if (isListType(t)) {
    const items = Array.isArray(value) ? value : [value];
    if (items.length > INPUT_ARRAY_MAX) {
      out.push({ path, size: items.length });
      return;
    }
    items.forEach((item, i) => oversized(t.ofType, item, Array.isArray(value) ? [...path, i] : path, out));
  } else if (isInputObjectType(t) && typeof value === "object") {
    const fields = t.getFields();
    for (const [key, v] of Object.entries(value as Record<string, unknown>))
      if (fields[key]) oversized(fields[key].type, v, [...path, key], out);
  }
}

type ArgumentField = { node: FieldNode; def: GraphQLField<unknown, unknown> };

/** The fields with arguments of an operation and its fragments, found once per parsed operation. */
const fieldsWithArguments = new WeakMap<OperationDefinitionNode, ArgumentField[]>();

function argumentFields(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): ArgumentField[] {
  const cached = fieldsWithArguments.get(operation);
  if (cached) return cached;
  const found: ArgumentField[] = [];
  const typeInfo = new TypeInfo(schema);
  const parts = [operation, ...document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)];
  for (const part of parts) {
    visit(
      part,
      visitWithTypeInfo(typeInfo, {
        Field(node) {
          const def = typeInfo.getFieldDef();
          if (def && node.arguments?.length) found.push({ node, def });
        },
      }),
    );
  }
  fieldsWithArguments.set(operation, found);
  return found;
}

/** MAX_INPUT_SIZE_EXCEEDED errors for every list argument of `operation` (and its fragments) over 250 items. */
export function inputSizeErrors(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): ShopifyErrorJson[] {
  const errors: ShopifyErrorJson[] = [];
  for (const { node, def } of argumentFields(schema, document, operation)) {
    let args: Record<string, unknown>;
    try {
      args = getArgumentValues(def, node, variables);
    } catch {
      continue; // refused by the value checks already
    }
    const found: { path: (string | number)[]; size: number }[] = [];
    for (const arg of def.args) oversized(arg.type, args[arg.name], [arg.name], found);
    for (const { path, size } of found) {
      errors.push({
        message: `The input array size of ${size} is greater than the maximum allowed of ${INPUT_ARRAY_MAX}.`,
        ...(node.loc ? { locations: [{ line: node.loc.startToken.line, column: node.loc.startToken.column }] } : {}),
        path: [node.alias?.value ?? node.name.value, ...path],
        extensions: { code: "MAX_INPUT_SIZE_EXCEEDED" },
      });
    }
  }
  return errors;
}

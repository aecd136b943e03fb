// Refuses documents and variables exactly where Shopify's graphql-ruby server does, with its messages and codes.
// Messages and extension keys follow graphql-ruby's static validation rules (lib/graphql/static_validation/rules/*
// and Query::VariableValidationError), which Shopify's Admin API runs on; e.g. Shopify answers an unknown argument
// with "Field 'inventoryItems' doesn't accept argument 'quer'", path ["query","inventoryItems","quer"],
// extensions {code:"argumentNotAccepted", name, typeName:"Field", argumentName} (MONEI/Shopify-api-node#297).
import {
  type ASTNode,
  type ArgumentNode,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  GraphQLError,
  type GraphQLInputType,
  type GraphQLSchema,
  type GraphQLType,
  Kind,
  type OperationDefinitionNode,
  type ValidationContext,
  type ValidationRule,
  type ValueNode,
  type VariableDefinitionNode,
  FieldsOnCorrectTypeRule,
  KnownArgumentNamesRule,
  NoUndefinedVariablesRule,
  NoUnusedVariablesRule,
  ProvidedRequiredArgumentsRule,
  ScalarLeafsRule,
  ValuesOfCorrectTypeRule,
  VariablesAreInputTypesRule,
  VariablesInAllowedPositionRule,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInputType,
  isLeafType,
  isListType,
  isNonNullType,
  isScalarType,
  isUnionType,
  parse,
  print,
  specifiedRules,
  typeFromAST,
  validate,
} from "graphql";
import { inputSizeErrors } from "./input-limits";
import { scalarProblem } from "./scalars";
import { formatError, type ShopifyErrorJson } from "./shopify-error";

type Problem = { path: (string | number)[]; explanation: string; message?: string };

// ---------------------------------------------------------------- value checks shared by literals and variables

function typeSignature(type: GraphQLType): string {
  return String(type);
}

/** Problems of a runtime (variable) value against an input type, in graphql-ruby's InputValidationResult shape. */
export function inputProblems(type: GraphQLInputType, value: unknown, path: (string | number)[] = []): Problem[] {
  if (isNonNullType(type)) {
    if (value === null || value === undefined) return [{ path, explanation: "Expected value to not be null" }];
    return inputProblems(type.ofType, value, path);
  }
  if (value === null || value === undefined) return [];
  if (isListType(type)) {
    const items = Array.isArray(value) ? value : [value];
    return items.flatMap((item, index) =>
      inputProblems(type.ofType, item, Array.isArray(value) ? [...path, index] : path),
    );
  }
  if (isInputObjectType(type)) {
    if (typeof value !== "object" || Array.isArray(value)) {
      return [{ path, explanation: `Expected ${JSON.stringify(value)} to be a key-value object.` }];
    }
    const fields = type.getFields();
    const problems: Problem[] = [];
    for (const [name, fieldValue] of Object.entries(value as Record<string, unknown>)) {
      const field = fields[name];
      if (!field) problems.push({ path: [...path, name], explanation: `Field is not defined on ${type.name}` });
      else problems.push(...inputProblems(field.type, fieldValue, [...path, name]));
    }
    for (const field of Object.values(fields)) {
      if (!(field.name in (value as object)) && isNonNullType(field.type) && field.defaultValue === undefined) {
        problems.push(...inputProblems(field.type, undefined, [...path, field.name]));
      }
    }
    return problems;
  }
  if (isEnumType(type)) {
    const names = type.getValues().map((v) => v.name);
    return typeof value === "string" && names.includes(value)
      ? []
      : [{ path, explanation: `Expected ${JSON.stringify(value)} to be one of: ${names.join(", ")}` }];
  }
  const explanation = scalarProblem(type.name, value);
  if (!explanation) return [];
  return explanation.startsWith("Invalid global id")
    ? [{ path, explanation, message: explanation }]
    : [{ path, explanation }];
}

/** Scalars a GraphQL literal can give only as a string (a number or boolean literal is refused). */
const STRING_ONLY_SCALARS = new Set([
  "String",
  "DateTime",
  "URL",
  "Date",
  "HTML",
  "FormattedString",
  "Color",
  "UtcOffset",
  "ARN",
  "StorefrontID",
]);

type LiteralProblem =
  | { kind: "invalid"; message?: string }
  | { kind: "unknownField"; inputType: string; field: string; node: ASTNode }
  | { kind: "missingField"; inputType: string; field: string; fieldType: string; node: ASTNode };

/** Problems of a literal in the document; variables inside literals are checked by the variable rules. */
function literalProblems(type: GraphQLInputType, node: ValueNode): LiteralProblem[] {
  if (node.kind === Kind.VARIABLE) return [];
  if (isNonNullType(type)) {
    if (node.kind === Kind.NULL) return [{ kind: "invalid" }];
    return literalProblems(type.ofType, node);
  }
  if (node.kind === Kind.NULL) return [];
  if (isListType(type)) {
    const items = node.kind === Kind.LIST ? node.values : [node];
    return items.flatMap((item) => literalProblems(type.ofType, item));
  }
  if (isInputObjectType(type)) {
    if (node.kind !== Kind.OBJECT) return [{ kind: "invalid" }];
    const fields = type.getFields();
    const problems: LiteralProblem[] = [];
    for (const field of node.fields) {
      const defn = fields[field.name.value];
      if (!defn) problems.push({ kind: "unknownField", inputType: type.name, field: field.name.value, node: field });
      else problems.push(...literalProblems(defn.type, field.value));
    }
    for (const defn of Object.values(fields)) {
      const given = node.fields.some((f) => f.name.value === defn.name);
      if (!given && isNonNullType(defn.type) && defn.defaultValue === undefined) {
        problems.push({
          kind: "missingField",
          inputType: type.name,
          field: defn.name,
          fieldType: typeSignature(defn.type),
          node,
        });
      }
    }
    return problems;
  }
  if (isEnumType(type)) {
    return node.kind === Kind.ENUM && type.getValue(node.value) ? [] : [{ kind: "invalid" }];
  }
  let value: unknown;
  switch (node.kind) {
    case Kind.INT:
      value = Number(node.value);
      break;
    case Kind.FLOAT:
      value = Number(node.value);
      break;
    case Kind.STRING:
      value = node.value;
      break;
    case Kind.BOOLEAN:
      value = node.value;
      break;
    case Kind.OBJECT:
    case Kind.LIST:
      // Only JSON takes an object or list literal where a scalar is expected.
      return type.name === "JSON" ? [] : [{ kind: "invalid" }];
    default:
      return [{ kind: "invalid" }];
  }
  // A literal Int is acceptable where a Float is expected, but a string literal never becomes a number.
  if (node.kind === Kind.STRING && ["Int", "Float", "Boolean"].includes(type.name)) return [{ kind: "invalid" }];
  if (node.kind !== Kind.STRING && STRING_ONLY_SCALARS.has(type.name)) {
    return [{ kind: "invalid" }];
  }
  if (node.kind === Kind.BOOLEAN && type.name !== "Boolean" && type.name !== "JSON") return [{ kind: "invalid" }];
  const explanation = scalarProblem(type.name, value);
  if (!explanation) return [];
  return [{ kind: "invalid", message: explanation.startsWith("Invalid global id") ? explanation : undefined }];
}

// ---------------------------------------------------------------- graphql-ruby style rules on graphql-js's walker

/** graphql-ruby's error path: operation ("query Name"), fragments, fields (alias or name) and arguments. */
function rubyPath(ancestors: readonly (ASTNode | readonly ASTNode[])[], node?: ASTNode): (string | number)[] {
  const path: (string | number)[] = [];
  for (const item of [...ancestors, ...(node ? [node] : [])]) {
    if (Array.isArray(item)) continue;
    const n = item as ASTNode;
    switch (n.kind) {
      case Kind.OPERATION_DEFINITION:
        path.push(n.name ? `${n.operation} ${n.name.value}` : n.operation);
        break;
      case Kind.FRAGMENT_DEFINITION:
        path.push(`fragment ${n.name.value}`);
        break;
      case Kind.INLINE_FRAGMENT:
        path.push(n.typeCondition ? `... on ${n.typeCondition.name.value}` : "...");
        break;
      case Kind.FRAGMENT_SPREAD:
        path.push(`... ${n.name.value}`);
        break;
      case Kind.FIELD:
        path.push(n.alias?.value ?? n.name.value);
        break;
      case Kind.ARGUMENT:
        path.push(n.name.value);
        break;
      default:
        break;
    }
  }
  return path;
}

function report(
  context: ValidationContext,
  message: string,
  nodes: ASTNode | ASTNode[],
  path: (string | number)[] | undefined,
  extensions: Record<string, unknown>,
): void {
  context.reportError(new GraphQLError(message, { nodes, extensions: { ...extensions, __path: path } }));
}

const fieldsAreDefined: ValidationRule = (context) => ({
  Field(node, _key, _parent, _path, ancestors) {
    const parentType = context.getParentType();
    if (!parentType || context.getFieldDef() || node.name.value.startsWith("__")) return;
    const path = rubyPath(ancestors, node);
    if (isUnionType(parentType)) {
      report(
        context,
        `Selections can't be made directly on unions (see selections on ${parentType.name})`,
        node,
        path,
        {
          code: "selectionMismatch",
          nodeName: parentType.name,
        },
      );
      return;
    }
    report(context, `Field '${node.name.value}' doesn't exist on type '${parentType.name}'`, node, path, {
      code: "undefinedField",
      typeName: parentType.name,
      fieldName: node.name.value,
    });
  },
});

function argumentOwner(
  parent: unknown,
): { kind: "Field" | "Directive"; name: string; node: FieldNode | DirectiveNode } | null {
  const node = parent as ASTNode | undefined;
  if (node?.kind === Kind.FIELD) return { kind: "Field", name: node.alias?.value ?? node.name.value, node };
  if (node?.kind === Kind.DIRECTIVE) return { kind: "Directive", name: node.name.value, node };
  return null;
}

const argumentsAreDefinedAndCompatible: ValidationRule = (context) => ({
  Argument(node, _key, _parent, _path, ancestors) {
    const owner = argumentOwner(ancestors[ancestors.length - 1]);
    if (!owner) return;
    const ownerDefined = owner.kind === "Field" ? context.getFieldDef() : context.getDirective();
    if (!ownerDefined) return; // reported as an unknown field or directive
    const path = rubyPath(ancestors, node);
    const argDef = context.getArgument();
    if (!argDef) {
      report(context, `${owner.kind} '${owner.name}' doesn't accept argument '${node.name.value}'`, node, path, {
        code: "argumentNotAccepted",
        name: owner.name,
        typeName: owner.kind,
        argumentName: node.name.value,
      });
      return;
    }
    const problems = literalProblems(argDef.type, node.value);
    if (problems.length === 0) return;
    const first = problems[0];
    if (first.kind === "unknownField") {
      report(context, `InputObject '${first.inputType}' doesn't accept argument '${first.field}'`, first.node, path, {
        code: "argumentNotAccepted",
        name: first.inputType,
        typeName: "InputObject",
        argumentName: first.field,
      });
    } else if (first.kind === "missingField") {
      report(
        context,
        `Argument '${first.field}' on InputObject '${first.inputType}' is required. Expected type ${first.fieldType}`,
        first.node,
        path,
        {
          code: "missingRequiredInputObjectAttribute",
          argumentName: first.field,
          argumentType: first.fieldType,
          inputObjectType: first.inputType,
        },
      );
    } else if (first.message) {
      report(context, first.message, owner.node, path, {
        code: "argumentLiteralsIncompatible",
        typeName: "CoercionError",
      });
    } else {
      report(
        context,
        `Argument '${node.name.value}' on ${owner.kind} '${owner.name}' has an invalid value (${print(node.value)}). Expected type '${typeSignature(argDef.type)}'.`,
        owner.node,
        path,
        { code: "argumentLiteralsIncompatible", typeName: owner.kind, argumentName: node.name.value },
      );
    }
  },
});

const requiredArgumentsArePresent: ValidationRule = (context) => {
  const check = (
    node: FieldNode | DirectiveNode,
    ancestors: readonly (ASTNode | readonly ASTNode[])[],
    kind: "Field" | "Directive",
  ) => {
    const defn = kind === "Field" ? context.getFieldDef() : context.getDirective();
    if (!defn) return;
    const given = new Set((node.arguments ?? []).map((a) => a.name.value));
    const missing = defn.args
      .filter((a) => isNonNullType(a.type) && a.defaultValue === undefined && !given.has(a.name))
      .map((a) => a.name);
    if (missing.length === 0) return;
    report(
      context,
      `${kind} '${node.name.value}' is missing required arguments: ${missing.join(", ")}`,
      node,
      rubyPath(ancestors, kind === "Field" ? node : undefined),
      {
        code: "missingRequiredArguments",
        className: kind,
        name: node.name.value,
        arguments: missing.join(", "),
      },
    );
  };
  return {
    Field(node, _k, _p, _path, ancestors) {
      check(node, ancestors, "Field");
    },
    Directive(node, _k, _p, _path, ancestors) {
      check(node, ancestors, "Directive");
    },
  };
};

const fieldsHaveAppropriateSelections: ValidationRule = (context) => ({
  Field(node, _k, _p, _path, ancestors) {
    const type = context.getType();
    if (!type) return;
    const named = getNamedType(type);
    const path = rubyPath(ancestors, node);
    const nodeName = `field '${node.name.value}'`;
    if (isLeafType(named) && node.selectionSet) {
      const selections = node.selectionSet.selections.map((s) =>
        s.kind === Kind.INLINE_FRAGMENT ? `"... on ${s.typeCondition?.name.value} { ... }"` : `"${s.name.value}"`,
      );
      const kind = isScalarType(named) ? "scalars" : "enums";
      report(
        context,
        `Selections can't be made on ${kind} (${nodeName} returns ${named.name} but has selections [${selections.join(", ")}])`,
        node,
        path,
        {
          code: "selectionMismatch",
          nodeName,
          typeName: named.name,
        },
      );
    } else if (!isLeafType(named) && !node.selectionSet) {
      report(
        context,
        `Field must have selections (${nodeName} returns ${named.name} but has no selections. Did you mean '${node.name.value} { ... }'?)`,
        node,
        path,
        { code: "selectionMismatch", nodeName, typeName: named.name },
      );
    }
  },
});

const variablesAreInputTypes: ValidationRule = (context) => ({
  VariableDefinition(node, _k, _p, _path, ancestors) {
    const type = typeFromAST(context.getSchema(), node.type as never) as GraphQLType | undefined;
    const typeName = getNamedTypeName(node);
    const path = rubyPath(ancestors);
    if (!type) {
      report(context, `${typeName} isn't a defined input type (on $${node.variable.name.value})`, node, path, {
        code: "variableRequiresValidType",
        typeName,
        variableName: node.variable.name.value,
      });
    } else if (!isInputType(type)) {
      report(context, `${typeName} isn't a valid input type (on $${node.variable.name.value})`, node, path, {
        code: "variableRequiresValidType",
        typeName,
        variableName: node.variable.name.value,
      });
    } else if (node.defaultValue && literalProblems(type, node.defaultValue).length > 0) {
      report(
        context,
        `Default value for $${node.variable.name.value} doesn't match type ${typeSignature(type)}`,
        node,
        path,
        {
          code: "defaultValueInvalidType",
          variableName: node.variable.name.value,
          typeName: typeSignature(type),
        },
      );
    }
  },
});

function getNamedTypeName(node: VariableDefinitionNode): string {
  let t = node.type;
  while (t.kind !== Kind.NAMED_TYPE) t = t.type;
  return t.name.value;
}

/** Unused / undeclared variables, per operation, following fragment spreads like graphql-ruby. */
const variablesAreUsedAndDefined: ValidationRule = (context) => ({
  OperationDefinition: {
    leave(operation) {
      const operationName = operation.name?.value ?? `anonymous ${operation.operation}`;
      const opPath = [operation.name ? `${operation.operation} ${operation.name.value}` : operation.operation];
      const usages = context.getRecursiveVariableUsages(operation);
      const used = new Set(usages.map((u) => u.node.name.value));
      const declared = new Set((operation.variableDefinitions ?? []).map((d) => d.variable.name.value));
      for (const name of declared) {
        if (!used.has(name)) {
          report(context, `Variable $${name} is declared by ${operationName} but not used`, operation, opPath, {
            code: "variableNotUsed",
            variableName: name,
          });
        }
      }
      const reported = new Set<string>();
      for (const usage of usages) {
        const name = usage.node.name.value;
        if (declared.has(name) || reported.has(name)) continue;
        reported.add(name);
        report(context, `Variable $${name} is used by ${operationName} but not declared`, usage.node, undefined, {
          code: "variableNotDefined",
          variableName: name,
        });
      }
    },
  },
});

/** A variable's declared type must fit where it is used (graphql-ruby's three kinds of mismatch). */
const variableUsagesAreAllowed: ValidationRule = (context) => {
  let definitions = new Map<string, VariableDefinitionNode>();
  return {
    OperationDefinition: {
      enter(operation) {
        definitions = new Map((operation.variableDefinitions ?? []).map((d) => [d.variable.name.value, d]));
      },
    },
    Argument(node: ArgumentNode, _k, _p, _path, ancestors) {
      if (node.value.kind !== Kind.VARIABLE) return;
      const argDef = context.getArgument();
      const definition = definitions.get(node.value.name.value);
      if (!argDef || !definition) return;
      let varType = typeFromAST(context.getSchema(), definition.type as never) as GraphQLType | undefined;
      if (!varType || !isInputType(varType)) return;
      if (definition.defaultValue && definition.defaultValue.kind !== Kind.NULL && !isNonNullType(varType)) {
        varType = wrapNonNull(definition, context.getSchema());
      }
      let argType: GraphQLType = argDef.type;
      if (isNonNullType(argType) && argDef.defaultValue !== undefined) argType = argType.ofType;
      const mismatch = compareTypes(varType as GraphQLType, argType);
      if (!mismatch) return;
      report(
        context,
        `${mismatch} on variable $${node.value.name.value} and argument ${node.name.value} (${typeSignature(varType as GraphQLType)} / ${typeSignature(argDef.type)})`,
        node,
        rubyPath(ancestors, node),
        {
          code: "variableMismatch",
          variableName: node.value.name.value,
          typeName: typeSignature(varType as GraphQLType),
          argumentName: node.name.value,
          errorMessage: mismatch,
        },
      );
    },
  };
};

function wrapNonNull(definition: VariableDefinitionNode, schema: GraphQLSchema): GraphQLType {
  return typeFromAST(schema, { kind: Kind.NON_NULL_TYPE, type: definition.type } as never) as GraphQLType;
}

function listDepth(type: GraphQLType): number {
  let depth = 0;
  let t: GraphQLType = type;
  while (true) {
    if (isNonNullType(t)) t = t.ofType;
    else if (isListType(t)) {
      depth++;
      t = t.ofType;
    } else return depth;
  }
}

function compareTypes(varType: GraphQLType, argType: GraphQLType): string | null {
  if (getNamedType(varType).name !== getNamedType(argType).name) return "Type mismatch";
  if (listDepth(varType) !== listDepth(argType)) {
    // A single value is allowed where a list of that value is expected (input coercion).
    if (!(listDepth(argType) === 1 && listDepth(varType) === 0)) return "List dimension mismatch";
    const inner = isNonNullType(argType) ? argType.ofType : argType;
    if (isListType(inner)) return nullabilityFits(varType, inner.ofType) ? null : "Nullability mismatch";
  }
  return nullabilityFits(varType, argType) ? null : "Nullability mismatch";
}

function nullabilityFits(varType: GraphQLType, argType: GraphQLType): boolean {
  if (isNonNullType(argType)) {
    if (!isNonNullType(varType)) return false;
    return nullabilityFits(varType.ofType, argType.ofType);
  }
  const v = isNonNullType(varType) ? varType.ofType : varType;
  if (isListType(v) && isListType(argType)) return nullabilityFits(v.ofType, argType.ofType);
  return true;
}

const REPLACED = new Set<ValidationRule>([
  FieldsOnCorrectTypeRule,
  KnownArgumentNamesRule,
  ValuesOfCorrectTypeRule,
  ProvidedRequiredArgumentsRule,
  NoUnusedVariablesRule,
  NoUndefinedVariablesRule,
  VariablesInAllowedPositionRule,
  ScalarLeafsRule,
  VariablesAreInputTypesRule,
]);

const RULES: ValidationRule[] = [
  ...specifiedRules.filter((rule) => !REPLACED.has(rule)),
  fieldsAreDefined,
  argumentsAreDefinedAndCompatible,
  requiredArgumentsArePresent,
  fieldsHaveAppropriateSelections,
  variablesAreInputTypes,
  variablesAreUsedAndDefined,
  variableUsagesAreAllowed,
];

function validationErrorJson(error: GraphQLError): ShopifyErrorJson {
  const { __path, ...extensions } = (error.extensions ?? {}) as Record<string, unknown>;
  const {
    message,
    locations,
    extensions: ext,
  } = formatError(new GraphQLError(error.message, { nodes: error.nodes, extensions }));
  // Same key order as graphql-ruby: message, locations, path, extensions.
  return {
    message,
    ...(locations ? { locations } : {}),
    ...(Array.isArray(__path) ? { path: __path as (string | number)[] } : {}),
    ...(ext ? { extensions: ext } : {}),
  };
}

// ---------------------------------------------------------------- parse errors, in graphql-ruby's words

const PUNCTUATORS: Record<string, string> = {
  "{": "LCURLY",
  "}": "RCURLY",
  "(": "LPAREN",
  ")": "RPAREN",
  "[": "LBRACKET",
  "]": "RBRACKET",
  ":": "COLON",
  "=": "EQUALS",
  "!": "BANG",
  $: "VAR_SIGN",
  "@": "DIR_SIGN",
  "...": "ELLIPSIS",
  "|": "PIPE",
  "&": "AMP",
};

function parseErrorJson(error: GraphQLError): ShopifyErrorJson {
  const location = error.locations?.[0];
  const found = /found (<EOF>|Name "([^"]*)"|String "([^"]*)"|Int "([^"]*)"|Float "([^"]*)"|"([^"]+)")/.exec(
    error.message,
  );
  let message: string;
  if (!found || found[1] === "<EOF>") {
    message = found ? "Unexpected end of document" : `Parse error: ${error.message.replace(/^Syntax Error: /, "")}`;
  } else {
    const [token, kind] =
      found[2] !== undefined
        ? [found[2], "IDENTIFIER"]
        : found[3] !== undefined
          ? [found[3], "STRING"]
          : found[4] !== undefined
            ? [found[4], "INT"]
            : found[5] !== undefined
              ? [found[5], "FLOAT"]
              : [found[6], PUNCTUATORS[found[6]] ?? "UNKNOWN_CHAR"];
    message = `Parse error on ${JSON.stringify(token)} (${kind})${location ? ` at [${location.line}, ${location.column}]` : ""}`;
  }
  const json: ShopifyErrorJson = { message };
  if (location) json.locations = [{ line: location.line, column: location.column }];
  return json;
}

// ---------------------------------------------------------------- the request check

export type CheckedRequest =
  | { ok: true; document: DocumentNode; operation: OperationDefinitionNode; variables: Record<string, unknown> }
  | { ok: false; errors: ShopifyErrorJson[] };

const documentCache = new Map<string, { document?: DocumentNode; errors?: ShopifyErrorJson[] }>();

/** Parse and validate a document once per distinct text: the app sends the same few documents thousands of times. */
export function checkDocument(
  schema: GraphQLSchema,
  query: string,
): { document?: DocumentNode; errors?: ShopifyErrorJson[] } {
  const cached = documentCache.get(query);
  if (cached) return cached;
  let outcome: { document?: DocumentNode; errors?: ShopifyErrorJson[] };
  try {
    const document = parse(query);
    const errors = validate(schema, document, RULES);
    outcome = errors.length ? { errors: errors.map(validationErrorJson) } : { document };
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    outcome = { errors: [parseErrorJson(error)] };
  }
  if (documentCache.size > 500) documentCache.clear();
  documentCache.set(query, outcome);
  return outcome;
}

export function checkRequest(
  schema: GraphQLSchema,
  query: string,
  variables: Record<string, unknown> | null | undefined,
  operationName: string | null | undefined,
): CheckedRequest {
  const { document, errors } = checkDocument(schema, query);
  if (!document) return { ok: false, errors: errors ?? [] };

  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  let operation: OperationDefinitionNode | undefined;
  if (operationName) {
    operation = operations.find((o) => o.name?.value === operationName);
    if (!operation) return { ok: false, errors: [{ message: `No operation named "${operationName}"` }] };
  } else if (operations.length === 1) {
    operation = operations[0];
  } else {
    return { ok: false, errors: [{ message: "An operation name is required" }] };
  }

  const provided = variables ?? {};
  const variableErrors: ShopifyErrorJson[] = [];
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const type = typeFromAST(schema, definition.type as never) as GraphQLInputType;
    const value = provided[name];
    if (value === undefined && definition.defaultValue) continue;
    const problems = inputProblems(type, value);
    if (problems.length === 0) continue;
    const pathed = problems.filter((p) => p.path.length > 0).map((p) => `${p.path.join(".")} (${p.explanation})`);
    const loc = definition.loc ? definition.loc.startToken : undefined;
    variableErrors.push({
      message: `Variable $${name} of type ${typeSignature(type)} was provided invalid value${pathed.length ? ` for ${pathed.join(", ")}` : ""}`,
      ...(loc ? { locations: [{ line: loc.line, column: loc.column }] } : {}),
      extensions: { value: value === undefined ? null : value, problems },
    });
  }
  if (variableErrors.length) return { ok: false, errors: variableErrors };
  const sizeErrors = inputSizeErrors(schema, document, operation, provided);
  if (sizeErrors.length) return { ok: false, errors: sizeErrors };
  return { ok: true, document, operation, variables: provided };
}

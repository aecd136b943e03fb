// Requested (static) and actual (from the response) query cost, by Shopify's documented rules
// (https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits#cost-calculation):
// scalars and enums 0, objects 1, interfaces and unions the maximum of their possible selections,
// connections 2 plus `first`/`last` times the cost of one node, mutations 10.
import {
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
  type DocumentNode,
  getNamedType,
  isAbstractType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isInterfaceType,
} from "graphql";

export const MUTATION_COST = 10;
export const CONNECTION_BASE_COST = 2;
export const SINGLE_QUERY_MAX_COST = 1000;

interface Walk {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
}

/** A Relay connection by shape: a `…Connection` object with `edges` or `nodes`. */
export function isConnectionType(type: GraphQLNamedType): type is GraphQLObjectType {
  if (!isObjectType(type) || !type.name.endsWith("Connection")) return false;
  const fields = type.getFields();
  return "edges" in fields || "nodes" in fields;
}

function argumentValue(field: FieldNode, name: string, variables: Record<string, unknown>): unknown {
  const arg = field.arguments?.find((a) => a.name.value === name);
  return arg ? valueOf(arg.value, variables) : undefined;
}

function valueOf(node: ValueNode, variables: Record<string, unknown>): unknown {
  switch (node.kind) {
    case Kind.VARIABLE:
      return variables[node.name.value];
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.STRING:
    case Kind.ENUM:
      return node.value;
    case Kind.BOOLEAN:
      return node.value;
    default:
      return undefined;
  }
}

/** Page size the cost rules charge for: `first`, else `last`. */
export function pageSize(field: FieldNode, variables: Record<string, unknown>): number {
  const first = argumentValue(field, "first", variables);
  const last = argumentValue(field, "last", variables);
  const size = typeof first === "number" ? first : typeof last === "number" ? last : 0;
  return Math.max(0, size);
}

function applies(walk: Walk, condition: string | undefined, runtime: GraphQLCompositeType): boolean {
  if (!condition || condition === runtime.name) return true;
  const conditionType = walk.schema.getType(condition);
  return (
    !!conditionType &&
    isAbstractType(conditionType) &&
    isObjectType(runtime) &&
    walk.schema.isSubType(conditionType, runtime)
  );
}

/** Fields selected on `runtime`, merged by response key (fragments flattened). */
function collectFields(
  walk: Walk,
  selectionSet: SelectionSetNode,
  runtime: GraphQLCompositeType,
  out = new Map<string, FieldNode[]>(),
) {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const key = selection.alias?.value ?? selection.name.value;
      const list = out.get(key) ?? [];
      list.push(selection);
      out.set(key, list);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (applies(walk, selection.typeCondition?.name.value, runtime))
        collectFields(walk, selection.selectionSet, runtime, out);
    } else {
      const fragment = walk.fragments.get(selection.name.value);
      if (fragment && applies(walk, fragment.typeCondition.name.value, runtime))
        collectFields(walk, fragment.selectionSet, runtime, out);
    }
  }
  return out;
}

/** Concrete types named by fragments under an abstract selection (the candidates for "maximum of possible selections"). */
function fragmentTypes(
  walk: Walk,
  selectionSet: SelectionSetNode,
  abstract: GraphQLCompositeType,
  out = new Set<GraphQLObjectType>(),
) {
  for (const selection of selectionSet.selections) {
    let condition: string | undefined;
    let inner: SelectionSetNode | undefined;
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      condition = selection.typeCondition?.name.value;
      inner = selection.selectionSet;
    } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const fragment = walk.fragments.get(selection.name.value);
      condition = fragment?.typeCondition.name.value;
      inner = fragment?.selectionSet;
    }
    if (!condition || !inner) continue;
    const type = walk.schema.getType(condition);
    if (type && isObjectType(type)) out.add(type);
    else if (type && isAbstractType(type)) {
      if (isAbstractType(abstract)) {
        for (const possible of walk.schema.getPossibleTypes(type)) {
          if (walk.schema.isSubType(abstract, possible)) out.add(possible);
        }
      }
      fragmentTypes(walk, inner, abstract, out);
    }
  }
  return out;
}

function mergedSelectionSet(nodes: FieldNode[]): SelectionSetNode | undefined {
  const sets = nodes.map((n) => n.selectionSet).filter((s): s is SelectionSetNode => !!s);
  if (sets.length === 0) return undefined;
  if (sets.length === 1) return sets[0];
  return { kind: Kind.SELECTION_SET, selections: sets.flatMap((s) => s.selections) };
}

function fieldDefinition(runtime: GraphQLCompositeType, name: string): GraphQLField<unknown, unknown> | undefined {
  if (isObjectType(runtime) || isInterfaceType(runtime)) return runtime.getFields()[name];
  return undefined;
}

// ---------------------------------------------------------------- requested cost

function selectionCost(walk: Walk, selectionSet: SelectionSetNode, type: GraphQLCompositeType): number {
  if (isObjectType(type)) return fieldsCost(walk, collectFields(walk, selectionSet, type), type);
  const candidates = fragmentTypes(walk, selectionSet, type);
  let best = fieldsCost(walk, collectFields(walk, selectionSet, type), type);
  for (const candidate of candidates)
    best = Math.max(best, fieldsCost(walk, collectFields(walk, selectionSet, candidate), candidate));
  return best;
}

function fieldsCost(walk: Walk, fields: Map<string, FieldNode[]>, runtime: GraphQLCompositeType): number {
  let total = 0;
  for (const nodes of fields.values()) {
    const definition = fieldDefinition(runtime, nodes[0].name.value);
    if (!definition) continue; // __typename and friends are free
    total += fieldCost(walk, nodes, definition);
  }
  return total;
}

function fieldCost(walk: Walk, nodes: FieldNode[], definition: GraphQLField<unknown, unknown>): number {
  const named = getNamedType(definition.type);
  if (isLeafType(named)) return 0;
  const selectionSet = mergedSelectionSet(nodes);
  if (!selectionSet) return 0;
  if (isConnectionType(named)) {
    return (
      CONNECTION_BASE_COST +
      pageSize(nodes[0], walk.variables) * nodeCost(walk, selectionSet, named) +
      connectionExtrasCost(walk, selectionSet, named)
    );
  }
  return 1 + selectionCost(walk, selectionSet, named as GraphQLCompositeType);
}

/** Cost of one node of a connection: the node object (1) and what is selected on it, via `edges.node` or `nodes`. */
function nodeCost(walk: Walk, selectionSet: SelectionSetNode, connection: GraphQLObjectType): number {
  const fields = collectFields(walk, selectionSet, connection);
  let best = 0;
  const nodeType = getNamedType(connection.getFields().nodes?.type ?? connection.getFields().edges.type);
  for (const [, nodes] of fields) {
    const name = nodes[0].name.value;
    const inner = mergedSelectionSet(nodes);
    if (!inner) continue;
    if (name === "nodes") {
      best = Math.max(best, 1 + selectionCost(walk, inner, nodeType as GraphQLCompositeType));
    } else if (name === "edges") {
      const edgeType = getNamedType(connection.getFields().edges.type) as GraphQLObjectType;
      const edgeFields = collectFields(walk, inner, edgeType);
      for (const [, edgeNodes] of edgeFields) {
        if (edgeNodes[0].name.value !== "node") continue;
        const nodeSelection = mergedSelectionSet(edgeNodes);
        const type = getNamedType(edgeType.getFields().node.type) as GraphQLCompositeType;
        if (nodeSelection) best = Math.max(best, 1 + selectionCost(walk, nodeSelection, type));
      }
    }
  }
  return best;
}

/** Fields of a connection other than edges/nodes/pageInfo (e.g. `statistics`) are charged once, like any object. */
function connectionExtrasCost(walk: Walk, selectionSet: SelectionSetNode, connection: GraphQLObjectType): number {
  let total = 0;
  for (const [, nodes] of collectFields(walk, selectionSet, connection)) {
    const name = nodes[0].name.value;
    if (name === "edges" || name === "nodes" || name === "pageInfo") continue;
    const definition = connection.getFields()[name];
    if (definition) total += fieldCost(walk, nodes, definition);
  }
  return total;
}

function walkFor(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown>): Walk {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  return { schema, fragments, variables };
}

export function requestedQueryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): number {
  const walk = walkFor(schema, document, variables);
  if (operation.operation === "mutation") {
    const root = schema.getMutationType()!;
    return (
      [...collectFields(walk, operation.selectionSet, root).values()].filter((n) => !n[0].name.value.startsWith("__"))
        .length * MUTATION_COST
    );
  }
  const root = schema.getQueryType()!;
  return selectionCost(walk, operation.selectionSet, root);
}

// ---------------------------------------------------------------- actual cost

function actualSelectionCost(
  walk: Walk,
  selectionSet: SelectionSetNode,
  type: GraphQLCompositeType,
  data: Record<string, unknown>,
): number {
  const runtime = resolveRuntime(walk, type, data);
  let total = 0;
  for (const [key, nodes] of collectFields(walk, selectionSet, runtime)) {
    if (!(key in data)) continue;
    const definition = fieldDefinition(runtime, nodes[0].name.value);
    if (!definition) continue;
    total += actualFieldCost(walk, nodes, definition, data[key]);
  }
  return total;
}

function resolveRuntime(walk: Walk, type: GraphQLCompositeType, data: Record<string, unknown>): GraphQLCompositeType {
  if (isObjectType(type)) return type;
  const typename = data.__typename;
  const concrete = typeof typename === "string" ? walk.schema.getType(typename) : undefined;
  return concrete && isObjectType(concrete) ? concrete : type;
}

function actualFieldCost(
  walk: Walk,
  nodes: FieldNode[],
  definition: GraphQLField<unknown, unknown>,
  value: unknown,
): number {
  const named = getNamedType(definition.type);
  if (isLeafType(named) || value === null || value === undefined) return 0;
  const selectionSet = mergedSelectionSet(nodes);
  if (!selectionSet) return 0;
  if (isConnectionType(named)) {
    const connection = value as Record<string, unknown>;
    let total = CONNECTION_BASE_COST;
    const fields = collectFields(walk, selectionSet, named);
    // One node is charged once even when it is selected through both `edges.node` and `nodes`.
    const perNode = new Map<number, number>();
    for (const [key, fieldNodes] of fields) {
      const name = fieldNodes[0].name.value;
      const inner = mergedSelectionSet(fieldNodes);
      const list = connection[key];
      if (name === "nodes" && inner && Array.isArray(list)) {
        const nodeType = getNamedType(named.getFields().nodes.type) as GraphQLCompositeType;
        list.forEach((node, i) =>
          perNode.set(
            i,
            Math.max(
              perNode.get(i) ?? 0,
              1 + actualSelectionCost(walk, inner, nodeType, node as Record<string, unknown>),
            ),
          ),
        );
      } else if (name === "edges" && inner && Array.isArray(list)) {
        const edgeType = getNamedType(named.getFields().edges.type) as GraphQLObjectType;
        const nodeType = getNamedType(edgeType.getFields().node.type) as GraphQLCompositeType;
        for (const [edgeKey, edgeNodes] of collectFields(walk, inner, edgeType)) {
          const nodeSelection = mergedSelectionSet(edgeNodes);
          if (edgeNodes[0].name.value !== "node" || !nodeSelection) continue;
          list.forEach((edge, i) => {
            const node = (edge as Record<string, unknown>)[edgeKey] as Record<string, unknown> | null;
            if (node)
              perNode.set(
                i,
                Math.max(perNode.get(i) ?? 0, 1 + actualSelectionCost(walk, nodeSelection, nodeType, node)),
              );
          });
        }
      } else if (name !== "pageInfo") {
        const def = named.getFields()[name];
        if (def) total += actualFieldCost(walk, fieldNodes, def, connection[key]);
      }
    }
    for (const cost of perNode.values()) total += cost;
    return total;
  }
  const type = named as GraphQLCompositeType;
  if (isListType(isNonNullType(definition.type) ? definition.type.ofType : definition.type) && Array.isArray(value)) {
    return (
      1 +
      Math.max(
        0,
        ...value.map((item) =>
          item ? actualSelectionCost(walk, selectionSet, type, item as Record<string, unknown>) : 0,
        ),
      )
    );
  }
  return 1 + actualSelectionCost(walk, selectionSet, type, value as Record<string, unknown>);
}

export function actualQueryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  data: Record<string, unknown> | null | undefined,
): number {
  const walk = walkFor(schema, document, variables);
  if (operation.operation === "mutation") return requestedQueryCost(schema, document, operation, variables);
  if (!data) return 0;
  return actualSelectionCost(walk, operation.selectionSet, schema.getQueryType()!, data);
}

// One Admin GraphQL request for one shop: validate, price, throttle, execute, price again, answer like Shopify.
import { execute, type DocumentNode, type OperationDefinitionNode, type GraphQLError } from "graphql";
import type { ResolverContext } from "./context";
import { actualQueryCost, requestedQueryCost, SINGLE_QUERY_MAX_COST } from "./cost";
import { fieldResolver } from "./resolvers/index";
import { adminSchema } from "./schema";
import { formatError, type ShopifyErrorJson } from "./shopify-error";
import type { LeakyBucket, ThrottleStatus } from "./throttle";
import { checkRequest } from "./validate";

export interface GraphqlRequestBody {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

export interface CostExtension {
  requestedQueryCost: number;
  actualQueryCost: number | null;
  throttleStatus: ThrottleStatus;
}

export interface GraphqlOutcome {
  status: number;
  body: { data?: unknown; errors?: ShopifyErrorJson[]; extensions?: { cost: CostExtension } } | { errors: string };
  requestedCost: number | null;
  actualCost: number | null;
  throttled: boolean;
}

const RATE_LIMIT_DOCS = "https://shopify.dev/api/usage/rate-limits";

/** Runs a document with the simulator's resolvers, no cost or throttle (bulk operations use this directly). */
export async function executeDocument(
  ctx: ResolverContext,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): Promise<{ data: Record<string, unknown> | null; errors: ShopifyErrorJson[] }> {
  const result = await execute({
    schema: adminSchema(),
    document,
    rootValue: {},
    contextValue: ctx,
    variableValues: variables,
    operationName: operation.name?.value,
    fieldResolver,
  });
  const errors = (result.errors ?? []).map((e: GraphQLError) => formatError(e));
  return { data: (result.data as Record<string, unknown> | null | undefined) ?? null, errors };
}

export async function runGraphql(
  ctx: ResolverContext,
  bucket: LeakyBucket,
  body: GraphqlRequestBody,
  options: { forceThrottle?: boolean } = {},
): Promise<GraphqlOutcome> {
  const schema = adminSchema();
  if (typeof body.query !== "string" || body.query.trim() === "") {
    return {
      status: 400,
      body: { errors: "Missing query" } as never,
      requestedCost: null,
      actualCost: null,
      throttled: false,
    };
  }
  const variables =
    body.variables && typeof body.variables === "object" ? (body.variables as Record<string, unknown>) : {};
  const operationName = typeof body.operationName === "string" ? body.operationName : null;

  const checked = checkRequest(schema, body.query, variables, operationName);
  if (!checked.ok) {
    return { status: 200, body: { errors: checked.errors }, requestedCost: null, actualCost: null, throttled: false };
  }
  const { document, operation } = checked;
  const requested = requestedQueryCost(schema, document, operation, variables);

  if (requested > SINGLE_QUERY_MAX_COST) {
    return {
      status: 200,
      body: {
        errors: [
          {
            message: `Query cost is ${requested}, which exceeds the single query max cost limit (${SINGLE_QUERY_MAX_COST}).\n\nSee ${RATE_LIMIT_DOCS} for more information on how the\ncost of a query is calculated.\n\nTo query larger amounts of data with fewer limits, bulk operations should be used instead.\nSee https://shopify.dev/docs/api/usage/bulk-operations/queries for usage details.\n`,
            extensions: {
              code: "MAX_COST_EXCEEDED",
              cost: requested,
              maxCost: SINGLE_QUERY_MAX_COST,
              documentation: RATE_LIMIT_DOCS,
            },
          },
        ],
        extensions: { cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: bucket.status() } },
      },
      requestedCost: requested,
      actualCost: null,
      throttled: false,
    };
  }

  if (options.forceThrottle || !bucket.take(requested)) {
    return {
      status: 200,
      body: {
        errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: RATE_LIMIT_DOCS } }],
        extensions: { cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: bucket.status() } },
      },
      requestedCost: requested,
      actualCost: null,
      throttled: true,
    };
  }

  const { data, errors } = await executeDocument(ctx, document, operation, variables);
  const actual = actualQueryCost(schema, document, operation, variables, data);
  bucket.refund(requested - actual);
  const response: GraphqlOutcome["body"] = {
    data,
    ...(errors.length ? { errors } : {}),
    extensions: { cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: bucket.status() } },
  };
  return { status: 200, body: response, requestedCost: requested, actualCost: actual, throttled: false };
}

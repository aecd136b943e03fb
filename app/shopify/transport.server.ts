// The transport boundary: one function that sends a GraphQL document to one shop's Admin API and hands back the
// raw HTTP answer. Everything about retrying, pacing and errors lives above it, in client.ts.
import { GraphqlQueryError, HttpRequestError, HttpResponseError, HttpThrottlingError } from "@shopify/shopify-api";
import { API_VERSION } from "./api-version";
import { AdminNetworkError, type GraphqlErrorEntry } from "./errors";

export type GraphqlVariables = Record<string, unknown>;

/** The JSON body of a GraphQL answer (or whatever came back when it was not one). */
export interface GraphqlBody {
  data?: unknown;
  errors?: GraphqlErrorEntry[] | string;
  extensions?: { cost?: QueryCost } & Record<string, unknown>;
}

export interface QueryCost {
  requestedQueryCost: number;
  actualQueryCost: number | null;
  throttleStatus: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
}

export interface AdminGraphqlResponse {
  /** HTTP status; 200 for every GraphQL answer, errors and THROTTLED included. */
  status: number;
  /** Seconds from a Retry-After header, when there was one. */
  retryAfterSeconds: number | null;
  /** Parsed JSON body; null when the body was not JSON. */
  body: GraphqlBody | null;
}

/**
 * Sends one document. Resolves with whatever HTTP answer came back (4xx and 5xx included); rejects with
 * AdminNetworkError when no answer came back at all.
 */
export type AdminGraphql = (query: string, variables?: GraphqlVariables) => Promise<AdminGraphqlResponse>;

export function adminGraphqlUrl(shop: string): string {
  return `https://${shop}/admin/api/${API_VERSION}/graphql.json`;
}

export interface FetchTransportOptions {
  shop: string;
  accessToken: string;
  fetch?: typeof globalThis.fetch;
  /** Where to POST; default Shopify's Admin endpoint for the shop (tests give the simulator's). */
  endpoint?: string;
}

/** A transport over plain fetch with an offline access token (jobs, scripts, tests against the simulator). */
export function fetchTransport({
  shop,
  accessToken,
  fetch = globalThis.fetch,
  endpoint = adminGraphqlUrl(shop),
}: FetchTransportOptions): AdminGraphql {
  return async (query, variables) => {
    let response: Response;
    let text: string;
    try {
      response = await fetch(endpoint, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-Shopify-Access-Token": accessToken,
        },
        body: JSON.stringify(variables ? { query, variables } : { query }),
      });
      text = await response.text();
    } catch (error) {
      throw new AdminNetworkError(`no answer from ${shop}: ${networkMessage(error)}`, { cause: error });
    }
    return {
      status: response.status,
      retryAfterSeconds: parseRetryAfter(response.headers.get("Retry-After")),
      body: parseJson(text),
    };
  };
}

/** The `admin.graphql` of @shopify/shopify-app-remix (from authenticate.admin or unauthenticated.admin). */
export type RemixAdminGraphql = (query: string, options?: { variables?: GraphqlVariables }) => Promise<Response>;

/**
 * A transport over the Remix library's admin.graphql. The library throws for GraphQL errors and HTTP failures;
 * we turn those back into answers so that one retry policy (ours) decides. Anything else it throws — such as the
 * redirect Response it raises when a session is no longer valid — passes through untouched.
 */
export function remixTransport(graphql: RemixAdminGraphql): AdminGraphql {
  return async (query, variables) => {
    try {
      const response = await graphql(query, variables ? { variables } : undefined);
      return { status: response.status, retryAfterSeconds: null, body: parseJson(await response.text()) };
    } catch (error) {
      if (error instanceof GraphqlQueryError) {
        const body = error.body as
          | { data?: unknown; extensions?: GraphqlBody["extensions"]; errors?: { graphQLErrors?: GraphqlErrorEntry[] } }
          | undefined;
        const errors = body?.errors?.graphQLErrors ?? [{ message: error.message }];
        return {
          status: 200,
          retryAfterSeconds: null,
          body: { ...(body && "data" in body ? { data: body.data } : {}), errors, extensions: body?.extensions },
        };
      }
      if (error instanceof HttpThrottlingError) {
        return {
          status: error.response.code,
          retryAfterSeconds: error.response.retryAfter ?? null,
          body: asBody(error.response.body),
        };
      }
      if (error instanceof HttpResponseError) {
        return { status: error.response.code, retryAfterSeconds: null, body: asBody(error.response.body) };
      }
      if (error instanceof HttpRequestError) throw new AdminNetworkError(error.message, { cause: error });
      throw error;
    }
  };
}

export function parseRetryAfter(value: string | null): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(value); // the HTTP-date form
  return Number.isNaN(date) ? null : Math.max(0, (date - Date.now()) / 1000);
}

function parseJson(text: string): GraphqlBody | null {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === "object" ? (value as GraphqlBody) : null;
  } catch {
    return null;
  }
}

function asBody(body: unknown): GraphqlBody | null {
  if (typeof body === "string") return parseJson(body);
  return body && typeof body === "object" ? (body as GraphqlBody) : null;
}

function networkMessage(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return [error instanceof Error ? error.message : String(error), cause?.code ?? cause?.message]
    .filter(Boolean)
    .join(": ");
}

// The JSON shape of one entry in a GraphQL response's `errors`, as Shopify's graphql-ruby server writes it.
import { GraphQLError } from "graphql";

export interface ShopifyErrorJson {
  message: string;
  locations?: { line: number; column: number }[];
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

/** Thrown by resolvers for a field the simulator does not model: a loud error, never a silent null. */
export function notImplemented(what: string): GraphQLError {
  return new GraphQLError(`simulator does not implement ${what}`, {
    extensions: { code: "SIMULATOR_NOT_IMPLEMENTED" },
  });
}

/** An error whose message and extensions are final (already in Shopify's words). */
export function shopifyError(message: string, extensions?: Record<string, unknown>): GraphQLError {
  return new GraphQLError(message, extensions ? { extensions } : {});
}

export function formatError(error: GraphQLError): ShopifyErrorJson {
  const json: ShopifyErrorJson = { message: error.message };
  if (error.locations?.length) json.locations = error.locations.map((l) => ({ line: l.line, column: l.column }));
  if (error.path) json.path = [...error.path];
  if (error.extensions && Object.keys(error.extensions).length) json.extensions = { ...error.extensions };
  return json;
}

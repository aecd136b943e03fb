// Typed failures of the Admin API gateway: each says what went wrong in words a merchant or an engineer can act on.

/** One entry of a GraphQL response's `errors`, as Shopify writes it. */
export interface GraphqlErrorEntry {
  message: string;
  locations?: { line: number; column: number }[];
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

export class GatewayError extends Error {
  override name = "GatewayError";
}

/**
 * Shopify refused the document itself (parse or validation error, or a query over the single-query cost limit).
 * That is a bug in our code, never a passing condition, so it is never retried.
 */
export class GraphqlDocumentError extends GatewayError {
  override name = "GraphqlDocumentError";
  readonly messages: string[];
  constructor(
    readonly errors: GraphqlErrorEntry[],
    readonly operationName: string | null,
  ) {
    super(`Shopify refused the ${operationName ?? "anonymous"} document: ${errors.map((e) => e.message).join("; ")}`);
    this.messages = errors.map((e) => e.message);
  }
}

/** The document ran but some fields failed (access denied, a resolver error): partial data and Shopify's errors. */
export class GraphqlExecutionError extends GatewayError {
  override name = "GraphqlExecutionError";
  constructor(
    readonly errors: GraphqlErrorEntry[],
    readonly data: unknown,
    readonly operationName: string | null,
  ) {
    super(`Shopify answered ${operationName ?? "anonymous"} with errors: ${errors.map((e) => e.message).join("; ")}`);
  }
}

/**
 * Shopify refused some fields for lack of access (code ACCESS_DENIED): a missing access scope ("Access denied for
 * orders field. Required access: `read_orders` access scope.") or protected customer data the app is not approved for
 * ("This app is not approved to access the Customer object."). Retrying cannot help until access is granted.
 */
export class AccessDeniedError extends GraphqlExecutionError {
  override name = "AccessDeniedError";
  /** Shopify's message for each refusal. */
  get refusals(): string[] {
    return this.errors.filter((e) => e.extensions?.code === "ACCESS_DENIED").map((e) => e.message);
  }
}

/**
 * Shopify's words for a refusal for lack of access, from any gateway failure: an AccessDeniedError's messages, or a
 * bulk operation that ended with errorCode ACCESS_DENIED (Shopify says no more there), or a failure caused by one.
 * Null for any other failure.
 */
export function accessRefusals(error: unknown): string[] | null {
  // A caller may have wrapped the gateway's failure (new Error(…, { cause })): look through the causes.
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof AccessDeniedError) return e.refusals;
    if (e instanceof BulkOperationError && e.code === "ACCESS_DENIED") return [e.message];
  }
  return null;
}

/** An HTTP answer that is not a GraphQL answer and is not worth retrying (401, 402, 403, 404, 423 …). */
export class AdminHttpError extends GatewayError {
  override name = "AdminHttpError";
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`Shopify answered HTTP ${status}${describeBody(body)}`);
  }
}

/** The request never got an answer (connection refused or reset, DNS, TLS …). */
export class AdminNetworkError extends GatewayError {
  override name = "AdminNetworkError";
}

/** Every allowed attempt failed with something retryable; `cause` is the last failure. */
export class RetriesExhaustedError extends GatewayError {
  override name = "RetriesExhaustedError";
  constructor(
    readonly attempts: number,
    readonly lastReason: string,
    options?: { cause?: unknown },
  ) {
    super(`Shopify did not answer after ${attempts} attempts (last: ${lastReason})`, options);
  }
}

/** A mutation answered with userErrors where the caller needed it to succeed. */
export class UserErrorsError extends GatewayError {
  override name = "UserErrorsError";
  constructor(
    readonly mutation: string,
    readonly userErrors: { field: string[] | null; message: string; code: string | null }[],
  ) {
    super(
      `${mutation} was refused: ${userErrors.map((e) => (e.field?.length ? `${e.field.join(".")}: ${e.message}` : e.message)).join("; ")}`,
    );
  }
}

/** A bulk operation could not be started, or its result could not be read. */
export class BulkOperationError extends GatewayError {
  override name = "BulkOperationError";
  constructor(
    message: string,
    readonly code: string | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

function describeBody(body: unknown): string {
  if (body && typeof body === "object" && "errors" in body) {
    const errors = (body as { errors: unknown }).errors;
    return `: ${typeof errors === "string" ? errors : JSON.stringify(errors)}`;
  }
  return typeof body === "string" && body ? `: ${body.slice(0, 200)}` : "";
}

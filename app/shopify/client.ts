// The Admin GraphQL client every job and service uses: paces requests on the shop's cost bucket, retries what is
// worth retrying (THROTTLED, 429, 5xx, lost connections) with bounded backoff, and types everything else.
import {
  AccessDeniedError,
  AdminHttpError,
  AdminNetworkError,
  GraphqlDocumentError,
  GraphqlExecutionError,
  RetriesExhaustedError,
  type GraphqlErrorEntry,
} from "./errors";
import { backoffDelay, DEFAULT_BACKOFF, realSleep, type BackoffOptions } from "./retry-policy";
import { addCall, emptyStats, type CallFigures, type GatewayStats, type RetryReason } from "./stats";
import { ThrottleModel } from "./throttle";
import type { AdminGraphql, AdminGraphqlResponse, GraphqlVariables } from "./transport.server";

export interface AdminClientOptions {
  shop: string;
  transport: AdminGraphql;
  /** Share one model between clients of the same shop; default a model of this client's own. */
  throttle?: ThrottleModel;
  /** Total attempts per call, the first included. */
  maxAttempts?: number;
  backoff?: BackoffOptions;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Where the totals go; pass one in to keep figures across clients (e.g. one per sync run). */
  stats?: GatewayStats;
  /** Figures of each call as it ends. */
  onCall?: (call: CallFigures) => void;
}

export interface AdminClient {
  readonly shop: string;
  readonly stats: GatewayStats;
  readonly throttle: ThrottleModel;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  /**
   * Runs a document and resolves with its `data`; throws a typed GatewayError otherwise. `unsafeToRepeat`: a mutation
   * Shopify offers no idempotency for (store credit): only answers that say it did not run (THROTTLED, HTTP 429) are
   * retried; a lost connection or a 5xx, after which it may have run, fails at once (RetriesExhaustedError).
   */
  request<TData = Record<string, unknown>>(
    query: string,
    variables?: GraphqlVariables,
    options?: RequestOptions,
  ): Promise<TData>;
}

export interface RequestOptions {
  unsafeToRepeat?: boolean;
}

export const DEFAULT_MAX_ATTEMPTS = 10;

type Verdict =
  | { kind: "ok"; data: unknown }
  | { kind: "retry"; reason: RetryReason; waitMs: number; detail: string; error?: unknown }
  | { kind: "fail"; error: Error };

export function createAdminClient(options: AdminClientOptions): AdminClient {
  const {
    shop,
    transport,
    throttle = new ThrottleModel(),
    maxAttempts = DEFAULT_MAX_ATTEMPTS,
    backoff = DEFAULT_BACKOFF,
    now = Date.now,
    sleep = realSleep,
    random = Math.random,
    stats = emptyStats(),
    onCall,
  } = options;

  async function request<TData>(
    query: string,
    variables?: GraphqlVariables,
    { unsafeToRepeat = false }: RequestOptions = {},
  ): Promise<TData> {
    const operationName = operationNameOf(query);
    const key = costKey(query, variables);
    const call: CallFigures = {
      operationName,
      requests: 0,
      requestedCost: 0,
      actualCost: 0,
      pacingWaitMs: 0,
      throttled: 0,
      throttledWaitMs: 0,
      retries: 0,
      retryWaitMs: 0,
      outcome: "failed",
    };
    const reasons: RetryReason[] = [];
    const finish = () => {
      addCall(stats, call, reasons);
      onCall?.(call);
    };

    try {
      for (let attempt = 1; ; attempt++) {
        const { waitedMs, release } = await throttle.acquire(key, now, sleep);
        call.pacingWaitMs += waitedMs;
        call.requests++;
        let verdict: Verdict;
        try {
          const response = await transport(query, variables);
          const cost = response.body?.extensions?.cost;
          release({ requestedCost: cost?.requestedQueryCost, status: cost?.throttleStatus });
          if (cost) {
            call.requestedCost += cost.requestedQueryCost;
            call.actualCost += cost.actualQueryCost ?? 0;
          }
          verdict = judge(response, operationName, attempt);
        } catch (error) {
          release({});
          if (!(error instanceof AdminNetworkError)) throw error;
          verdict = {
            kind: "retry",
            reason: "network",
            waitMs: backoffDelay(attempt, random, backoff),
            detail: error.message,
            error,
          };
        }

        if (verdict.kind === "ok") {
          call.outcome = "ok";
          return verdict.data as TData;
        }
        if (verdict.kind === "fail") throw verdict.error;
        const mayHaveRun = verdict.reason === "network" || verdict.reason === "http5xx";
        if (attempt >= maxAttempts || (unsafeToRepeat && mayHaveRun))
          throw new RetriesExhaustedError(attempt, verdict.detail, { cause: verdict.error });
        call.retries++;
        reasons.push(verdict.reason);
        if (verdict.reason === "throttled") {
          call.throttled++;
          call.throttledWaitMs += verdict.waitMs;
        } else {
          call.retryWaitMs += verdict.waitMs;
        }
        await sleep(verdict.waitMs);
      }
    } finally {
      finish();
    }
  }

  /** What to do with one answer. */
  function judge(response: AdminGraphqlResponse, operationName: string | null, attempt: number): Verdict {
    const { status, body } = response;
    if (status === 429) {
      const waitMs =
        response.retryAfterSeconds != null
          ? Math.ceil(response.retryAfterSeconds * 1000)
          : backoffDelay(attempt, random, backoff);
      return { kind: "retry", reason: "http429", waitMs, detail: "HTTP 429" };
    }
    if (status >= 500)
      return {
        kind: "retry",
        reason: "http5xx",
        waitMs: backoffDelay(attempt, random, backoff),
        detail: `HTTP ${status}`,
      };
    if (status !== 200 || !body) return { kind: "fail", error: new AdminHttpError(status, body) };

    const errors = Array.isArray(body.errors)
      ? body.errors
      : typeof body.errors === "string"
        ? [{ message: body.errors }]
        : [];
    if (errors.length === 0) {
      if (!("data" in body)) return { kind: "fail", error: new AdminHttpError(status, body) };
      return { kind: "ok", data: body.data };
    }
    if (errors.some((e) => codeOf(e) === "THROTTLED")) {
      // The bucket lacked the points: wait for exactly what it needs. When our picture says it holds enough (another
      // worker of this app drew on it), back off instead of asking again at once.
      const needed = throttle.waitFor(body.extensions?.cost?.requestedQueryCost ?? 0, now());
      return {
        kind: "retry",
        reason: "throttled",
        waitMs: needed > 0 ? needed : backoffDelay(attempt, random, backoff),
        detail: "THROTTLED",
      };
    }
    // Shopify answers a document it refuses (parse, validation, cost limit) with errors and no `data`; execution
    // failures carry an UPPER_SNAKE code (ACCESS_DENIED …) where validation codes are camelCase graphql-ruby ones.
    // (The Remix library drops a null `data`, so its absence alone cannot tell the two apart.)
    if (body.data == null && !errors.some(isExecutionError))
      return { kind: "fail", error: new GraphqlDocumentError(errors, operationName) };
    if (errors.some((e) => codeOf(e) === "ACCESS_DENIED"))
      return { kind: "fail", error: new AccessDeniedError(errors, body.data, operationName) };
    return { kind: "fail", error: new GraphqlExecutionError(errors, body.data, operationName) };
  }

  return { shop, stats, throttle, now, sleep, random, request };
}

function codeOf(error: GraphqlErrorEntry): unknown {
  return error.extensions?.code;
}

function isExecutionError(error: GraphqlErrorEntry): boolean {
  const code = codeOf(error);
  return typeof code === "string" && /^[A-Z][A-Z_]*$/.test(code) && code !== "MAX_COST_EXCEEDED";
}

const OPERATION_NAME = /^\s*(?:#[^\n]*\n\s*)*(?:query|mutation)\s+([_A-Za-z][_0-9A-Za-z]*)/;

export function operationNameOf(query: string): string | null {
  return OPERATION_NAME.exec(query)?.[1] ?? null;
}

/** Requested cost depends on the document and its page sizes, so those are what we remember costs by. */
function costKey(query: string, variables?: GraphqlVariables): string {
  if (!variables) return query;
  const sizes = Object.entries(variables).filter(([, v]) => typeof v === "number");
  return sizes.length ? `${query}\u0000${JSON.stringify(sizes)}` : query;
}

// Bulk operations: start a bulk query or mutation, wait for it (polling with backoff, woken early by the
// bulk_operations/finish webhook), and hand back where its JSONL result is.
import type { AdminClient } from "./client";
import {
  BULK_OPERATION_QUERY,
  BULK_OPERATION_RUN_MUTATION_MUTATION,
  BULK_OPERATION_RUN_QUERY_MUTATION,
} from "./documents";
import { BulkOperationError } from "./errors";
import { bulkFinishNotifier, type BulkFinishNotifier } from "./bulk-finish";
import { streamBulkResult, type BulkLine } from "./jsonl";
import { backoffDelay } from "./retry-policy";
import { bulkVariablesJsonl, uploadBulkVariables } from "./staged-upload";
import type { GraphqlVariables } from "./transport.server";
import type { UserError } from "./user-errors";

export type BulkOperationStatus = "CREATED" | "RUNNING" | "CANCELING" | "COMPLETED" | "FAILED" | "CANCELED" | "EXPIRED";

export interface BulkOperationResult {
  id: string;
  type: "QUERY" | "MUTATION";
  status: BulkOperationStatus;
  /** ACCESS_DENIED, INTERNAL_SERVER_ERROR or TIMEOUT when it failed. */
  errorCode: string | null;
  objectCount: number;
  rootObjectCount: number;
  /** The JSONL result; null when nothing matched or the operation did not complete. */
  url: string | null;
  /** What was written before a failure, when anything was. */
  partialDataUrl: string | null;
}

export interface BulkPollOptions {
  initialMs: number;
  maxMs: number;
  factor: number;
}

export const DEFAULT_BULK_POLL: BulkPollOptions = { initialMs: 1_000, maxMs: 30_000, factor: 1.5 };

export interface BulkWaitOptions {
  /** Default the process-wide notifier the bulk_operations/finish webhook calls. */
  notifier?: BulkFinishNotifier;
  poll?: BulkPollOptions;
  /** Give up waiting (the operation keeps running at Shopify; wait again with its id). */
  signal?: AbortSignal;
}

export interface BulkStartOptions {
  /** When the shop already runs as many bulk operations as Shopify allows: wait for room (default) or fail at once. */
  whenBusy?: "wait" | "fail";
  /** How long to wait for room before failing. */
  busyTimeoutMs?: number;
  /** Called with the id as soon as Shopify accepted the operation, so a job can keep it and resume waiting. */
  onStarted?: (operationId: string) => void | Promise<void>;
}

export const DEFAULT_BUSY_TIMEOUT_MS = 30 * 60_000;
const BUSY_CODES = new Set(["LIMIT_REACHED", "OPERATION_IN_PROGRESS"]);
const TERMINAL = new Set<BulkOperationStatus>(["COMPLETED", "FAILED", "CANCELED", "EXPIRED"]);

interface RunPayload {
  bulkOperation: { id: string; status: string } | null;
  userErrors: UserError[];
}

/** Starts a bulk query and returns its id. */
export function startBulkQuery(client: AdminClient, query: string, options: BulkStartOptions = {}): Promise<string> {
  return start(client, "bulkOperationRunQuery", options, async () => {
    const data = await client.request<{ bulkOperationRunQuery: RunPayload | null }>(BULK_OPERATION_RUN_QUERY_MUTATION, {
      query,
    });
    return data.bulkOperationRunQuery;
  });
}

/** Starts a bulk query, waits for it to end, and reports how it ended (a FAILED operation is reported, not thrown). */
export async function runBulkQuery(
  client: AdminClient,
  query: string,
  options: BulkStartOptions & BulkWaitOptions = {},
): Promise<BulkOperationResult> {
  const id = await startBulkQuery(client, query, options);
  return waitForBulkOperation(client, id, options);
}

export interface BulkMutationRun {
  operation: BulkOperationResult;
  /** One line per input line: `{ data, errors?, __lineNumber }` (0-based input line), streamed. */
  results: AsyncIterable<BulkLine>;
}

/**
 * Runs `mutation` once per variables object: uploads them as JSONL to a staged target, starts
 * bulkOperationRunMutation, waits, and streams the result (the partial result when it failed).
 */
export async function runBulkMutation(
  client: AdminClient,
  mutation: string,
  variables: Iterable<GraphqlVariables>,
  options: BulkStartOptions & BulkWaitOptions & { fetch?: typeof globalThis.fetch; clientIdentifier?: string } = {},
): Promise<BulkMutationRun> {
  const fetch = options.fetch ?? globalThis.fetch;
  const stagedUploadPath = await uploadBulkVariables(client, bulkVariablesJsonl(variables), fetch);
  const id = await start(client, "bulkOperationRunMutation", options, async () => {
    const data = await client.request<{ bulkOperationRunMutation: RunPayload | null }>(
      BULK_OPERATION_RUN_MUTATION_MUTATION,
      {
        mutation,
        stagedUploadPath,
        clientIdentifier: options.clientIdentifier ?? null,
      },
    );
    return data.bulkOperationRunMutation;
  });
  const operation = await waitForBulkOperation(client, id, options);
  const url = operation.url ?? operation.partialDataUrl;
  return { operation, results: url ? streamBulkResult(url, fetch, { signal: options.signal }) : emptyLines() };
}

/** Reads a bulk operation once. */
export async function readBulkOperation(client: AdminClient, id: string): Promise<BulkOperationResult> {
  const data = await client.request<{ bulkOperation: RawOperation | null }>(BULK_OPERATION_QUERY, { id });
  if (!data.bulkOperation) throw new BulkOperationError(`Shopify knows no bulk operation ${id}`);
  return fromRaw(data.bulkOperation);
}

/** Polls until the operation ends: backoff between polls, cut short when the finish webhook announces it. */
export async function waitForBulkOperation(
  client: AdminClient,
  id: string,
  options: BulkWaitOptions = {},
): Promise<BulkOperationResult> {
  const { notifier = bulkFinishNotifier, poll = DEFAULT_BULK_POLL, signal } = options;
  let delay = poll.initialMs;
  for (;;) {
    signal?.throwIfAborted();
    const operation = await readBulkOperation(client, id);
    if (TERMINAL.has(operation.status)) return operation;
    const wake = notifier.wait(client.shop, id);
    try {
      await firstOf([client.sleep(delay), wake.finished], signal);
    } finally {
      wake.cancel();
    }
    delay = Math.min(poll.maxMs, delay * poll.factor);
  }
}

async function start(
  client: AdminClient,
  mutation: string,
  options: BulkStartOptions,
  run: () => Promise<RunPayload | null>,
): Promise<string> {
  const { whenBusy = "wait", busyTimeoutMs = DEFAULT_BUSY_TIMEOUT_MS } = options;
  const deadline = client.now() + busyTimeoutMs;
  for (let attempt = 1; ; attempt++) {
    const payload = await run();
    if (!payload) throw new BulkOperationError(`${mutation} returned no payload`);
    const { bulkOperation, userErrors } = payload;
    if (bulkOperation && userErrors.length === 0) {
      await options.onStarted?.(bulkOperation.id);
      return bulkOperation.id;
    }
    const busy = userErrors.find((e) => e.code && BUSY_CODES.has(e.code));
    const message = userErrors.map((e) => e.message).join("; ") || "no operation and no userErrors";
    if (!busy) throw new BulkOperationError(`${mutation} was refused: ${message}`, userErrors[0]?.code ?? null);
    if (whenBusy === "fail" || client.now() >= deadline) {
      throw new BulkOperationError(
        `${mutation}: the shop is already running as many bulk operations as Shopify allows (${message})`,
        busy.code,
      );
    }
    await client.sleep(
      Math.min(
        backoffDelay(attempt, client.random, { baseMs: 2_000, maxMs: 60_000 }),
        Math.max(0, deadline - client.now()),
      ),
    );
  }
}

interface RawOperation {
  id: string;
  type: "QUERY" | "MUTATION";
  status: BulkOperationStatus;
  errorCode: string | null;
  objectCount: string;
  rootObjectCount: string;
  url: string | null;
  partialDataUrl: string | null;
}

function fromRaw(raw: RawOperation): BulkOperationResult {
  return {
    id: raw.id,
    type: raw.type,
    status: raw.status,
    errorCode: raw.errorCode,
    objectCount: Number(raw.objectCount), // UnsignedInt64 arrives as a string; counts stay far below 2^53
    rootObjectCount: Number(raw.rootObjectCount),
    url: raw.url,
    partialDataUrl: raw.partialDataUrl,
  };
}

function firstOf(promises: Promise<unknown>[], signal: AbortSignal | undefined): Promise<unknown> {
  if (!signal) return Promise.race(promises);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    Promise.race(promises).then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

async function* emptyLines(): AsyncGenerator<BulkLine> {}

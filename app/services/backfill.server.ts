// Backfill use cases: start one (on install, or on demand), run it (the `backfill` job: every customer, then every
// order, through Shopify's bulk operations, streamed line by line into the ledger), and report its progress.
// Resumable at any point: the bulk operation id, the result file and the last committed line are saved as it goes,
// so a killed worker's retry continues where the last transaction ended.
import type { AdminClient } from "../shopify/client";
import { startBulkQuery, waitForBulkOperation } from "../shopify/bulk";
import { BulkRecordError, bulkRecord } from "../shopify/bulk-records";
import {
  BACKFILL_CUSTOMERS_BULK_QUERY,
  BACKFILL_ORDERS_BULK_QUERY,
  BACKFILL_ORDERS_WITHOUT_PRODUCTS_BULK_QUERY,
} from "../shopify/documents";
import { hasScope } from "../domain/access";
import { getShopAccess } from "../models/shop-access.server";
import type { LedgerOrder, LedgerRefund } from "../domain/ledger-types";
import { BulkOperationError } from "../shopify/errors";
import { streamBulkResult } from "../shopify/jsonl";
import { readShopSettings } from "../shopify/shop";
import { enqueueBackfill, enqueueProductsImport, enqueueRecompute } from "../jobs/contracts";
import type { JobQueue } from "../jobs/queue";
import { getQueue } from "../jobs/runtime.server";
import {
  advanceBackfillPhase,
  backfillProgress,
  commitBackfillBatch,
  createBackfillRun,
  getBackfillRun,
  latestBackfillRun,
  recordBackfillResult,
  updateBackfillRun,
  type BackfillBatch,
  type BackfillPhase,
} from "../models/backfill.server";
import { setShopSettings } from "../models/shop.server";
import { backfillRefundLines } from "./refund-lines.server";

export const BACKFILL_BATCH_LINES = 1000;

/** Starts a full-history backfill unless one is already queued or running; returns the run's id. */
export async function startBackfill(
  shop: string,
  { queue = getQueue() }: { queue?: JobQueue } = {},
): Promise<{ runId: string; started: boolean }> {
  const { run, created } = await createBackfillRun(shop);
  if (created) await enqueueBackfill(queue, shop, run.id);
  return { runId: run.id, started: created };
}

/** On install: backfill a shop that has never been backfilled. */
export async function backfillOnInstall(shop: string) {
  if (!(await latestBackfillRun(shop))) await startBackfill(shop);
}

export async function backfillStatus(shop: string, now = new Date()) {
  const run = await latestBackfillRun(shop);
  return run ? backfillProgress(run, now) : null;
}

/** The phase's bulk query; the orders' lines name their product only where read_products is granted. */
async function queryFor(shop: string, phase: Exclude<BackfillPhase, "done">): Promise<string> {
  if (phase === "customers") return BACKFILL_CUSTOMERS_BULK_QUERY;
  const { granted } = await getShopAccess(shop);
  return hasScope(granted, "read_products") ? BACKFILL_ORDERS_BULK_QUERY : BACKFILL_ORDERS_WITHOUT_PRODUCTS_BULK_QUERY;
}

export interface RunBackfillDeps {
  clientFor(shop: string): Promise<AdminClient>;
  queue: JobQueue;
  signal: AbortSignal;
  fetch?: typeof globalThis.fetch;
  now?: () => Date;
}

/**
 * The shop's settings read from Shopify and written, stamped with the moment the read began (Shop.settingsAt;
 * docs/shop-settings.md): a shop/update raised before that and delivered later changes nothing, and one raised after
 * it and applied while the read was under way is not overwritten.
 */
export async function recordShopSettings(shop: string, client: AdminClient, now: () => Date = () => new Date()) {
  const readAt = now();
  const settings = await readShopSettings(client);
  await setShopSettings(
    shop,
    {
      currencyCode: settings.currencyCode,
      timezone: settings.ianaTimezone,
      locale: settings.locale,
      name: settings.name,
    },
    readAt,
  );
}

/**
 * Runs (or resumes) one backfill run to its end, then queues the full recompute. "missing": the shop has no such run;
 * "over": it was done or cancelled already. Throws what stopped it, with the run's resume point saved.
 */
export async function runBackfill(
  shop: string,
  runId: string,
  deps: RunBackfillDeps,
): Promise<"done" | "over" | "missing"> {
  const { signal } = deps;
  const now = deps.now ?? (() => new Date());
  let run = await getBackfillRun(shop, runId);
  if (!run) return "missing";
  if (run.status === "done" || run.status === "cancelled") return "over";
  await updateBackfillRun(shop, run.id, { status: "running", lastError: null });

  const client = await deps.clientFor(shop);
  try {
    if (run.phase === "customers" && run.linesCommitted === 0 && !run.bulkOperationId)
      await recordShopSettings(shop, client, now);
    while (run.phase !== "done") {
      signal.throwIfAborted();
      const phase = run.phase as Exclude<BackfillPhase, "done">;
      let url = run.resultUrl;
      if (!url) {
        const operationId =
          run.bulkOperationId ??
          (await startBulkQuery(client, await queryFor(shop, phase), {
            onStarted: (id) => updateBackfillRun(shop, run!.id, { bulkOperationId: id }),
          }));
        const operation = await waitForBulkOperation(client, operationId, { signal });
        if (operation.status !== "COMPLETED") {
          // The next attempt starts a new bulk operation for this phase (lines already read are idempotent).
          await updateBackfillRun(shop, run.id, { bulkOperationId: null });
          // The error code says why (ACCESS_DENIED: a scope or the protected customer data approval is missing).
          const code = operation.errorCode ? ` (${operation.errorCode})` : "";
          throw new BulkOperationError(
            `backfill ${phase} bulk operation ${operation.status.toLowerCase()}${code}`,
            operation.errorCode,
          );
        }
        // Root objects: the orders file also holds each order's line items (objectCount counts them too).
        await recordBackfillResult(shop, run.id, phase, operation.url, operation.rootObjectCount);
        url = operation.url;
      }
      if (url)
        await ingestBulkFile(shop, run.id, url, run.resultUrl === url ? run.linesCommitted : 0, {
          signal,
          fetch: deps.fetch,
        });
      // The refunded lines of the refunds just read (a bulk query cannot read them: backfillRefundLines).
      if (phase === "orders") await backfillRefundLines(shop, client, { signal });
      await advanceBackfillPhase(shop, run.id, phase === "customers" ? "orders" : "done", now());
      run = (await getBackfillRun(shop, run.id))!;
    }
    await enqueueRecompute(deps.queue, shop, "backfill");
    // The catalogue comes apart (it needs read_products: without it that job is parked, the ledger goes on).
    await enqueueProductsImport(deps.queue, shop);
    return "done";
  } catch (error) {
    await updateBackfillRun(shop, run.id, { lastError: error instanceof Error ? error.message : String(error) });
    if (error instanceof BulkOperationError && /HTTP 4\d\d/.test(error.message)) {
      // The result URL expired (Shopify keeps them a week): query again rather than fail for ever.
      await updateBackfillRun(shop, run.id, { resultUrl: null, bulkOperationId: null, linesCommitted: 0 });
    }
    throw error;
  }
}

/**
 * Streams one bulk result file into the ledger from `afterLine`, in transactions of BACKFILL_BATCH_LINES lines that
 * also move the run's resume point. Exported for the benchmark, which feeds it the same files.
 */
export async function ingestBulkFile(
  shop: string,
  runId: string,
  url: string,
  afterLine: number,
  { signal, fetch }: { signal?: AbortSignal; fetch?: typeof globalThis.fetch } = {},
) {
  const empty = (throughLine: number): BackfillBatch => ({ customers: [], orders: [], refunds: [], throughLine });
  let batch = empty(afterLine);
  // An order's line items follow it on lines of their own (__parentId): the order is held open until the next
  // top-level line, so a batch (and the resume point) never ends between an order and its lines.
  let open: { order: LedgerOrder; refunds: LedgerRefund[]; line: number } | null = null;
  const close = () => {
    if (!open) return;
    batch.orders.push(open.order);
    batch.refunds.push(...open.refunds);
    batch.throughLine = open.line;
    open = null;
  };
  const flush = async () => {
    if (batch.throughLine === afterLine && !batch.customers.length && !batch.orders.length) return;
    await commitBackfillBatch(shop, runId, batch);
    afterLine = batch.throughLine;
    batch = empty(afterLine);
  };
  for await (const { line, value } of streamBulkResult(url, fetch, { afterLine, signal })) {
    const record = bulkRecord(value);
    if (record.kind === "line") {
      if (!open || open.order.id !== record.orderId)
        throw new BulkRecordError(
          `line item ${record.line.id} (line ${line}) does not follow its order ${record.orderId}`,
        );
      if (record.currencyCode !== open.order.currencyCode)
        throw new BulkRecordError(
          `line item ${record.line.id} is in ${record.currencyCode}, its order in ${open.order.currencyCode}`,
        );
      open.order.lines!.push(record.line);
      open.line = line;
      continue;
    }
    close();
    if (line - afterLine > BACKFILL_BATCH_LINES) await flush();
    if (record.kind === "customer") {
      batch.customers.push(record.customer);
      batch.throughLine = line;
    } else if (record.kind === "order") {
      // A bulk order line always has its lines (none is an empty connection): they replace what the ledger held.
      open = { order: { ...record.order, lines: [] }, refunds: record.refunds, line };
    } else {
      throw new BulkRecordError(`a ${record.kind} line in the customers and orders file (line ${line})`);
    }
  }
  close();
  await flush();
}

// The backfill job: every customer, then every order, through Shopify's bulk operations, streamed line by line
// into the ledger. Resumable at any point: the bulk operation id, the result file and the last committed line are
// saved as it goes, so a killed worker's retry continues where the last transaction ended.
import type { AdminClient } from "../shopify/client";
import { startBulkQuery, waitForBulkOperation } from "../shopify/bulk";
import { bulkRecord } from "../shopify/bulk-records";
import { BACKFILL_CUSTOMERS_BULK_QUERY, BACKFILL_ORDERS_BULK_QUERY } from "../shopify/documents";
import { BulkOperationError } from "../shopify/errors";
import { streamBulkResult } from "../shopify/jsonl";
import { readShopSettings } from "../shopify/shop";
import {
  advanceBackfillPhase,
  commitBackfillBatch,
  getBackfillRun,
  recordBackfillResult,
  updateBackfillRun,
  type BackfillBatch,
  type BackfillPhase,
} from "../models/backfill.server";
import { setShopSettings } from "../models/shop.server";
import type { JobContext, JobQueue } from "./queue";
import { PermanentJobError } from "./queue";

export const BACKFILL = "backfill";
export const BACKFILL_BATCH_LINES = 1000;

export interface BackfillJobDeps {
  clientFor(shop: string): Promise<AdminClient>;
  queue: JobQueue;
  fetch?: typeof globalThis.fetch;
  now?: () => Date;
}

const QUERIES: Record<Exclude<BackfillPhase, "done">, string> = {
  customers: BACKFILL_CUSTOMERS_BULK_QUERY,
  orders: BACKFILL_ORDERS_BULK_QUERY,
};

export function backfillJob(deps: BackfillJobDeps) {
  const now = deps.now ?? (() => new Date());

  return async function runBackfill(job: JobContext<{ runId: string }>) {
    const { shop, signal } = job;
    let run = await getBackfillRun(shop, job.payload.runId);
    if (!run) throw new PermanentJobError(`no backfill run ${job.payload.runId} for ${shop}`);
    if (run.status === "done" || run.status === "cancelled") return;
    await updateBackfillRun(shop, run.id, { status: "running", lastError: null });

    const client = await deps.clientFor(shop);
    try {
      if (run.phase === "customers" && run.linesCommitted === 0 && !run.bulkOperationId) {
        const settings = await readShopSettings(client);
        await setShopSettings(shop, { currencyCode: settings.currencyCode, timezone: settings.ianaTimezone });
      }
      while (run.phase !== "done") {
        signal.throwIfAborted();
        const phase = run.phase as Exclude<BackfillPhase, "done">;
        let url = run.resultUrl;
        if (!url) {
          const operationId =
            run.bulkOperationId ??
            (await startBulkQuery(client, QUERIES[phase], {
              onStarted: (id) => updateBackfillRun(shop, run!.id, { bulkOperationId: id }),
            }));
          const operation = await waitForBulkOperation(client, operationId, { signal });
          if (operation.status !== "COMPLETED") {
            // The next attempt starts a new bulk operation for this phase (lines already read are idempotent).
            await updateBackfillRun(shop, run.id, { bulkOperationId: null });
            // The error code says why (ACCESS_DENIED: a scope or the protected customer data approval is missing).
            const code = operation.errorCode ? ` (${operation.errorCode})` : "";
            throw new BulkOperationError(`backfill ${phase} bulk operation ${operation.status.toLowerCase()}${code}`, operation.errorCode);
          }
          await recordBackfillResult(shop, run.id, phase, operation.url, operation.objectCount);
          url = operation.url;
        }
        if (url) await ingestBulkFile(shop, run.id, url, run.resultUrl === url ? run.linesCommitted : 0, { signal, fetch: deps.fetch });
        await advanceBackfillPhase(shop, run.id, phase === "customers" ? "orders" : "done", now());
        run = (await getBackfillRun(shop, run.id))!;
      }
      await deps.queue.enqueue(shop, "recompute-shop", { reason: "backfill" }, { key: "recompute-shop" });
    } catch (error) {
      await updateBackfillRun(shop, run.id, { lastError: error instanceof Error ? error.message : String(error) });
      if (error instanceof BulkOperationError && /HTTP 4\d\d/.test(error.message)) {
        // The result URL expired (Shopify keeps them a week): query again rather than fail for ever.
        await updateBackfillRun(shop, run.id, { resultUrl: null, bulkOperationId: null, linesCommitted: 0 });
      }
      throw error;
    }
  };
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
  let batch: BackfillBatch = { customers: [], orders: [], refunds: [], throughLine: afterLine };
  const flush = async () => {
    if (batch.throughLine === afterLine && !batch.customers.length && !batch.orders.length) return;
    await commitBackfillBatch(shop, runId, batch);
    afterLine = batch.throughLine;
    batch = { customers: [], orders: [], refunds: [], throughLine: afterLine };
  };
  for await (const { line, value } of streamBulkResult(url, fetch, { afterLine, signal })) {
    const record = bulkRecord(value);
    if (record.kind === "customer") batch.customers.push(record.customer);
    else {
      batch.orders.push(record.order);
      batch.refunds.push(...record.refunds);
    }
    batch.throughLine = line;
    if (line - afterLine >= BACKFILL_BATCH_LINES) await flush();
  }
  await flush();
}

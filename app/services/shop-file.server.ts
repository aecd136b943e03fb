// Loads a shop file (docs/shop-file-format.md: JSONL in the Admin GraphQL shape, e.g. a real shop's export) straight
// into the ledger, for analysis without Shopify: the same normaliser and batched writes as the backfill.
import { createReadStream } from "node:fs";
import readline from "node:readline";
import { toMinorUnits } from "../domain/money";
import {
  BulkRecordError,
  customerFromBulk,
  lineFromBulk,
  orderFromBulk,
  productFromBulk,
  refundLineFromNode,
} from "../shopify/bulk-records";
import {
  advanceBackfillPhase,
  commitBackfillBatch,
  createBackfillRun,
  updateBackfillRun,
  type BackfillBatch,
} from "../models/backfill.server";
import { recordInstall, getShop, setShopSettings } from "../models/shop.server";
import { derivePointsShop, type PointsDeriveResult } from "./points.server";

const BATCH_LINES = 1000;

export interface LoadResult {
  shop: string;
  lines: number;
  customers: number;
  orders: number;
  refunds: number;
  /** The points journal brought up to date with the loaded history (what webhooks and backfill lead to). */
  points: PointsDeriveResult;
}

/**
 * Reads the file line by line (constant memory) and writes it to `shop`'s ledger. The file's Shop line must name the
 * same shop: loading one shop's history into another is refused. Progress is a BackfillRun, like a backfill.
 */
export async function loadShopFile(shop: string, file: string): Promise<LoadResult> {
  const lines = readline.createInterface({ input: createReadStream(file, "utf8"), crlfDelay: Infinity });
  let runId: string | null = null;
  let batch: BackfillBatch = { customers: [], orders: [], refunds: [], throughLine: 0 };
  const totals = { customers: 0, orders: 0, refunds: 0 };
  let lineNumber = 0;
  const flush = async () => {
    if (!runId || (!batch.customers.length && !batch.orders.length && !batch.refunds.length && !batch.products?.length))
      return;
    await commitBackfillBatch(shop, runId, batch);
    batch = { customers: [], orders: [], refunds: [], products: [], throughLine: lineNumber };
  };
  for await (const text of lines) {
    lineNumber += 1;
    if (!text.trim()) continue;
    let record: Record<string, any>;
    try {
      record = JSON.parse(text);
    } catch {
      throw new BulkRecordError(`${file}:${lineNumber}: not JSON`);
    }
    try {
      switch (record.__typename) {
        case "Shop": {
          if (runId) throw new BulkRecordError("a second Shop line");
          if (record.myshopifyDomain !== shop)
            throw new BulkRecordError(`the file is ${record.myshopifyDomain}'s history, not ${shop}'s`);
          if (!(await getShop(shop))) await recordInstall(shop, { scope: null });
          await setShopSettings(shop, {
            currencyCode: record.currencyCode,
            timezone: record.ianaTimezone,
            locale: record.primaryLocale ?? null,
            name: typeof record.name === "string" ? record.name : null,
          });
          runId = (await createBackfillRun(shop)).run.id;
          await updateBackfillRun(shop, runId, { status: "running", phase: "orders" });
          break;
        }
        case "Customer":
          batch.customers.push(
            customerFromBulk({ ...record, defaultEmailAddress: record.email ? { emailAddress: record.email } : null }),
          );
          totals.customers += 1;
          break;
        case "Product":
          (batch.products ??= []).push(productFromBulk(record));
          break;
        case "Order": {
          const { order } = orderFromBulk({
            currentTotalDiscountsSet: record.totalDiscountsSet,
            ...record,
            refunds: [],
          });
          // A file from before line items has no lineItems: the order's held lines (if any) stay as they are.
          if (Array.isArray(record.lineItems)) {
            order.lines = record.lineItems.map((line: Record<string, unknown>) => {
              const read = lineFromBulk({ ...line, __parentId: record.id });
              if (read.currencyCode !== order.currencyCode)
                throw new BulkRecordError(
                  `line item ${read.line.id} is in ${read.currencyCode}, not ${order.currencyCode}`,
                );
              return read.line;
            });
          }
          batch.orders.push(order);
          totals.orders += 1;
          break;
        }
        case "Refund": {
          const money = record.totalRefundedSet?.shopMoney;
          if (!record.id || !record.order?.id || !record.createdAt || !money)
            throw new BulkRecordError("refund line without id, order, createdAt or totalRefundedSet");
          // A shop file's orders are their final state: their refunds are already in their current totals.
          batch.refunds.push({
            id: record.id,
            orderId: record.order.id,
            createdAt: new Date(record.createdAt),
            amountMinor: toMinorUnits(money.amount, money.currencyCode),
            currencyCode: money.currencyCode,
            lines: Array.isArray(record.refundLineItems)
              ? record.refundLineItems.map((line: unknown) => refundLineFromNode(line, money.currencyCode))
              : [],
          });
          totals.refunds += 1;
          break;
        }
        default:
          throw new BulkRecordError(`unknown __typename ${JSON.stringify(record.__typename)}`);
      }
    } catch (error) {
      throw new BulkRecordError(`${file}:${lineNumber}: ${(error as Error).message}`);
    }
    if (!runId) throw new BulkRecordError(`${file}:${lineNumber}: the first line must be the Shop`);
    batch.throughLine = lineNumber;
    if (
      batch.customers.length + batch.orders.length + batch.refunds.length + (batch.products?.length ?? 0) >=
      BATCH_LINES
    )
      await flush();
  }
  await flush();
  if (!runId) throw new BulkRecordError(`${file}: empty shop file`);
  await advanceBackfillPhase(shop, runId, "done", new Date());
  return { shop, lines: lineNumber, ...totals, points: await derivePointsShop(shop) };
}

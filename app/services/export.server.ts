// CSV export of every customer's RFM scores, segment and tier, streamed in batches so a shop of any size exports in
// bounded memory (one batch of rows at a time, plus the RFM scores of the population when computed on the fly).
//
// Columns: customer_id,recency_days,frequency,monetary,r,f,m,fm,segment,tier,spend_in_window,next_tier,
// amount_to_next,tier_expires_at — one row per customer in the ledger (deleted ones excluded; prospects with empty
// score cells), sorted by customer_id (byte order), lines ending in "\n". Money is a decimal string of the shop
// currency, times ISO-8601 UTC.
//
// Spreadsheet safety (OWASP "CSV Injection"): a cell starting with =, +, -, @, tab or CR (or their full-width
// forms) is prefixed with a single quote, so Excel, Sheets and Numbers show it as text instead of running it as a
// formula (csv-stringify's `escape_formulas` list, applied here so that a plain negative number such as a campaign's
// lift "-12.50" stays a number). Such cells are quoted when they need it.
import { Readable, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { stringify } from "csv-stringify/sync";
import {
  getShopComputation,
  liveStateCustomerIds,
  loadStates,
  type CustomerStateValues,
} from "../models/customer-state.server";
import { liveCustomerIds } from "../models/qualifying-orders.server";
import { compareIds, CSV_COLUMNS, csvRecord } from "../domain/recompute";
import { computeStates, loadComputeSettings, scoreShop } from "./recompute.server";

const BATCH = 1000;

export interface ExportOptions {
  /** The moment the export describes; default now. */
  asOf?: Date;
}

export interface ExportSource {
  /** "stored": the shop's last full computation is as of `asOf` with today's settings; "computed": on the fly. */
  source: "stored" | "computed";
  asOf: Date;
}

/**
 * csv-stringify with the app's options: formula escaping on, "\n" line ends, and any cell holding a CR or LF quoted
 * (csv-stringify leaves a lone CR unquoted when lines end in "\n", which spreadsheets read as a line break).
 */
export function csvLines(records: readonly (readonly string[])[]): string {
  return stringify(
    records.map((r) => r.map(spreadsheetSafe)),
    { record_delimiter: "unix", quoted_match: /[\r\n]/ },
  );
}

/** Cells a spreadsheet would run as a formula (csv-stringify's `escape_formulas` list), except a plain number. */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;
const PLAIN_NUMBER = /^-\d+(\.\d+)?$/;

/** Prefixes a formula-like cell with a single quote; a negative amount such as "-12.50" is a number and stays. */
function spreadsheetSafe(cell: string): string {
  return FORMULA_START.test(cell) && !PLAIN_NUMBER.test(cell) ? `'${cell}` : cell;
}

/**
 * The CSV as chunks of whole lines (the header first, then one chunk per batch of customers). If the shop's stored
 * states were computed as of `asOf` with the current settings they are read; otherwise states are computed on the
 * fly as of `asOf` and nothing is saved. `onSource` tells the caller which happened.
 */
export async function* exportCsvChunks(
  shop: string,
  {
    asOf = new Date(),
    onSource,
    onRows,
  }: ExportOptions & { onSource?: (source: ExportSource) => void; onRows?: (rows: number) => void } = {},
): AsyncGenerator<string> {
  const settings = await loadComputeSettings(shop);
  const computation = await getShopComputation(shop);
  const stored =
    computation !== null &&
    computation.asOf.getTime() === asOf.getTime() &&
    computation.tierProgramVersion === settings.programVersion &&
    computation.windowDays === settings.windowDays;
  onSource?.({ source: stored ? "stored" : "computed", asOf });
  yield csvLines([CSV_COLUMNS]);
  const batches = stored
    ? storedStates(shop)
    : computeStates(
        await scoreShop(shop, asOf.getTime(), settings.windowDays, [settings.program]),
        settings.program,
        BATCH,
      );
  for await (const batch of batches) {
    if (batch.length === 0) continue;
    yield csvLines(batch.map((state) => csvRecord(state, settings.currency)));
    onRows?.(batch.length);
  }
}

/** Stored states of every ledger customer, sorted by id; a customer without a stored state is a prospect. */
async function* storedStates(shop: string): AsyncGenerator<CustomerStateValues[]> {
  const ids = new Set(await liveCustomerIds(shop));
  for (const id of await liveStateCustomerIds(shop)) ids.add(id);
  const sorted = [...ids].sort(compareIds);
  for (let i = 0; i < sorted.length; i += BATCH) {
    const batchIds = sorted.slice(i, i + BATCH);
    const states = await loadStates(shop, batchIds);
    yield batchIds.map((id) => states.get(id) ?? prospect(id));
  }
}

function prospect(customerId: string): CustomerStateValues {
  return {
    customerId,
    segment: "prospect",
    r: null,
    f: null,
    m: null,
    fm: null,
    recencyDays: null,
    frequency: null,
    monetaryMinor: null,
    lastOrderAt: null,
    tier: null,
    spendInWindowMinor: null,
    ordersInWindow: null,
    nextTier: null,
    amountToNextMinor: null,
    ordersToNext: null,
    tierExpiresAt: null,
    windowChangesAt: null,
    baseLastOrderAt: null,
    baseFrequency: null,
    baseMonetaryMinor: null,
  };
}

/** The export as a Node Readable (UTF-8 text). */
export function exportCsvStream(shop: string, options: ExportOptions = {}): Readable {
  return Readable.from(exportCsvChunks(shop, options), { objectMode: false, encoding: "utf8" });
}

/** Writes the export to `out` (a file, stdout, an HTTP response) with backpressure; resolves when it is written. */
export async function exportCsv(
  shop: string,
  { asOf = new Date(), out }: ExportOptions & { out: Writable },
): Promise<ExportSource & { rows: number }> {
  let source: ExportSource = { source: "computed", asOf };
  let rows = 0;
  const chunks = exportCsvChunks(shop, { asOf, onSource: (s) => (source = s), onRows: (n) => (rows += n) });
  // Standard output stays open for whatever the caller prints next.
  await pipeline(Readable.from(chunks), out, { end: out !== process.stdout });
  return { ...source, rows };
}

// Points exports, so that nothing is locked in (docs/points-import.md#export): every customer's balances (the CLI
// `points` columns, POINTS_CSV_COLUMNS, then the customer's email when the ledger has one) and the whole journal, one
// row per entry in the order written. Both are produced a page at a time as chunks of whole CSV lines; cells a
// spreadsheet would run as a formula are neutralised as in every export of the app (csvLines).
import { Readable, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { POINTS_CSV_COLUMNS } from "../domain/points";
import { customerEmails, journalPage } from "../models/points-export.server";
import { csvLines } from "./export.server";
import { pointsBalances } from "./points.server";

const PAGE = 1000;

export const BALANCES_CSV_COLUMNS = [...POINTS_CSV_COLUMNS, "email"] as const;

export const JOURNAL_CSV_COLUMNS = [
  "customer_id",
  "kind",
  "points",
  "source_key",
  "rule_version",
  "effective_at",
  "available_at",
  "order_id",
  "refund_id",
  "note",
  "actor",
  "created_at",
  "expires_at",
] as const;

type Clock = { now?: () => Date };

/** The balances CSV: the journal is brought up to date first (as pointsBalances does), then one line per customer. */
export async function* balancesCsvChunks(
  shop: string,
  { asOf, now }: { asOf?: Date } & Clock = {},
): AsyncGenerator<string> {
  yield csvLines([BALANCES_CSV_COLUMNS]);
  const rows = await pointsBalances(shop, { asOf, now });
  for (let i = 0; i < rows.length; i += PAGE) {
    const page = rows.slice(i, i + PAGE);
    const emails = await customerEmails(
      shop,
      page.map((r) => r.customerId),
    );
    yield csvLines(
      page.map(({ customerId, balance: b }) => [
        customerId,
        String(b.earned),
        String(b.pending),
        String(b.available),
        String(b.redeemed),
        String(b.expired),
        String(b.clawedBack),
        String(b.lost),
        emails.get(customerId) ?? "",
      ]),
    );
  }
}

/** The journal CSV: every entry of the shop, in the order written, a page at a time. */
export async function* journalCsvChunks(
  shop: string,
  { onRows }: { onRows?: (rows: number) => void } = {},
): AsyncGenerator<string> {
  yield csvLines([JOURNAL_CSV_COLUMNS]);
  let after = 0;
  for (;;) {
    const page = await journalPage(shop, after, PAGE);
    if (page.length === 0) return;
    after = page[page.length - 1].id;
    yield csvLines(
      page.map((e) => [
        e.customerId,
        e.kind,
        e.points.toString(),
        e.sourceKey,
        String(e.ruleVersion),
        e.effectiveAt.toISOString(),
        e.availableAt.toISOString(),
        e.orderId ?? "",
        e.refundId ?? "",
        e.note ?? "",
        e.actor ?? "",
        e.createdAt.toISOString(),
        e.expiresAt?.toISOString() ?? "",
      ]),
    );
    onRows?.(page.length);
    if (page.length < PAGE) return;
  }
}

export type PointsExportKind = "balances" | "journal";

/** An export as a Node Readable (UTF-8 text). */
export function pointsExportStream(shop: string, kind: PointsExportKind, options: { asOf?: Date } = {}): Readable {
  const chunks = kind === "journal" ? journalCsvChunks(shop) : balancesCsvChunks(shop, options);
  return Readable.from(chunks, { objectMode: false, encoding: "utf8" });
}

/** Writes the journal to `out` (a file, stdout) with backpressure; resolves with the entries written. */
export async function writeJournalCsv(shop: string, { out }: { out: Writable }): Promise<{ rows: number }> {
  let rows = 0;
  const chunks = journalCsvChunks(shop, { onRows: (n) => (rows += n) });
  // Standard output stays open for whatever the caller prints next.
  await pipeline(Readable.from(chunks), out, { end: out !== process.stdout });
  return { rows };
}

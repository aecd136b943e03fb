// Points imports (docs/points-import.md#the-service): a Smile.io, LoyaltyLion or generic CSV is parsed
// (domain/points-import.ts), matched to the shop's customers and stored as a dry run (a PointsImport row, state
// "previewed", with its report) — nothing is written to the journal. Applying it appends one `import` entry per matched
// row (keyed import:<format>: the same file again, or the same import applied twice, appends nothing; a corrected file
// only the difference, or a reversal and the balance again when its expiry date changed), under the per-customer serialisation redemptions use, then queues each customer's points job
// and the shop's sync so the points metafield follows.
import { createHash, randomUUID } from "node:crypto";
import { parsePointsImport, type ImportFormat } from "../domain/points-import";
import {
  cleanFileName,
  importEntries,
  importExpiry,
  planImport,
  type ImportReport,
  type ReportLine,
} from "../domain/points-import-plan";
import { pointsTimeZone, type PointsEntryValues } from "../domain/points";
import {
  appendImportEntries,
  createPointsImport,
  customersWithEmails,
  customersWithIds,
  getPointsImport,
  importEntriesOf,
  listPointsImports,
  markPointsImportApplied,
  type PointsImportRecord,
} from "../models/points-import.server";
import { getShop } from "../models/shop.server";
import { enqueuePointsCustomer, enqueueSync, SYNC_COALESCE_MS } from "../jobs/contracts";
import type { JobQueue } from "../jobs/queue";
import { getQueue } from "../jobs/runtime.server";

/** The largest file accepted (bytes): about 50,000 customers of a vendor export. */
export const IMPORT_MAX_BYTES = 5 * 1024 * 1024;
/** Customers appended per transaction when applying. */
const APPLY_BATCH = 100;

export type ImportFormatChoice = ImportFormat | "auto";
export const IMPORT_FORMAT_CHOICES: readonly ImportFormatChoice[] = ["auto", "smile", "loyaltylion", "generic"];

export interface ImportSummary {
  id: string;
  format: string;
  fileName: string;
  rows: number;
  matched: number;
  points: number;
  state: "previewed" | "applied";
  actor: string | null;
  createdAt: string;
  appliedAt: string | null;
}

export interface ImportPreview extends ImportSummary {
  report: ImportReport;
}

const summaryOf = (r: Omit<PointsImportRecord, "report">): ImportSummary => ({
  id: r.id,
  format: r.format,
  fileName: r.fileName,
  rows: r.rows,
  matched: r.matched,
  points: r.points,
  state: r.state,
  actor: r.actor,
  createdAt: r.createdAt.toISOString(),
  appliedAt: r.appliedAt?.toISOString() ?? null,
});

/**
 * The dry run: parses the file, finds each row's customer among this shop's live customers, and stores the report as
 * a previewed import. Nothing is written to the journal.
 */
export async function previewImport(
  shop: string,
  { fileName, text, format = "auto" }: { fileName: string; text: string; format?: ImportFormatChoice },
): Promise<ImportPreview> {
  const parsed = parsePointsImport(text, format);
  const ids = [...new Set(parsed.rows.flatMap((r) => (r.customerId === null ? [] : [r.customerId])))];
  const emails = [...new Set(parsed.rows.flatMap((r) => (r.email === null ? [] : [r.email])))];
  const [byId, byEmail] = await Promise.all([customersWithIds(shop, ids), customersWithEmails(shop, emails)]);
  const candidates = new Set<string>([...byId.keys()]);
  for (const list of byEmail.values()) for (const c of list) candidates.add(c.id);
  const held = await importEntriesOf(shop, [...candidates]);
  const report = planImport(parsed, { byId, byEmail, held });
  const record = await createPointsImport(shop, {
    id: randomUUID(),
    format: parsed.format ?? "unknown",
    fileName: cleanFileName(fileName),
    fileHash: createHash("sha256").update(text, "utf8").digest("hex"),
    rows: report.totals.rows,
    matched: report.totals.matched,
    points: report.totals.addPoints,
    report: JSON.stringify(report),
    createdAt: new Date(),
  });
  return { ...summaryOf(record), report };
}

export async function getImport(shop: string, id: string): Promise<ImportPreview | null> {
  const record = await getPointsImport(shop, id);
  return record && { ...summaryOf(record), report: JSON.parse(record.report) as ImportReport };
}

export async function listImports(shop: string, { take = 20 } = {}): Promise<ImportSummary[]> {
  return (await listPointsImports(shop, { take })).map(summaryOf);
}

export type ApplyResult =
  | { outcome: "applied"; customers: number; entries: number; points: number }
  /** Applied before (or by a racing request): nothing more appended. */
  | { outcome: "already_applied"; customers: number; entries: number; points: number }
  | { outcome: "refused"; reason: "not_found" | "nothing_to_import" };

/**
 * Applies a previewed import: each matched row's customer gets what their `import:<format>` source lacks to hold the
 * file's balance (nothing when it already does), effective and available at `now`, written by `actor` with a note
 * naming the file, carrying the row's expiry (a date: its first instant in the shop's zone; a date already past
 * expires the points at once; a changed date reverses the held import and adds the balance again with it). Idempotent: applying again, racing, or importing the same file again appends nothing. Then the
 * customers' points jobs and the shop's sync are queued (the points metafield follows the journal).
 */
export async function applyImport(
  shop: string,
  importId: string,
  actor: string,
  { now = () => new Date(), queue }: { now?: () => Date; queue?: JobQueue } = {},
): Promise<ApplyResult> {
  const record = await getPointsImport(shop, importId);
  if (!record) return { outcome: "refused", reason: "not_found" };
  const report = JSON.parse(record.report) as ImportReport;
  const rows = report.lines.filter((l): l is ReportLine & { customerId: string; points: number } => {
    return l.outcome === "imported" && l.customerId !== null && l.points !== null;
  });
  if (rows.length === 0 || report.sourceKey === null) return { outcome: "refused", reason: "nothing_to_import" };
  // A customer deleted since the dry run is not credited (an erased one's lines are gone from the report already).
  const live = await customersWithIds(
    shop,
    rows.map((r) => r.customerId),
  );
  const kept = rows.filter((r) => live.has(r.customerId));
  const sourceKey = report.sourceKey;
  const at = now();
  // A row's expiry date is a day of the shop's zone (its first instant), as the points rules' days are
  const timeZone = pointsTimeZone((await getShop(shop))?.timezone);
  const note = `imported from ${record.fileName} (${record.format}, import ${record.id})`;
  const changed: string[] = [];
  let entries = 0;
  let points = 0;
  for (let i = 0; i < kept.length; i += APPLY_BATCH) {
    const batch = kept.slice(i, i + APPLY_BATCH);
    const result = await appendImportEntries(
      shop,
      batch.map((r) => r.customerId),
      (held) => {
        const out = new Map<string, PointsEntryValues[]>();
        for (const row of batch) {
          const more = importEntries(held.get(row.customerId) ?? [], {
            sourceKey,
            points: row.points,
            at: at.getTime(),
            note,
            expiresAt: importExpiry(row.expiresAt, timeZone),
          });
          if (more.length) out.set(row.customerId, more);
          points += more.reduce((sum, e) => sum + e.points, 0);
        }
        return out;
      },
      actor,
    );
    changed.push(...result.customers);
    entries += result.entries;
  }
  const first = await markPointsImportApplied(shop, importId, actor, at);
  if (changed.length > 0) {
    const jobs = queue ?? getQueue();
    // Derive sees the new entries (expiry reads the available balance), and the sync writes the points metafield.
    for (const customerId of changed) await enqueuePointsCustomer(jobs, shop, customerId);
    await enqueueSync(jobs, shop, "customer", { delayMs: SYNC_COALESCE_MS, now });
  }
  return { outcome: first ? "applied" : "already_applied", customers: changed.length, entries, points };
}

// ---- What the import screen shows ----------------------------------------------------------------------------------

/** A dry run as the screen shows it: the totals, the file's issues, and the first lines of each kind. */
export interface ImportView extends ImportSummary {
  columns: ImportReport["columns"];
  fileIssues: ImportReport["fileIssues"];
  totals: ImportReport["totals"];
  /** Unmatched and refused lines, by line: the first `limit`. */
  notImported: ReportLine[];
  notImportedMore: number;
  /** Matched rows, by line: the first `limit`. */
  imported: ReportLine[];
  importedMore: number;
}

export function importView(preview: ImportPreview, limit = 100): ImportView {
  const { report, ...summary } = preview;
  const notImported = report.lines.filter((l) => l.outcome !== "imported");
  const imported = report.lines.filter((l) => l.outcome === "imported");
  return {
    ...summary,
    columns: report.columns,
    fileIssues: report.fileIssues,
    totals: report.totals,
    notImported: notImported.slice(0, limit),
    notImportedMore: Math.max(0, notImported.length - limit),
    imported: imported.slice(0, limit),
    importedMore: Math.max(0, imported.length - limit),
  };
}

export type UploadProblem = "no_file" | "too_large" | "not_utf8" | "bad_format";

/** The uploaded file's text: UTF-8 (a BOM is the parser's to skip), or why not. */
export function decodeImportFile(
  bytes: Uint8Array,
): { ok: true; text: string } | { ok: false; problem: UploadProblem } {
  if (bytes.byteLength === 0) return { ok: false, problem: "no_file" };
  if (bytes.byteLength > IMPORT_MAX_BYTES) return { ok: false, problem: "too_large" };
  try {
    return { ok: true, text: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
  } catch {
    return { ok: false, problem: "not_utf8" };
  }
}

/** The format the form chose, or null when it is not one. */
export const importFormatChoice = (value: unknown): ImportFormatChoice | null =>
  typeof value === "string" && (IMPORT_FORMAT_CHOICES as readonly string[]).includes(value)
    ? (value as ImportFormatChoice)
    : null;

/** Who applies an import, as the journal's `actor` records staff (Shopify's user id from the session token). */
export const importActor = (userId: string | null | undefined) => (userId ? `staff:${userId}` : "staff");

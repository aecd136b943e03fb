// Points import, the service's half (docs/points-import.md#the-service): the parsed rows matched to the shop's
// customers (by id, else by email; a row whose id and email name two customers is refused, and so are two rows that
// reach one customer), the dry run's report line by line, and the journal entries applying a row appends. Pure: the
// customers found, the entries held and the moment are passed in.
import { journalAppends, sourceOf, type PointsEntryValues } from "./points";
import { localDayStart } from "./time";
import type { ImportColumns, ImportFormat, ImportIssue, PointsImport } from "./points-import";

/** A customer of the shop as the import matches them (live customers of this shop only). */
export interface ImportCustomer {
  id: string;
  /** As the ledger holds it (any case); compared lower-cased. */
  email: string | null;
}

/** What the service adds to the parser's issues, once it has looked for the customers. */
export type MatchIssueKind =
  /** No live customer of this shop has the row's id, nor (without an id) its email. */
  | "customer_not_found"
  /** The row's id and email name two different customers of the shop: a wrong id column must not credit a stranger. */
  | "identity_mismatch"
  /** The email belongs to more than one live customer of the shop: which one is meant is unknown. */
  | "ambiguous_email"
  /** Two or more rows reach the same customer (one by email, one by id): all of them are refused. */
  | "duplicate_customer";

export interface ReportIssue {
  kind: ImportIssue["kind"] | MatchIssueKind;
  column: string | null;
  value: string | null;
  message: string;
}

/** One data line of the file and what the import does with it. */
export interface ReportLine {
  line: number;
  /** imported: a customer was found (`add` says what applying appends now); unmatched: no customer; issue: refused. */
  outcome: "imported" | "unmatched" | "issue";
  email: string | null;
  /** The matched customer's id (imported), else the id the file gives. */
  customerId: string | null;
  /** The balance the file gives (null when the points cell was refused). */
  points: number | null;
  /** What applying would append now: the file's balance less what this source already holds for the customer. */
  add: number | null;
  pendingPoints: number | null;
  expiresAt: string | null;
  /** Other import sources the customer already holds (import:smile when this is a LoyaltyLion file, …). */
  otherImports: string[];
  issues: ReportIssue[];
}

export interface ImportTotals {
  /** Data lines the report describes (blank lines included). */
  lines: number;
  /** Rows the file would import (before matching). */
  rows: number;
  matched: number;
  unmatched: number;
  /** Lines refused, by the parser or the matching. */
  refused: number;
  /** The balances of the matched rows, as the file gives them. */
  filePoints: number;
  /** What applying appends now (the difference with what the shop already holds from this format). */
  addPoints: number;
}

export interface ImportReport {
  format: ImportFormat | null;
  sourceKey: string | null;
  columns: ImportColumns | null;
  /** The file's own issues (line 1: the header, an ignored column, an empty file). */
  fileIssues: ReportIssue[];
  totals: ImportTotals;
  lines: ReportLine[];
}

const issueOf = (i: ImportIssue): ReportIssue => ({
  kind: i.kind,
  column: i.column,
  value: i.value,
  message: i.message,
});

/**
 * The dry run: each parsed row matched to a customer. `byId` holds the shop's live customers the file's ids name,
 * `byEmail` those its emails name (lower-cased email → every live customer with it), `held` the import entries each
 * of those customers holds (any format). Rows are matched by id when the file gives one, otherwise by email.
 */
export function planImport(
  parsed: PointsImport,
  {
    byId,
    byEmail,
    held,
  }: {
    byId: ReadonlyMap<string, ImportCustomer>;
    byEmail: ReadonlyMap<string, readonly ImportCustomer[]>;
    held: ReadonlyMap<string, readonly PointsEntryValues[]>;
  },
): ImportReport {
  const sourceKey = parsed.rows[0]?.sourceKey ?? null;
  const fileIssues = parsed.issues.filter((i) => i.line === 1).map(issueOf);
  const byLine = new Map<number, ReportLine>();
  const lineOf = (line: number): ReportLine => {
    let entry = byLine.get(line);
    if (!entry)
      byLine.set(
        line,
        (entry = {
          line,
          outcome: "issue",
          email: null,
          customerId: null,
          points: null,
          add: null,
          pendingPoints: null,
          expiresAt: null,
          otherImports: [],
          issues: [],
        }),
      );
    return entry;
  };
  for (const issue of parsed.issues) if (issue.line > 1) lineOf(issue.line).issues.push(issueOf(issue));

  const matchedTo = new Map<string, number[]>();
  for (const row of parsed.rows) {
    const out = lineOf(row.line);
    Object.assign(out, {
      email: row.email,
      customerId: row.customerId,
      points: row.points,
      pendingPoints: row.pendingPoints,
      expiresAt: row.expiresAt,
    });
    const emailMatches = row.email === null ? [] : (byEmail.get(row.email) ?? []);
    let customer: ImportCustomer | null = null;
    if (row.customerId !== null) {
      customer = byId.get(row.customerId) ?? null;
      const stranger = emailMatches.find((c) => c.id !== row.customerId);
      if (stranger && !emailMatches.some((c) => c.id === row.customerId)) {
        out.issues.push({
          kind: "identity_mismatch",
          column: null,
          value: null,
          message: `the email ${row.email} is customer ${stranger.id} of this shop, not ${row.customerId}: neither is credited`,
        });
        continue;
      }
    } else if (emailMatches.length > 1) {
      out.issues.push({
        kind: "ambiguous_email",
        column: null,
        value: null,
        message: `${emailMatches.length} customers of this shop have the email ${row.email}: give the customer id`,
      });
      continue;
    } else customer = emailMatches[0] ?? null;
    if (customer === null) {
      out.outcome = "unmatched";
      out.issues.push({
        kind: "customer_not_found",
        column: null,
        value: null,
        message:
          row.customerId !== null
            ? `no customer of this shop has the id ${row.customerId}`
            : `no customer of this shop has the email ${row.email}`,
      });
      continue;
    }
    out.customerId = customer.id;
    const lines = matchedTo.get(customer.id) ?? [];
    lines.push(row.line);
    matchedTo.set(customer.id, lines);
  }
  // Two rows reaching one customer (one by email, one by id): both refused, as the parser refuses duplicates.
  for (const [customerId, lines] of matchedTo) {
    if (lines.length > 1) {
      for (const line of lines)
        lineOf(line).issues.push({
          kind: "duplicate_customer",
          column: null,
          value: null,
          message: `lines ${lines.join(", ")} are all customer ${customerId}: none of them is imported`,
        });
      continue;
    }
    const out = lineOf(lines[0]);
    const entries = held.get(customerId) ?? [];
    const holds = sumOfSource(entries, sourceKey!);
    out.outcome = "imported";
    out.add = out.points! - holds;
    out.otherImports = [...new Set(entries.map((e) => sourceOf(e.sourceKey)))].filter((s) => s !== sourceKey).sort();
  }

  const lines = [...byLine.values()].sort((a, b) => a.line - b.line);
  const imported = lines.filter((l) => l.outcome === "imported");
  return {
    format: parsed.format,
    sourceKey,
    columns: parsed.columns,
    fileIssues,
    totals: {
      lines: lines.length,
      rows: parsed.rows.length,
      matched: imported.length,
      unmatched: lines.filter((l) => l.outcome === "unmatched").length,
      refused: lines.filter((l) => l.outcome === "issue").length,
      filePoints: imported.reduce((sum, l) => sum + l.points!, 0),
      addPoints: imported.reduce((sum, l) => sum + l.add!, 0),
    },
    lines,
  };
}

/** The points a customer's entries of `source` (its corrections included) add up to. */
export const sumOfSource = (entries: readonly PointsEntryValues[], source: string) =>
  entries.filter((e) => sourceOf(e.sourceKey) === source).reduce((sum, e) => sum + e.points, 0);

/**
 * The instant a row's expiry (as the parser gives it) means: a local date YYYY-MM-DD is the first instant of that day
 * in the shop's zone (as the points rules' days are), an ISO instant is itself; null: no expiry of its own.
 */
export function importExpiry(expiresAt: string | null, timeZone?: string): number | null {
  if (expiresAt === null) return null;
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(expiresAt);
  if (date) return localDayStart({ year: Number(date[1]), month: Number(date[2]), day: Number(date[3]) }, timeZone);
  const t = Date.parse(expiresAt);
  if (!Number.isFinite(t)) throw new RangeError(`${JSON.stringify(expiresAt)} is not an expiry the parser gives`);
  return t;
}

/**
 * The entries applying one imported row appends to a customer's journal, given the entries of that customer the
 * source already holds: none when it already holds `points` with the same expiry; the first import of the source when
 * it holds nothing (effective and available at `at`); otherwise a correction (`source~n`), at the time of the first
 * import so that it tops up the same movement (journalAppends compares movements by kind, times and expiry): by the
 * difference when the expiry is the same, else the held points reversed and the file's balance added with its date.
 * `expiresAt` (an instant, importExpiry) is kept as is, even when already past: the points then expire at once.
 */
export function importEntries(
  held: readonly PointsEntryValues[],
  {
    sourceKey,
    points,
    at,
    note,
    expiresAt = null,
  }: { sourceKey: string; points: number; at: number; note: string; expiresAt?: number | null },
): PointsEntryValues[] {
  const ofSource = held.filter((e) => sourceOf(e.sourceKey) === sourceKey);
  const first = ofSource[0];
  const target: PointsEntryValues = {
    sourceKey,
    kind: "import",
    points,
    ruleVersion: 0,
    effectiveAt: first?.effectiveAt ?? at,
    availableAt: first?.availableAt ?? at,
    orderId: null,
    refundId: null,
    note,
    ...(expiresAt === null ? {} : { expiresAt }),
  };
  return journalAppends(ofSource, [target]).map((e) =>
    ofSource.length === 0 ? e : { ...e, note: `correction (${e.points > 0 ? "+" : ""}${e.points}): ${note}` },
  );
}

/** A file name safe to store and show: its last path part, no control characters, at most 120 characters. */
export function cleanFileName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const base = (name.split(/[\\/]/).pop() ?? "").replace(/[\u0000-\u001f\u007f]/g, "").trim();
  const short = base.length > 120 ? `${base.slice(0, 119)}…` : base;
  return short === "" ? "points.csv" : short;
}

/** Whether a report line names a customer by id or email (whole mentions only: customer 1 is not customer 12, a@x.com
 * is not aa@x.com), in its own fields or in a message about another line. */
export function lineNamer(customerId: string, email: string | null): (line: ReportLine) => boolean {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const marks = [
    new RegExp(`${escape(customerId)}(?![0-9])`),
    ...(email && email.trim() !== ""
      ? [new RegExp(`(?<![A-Za-z0-9._%+'!#$&*/=?^\`{|}~-])${escape(email.trim())}(?![A-Za-z0-9.-])`, "i")]
      : []),
  ];
  return (line) => {
    const text = JSON.stringify(line);
    return marks.some((m) => m.test(text));
  };
}

/**
 * An import's report without the lines that name a customer being erased (customers/redact): every line whose text
 * holds their id or email (their own line, and another line's message naming them). The totals stay, as counts.
 */
export function reportWithoutCustomer(
  report: ImportReport,
  customerId: string,
  email: string | null,
): { report: ImportReport; removed: number } {
  const names = lineNamer(customerId, email);
  const lines = report.lines.filter((l) => !names(l));
  return { report: { ...report, lines }, removed: report.lines.length - lines.length };
}

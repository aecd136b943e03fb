// Points import (docs/points-import.md): reads a points-balance CSV exported by Smile.io or LoyaltyLion, or written in
// the app's documented generic format, into import rows, and reports the fate of every line, so that a dry run can
// show exactly what an import would do before anything is written. Pure: text in, rows and issues out; no file
// system, no database, no clock, and it never throws on bad input. The CSV reader is RFC 4180 (quoted fields with
// commas, quotes and line breaks; CRLF, LF or CR; a UTF-8 BOM ignored), written here because the project has no CSV
// parser dependency. Cells are text and nothing else: a cell such as `=1+1` is never evaluated, it is just not a
// number.

export const IMPORT_FORMATS = ["smile", "loyaltylion", "generic"] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** One customer's balance as the file states it: what the import would grant (or correct to). */
export interface ImportRow {
  /** The physical line the row starts on (1 is the header). */
  line: number;
  /** Trimmed, lower case; null when the file gives none (then customerId is set). */
  email: string | null;
  /** gid://shopify/Customer/N, from a numeric id or a gid; null when the file gives none (then email is set). */
  customerId: string | null;
  /** Approved (spendable) points: a whole number ≥ 0. This is what is imported. */
  points: number;
  /** Points the file says are still pending (LoyaltyLion's approval period): reported, never imported. Null when the
   * file has no pending column or the cell is empty. */
  pendingPoints: number | null;
  /** A calendar date (YYYY-MM-DD, the shop's local day) or an instant (ISO 8601 UTC, from a time with its zone). */
  expiresAt: string | null;
  /** The idempotency key of the import entry: one source per customer and format (see importSourceKey). */
  sourceKey: string;
}

export type ImportIssueKind =
  /** The file has no text at all (or only a BOM and white space): nothing is imported. */
  | "empty_file"
  /** The file has a header and no data line: nothing is imported. */
  | "header_only"
  /** The header does not fit the format (or no format could be recognised): nothing is imported. */
  | "unknown_header"
  /** A generic-format column the import does not know (a misspelt `expires_at`, say): the column is ignored. */
  | "ignored_column"
  /** The line is not valid CSV (an unclosed quote, text after a closing quote, a quote inside a bare field). */
  | "malformed_csv"
  /** Every cell of the line is empty: skipped. */
  | "blank_line"
  /** The line has more or fewer cells than the header: refused (its cells could be shifted). */
  | "wrong_column_count"
  | "missing_identity"
  | "invalid_email"
  | "invalid_customer_id"
  | "missing_points"
  /** Not a plain whole number: decimals, thousands separators, signs, exponents, text and formulas are refused. */
  | "invalid_points"
  | "negative_points"
  /** Above Number.MAX_SAFE_INTEGER (2^53 − 1). */
  | "points_too_large"
  | "invalid_pending_points"
  | "invalid_date"
  /** Two or more lines name the same customer (same email or same customer id): all of them are refused. */
  | "duplicate_customer";

export interface ImportIssue {
  /** The physical line (1 is the header). */
  line: number;
  kind: ImportIssueKind;
  /** The header of the cell at fault, as the file spells it; null for a whole line or the file. */
  column: string | null;
  /** The cell's text (trimmed, at most 80 characters), shown as text only; null when no cell is at fault. */
  value: string | null;
  message: string;
}

/** Which header was read for what; every other header is listed in `ignored`. */
export interface ImportColumns {
  email: string | null;
  customerId: string | null;
  points: string;
  pendingPoints: string | null;
  expiresAt: string | null;
  ignored: string[];
}

export interface PointsImport {
  /** The format read (given, or recognised from the header); null when none could be recognised. */
  format: ImportFormat | null;
  /** The importable rows, by line. A line is either here or has at least one issue (blank lines: `blank_line`). */
  rows: ImportRow[];
  /** By line. Rows with an issue are not in `rows`; only `ignored_column` leaves the lines it names importable. */
  issues: ImportIssue[];
  /** Null when the header could not be read. */
  columns: ImportColumns | null;
}

// ---- Formats ---------------------------------------------------------------------------------------------------

type Role = "email" | "customerId" | "points" | "pendingPoints" | "expiresAt";

/**
 * The headers each format reads, compared after normaliseHeader ("Points Balance" and "points_balance" are both
 * "points balance"); within a role the first one present wins. Sources and what is guessed: docs/points-import.md.
 */
const COLUMNS: Record<ImportFormat, Partial<Record<Role, readonly string[]>>> = {
  generic: {
    email: ["email"],
    customerId: ["customer id"],
    points: ["points"],
    expiresAt: ["expires at"],
  },
  smile: {
    email: ["email", "email address", "customer email", "e mail"],
    // Smile's own "id" / "Customer ID" is Smile's number, not Shopify's: only a header that says Shopify is read.
    customerId: ["shopify customer id", "shopify id"],
    points: ["points balance", "points"],
    pendingPoints: ["points pending", "pending points"],
    expiresAt: ["points expiry date", "points expiration date", "points expire at", "expiry date", "expires at"],
  },
  loyaltylion: {
    email: ["email", "email address", "customer email", "e mail"],
    // merchant_id is the customer's id in the shop's platform (Shopify's); LoyaltyLion's own "id" is not read.
    customerId: ["merchant id", "shopify customer id", "shopify id"],
    points: ["points approved", "approved points"],
    pendingPoints: ["points pending", "pending points"],
    expiresAt: ["points expiry date", "points expiration date", "points expire at", "expire points at", "expires at"],
  },
};

/** Headers that recognise a vendor's export. */
const SMILE_MARKS = ["points balance"];
const LOYALTYLION_MARKS = ["points approved", "approved points", "merchant id"];
/** A total that includes pending points: never imported in place of the approved points. */
const TOTALS = ["points total", "total points", "points lifetime", "lifetime points"];

/** Lower case, every run of other characters than a–z and 0–9 one space: "Points_Approved " → "points approved". */
export function normaliseHeader(header: string): string {
  return header
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

/** The format a header row is in, or null when it is none or could be two. */
export function detectImportFormat(header: readonly string[]): ImportFormat | null {
  const names = new Set(header.map(normaliseHeader));
  const has = (list: readonly string[]) => list.some((n) => names.has(n));
  const smile = has(SMILE_MARKS);
  const loyaltylion = has(LOYALTYLION_MARKS);
  if (smile && loyaltylion) return null;
  if (smile) return "smile";
  if (loyaltylion) return "loyaltylion";
  if (names.has("points") && (names.has("email") || names.has("customer id"))) return "generic";
  return null;
}

/**
 * The source key of a customer's import entry. The journal's keys are unique per shop *and customer*
 * (PointsEntry @@unique([shop, customerId, sourceKey])), so one key per format is one source per customer and format:
 * importing the same file again changes nothing, and importing a corrected balance appends only the difference (a
 * correction `import:<format>~n`), never a second grant. The email is deliberately not part of the key: a customer
 * whose email changed between two exports is still the same source.
 */
export const importSourceKey = (format: ImportFormat) => `import:${format}`;

// ---- CSV -------------------------------------------------------------------------------------------------------

export interface CsvRecord {
  /** The physical line the record starts on (1-based). */
  line: number;
  cells: string[];
  /** Why the record is not valid CSV; null when it is. */
  error: string | null;
}

/**
 * The delimiter of the header line: a comma, unless the line (outside quotes) has more semicolons or tabs than
 * commas (a spreadsheet saving "CSV" in a locale whose decimal mark is a comma writes semicolons).
 */
export function detectDelimiter(text: string): "," | ";" | "\t" {
  const counts = { ",": 0, ";": 0, "\t": 0 };
  let quoted = false;
  for (const c of text) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === "\n" || c === "\r")) break;
    else if (!quoted && (c === "," || c === ";" || c === "\t")) counts[c] += 1;
  }
  if (counts[";"] > counts[","] && counts[";"] >= counts["\t"]) return ";";
  if (counts["\t"] > counts[","]) return "\t";
  return ",";
}

/**
 * RFC 4180 records of `text` (no BOM): fields separated by `delimiter`, records by CRLF, LF or CR; a field that
 * starts with a quote is quoted (a doubled quote is one quote; delimiters and line breaks inside are text). A record
 * that breaks the rules keeps its cells as read and says why in `error`; the next line starts a new record. A last
 * line break ends the last record, it does not start an empty one.
 */
export function parseCsv(text: string, delimiter: string = ","): CsvRecord[] {
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = "";
  let error: string | null = null;
  // "start": at the start of a field; "bare": in an unquoted field; "quoted": inside quotes; "closed": after them.
  let state: "start" | "bare" | "quoted" | "closed" = "start";
  let line = 1;
  let start = 1;
  let quoteLine = 1;
  const endField = () => {
    cells.push(cell);
    cell = "";
    state = "start";
  };
  const endRecord = () => {
    endField();
    records.push({ line: start, cells, error });
    cells = [];
    error = null;
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (state === "quoted") {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 2;
        } else {
          state = "closed";
          i += 1;
        }
      } else if (c === "\r" || c === "\n") {
        const step = c === "\r" && text[i + 1] === "\n" ? 2 : 1;
        cell += text.slice(i, i + step);
        i += step;
        line += 1;
      } else {
        // Copy up to the next quote or line break at once.
        let j = i + 1;
        while (j < text.length && text[j] !== '"' && text[j] !== "\r" && text[j] !== "\n") j += 1;
        cell += text.slice(i, j);
        i = j;
      }
      continue;
    }
    if (c === delimiter) {
      endField();
      i += 1;
    } else if (c === "\r" || c === "\n") {
      endRecord();
      i += c === "\r" && text[i + 1] === "\n" ? 2 : 1;
      line += 1;
      start = line;
    } else if (c === '"' && state === "start") {
      state = "quoted";
      quoteLine = line;
      i += 1;
    } else {
      if (state === "closed") error ??= "text follows a closing quote in the same field";
      else if (c === '"') error ??= "a quote inside a field that does not start with one";
      state = "bare";
      cell += c;
      i += 1;
    }
  }
  if (state === "quoted") {
    error ??= `the quote opened on line ${quoteLine} is never closed: the rest of the file is inside it`;
    endRecord();
  } else if (state !== "start" || cells.length > 0 || cell !== "") {
    endRecord();
  }
  return records;
}

// ---- Cells -----------------------------------------------------------------------------------------------------

/** File text quoted in an issue: at most `max` characters (a cell: 80; a header row: 300). */
const shown = (text: string, max = 80) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/**
 * The cell without the single quote a spreadsheet-safe export (this app's own, OWASP's advice) puts before a cell
 * starting with =, +, -, @, tab or CR; anything else as it is. Nothing is ever evaluated either way.
 */
function unescapeFormula(cell: string): string {
  return /^'[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/.test(cell) ? cell.slice(1) : cell;
}

const EMAIL = /^[^\s@",;<>()[\]\\]+@[^\s@",;<>()[\]\\]+\.[^\s@",;<>()[\]\\]+$/;

/** A lower-case email, or null when the text is not one. */
export function normaliseEmail(text: string): string | null {
  const email = text.trim().toLowerCase();
  return email.length <= 254 && EMAIL.test(email) ? email : null;
}

/** gid://shopify/Customer/N from "N" or that gid (N: a positive integer without leading zeros), else null. */
export function normaliseCustomerId(text: string): string | null {
  const m = /^(?:gid:\/\/shopify\/Customer\/)?([1-9][0-9]{0,19})$/.exec(text.trim());
  return m ? `gid://shopify/Customer/${m[1]}` : null;
}

type Count = { ok: true; value: number } | { ok: false; kind: ImportIssueKind; why: string };

/** A whole number of points ≥ 0, written with digits only. */
export function parsePoints(text: string): Count {
  const t = text.trim();
  if (/^[0-9]+$/.test(t)) {
    const value = Number(t);
    return Number.isSafeInteger(value)
      ? { ok: true, value }
      : { ok: false, kind: "points_too_large", why: `more than ${Number.MAX_SAFE_INTEGER} points` };
  }
  if (/^-\s*[0-9]+([.,][0-9]+)?$/.test(t))
    return { ok: false, kind: "negative_points", why: "a balance below zero cannot be imported" };
  if (/^[0-9]{1,3}([,.\s\u00A0\u202F'][0-9]{3})+$/.test(t))
    return {
      ok: false,
      kind: "invalid_points",
      why: "write the points without thousands separators (52620, not 52,620): 1,500 could also be 1.5",
    };
  if (/^[0-9]*[.,][0-9]+$/.test(t))
    return { ok: false, kind: "invalid_points", why: "points are whole numbers; decimals are refused" };
  return { ok: false, kind: "invalid_points", why: "not a whole number written with digits 0–9" };
}

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/**
 * An expiry: "YYYY-MM-DD" stays a calendar date; a date and time with its zone ("Z", "UTC", "+07:00", "+0700")
 * becomes the ISO UTC instant. Anything else is null: a time without a zone names no instant, and 03/04/2026 could
 * be March or April.
 */
export function parseExpiry(text: string): string | null {
  const m =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2}))?$/i.exec(
      text.trim(),
    );
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
  if (h === undefined) return `${y}-${mo}-${d}`;
  const hour = Number(h);
  const minute = Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (hour > 23 || minute > 59 || second > 59) return null;
  let offset = 0;
  if (!/^(Z|UTC|GMT)$/i.test(zone)) {
    const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
    if (Number(z[2]) > 23 || Number(z[3]) > 59) return null;
    offset = (z[1] === "-" ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3]));
  }
  const ms = frac === undefined ? 0 : Math.floor(Number(`0${frac}`) * 1000);
  const t = Date.UTC(year, month - 1, day, hour, minute, second, ms) - offset * 60_000;
  return new Date(t).toISOString();
}

// ---- The import ------------------------------------------------------------------------------------------------

interface Resolved {
  format: ImportFormat;
  index: Partial<Record<Role, number>>;
  issues: ImportIssue[];
}

function fileIssue(kind: ImportIssueKind, message: string, column: string | null = null): ImportIssue {
  return { line: 1, kind, column, value: null, message };
}

/** The columns of `format` in `header`, or the header issue that stops the import. */
function resolveColumns(header: readonly string[], format: ImportFormat): Resolved | ImportIssue {
  const names = header.map(normaliseHeader);
  const spec = COLUMNS[format];
  const index: Partial<Record<Role, number>> = {};
  for (const role of Object.keys(spec) as Role[]) {
    for (const alias of spec[role]!) {
      const at = names.flatMap((n, i) => (n === alias ? [i] : []));
      if (at.length > 1)
        return fileIssue(
          "unknown_header",
          `columns ${at.map((i) => i + 1).join(" and ")} are both "${shown(header[at[0]])}": which one to read is unclear`,
          shown(header[at[0]]),
        );
      if (at.length === 1) {
        index[role] = at[0];
        break;
      }
    }
  }
  const expected = (role: Role) => spec[role]!.map((a) => `"${a}"`).join(", ");
  if (index.points === undefined) {
    const total = names.findIndex((n) => TOTALS.includes(n));
    const why =
      total >= 0
        ? ` ("${shown(header[total])}" includes pending points, which are not imported: export the approved points too)`
        : "";
    return fileIssue(
      "unknown_header",
      `a ${format} file needs a points column (${expected("points")}, any case, _ or space)${why}; the header is: ${shown(header.join(", "), 300)}`,
    );
  }
  if (index.email === undefined && index.customerId === undefined)
    return fileIssue(
      "unknown_header",
      `a ${format} file needs an email column (${expected("email")}) or a customer id column (${expected("customerId")}); the header is: ${shown(header.join(", "), 300)}`,
    );
  const used = new Set(Object.values(index));
  const issues =
    format === "generic"
      ? header
          .filter((_, i) => !used.has(i))
          .map((h) =>
            fileIssue(
              "ignored_column",
              `"${shown(h)}" is not a column of the generic format (email, customer_id, points, expires_at): it is ignored`,
              shown(h),
            ),
          )
      : [];
  return { format, index, issues };
}

/**
 * Reads a points-balance CSV. `format` "auto" recognises it from the header (a Smile "Points balance" column, a
 * LoyaltyLion "Points approved" or "merchant_id" column, else the generic columns). Never throws: every data line ends
 * up either as a row or with at least one issue, and a file-level issue (empty file, header only, unknown header)
 * means nothing is imported.
 */
export function parsePointsImport(text: string, format: ImportFormat | "auto" = "auto"): PointsImport {
  const given = format === "auto" ? null : format;
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  if (body.trim() === "")
    return { format: given, rows: [], issues: [fileIssue("empty_file", "the file is empty")], columns: null };
  const [head, ...records] = parseCsv(body, detectDelimiter(body));
  if (head.error !== null)
    return {
      format: given,
      rows: [],
      issues: [{ line: 1, kind: "malformed_csv", column: null, value: null, message: `header: ${head.error}` }],
      columns: null,
    };
  const header = head.cells.map((h) => h.trim());
  const chosen = given ?? detectImportFormat(header);
  if (chosen === null)
    return {
      format: null,
      rows: [],
      issues: [
        fileIssue(
          "unknown_header",
          `not a Smile.io, LoyaltyLion or generic points file (or it could be two of them: choose the format); the header is: ${shown(header.join(", "), 300)}`,
        ),
      ],
      columns: null,
    };
  const resolved = resolveColumns(header, chosen);
  if (!("index" in resolved)) return { format: chosen, rows: [], issues: [resolved], columns: null };
  const { index } = resolved;
  const name = (role: Role) => (index[role] === undefined ? null : header[index[role]!]);
  const columns: ImportColumns = {
    email: name("email"),
    customerId: name("customerId"),
    points: name("points")!,
    pendingPoints: name("pendingPoints"),
    expiresAt: name("expiresAt"),
    ignored: header.filter((_, i) => !Object.values(index).includes(i)),
  };
  const issues: ImportIssue[] = [...resolved.issues];
  if (records.every((r) => r.error === null && r.cells.every((c) => c.trim() === "")))
    issues.push(fileIssue("header_only", "the file has a header and no data line: nothing to import"));

  const sourceKey = importSourceKey(chosen);
  const candidates: ImportRow[] = [];
  /** Every line with a readable identity, for duplicates (refused lines included: they still name a customer). */
  const identities: { line: number; email: string | null; customerId: string | null }[] = [];

  for (const record of records) {
    const { line, cells } = record;
    const lineIssue = (kind: ImportIssueKind, message: string) =>
      issues.push({ line, kind, column: null, value: null, message });
    if (record.error !== null) {
      lineIssue("malformed_csv", record.error);
      continue;
    }
    if (cells.every((c) => c.trim() === "")) {
      lineIssue("blank_line", "blank line: skipped");
      continue;
    }
    if (cells.length !== header.length) {
      lineIssue(
        "wrong_column_count",
        `${cells.length} cells where the header has ${header.length}: an unquoted comma would shift every column after it`,
      );
      continue;
    }
    const rowIssues: ImportIssue[] = [];
    const cell = (role: Role) => (index[role] === undefined ? "" : unescapeFormula(cells[index[role]!].trim()));
    const refuse = (role: Role, kind: ImportIssueKind, message: string) =>
      rowIssues.push({ line, kind, column: name(role), value: cell(role) === "" ? null : shown(cell(role)), message });

    const emailText = cell("email");
    const email = emailText === "" ? null : normaliseEmail(emailText);
    if (emailText !== "" && email === null) refuse("email", "invalid_email", "not an email address");
    const idText = cell("customerId");
    const customerId = idText === "" ? null : normaliseCustomerId(idText);
    if (idText !== "" && customerId === null)
      refuse(
        "customerId",
        "invalid_customer_id",
        "not a Shopify customer id (digits, or gid://shopify/Customer/N; a spreadsheet may have turned a long id into 7.2E+12)",
      );
    if (emailText === "" && idText === "")
      rowIssues.push({
        line,
        kind: "missing_identity",
        column: null,
        value: null,
        message: "neither an email nor a customer id: the customer is unknown",
      });

    let points = 0;
    const pointsText = cell("points");
    if (pointsText === "") refuse("points", "missing_points", "no points");
    else {
      const parsed = parsePoints(pointsText);
      if (parsed.ok) points = parsed.value;
      else refuse("points", parsed.kind, parsed.why);
    }

    let pendingPoints: number | null = null;
    const pendingText = cell("pendingPoints");
    if (pendingText !== "") {
      const parsed = parsePoints(pendingText);
      if (parsed.ok) pendingPoints = parsed.value;
      else refuse("pendingPoints", "invalid_pending_points", `pending points: ${parsed.why}`);
    }

    const expiryText = cell("expiresAt");
    const expiresAt = expiryText === "" ? null : parseExpiry(expiryText);
    if (expiryText !== "" && expiresAt === null)
      refuse(
        "expiresAt",
        "invalid_date",
        "not a date: write YYYY-MM-DD, or an ISO date and time with its zone (2026-03-31T23:59:59Z); 03/04/2026 could be March or April",
      );

    if (email !== null || customerId !== null) identities.push({ line, email, customerId });
    if (rowIssues.length > 0) issues.push(...rowIssues);
    else candidates.push({ line, email, customerId, points, pendingPoints, expiresAt, sourceKey });
  }

  const duplicates = duplicateLines(identities);
  for (const [line, { others, who }] of duplicates)
    issues.push({
      line,
      kind: "duplicate_customer",
      column: null,
      value: null,
      message: `${others} also ${who}: a balance export has one line per customer, so none of these lines is imported`,
    });
  issues.sort((a, b) => a.line - b.line);
  const rows = candidates.filter((r) => !duplicates.has(r.line));
  return { format: chosen, rows, issues, columns };
}

/** The lines that share a customer with another line (by email or by customer id, transitively), with the others. */
function duplicateLines(
  identities: readonly { line: number; email: string | null; customerId: string | null }[],
): Map<number, { others: string; who: string }> {
  const keysOf = (e: (typeof identities)[number]) => [
    ...(e.email === null ? [] : [e.email]),
    ...(e.customerId === null ? [] : [e.customerId]),
  ];
  // Union-find over the identities (an email and a gid never collide: a gid has no "@").
  const parent = new Map<string, string>();
  const find = (k: string): string => {
    let root = k;
    while (parent.get(root) !== root) root = parent.get(root)!;
    for (let at = k; at !== root; ) {
      const next = parent.get(at)!;
      parent.set(at, root);
      at = next;
    }
    return root;
  };
  const lineCount = new Map<string, number>();
  for (const e of identities) {
    const keys = keysOf(e);
    for (const k of keys) {
      if (!parent.has(k)) parent.set(k, k);
      lineCount.set(k, (lineCount.get(k) ?? 0) + 1);
    }
    for (const k of keys.slice(1)) parent.set(find(k), find(keys[0]));
  }
  const groups = new Map<string, { lines: number[]; keys: Set<string> }>();
  for (const e of identities) {
    const keys = keysOf(e);
    const root = find(keys[0]);
    let group = groups.get(root);
    if (!group) groups.set(root, (group = { lines: [], keys: new Set() }));
    group.lines.push(e.line);
    for (const k of keys) group.keys.add(k);
  }
  const out = new Map<number, { others: string; who: string }>();
  for (const { lines, keys } of groups.values()) {
    if (lines.length < 2) continue;
    // What the lines have in common: the identities more than one line gives (else all, when linked in a chain).
    const shared = [...keys].filter((k) => lineCount.get(k)! > 1);
    const who = `the same customer (${(shared.length > 0 ? shared : [...keys]).slice(0, 3).join(", ")})`;
    for (const line of lines) {
      const count = lines.length - 1;
      const first = lines
        .slice(0, 6)
        .filter((l) => l !== line)
        .slice(0, 5);
      const listed = first.join(", ") + (count > first.length ? ` and ${count - first.length} more` : "");
      out.set(line, {
        others: `${count > 1 ? "lines" : "line"} ${listed}`,
        who: `${count > 1 ? "name" : "names"} ${who}`,
      });
    }
  }
  return out;
}

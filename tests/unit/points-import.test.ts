// The points import parser (docs/points-import.md): the three formats from fixture files with the headers the research
// found (Smile.io's customer export, LoyaltyLion's customer export under its API names and its screen labels, the
// generic format), format recognition, every issue kind, BOM / CRLF / CR / quoting, cells that look like formulas,
// the idempotency keys (stable across identical files, row order, changed balances and changed emails), and
// properties: csv-stringify's output reads back cell for cell, generated generic rows survive serialise → parse in any
// column order, quoting, line ending and BOM, and no input makes the parser throw or lose a line.
import { readFileSync } from "node:fs";
import path from "node:path";
import { stringify } from "csv-stringify/sync";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  detectDelimiter,
  detectImportFormat,
  IMPORT_FORMATS,
  importSourceKey,
  normaliseCustomerId,
  parseCsv,
  parseExpiry,
  parsePoints,
  parsePointsImport,
  type ImportFormat,
  type ImportIssueKind,
  type ImportRow,
  type PointsImport,
} from "../../app/domain/points-import";
import { sourceOf } from "../../app/domain/points";

const fixture = (name: string) => readFileSync(path.join("tests/fixtures/points-import", name), "utf8");
const gid = (n: string) => `gid://shopify/Customer/${n}`;
/** Each line's issue kinds, in order. */
const kindsByLine = (result: PointsImport) => {
  const out: Record<number, ImportIssueKind[]> = {};
  for (const i of result.issues) (out[i.line] ??= []).push(i.kind);
  return out;
};
const crlfWithBom = (text: string) => `\uFEFF${text.replace(/\n/g, "\r\n")}`;

describe("Smile.io customer export", () => {
  const result = parsePointsImport(fixture("smile-customers.csv"));

  it("is recognised by its Points Balance column and reads email and points balance, nothing else", () => {
    expect(result.format).toBe("smile");
    expect(result.issues).toEqual([]);
    expect(result.rows).toEqual<ImportRow[]>([
      {
        line: 2,
        email: "jane.doe@example.com",
        customerId: null,
        points: 1250,
        pendingPoints: null,
        expiresAt: null,
        sourceKey: "import:smile",
      },
      {
        line: 3,
        email: "john.smith@example.com",
        customerId: null,
        points: 0,
        pendingPoints: null,
        expiresAt: null,
        sourceKey: "import:smile",
      },
      {
        line: 4,
        email: "ana@example.org",
        customerId: null,
        points: 52620,
        pendingPoints: null,
        expiresAt: null,
        sourceKey: "import:smile",
      },
      {
        line: 5,
        email: "guest@example.net",
        customerId: null,
        points: 75,
        pendingPoints: null,
        expiresAt: null,
        sourceKey: "import:smile",
      },
    ]);
    expect(result.columns).toEqual({
      email: "Email",
      customerId: null,
      points: "Points Balance",
      pendingPoints: null,
      expiresAt: null,
      ignored: ["Customer Name", "Customer Status", "Birth Date", "VIP Tier Name", "Referrals"],
    });
  });

  it("never reads Smile's own customer id as a Shopify id; a column that says Shopify is read", () => {
    const own = parsePointsImport("Customer ID,Email,Points Balance\n304169228,a@example.com,10\n");
    expect(own.rows[0].customerId).toBeNull();
    expect(own.columns!.ignored).toEqual(["Customer ID"]);
    const shopify = parsePointsImport("Shopify Customer ID,Points Balance\n7421378932851,10\n");
    expect(shopify.rows[0].customerId).toBe(gid("7421378932851"));
  });

  it("reads Smile's own import template (email, points) when told it is Smile; alone it reads as generic", () => {
    const text = "email,points\nA@Example.com,12\n";
    expect(parsePointsImport(text, "smile").rows[0]).toMatchObject({
      email: "a@example.com",
      sourceKey: "import:smile",
    });
    expect(parsePointsImport(text).format).toBe("generic");
  });
});

describe("LoyaltyLion customer export", () => {
  it("under the API's field names: approved points are imported, pending ones reported beside them", () => {
    const result = parsePointsImport(fixture("loyaltylion-customers.csv"));
    expect(result.format).toBe("loyaltylion");
    expect(result.issues).toEqual([]);
    expect(result.rows.map((r) => [r.line, r.email, r.customerId, r.points, r.pendingPoints])).toEqual([
      [2, "alice@example.com", gid("7421378932851"), 500, 200],
      [3, "bob@example.com", gid("7421378932852"), 0, 40],
      // A quoted first name over two lines: the record starts on line 4, the next one on line 6.
      [4, null, gid("7421378932853"), 1500, 0],
      [6, "carol@example.com", null, 30, null],
    ]);
    expect(result.rows.every((r) => r.sourceKey === "import:loyaltylion")).toBe(true);
    // LoyaltyLion's own id ("id") is not a Shopify id; merchant_id is.
    expect(result.columns).toMatchObject({ customerId: "merchant_id", points: "points_approved" });
    expect(result.columns!.ignored).toContain("id");
    expect(result.columns!.ignored).toContain("points_spent");
  });

  it("under the screen's labels (Points approved, Points pending, Shopify ID)", () => {
    const result = parsePointsImport(fixture("loyaltylion-labels.csv"));
    expect(result.format).toBe("loyaltylion");
    expect(result.issues).toEqual([]);
    expect(result.rows.map((r) => [r.email, r.customerId, r.points, r.pendingPoints])).toEqual([
      ["dave@example.com", gid("7421378932861"), 900, 100],
      ["erin@example.com", null, 15, 0],
    ]);
  });

  it("refuses a file with only the total (approved + pending): pending points would be imported", () => {
    const result = parsePointsImport("email,merchant_id,Points total\na@example.com,1,700\n");
    expect(result.format).toBe("loyaltylion");
    expect(result.rows).toEqual([]);
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]).toMatchObject({ line: 1, kind: "unknown_header" });
    expect(result.issues[0].message).toContain("includes pending points");
  });

  it("a pending cell that is not a count refuses the line", () => {
    const result = parsePointsImport("email,points_approved,points_pending\na@example.com,10,1.5\nb@example.com,10,\n");
    expect(kindsByLine(result)).toEqual({ 2: ["invalid_pending_points"] });
    expect(result.rows.map((r) => [r.line, r.pendingPoints])).toEqual([[3, null]]);
  });
});

describe("the generic format", () => {
  it("reads email, customer_id (number or gid), points and expires_at (a date, or an instant with its zone)", () => {
    const result = parsePointsImport(fixture("generic.csv"));
    expect(result.format).toBe("generic");
    expect(result.issues).toEqual([]);
    expect(result.rows.map((r) => [r.line, r.email, r.customerId, r.points, r.expiresAt, r.sourceKey])).toEqual([
      [2, "frank@example.com", null, 300, "2026-12-31", "import:generic"],
      [3, null, gid("7421378932871"), 45, null, "import:generic"],
      [4, null, gid("7421378932872"), 0, "2026-06-30T16:59:59.000Z", "import:generic"],
      [5, "grace@example.com", gid("7421378932873"), 1200, null, "import:generic"],
    ]);
  });

  it("any case and _ or space in the header; a column it does not know is reported and ignored", () => {
    const result = parsePointsImport("Email,Customer ID,Points,Expiry\na@example.com,5,10,2026-01-01\n", "generic");
    expect(result.rows).toMatchObject([{ email: "a@example.com", customerId: gid("5"), points: 10, expiresAt: null }]);
    expect(result.issues).toEqual([
      {
        line: 1,
        kind: "ignored_column",
        column: "Expiry",
        value: null,
        message: expect.stringContaining("not a column of the generic format"),
      },
    ]);
  });
});

describe("recognising the format", () => {
  it("from each fixture's header", () => {
    expect(parsePointsImport(fixture("smile-customers.csv")).format).toBe("smile");
    expect(parsePointsImport(fixture("loyaltylion-customers.csv")).format).toBe("loyaltylion");
    expect(parsePointsImport(fixture("loyaltylion-labels.csv")).format).toBe("loyaltylion");
    expect(parsePointsImport(fixture("generic.csv")).format).toBe("generic");
  });

  it("a header of two vendors, or of none, is not guessed", () => {
    expect(detectImportFormat(["Email", "Points balance", "Points approved"])).toBeNull();
    expect(detectImportFormat(["name", "score"])).toBeNull();
    expect(detectImportFormat(["points"])).toBeNull();
    // A file without line breaks is one long header: the message quotes the start of it only.
    expect(parsePointsImport("x,".repeat(50_000)).issues[0].message.length).toBeLessThan(600);
    const result = parsePointsImport("name,score\nann,3\n");
    expect(result).toEqual({
      format: null,
      rows: [],
      issues: [expect.objectContaining({ line: 1, kind: "unknown_header" })],
      columns: null,
    });
  });

  it("a format given explicitly is checked against the header", () => {
    const result = parsePointsImport(fixture("loyaltylion-customers.csv"), "smile");
    expect(result.format).toBe("smile");
    expect(result.rows).toEqual([]);
    expect(result.issues.map((i) => i.kind)).toEqual(["unknown_header"]);
    expect(parsePointsImport("points\n10\n", "generic").issues[0].message).toContain("an email column");
    expect(parsePointsImport("email,points,points\na@example.com,1,2\n", "generic").issues).toEqual([
      expect.objectContaining({ kind: "unknown_header", message: expect.stringContaining("columns 2 and 3") }),
    ]);
  });
});

describe("issues: every line's fate", () => {
  it("each refused line says why (generic-issues.csv: one line per kind)", () => {
    const result = parsePointsImport(fixture("generic-issues.csv"));
    expect(result.rows.map((r) => r.line)).toEqual([2]);
    expect(kindsByLine(result)).toEqual({
      3: ["missing_identity"],
      4: ["invalid_email"],
      5: ["invalid_customer_id"],
      6: ["missing_points"],
      7: ["invalid_points"],
      8: ["invalid_points"],
      9: ["negative_points"],
      10: ["points_too_large"],
      11: ["invalid_points"],
      12: ["invalid_email"],
      13: ["invalid_date"],
      14: ["invalid_date"],
      15: ["duplicate_customer"],
      16: ["duplicate_customer"],
      17: ["blank_line"],
      18: ["wrong_column_count"],
      19: ["wrong_column_count"],
      20: ["blank_line"],
      21: ["invalid_date"],
    });
    const at = (line: number) => result.issues.find((i) => i.line === line)!;
    expect(at(8)).toMatchObject({ column: "points", value: "52,620" });
    expect(at(8).message).toContain("thousands separators");
    expect(at(7).message).toContain("decimals");
    expect(at(15).message).toContain("line 16 also names the same customer (dup@example.com)");
  });

  it("all of a line's problems are reported, not only the first", () => {
    const result = parsePointsImport("email,customer_id,points,expires_at\nbad,0,-3,31/12/2026\n");
    expect(kindsByLine(result)).toEqual({
      2: ["invalid_email", "invalid_customer_id", "negative_points", "invalid_date"],
    });
  });

  it("an empty file, a BOM alone, white space alone", () => {
    for (const text of ["", "\uFEFF", " \r\n\n\t"]) {
      expect(parsePointsImport(text)).toEqual({
        format: null,
        rows: [],
        issues: [{ line: 1, kind: "empty_file", column: null, value: null, message: "the file is empty" }],
        columns: null,
      });
    }
    expect(parsePointsImport("", "smile").format).toBe("smile");
  });

  it("a header only (blank lines after it are still only a header)", () => {
    expect(kindsByLine(parsePointsImport("email,points\n"))).toEqual({ 1: ["header_only"] });
    expect(kindsByLine(parsePointsImport("email,points\r\n\r\n,\r\n"))).toEqual({
      1: ["header_only"],
      2: ["blank_line"],
      3: ["blank_line"],
    });
  });

  it("malformed CSV: an unclosed quote, text after a closing quote, a quote inside a bare field", () => {
    const result = parsePointsImport(
      [
        "email,points",
        '"a@example.com"x,1',
        'b"@example.com,2',
        "ok@example.com,3",
        '"c@example.com,4',
        "d@example.com,5",
      ].join("\n"),
    );
    expect(kindsByLine(result)).toEqual({ 2: ["malformed_csv"], 3: ["malformed_csv"], 5: ["malformed_csv"] });
    expect(result.rows.map((r) => r.email)).toEqual(["ok@example.com"]);
    expect(result.issues.find((i) => i.line === 5)!.message).toContain("never closed");
    expect(parsePointsImport('"email,points\n').issues).toEqual([
      expect.objectContaining({ line: 1, kind: "malformed_csv" }),
    ]);
  });

  it("duplicates are found through either identity and refuse every line of the customer", () => {
    const result = parsePointsImport(
      [
        "email,customer_id,points",
        "a@example.com,1,10",
        "other@example.com,2,10",
        "A@EXAMPLE.COM,,20", // the same email as line 2
        ",gid://shopify/Customer/2,30", // the same id as line 3
        "b@example.com,,abc", // refused already, and still a duplicate of line 7
        "b@example.com,,5",
        "alone@example.com,3,1",
      ].join("\n"),
    );
    expect(result.rows.map((r) => r.line)).toEqual([8]);
    expect(kindsByLine(result)).toEqual({
      2: ["duplicate_customer"],
      3: ["duplicate_customer"],
      4: ["duplicate_customer"],
      5: ["duplicate_customer"],
      6: ["invalid_points", "duplicate_customer"],
      7: ["duplicate_customer"],
    });
  });

  it("a long run of one customer is reported briefly and quickly", () => {
    const lines = Array.from({ length: 20_000 }, () => "same@example.com,1");
    const started = Date.now();
    const result = parsePointsImport(["email,points", ...lines].join("\n"));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.rows).toEqual([]);
    expect(result.issues).toHaveLength(20_000);
    expect(result.issues[0].message).toMatch(/^lines 3, 4, 5, 6, 7 and 19994 more also name the same customer/);
  });
});

describe("CSV text", () => {
  it("RFC 4180: quoted delimiters, doubled quotes and line breaks inside quotes; records start on their line", () => {
    expect(parseCsv('a,"b,c","d ""e"" f"\n"g\r\nh",,\n')).toEqual([
      { line: 1, cells: ["a", "b,c", 'd "e" f'], error: null },
      { line: 2, cells: ["g\r\nh", "", ""], error: null },
    ]);
    expect(parseCsv("a\rb\r\nc\n\nd")).toEqual([
      { line: 1, cells: ["a"], error: null },
      { line: 2, cells: ["b"], error: null },
      { line: 3, cells: ["c"], error: null },
      { line: 4, cells: [""], error: null },
      { line: 5, cells: ["d"], error: null },
    ]);
    expect(parseCsv("")).toEqual([]);
    expect(parseCsv('""')).toEqual([{ line: 1, cells: [""], error: null }]);
  });

  it("a BOM and CRLF line ends change nothing but the text", () => {
    const text = fixture("smile-customers.csv");
    expect(parsePointsImport(crlfWithBom(text))).toEqual(parsePointsImport(text));
    const generic = fixture("generic-issues.csv");
    expect(parsePointsImport(crlfWithBom(generic))).toEqual(parsePointsImport(generic));
  });

  it("a file saved with semicolons or tabs (a spreadsheet in a decimal-comma locale)", () => {
    expect(detectDelimiter('email;points;"a,b"\n')).toBe(";");
    expect(detectDelimiter("email\tpoints\n")).toBe("\t");
    expect(detectDelimiter("email,points;x\n")).toBe(",");
    const result = parsePointsImport("\uFEFFemail;points\r\na@example.com;1250\r\n");
    expect(result.rows).toMatchObject([{ email: "a@example.com", points: 1250 }]);
  });

  it("cells that look like formulas are text: never evaluated, refused where a number or an email belongs", () => {
    const result = parsePointsImport('email,points\n"=1+1@example.com",=2+3\n@SUM(A1),"+7"\n');
    expect(result.rows).toEqual([]);
    expect(result.issues.map((i) => [i.line, i.kind, i.value])).toEqual([
      [2, "invalid_points", "=2+3"],
      [3, "invalid_email", "@SUM(A1)"],
      [3, "invalid_points", "+7"],
    ]);
    // A single quote an export put before a formula-like cell is taken off (this app's own exports do that).
    const escaped = parsePointsImport("email,customer_id,points\n'+alias@example.com,,5\n");
    expect(escaped.rows[0].email).toBe("+alias@example.com");
    // Any other quote is the cell's own: an apostrophe is legal in an email.
    expect(parsePointsImport("email,points\n'a@example.com,5\n").rows[0].email).toBe("'a@example.com");
  });
});

describe("cells", () => {
  it("points: digits only, whole, within Number.MAX_SAFE_INTEGER", () => {
    expect(parsePoints(" 007 ")).toEqual({ ok: true, value: 7 });
    expect(parsePoints(String(Number.MAX_SAFE_INTEGER))).toEqual({ ok: true, value: Number.MAX_SAFE_INTEGER });
    const kind = (t: string) => {
      const p = parsePoints(t);
      return p.ok ? "ok" : p.kind;
    };
    expect(kind("9007199254740992")).toBe("points_too_large");
    expect(kind("1".repeat(400))).toBe("points_too_large");
    for (const t of ["12.0", "1,5", "1.500", "1 500", "1e3", "0x10", "+5", "٣", "−5", "Infinity", "NaN", ""])
      expect([t, kind(t)]).toEqual([t, "invalid_points"]);
    expect(kind("-1")).toBe("negative_points");
  });

  it("customer ids: a positive number or a customer gid", () => {
    expect(normaliseCustomerId(" 7421378932851 ")).toBe(gid("7421378932851"));
    expect(normaliseCustomerId("gid://shopify/Customer/12")).toBe(gid("12"));
    for (const t of ["0", "012", "-5", "7.42E+12", "gid://shopify/Order/12", "gid://shopify/Customer/", "12a"])
      expect([t, normaliseCustomerId(t)]).toEqual([t, null]);
  });

  it("expiry: a date stays a date; a date and time needs its zone and becomes UTC", () => {
    expect(parseExpiry("2028-02-29")).toBe("2028-02-29");
    expect(parseExpiry("2026-03-31T23:59:59Z")).toBe("2026-03-31T23:59:59.000Z");
    expect(parseExpiry("2026-03-31 23:59:59 UTC")).toBe("2026-03-31T23:59:59.000Z");
    expect(parseExpiry("2026-04-01T06:59:59.5+0700")).toBe("2026-03-31T23:59:59.500Z");
    expect(parseExpiry("2026-03-31T20:00-04:00")).toBe("2026-04-01T00:00:00.000Z");
    for (const t of [
      "2026-02-29",
      "2026-13-01",
      "2026-00-10",
      "2026-04-31",
      "31/12/2026",
      "12/31/2026",
      "2026-03-31T24:00Z",
    ])
      expect([t, parseExpiry(t)]).toEqual([t, null]);
    expect(parseExpiry("2026-03-31T10:00:00")).toBeNull();
    expect(parseExpiry("2026-03-31T10:00+25:00")).toBeNull();
    expect(parseExpiry("0999-01-01")).toBeNull();
  });
});

describe("idempotency keys", () => {
  it("one source per customer and format; never a correction suffix", () => {
    for (const format of IMPORT_FORMATS) {
      expect(importSourceKey(format)).toBe(`import:${format}`);
      expect(sourceOf(importSourceKey(format))).toBe(importSourceKey(format));
    }
  });

  it("identical files give identical results; another row order gives the same rows and keys", () => {
    const text = fixture("loyaltylion-customers.csv");
    expect(parsePointsImport(text)).toEqual(parsePointsImport(text));
    const [header, ...lines] = fixture("generic.csv").trimEnd().split("\n");
    const reversed = [header, ...lines.reverse()].join("\n");
    const byCustomer = (r: PointsImport) =>
      r.rows
        .map(({ line: _line, ...row }) => row)
        .sort((a, b) => `${a.email}${a.customerId}`.localeCompare(`${b.email}${b.customerId}`));
    expect(byCustomer(parsePointsImport(reversed))).toEqual(byCustomer(parsePointsImport(fixture("generic.csv"))));
  });

  it("a corrected balance, or a changed email, keeps the key: the service corrects by the difference", () => {
    const before = parsePointsImport("email,customer_id,points\nold@example.com,42,100\n").rows[0];
    const after = parsePointsImport("email,customer_id,points\nnew@example.com,42,80\n").rows[0];
    expect([before.sourceKey, before.points]).toEqual(["import:generic", 100]);
    expect([after.sourceKey, after.points]).toEqual(["import:generic", 80]);
  });
});

// ---- Properties ------------------------------------------------------------------------------------------------

const CSV_OPTIONS = { quoted_match: /[\r\n]/ } as const;

describe("properties", () => {
  it("csv-stringify's output reads back cell for cell (any text, quoting, line ending)", () => {
    const text = fc.string({ unit: fc.constantFrom("a", "é", " ", ",", '"', "\r", "\n", "\t", ";", "=", "1") });
    fc.assert(
      fc.property(
        fc.array(fc.array(text, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 8 }),
        fc.constantFrom("unix", "windows") as fc.Arbitrary<"unix" | "windows">,
        fc.boolean(),
        (records, lineEnd, quoted) => {
          const csv = stringify(records, { ...CSV_OPTIONS, record_delimiter: lineEnd, quoted });
          expect(parseCsv(csv).map((r) => [r.cells, r.error])).toEqual(records.map((cells) => [cells, null]));
        },
      ),
    );
  });

  const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/);
  const emailArb = fc
    .tuple(fc.stringMatching(/^[A-Za-z0-9._%+'!#$&*/=?^`{|}~-]{1,16}$/), label, fc.stringMatching(/^[a-z]{2,6}$/))
    // Not a quote before =, +, - or @: that is read as a spreadsheet's formula escape (see the formula test).
    .map(([local, domain, tld]) => `${local}@${domain}.${tld}`)
    .filter((email) => !/^'[=+@-]/.test(email));
  const idArb = fc.bigInt({ min: 1n, max: 2n ** 64n - 1n }).map(String);
  const dayArb = fc
    .integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2100, 0, 1) })
    .map((t) => new Date(t).toISOString());
  const rowArb = fc.record({
    email: fc.option(emailArb, { nil: null }),
    customerId: fc.option(idArb, { nil: null }),
    idAsGid: fc.boolean(),
    points: fc.oneof(fc.nat(1000), fc.maxSafeNat()),
    expiry: fc.option(
      fc.oneof(
        dayArb.map((iso) => iso.slice(0, 10)),
        dayArb,
      ),
      { nil: null },
    ),
  });
  const COLUMN_NAMES = ["email", "customer_id", "points", "expires_at"] as const;

  it("generated generic rows: serialise → parse gives them back, in any column order, quoting, line end, BOM", () => {
    fc.assert(
      fc.property(
        fc
          .uniqueArray(rowArb, {
            maxLength: 30,
            selector: (r) => r.email?.toLowerCase() ?? `id ${r.customerId}`,
          })
          .map((rows) => {
            // One identity per customer across the file: unique emails and unique ids.
            const ids = new Set<string>();
            const out: typeof rows = [];
            for (const r of rows) {
              const row = r.customerId !== null && ids.has(r.customerId) ? { ...r, customerId: null } : r;
              if (row.customerId !== null) ids.add(row.customerId);
              if (row.email !== null || row.customerId !== null) out.push(row);
            }
            return out;
          }),
        fc.shuffledSubarray([...COLUMN_NAMES], { minLength: 4, maxLength: 4 }),
        fc.constantFrom("unix", "windows") as fc.Arbitrary<"unix" | "windows">,
        fc.boolean(),
        fc.boolean(),
        (rows, order, lineEnd, quoted, bom) => {
          const cellsOf = (r: (typeof rows)[number]): Record<(typeof COLUMN_NAMES)[number], string> => ({
            email: r.email ?? "",
            customer_id: r.customerId === null ? "" : r.idAsGid ? gid(r.customerId) : r.customerId,
            points: String(r.points),
            expires_at: r.expiry ?? "",
          });
          const csv = stringify([order, ...rows.map((r) => order.map((c) => cellsOf(r)[c]))], {
            ...CSV_OPTIONS,
            record_delimiter: lineEnd,
            quoted,
            bom,
          });
          const result = parsePointsImport(csv, rows.length === 0 ? "generic" : "auto");
          expect(result.format).toBe("generic");
          expect(result.issues).toEqual(rows.length === 0 ? [expect.objectContaining({ kind: "header_only" })] : []);
          expect(result.rows).toEqual(
            rows.map<ImportRow>((r, i) => ({
              line: i + 2,
              email: r.email?.toLowerCase() ?? null,
              customerId: r.customerId === null ? null : gid(r.customerId),
              points: r.points,
              pendingPoints: null,
              expiresAt:
                r.expiry === null ? null : r.expiry.length === 10 ? r.expiry : new Date(r.expiry).toISOString(),
              sourceKey: "import:generic",
            })),
          );
        },
      ),
    );
  });

  it("no input throws, and after a readable header every line is either a row or has an issue", () => {
    const unit = fc.constantFrom("a", "@", ".", "1", "0", "-", ",", '"', "\r", "\n", " ", "=", "\uFEFF", ";");
    const headers = ["email,customer_id,points,expires_at", "Email,Points approved,Points pending,merchant_id", ""];
    fc.assert(
      fc.property(
        fc.constantFrom(...headers),
        fc.string({ unit, maxLength: 200 }),
        fc.constantFrom<ImportFormat | "auto">("auto", ...IMPORT_FORMATS),
        (header, rest, format) => {
          const text = header === "" ? rest : `${header}\n${rest}`;
          const result = parsePointsImport(text, format);
          const stops = result.issues.filter((i) => ["empty_file", "unknown_header"].includes(i.kind));
          const malformedHeader = result.columns === null && result.issues.some((i) => i.kind === "malformed_csv");
          if (stops.length > 0 || malformedHeader) {
            expect(result.rows).toEqual([]);
            return;
          }
          const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
          const dataLines = parseCsv(body, detectDelimiter(body))
            .slice(1)
            .map((r) => r.line);
          const accounted = new Set([...result.rows.map((r) => r.line), ...result.issues.map((i) => i.line)]);
          expect(dataLines.filter((line) => !accounted.has(line))).toEqual([]);
          // A line is a row or refused, never both (only header issues leave lines importable).
          const refused = new Set(result.issues.filter((i) => i.line > 1).map((i) => i.line));
          expect(result.rows.filter((r) => refused.has(r.line))).toEqual([]);
          for (const r of result.rows) {
            expect(Number.isSafeInteger(r.points) && r.points >= 0).toBe(true);
            expect(r.email !== null || r.customerId !== null).toBe(true);
          }
        },
      ),
    );
  });
});

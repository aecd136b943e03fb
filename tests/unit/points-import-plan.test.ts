// The import's matching and entries (domain/points-import-plan.ts): rows matched by id, else by email (lower-cased);
// an id and an email naming two customers, an email of two customers, two rows reaching one customer and customers not
// found are each reported and never imported; what applying adds is the file's balance less what the source holds;
// the entries: the first import at its moment, nothing when the source already holds the balance, a correction on the
// first import's times otherwise; the file name kept to its last part.
import { describe, expect, it } from "vitest";
import type { PointsEntryValues } from "../../app/domain/points";
import { parsePointsImport } from "../../app/domain/points-import";
import {
  cleanFileName,
  importEntries,
  planImport,
  reportWithoutCustomer,
  type ImportCustomer,
} from "../../app/domain/points-import-plan";

const gid = (n: number) => `gid://shopify/Customer/${n}`;
const customer = (n: number, email: string | null): ImportCustomer => ({ id: gid(n), email });
const T = Date.parse("2026-06-01T00:00:00Z");
const entry = (sourceKey: string, points: number, at = T): PointsEntryValues => ({
  sourceKey,
  kind: "import",
  points,
  ruleVersion: 0,
  effectiveAt: at,
  availableAt: at,
  orderId: null,
  refundId: null,
  note: null,
});

describe("planImport", () => {
  it("matches by id, else by email, and reports every other line with why", () => {
    const file = [
      "email,customer_id,points",
      `,${gid(1)},100`, // by id
      "B@Example.com,,50", // by email, any case
      `a@example.com,${gid(2)},7`, // a's email, b's id: refused
      "twin@example.com,,3", // two live customers have it
      "nobody@example.com,,9", // not found
      `c@example.com,,1`, // c by email …
      `,${gid(3)},2`, // … and by id: the same customer twice
    ].join("\n");
    const parsed = parsePointsImport(file, "generic");
    const a = customer(1, "a@example.com");
    const b = customer(2, "b@example.com");
    const c = customer(3, "c@example.com");
    const plan = planImport(parsed, {
      byId: new Map([a, b, c].map((x) => [x.id, x])),
      byEmail: new Map<string, ImportCustomer[]>([
        ["a@example.com", [a]],
        ["b@example.com", [b]],
        ["c@example.com", [c]],
        ["twin@example.com", [customer(4, "Twin@example.com"), customer(5, "twin@example.com")]],
      ]),
      held: new Map([[gid(1), [entry("import:generic", 60), entry("import:smile", 5)]]]),
    });
    expect(plan.lines.map((l) => [l.line, l.outcome, l.customerId, l.add, l.issues.map((i) => i.kind)])).toEqual([
      [2, "imported", gid(1), 40, []],
      [3, "imported", gid(2), 50, []],
      [4, "issue", gid(2), null, ["identity_mismatch"]],
      [5, "issue", null, null, ["ambiguous_email"]],
      [6, "unmatched", null, null, ["customer_not_found"]],
      [7, "issue", gid(3), null, ["duplicate_customer"]],
      [8, "issue", gid(3), null, ["duplicate_customer"]],
    ]);
    expect(plan.lines[0].otherImports).toEqual(["import:smile"]);
    expect(plan.totals).toEqual({
      lines: 7,
      rows: 7,
      matched: 2,
      unmatched: 1,
      refused: 4,
      filePoints: 150,
      addPoints: 90,
    });
  });
});

describe("importEntries", () => {
  const row = { sourceKey: "import:smile", points: 500, at: T + 1000, note: "imported from x.csv" };
  it("writes the first import at its moment, nothing when held, a correction on the first import's times", () => {
    expect(importEntries([], row)).toEqual([{ ...entry("import:smile", 500, T + 1000), note: "imported from x.csv" }]);
    expect(importEntries([entry("import:smile", 500)], row)).toEqual([]);
    expect(importEntries([entry("import:smile", 500), entry("import:generic", 9)], { ...row, points: 450 })).toEqual([
      { ...entry("import:smile~1", -50), note: "correction (-50): imported from x.csv" },
    ]);
    expect(importEntries([], { ...row, points: 0 })).toEqual([]);
  });

  it("keeps a file name to its last part, without control characters", () => {
    expect(cleanFileName("C:\\Users\\me\\smile.csv")).toBe("smile.csv");
    expect(cleanFileName("../../etc/passwd")).toBe("passwd");
    expect(cleanFileName("a\u0000b\nc.csv")).toBe("abc.csv");
    expect(cleanFileName("")).toBe("points.csv");
  });
});

describe("reportWithoutCustomer", () => {
  it("drops the lines that mention the customer's id or email as a whole, and no other", () => {
    const parsed = parsePointsImport(
      ["email,customer_id,points", `,${gid(1)},1`, `,${gid(12)},2`, "a@x.com,,3", "aa@x.com,,4", "A@X.COM.br,,5"].join(
        "\n",
      ),
      "generic",
    );
    const plan = planImport(parsed, { byId: new Map(), byEmail: new Map(), held: new Map() });
    const { report, removed } = reportWithoutCustomer(plan, gid(1), "A@x.com");
    expect(removed).toBe(2);
    expect(report.lines.map((l) => l.line)).toEqual([3, 5, 6]);
    expect(report.totals).toEqual(plan.totals);
  });
});

// The layers of app/ (docs/architecture.md, "Layers and allowed imports"): every import between files of app/, read
// with the TypeScript parser (import / export … from / import(), type-only ones included), must be one the table
// allows; no file of app/ may reach another through a cycle; database drivers stay below the models; the database
// kind is decided in app/db-kind.ts only. The table below is the one in the doc (the last test compares them).
import { readdirSync, readFileSync, existsSync, statSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

type Zone =
  | "domain"
  | "models"
  | "shopify"
  | "webhooks"
  | "jobs/contracts"
  | "jobs/runtime"
  | "jobs/engines"
  | "jobs"
  | "services"
  | "routes"
  | "components"
  | "storefront"
  | "i18n"
  | "db"
  | "platform"
  | "shopify.server"
  | "entry";

/** Which zone a file of app/ is in: the first entry that names it (a file, or a folder ending in /). */
const ZONES: [Zone, string[]][] = [
  ["domain", ["app/domain/"]],
  ["models", ["app/models/"]],
  ["shopify", ["app/shopify/"]],
  ["webhooks", ["app/webhooks/"]],
  ["jobs/contracts", ["app/jobs/contracts.ts", "app/jobs/queue.ts"]],
  ["jobs/runtime", ["app/jobs/runtime.server.ts"]],
  ["jobs/engines", ["app/jobs/table-queue.server.ts", "app/jobs/pgboss-queue.server.ts"]],
  ["jobs", ["app/jobs/"]],
  ["services", ["app/services/"]],
  ["routes", ["app/routes/"]],
  ["components", ["app/components/"]],
  ["storefront", ["app/storefront/"]],
  ["i18n", ["app/i18n/"]],
  ["db", ["app/db.server.ts", "app/db-kind.ts", "app/pg-transaction.server.ts", "app/generated/"]],
  ["platform", ["app/env.server.ts", "app/logger.server.ts"]],
  ["shopify.server", ["app/shopify.server.ts"]],
  ["entry", ["app/entry.server.tsx", "app/render-stream.server.ts", "app/root.tsx", "app/cli.server.ts"]],
];

const ANY: Zone[] = ZONES.map(([zone]) => zone);

/** What each zone may import (its own zone always included); a string with a "/" and an extension is one file. */
const ALLOWED: Record<Zone, (Zone | `app/${string}.ts`)[]> = {
  domain: ["domain"],
  models: ["models", "domain", "db", "platform"],
  shopify: ["shopify", "domain"],
  webhooks: [
    "webhooks",
    "models",
    "domain",
    "jobs/contracts",
    "jobs/runtime",
    "services",
    "shopify.server",
    "platform",
    "app/shopify/bulk-finish.ts",
  ],
  "jobs/contracts": ["jobs/contracts", "domain"],
  "jobs/runtime": ["jobs/runtime", "jobs/contracts", "jobs/engines", "db", "platform"],
  "jobs/engines": ["jobs/engines", "jobs/contracts", "db", "platform"],
  jobs: ["jobs", "jobs/contracts", "jobs/runtime", "services", "domain", "shopify", "shopify.server", "platform"],
  services: ["services", "models", "domain", "shopify", "jobs/contracts", "jobs/runtime", "platform"],
  routes: [
    "routes",
    "services",
    "domain",
    "components",
    "storefront",
    "i18n",
    "webhooks",
    "shopify.server",
    "platform",
  ],
  components: ["components", "domain", "i18n"],
  storefront: ["storefront", "domain", "i18n"],
  i18n: ["i18n", "domain"],
  db: ["db", "platform"],
  platform: ["platform"],
  "shopify.server": ANY,
  entry: ANY,
};

/**
 * Imports the table forbids that stay for now, each with its reason: `from` is a file or a pattern (`*`: any
 * characters), `to` a file or a zone. A line that no longer matches any import fails the test: delete it when the
 * import goes.
 */
const EXCEPTIONS: { from: string; to: string; why: string }[] = [];

/** Database drivers: only the models, db.server and the queue engines talk to the database. */
const DRIVERS = /^(@prisma\/|pg$|pg-boss$|better-sqlite3$)/;
const DRIVER_ZONES: Zone[] = ["models", "db", "jobs/engines"];

// ---- The import graph ----------------------------------------------------------------------------------------------

interface Edge {
  from: string;
  to: string;
  typeOnly: boolean;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.posix.join(dir, e.name);
    if (e.isDirectory()) return p === "app/generated" ? [] : filesUnder(p);
    return /\.tsx?$/.test(e.name) ? [p] : [];
  });
}

const isFile = (p: string) => existsSync(p) && statSync(p).isFile();

/** A relative or ~/ specifier to the repository path it names (null for a package). */
function resolveSpecifier(from: string, spec: string): string | null {
  let base: string;
  if (spec.startsWith("~/")) base = path.posix.join("app", spec.slice(2));
  else if (spec.startsWith("./") || spec.startsWith("../"))
    base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  else return null;
  base = base.replace(/\?.*$/, "");
  const candidates = [
    base,
    `${base}.ts`,
    `${base}.tsx`,
    base.replace(/\.js$/, ".ts"),
    `${base}/index.ts`,
    `${base}/index.tsx`,
  ];
  return candidates.find(isFile) ?? base;
}

/** Every module specifier a file imports or re-exports, and whether only types come of it. */
function specifiersOf(file: string, text: string): { spec: string; typeOnly: boolean }[] {
  const source = ts.createSourceFile(
    file,
    text,
    ts.ScriptTarget.Latest,
    true,
    file.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
  );
  const found: { spec: string; typeOnly: boolean }[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly =
        !!clause &&
        (clause.isTypeOnly ||
          (!clause.name &&
            !!clause.namedBindings &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      found.push({ spec: node.moduleSpecifier.text, typeOnly });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ spec: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    ) {
      found.push({ spec: node.moduleReference.expression.text, typeOnly: node.isTypeOnly });
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      found.push({ spec: node.arguments[0].text, typeOnly: false });
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      found.push({ spec: node.argument.literal.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function importGraph() {
  const files = filesUnder("app");
  const edges: Edge[] = [];
  const packages: { from: string; spec: string }[] = [];
  for (const file of files) {
    for (const { spec, typeOnly } of specifiersOf(file, readFileSync(file, "utf8"))) {
      const to = resolveSpecifier(file, spec);
      if (to === null) packages.push({ from: file, spec });
      else edges.push({ from: file, to, typeOnly });
    }
  }
  return { files, edges, packages };
}

function zoneOf(file: string): Zone | null {
  for (const [zone, entries] of ZONES)
    if (entries.some((e) => (e.endsWith("/") ? file.startsWith(e) : file === e))) return zone;
  return null;
}

/** The imports the table does not allow (outside app/ included), as "from → to". */
function forbiddenImports(edges: readonly Edge[]): string[] {
  const out: string[] = [];
  for (const { from, to } of edges) {
    const source = zoneOf(from);
    if (!to.startsWith("app/")) {
      out.push(`${from} → ${to} (outside app/)`);
      continue;
    }
    const target = zoneOf(to);
    if (source === null || target === null) {
      out.push(`${from} → ${to} (a file in no zone: add it to the table)`);
      continue;
    }
    const allowed = ALLOWED[source];
    if (target === source || allowed.includes(target) || allowed.includes(to as `app/${string}.ts`)) continue;
    out.push(`${from} → ${to} (${source} may not import ${target})`);
  }
  return out;
}

/** File-level cycles (strongly connected components of more than one file, or a file importing itself). */
function importCycles(edges: readonly Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) {
    next.set(from, [...(next.get(from) ?? []), to]);
    if (!next.has(to)) next.set(to, []);
  }
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const connect = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v)!) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || next.get(v)!.includes(v)) cycles.push(component.sort());
    }
  };
  for (const v of next.keys()) if (!index.has(v)) connect(v);
  return cycles;
}

const exceptionKey = (e: { from: string; to: string }) => `${e.from} → ${e.to}`;

const escapeRegExp = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
const globToRegExp = (glob: string) => new RegExp(`^${glob.split("*").map(escapeRegExp).join(".*")}$`);

function excepted(exception: { from: string; to: string }, edge: Edge): boolean {
  return globToRegExp(exception.from).test(edge.from) && (edge.to === exception.to || zoneOf(edge.to) === exception.to);
}

/** The forbidden imports no exception covers, and the exceptions that cover none. */
function checkImports(edges: readonly Edge[], exceptions: readonly { from: string; to: string }[] = EXCEPTIONS) {
  const forbidden = edges.filter((e) => forbiddenImports([e]).length > 0);
  return {
    uncovered: forbidden.filter((e) => !exceptions.some((x) => excepted(x, e))).flatMap((e) => forbiddenImports([e])),
    stale: exceptions.filter((x) => !forbidden.some((e) => excepted(x, e))).map(exceptionKey),
  };
}

// ---- The tests -------------------------------------------------------------------------------------------------

const graph = importGraph();

describe("layers of app/", () => {
  it("reads the imports of every file (the graph is not empty, type-only and re-exports included)", () => {
    expect(graph.files.length).toBeGreaterThan(100);
    expect(graph.edges.length).toBeGreaterThan(300);
    expect(graph.edges).toContainEqual({
      from: "app/services/backfill.server.ts",
      to: "app/jobs/contracts.ts",
      typeOnly: false,
    });
    expect(graph.edges).toContainEqual({
      from: "app/shopify/bulk-records.ts",
      to: "app/domain/ledger-types.ts",
      typeOnly: true,
    });
    expect(graph.files.every((f) => zoneOf(f) !== null)).toBe(true);
  });

  it("every import between folders is one the table allows (or a listed exception)", () => {
    expect(checkImports(graph.edges).uncovered).toEqual([]);
  });

  it("every exception is still needed, and each says why", () => {
    expect(checkImports(graph.edges).stale).toEqual([]);
    expect(EXCEPTIONS.every((e) => e.why.length > 0)).toBe(true);
  });

  it("no file of app/ reaches itself through its imports (no import cycle)", () => {
    expect(importCycles(graph.edges)).toEqual([]);
  });

  it("nothing in app/ imports simulator/ or tests/", () => {
    expect(graph.edges.filter((e) => /^(simulator|tests)\//.test(e.to)).map(exceptionKey)).toEqual([]);
  });

  it("database drivers (Prisma, pg, pg-boss, better-sqlite3) are imported by the models, db.server and the queue engines only", () => {
    const offenders = graph.packages
      .filter((p) => DRIVERS.test(p.spec) && !DRIVER_ZONES.includes(zoneOf(p.from)!))
      .map((p) => `${p.from} → ${p.spec}`);
    expect(offenders).toEqual([]);
  });

  it("the database kind is decided in app/db-kind.ts only (no other file tests a URL for postgres or file:)", () => {
    // A bare scheme in a string (compared with a URL's start) or in a regular expression; a default URL is no decision.
    const DECIDES = /^(postgres(ql)?:(\/\/)?|file:)$/;
    const offenders: string[] = [];
    for (const file of graph.files) {
      if (file === "app/db-kind.ts") continue;
      const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node) => {
        if (
          (ts.isStringLiteralLike(node) && DECIDES.test(node.text)) ||
          (ts.isRegularExpressionLiteral(node) && /postgres|file:/.test(node.text))
        ) {
          offenders.push(`${file}: ${node.getText(source)}`);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(offenders).toEqual([]);
  });

  it("the checks fail on a forbidden import and on a cycle", () => {
    const edge = (from: string, to: string): Edge => ({ from, to, typeOnly: false });
    expect(forbiddenImports([edge("app/models/shop.server.ts", "app/jobs/runtime.server.ts")])).toEqual([
      "app/models/shop.server.ts → app/jobs/runtime.server.ts (models may not import jobs/runtime)",
    ]);
    expect(
      forbiddenImports([
        edge("app/domain/rfm.ts", "app/db.server.ts"),
        edge("app/routes/app.tsx", "app/models/shop.server.ts"),
      ]),
    ).toHaveLength(2);
    expect(forbiddenImports([edge("app/routes/app.tsx", "simulator/admin/access.ts")])).toEqual([
      "app/routes/app.tsx → simulator/admin/access.ts (outside app/)",
    ]);
    expect(forbiddenImports([edge("app/services/dashboard.server.ts", "app/models/shop.server.ts")])).toEqual([]);
    // An exception covers its own import only, and one that covers nothing is reported.
    const examples = [
      { from: "app/shopify/bulk-records.ts", to: "app/models/ledger-types.ts" },
      { from: "app/jobs/pgboss-queue.server.ts", to: "app/models/pg-transaction.server.ts" },
    ];
    const checked = checkImports(
      [
        edge("app/shopify/bulk-records.ts", "app/models/ledger-types.ts"),
        edge("app/shopify/bulk.ts", "app/models/ledger-types.ts"),
      ],
      examples,
    );
    expect(checked.uncovered).toEqual([
      "app/shopify/bulk.ts → app/models/ledger-types.ts (shopify may not import models)",
    ]);
    expect(checked.stale).toEqual(["app/jobs/pgboss-queue.server.ts → app/models/pg-transaction.server.ts"]);
    expect(
      importCycles([
        edge("app/a.ts", "app/b.ts"),
        edge("app/b.ts", "app/c.ts"),
        edge("app/c.ts", "app/a.ts"),
        edge("app/c.ts", "app/d.ts"),
      ]),
    ).toEqual([["app/a.ts", "app/b.ts", "app/c.ts"]]);
    expect(
      specifiersOf("x.ts", `import type { A } from "./a"; export { b } from "../b"; const c = await import("./c");`),
    ).toEqual([
      { spec: "./a", typeOnly: true },
      { spec: "../b", typeOnly: false },
      { spec: "./c", typeOnly: false },
    ]);
  });

  it("docs/architecture.md shows this table", () => {
    const doc = readFileSync("docs/architecture.md", "utf8");
    const section = doc.slice(doc.indexOf("## Layers and allowed imports"));
    const rows = new Map<string, string[]>();
    for (const line of section.split("\n").slice(1)) {
      if (line.startsWith("## ")) break;
      const cells = line.split("|").map((c) => c.trim());
      const zone = /^`([^`]+)`$/.exec(cells[1] ?? "")?.[1];
      if (!zone || cells.length < 5) continue;
      rows.set(
        zone,
        [...cells[3].matchAll(/`([^`]+)`/g)].map((m) => m[1]),
      );
    }
    const expected = new Map(
      ZONES.map(
        ([zone]) =>
          [
            zone,
            ALLOWED[zone] === ANY ? ["anything in app/"] : ALLOWED[zone].filter((z) => z !== zone).sort(),
          ] as const,
      ),
    );
    const documented = new Map(
      [...rows].map(
        ([zone, allowed]) =>
          [zone, allowed.includes("anything in app/") ? ["anything in app/"] : [...allowed].sort()] as const,
      ),
    );
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(expected));
  });
});

// The whole database as rows, table by table, with the table list read from sqlite_master: so a table added later
// is covered by every test that compares dumps or searches them, without anyone remembering to list it.
import { prisma } from "../../app/db.server";

export type Row = Record<string, unknown>;
export type Dump = Record<string, Row[]>;

/** Every table the app owns (SQLite's own sqlite_* tables left out). */
export async function tableNames(): Promise<string[]> {
  const rows = await prisma.$queryRawUnsafe<{ name: string }[]>(
    `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`,
  );
  return rows.map((r) => r.name);
}

/** Columns of a table, with their declared type. */
export async function columnsOf(table: string): Promise<{ name: string; type: string }[]> {
  return prisma.$queryRawUnsafe<{ name: string; type: string }[]>(`SELECT name, type FROM pragma_table_info(?)`, table);
}

/**
 * Every row of every table, in storage order (rowid), full rows. With `shops`, tables that have a `shop` column keep
 * only those shops' rows (tables without one, e.g. _prisma_migrations, are kept whole).
 */
export async function dumpDatabase({ shops }: { shops?: string[] } = {}): Promise<Dump> {
  const dump: Dump = {};
  for (const table of await tableNames()) {
    const hasShop = (await columnsOf(table)).some((c) => c.name === "shop");
    const filter = shops && hasShop ? ` WHERE "shop" IN (${shops.map(() => "?").join(",")})` : "";
    dump[table] = await prisma.$queryRawUnsafe<Row[]>(`SELECT * FROM "${table}"${filter} ORDER BY rowid`, ...(filter ? shops! : []));
  }
  return dump;
}

/** One row's cells as text, for searching: every value, whatever its column type (JSON, ids, free text). */
export function cellsOf(row: Row): string[] {
  return Object.values(row)
    .filter((v) => v !== null && v !== undefined)
    .map((v) => (v instanceof Date ? v.toISOString() : typeof v === "object" ? JSON.stringify(v) : String(v)));
}

export interface Finding {
  table: string;
  column: string;
  value: string;
  needle: string;
}

/**
 * Where any needle occurs in any text cell of any table. A needle is a string (found as a substring, any case) or a
 * RegExp. Every column declared TEXT is searched, and every other cell as its text too.
 */
export async function searchDatabase(needles: (string | RegExp)[], { skip = () => false }: { skip?: (table: string, row: Row) => boolean } = {}): Promise<Finding[]> {
  const findings: Finding[] = [];
  const dump = await dumpDatabase();
  for (const [table, rows] of Object.entries(dump)) {
    for (const row of rows) {
      if (skip(table, row)) continue;
      for (const [column, raw] of Object.entries(row)) {
        if (raw === null || raw === undefined) continue;
        const value = raw instanceof Date ? raw.toISOString() : typeof raw === "object" ? JSON.stringify(raw) : String(raw);
        for (const needle of needles) {
          const hit = typeof needle === "string" ? value.toLowerCase().includes(needle.toLowerCase()) : needle.test(value);
          if (hit) findings.push({ table, column, value: value.length > 200 ? `${value.slice(0, 200)}…` : value, needle: String(needle) });
        }
      }
    }
  }
  return findings;
}

/** A number as a whole token: not part of a longer number (so customer 12 is not found inside order 3120). */
export const wholeNumber = (n: string | number) => new RegExp(`(?<![0-9])${n}(?![0-9])`);

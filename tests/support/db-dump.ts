// The whole database as rows, table by table, with the table list read from the database's own catalogue
// (sqlite_master, or PostgreSQL's pg_class including pg-boss's job tables): so a table added later is covered by every
// test that compares dumps or searches them, without anyone remembering to list it.
import { databaseKind, prisma } from "../../app/db.server";
import { Prisma } from "../../app/generated/prisma/client";

export type Row = Record<string, unknown>;
export type Dump = Record<string, Row[]>;

const postgres = () => databaseKind === "postgresql";
/** A dump's name of a table: the app's by name, another schema's as schema.table (pgboss.job). */
const quoted = (table: string) =>
  table
    .split(".")
    .map((part) => `"${part}"`)
    .join(".");

/** Every table the app owns (SQLite's own sqlite_* tables left out; on PostgreSQL the app's and pg-boss's). */
export async function tableNames(): Promise<string[]> {
  if (postgres()) {
    // ::text everywhere: the driver adapter cannot read PostgreSQL's `name` type (prisma/orm#28145).
    const rows = await prisma.$queryRawUnsafe<{ name: string }[]>(
      `SELECT CASE WHEN n.nspname::text = 'public' THEN c.relname::text ELSE n.nspname::text || '.' || c.relname::text END AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname::text IN ('public', 'pgboss') ORDER BY 1`,
    );
    return rows.map((r) => r.name);
  }
  const rows = await prisma.$queryRawUnsafe<{ name: string }[]>(
    `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`,
  );
  return rows.map((r) => r.name);
}

/** Columns of a table, with their declared type. */
export async function columnsOf(table: string): Promise<{ name: string; type: string }[]> {
  if (postgres()) {
    const [schema, name] = table.includes(".") ? table.split(".") : ["public", table];
    return prisma.$queryRaw<{ name: string; type: string }[]>(
      Prisma.sql`SELECT column_name::text AS name, data_type::text AS type FROM information_schema.columns
        WHERE table_schema = ${schema} AND table_name = ${name} ORDER BY ordinal_position`,
    );
  }
  return prisma.$queryRawUnsafe<{ name: string; type: string }[]>(`SELECT name, type FROM pragma_table_info(?)`, table);
}

/**
 * Every row of every table, in storage order (SQLite's rowid; on PostgreSQL the row's text, which is as stable), full
 * rows. With `shops`, tables that have a `shop` column (or pg-boss's jobs, by their data's shop) keep only those
 * shops' rows (tables without one, e.g. _prisma_migrations, are kept whole).
 */
export async function dumpDatabase({ shops }: { shops?: string[] } = {}): Promise<Dump> {
  const dump: Dump = {};
  for (const table of await tableNames()) {
    const columns = (await columnsOf(table)).map((c) => c.name);
    // pg-boss's own bookkeeping (its queues, version) holds no shop's data and changes with the first job of a kind.
    if (shops && table.startsWith("pgboss.") && !columns.includes("data")) continue;
    const shopColumn = columns.includes("shop")
      ? Prisma.sql`"shop"`
      : table.startsWith("pgboss.") && columns.includes("data")
        ? Prisma.sql`data->>'shop'`
        : null;
    const filter = shops && shopColumn ? Prisma.sql` WHERE ${shopColumn} IN (${Prisma.join(shops)})` : Prisma.empty;
    const order = postgres() ? Prisma.sql` ORDER BY t::text` : Prisma.sql` ORDER BY rowid`;
    if (table.includes(".")) {
      // pg-boss's tables hold types the driver adapter cannot read (interval, enums): each row as JSON instead.
      const rows = await prisma.$queryRaw<{ row: string }[]>(
        Prisma.sql`SELECT to_jsonb(t)::text AS row FROM ${Prisma.raw(quoted(table))} t${filter}${order}`,
      );
      dump[table] = rows.map((r) => JSON.parse(r.row) as Row);
    } else {
      dump[table] = await prisma.$queryRaw<Row[]>(
        Prisma.sql`SELECT * FROM ${Prisma.raw(quoted(table))} t${filter}${order}`,
      );
    }
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
export async function searchDatabase(
  needles: (string | RegExp)[],
  { skip = () => false }: { skip?: (table: string, row: Row) => boolean } = {},
): Promise<Finding[]> {
  const findings: Finding[] = [];
  const dump = await dumpDatabase();
  for (const [table, rows] of Object.entries(dump)) {
    for (const row of rows) {
      if (skip(table, row)) continue;
      for (const [column, raw] of Object.entries(row)) {
        if (raw === null || raw === undefined) continue;
        const value =
          raw instanceof Date ? raw.toISOString() : typeof raw === "object" ? JSON.stringify(raw) : String(raw);
        for (const needle of needles) {
          const hit =
            typeof needle === "string" ? value.toLowerCase().includes(needle.toLowerCase()) : needle.test(value);
          if (hit)
            findings.push({
              table,
              column,
              value: value.length > 200 ? `${value.slice(0, 200)}…` : value,
              needle: String(needle),
            });
        }
      }
    }
  }
  return findings;
}

/** A number as a whole token: not part of a longer number (so customer 12 is not found inside order 3120). */
export const wholeNumber = (n: string | number) => new RegExp(`(?<![0-9])${n}(?![0-9])`);

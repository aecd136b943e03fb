// The small layer between SQL written once and the two databases. Statements are written in the SQL both accept,
// with PostgreSQL's numbered placeholders ($1, $2 …; a number may come back); what differs is only here:
// - placeholders: SQLite (better-sqlite3) binds `?` by position, so $n become `?` and the values are laid out in the
//   order the numbers appear;
// - values: SQLite stores DateTime as the text Prisma's adapter writes and booleans as 0/1; PostgreSQL's TIMESTAMP(3)
//   columns hold UTC without a zone, so a Date goes as its ISO text (node-pg would send the process's local time);
// - one round trip on PostgreSQL for a read and the write after it (`readThenWrite`): a data-modifying WITH, whose
//   parts all see the rows as they were before the statement. SQLite has no such WITH and needs none (its statements
//   are calls, not round trips): it runs the two in turn.
// Upserts (`INSERT … ON CONFLICT … DO UPDATE … WHERE`), `excluded`, `true`/`false` and `RETURNING` are written the
// same for both, so they need nothing here.
import { Prisma } from "../generated/prisma/client";

/** A statement written once: a name (PostgreSQL prepares it under that name once per connection) and its text. */
export interface Statement {
  readonly name: string;
  readonly text: string;
}

export const statement = (name: string, text: string): Statement => ({ name, text });

/** One statement on an open synchronous (SQLite) transaction: the rows it changed. */
export interface SyncSql {
  run(sql: Statement, params: readonly unknown[]): number;
}

/** Prisma's adapter for SQLite stores DateTime as this text; comparisons in SQL rely on one format. */
export const stamp = (d: Date | null) => (d ? d.toISOString().replace("Z", "+00:00") : null);

/** The same text from epoch milliseconds. */
export const stampMs = (ms: number | null) => (ms === null ? null : stamp(new Date(ms)));

const PLACEHOLDER = /\$(\d+)/g;

/** For better-sqlite3: the text with `?` placeholders, and for each `?` the index of its value. */
export function sqliteForm(sql: Statement): { text: string; order: number[] } {
  const order: number[] = [];
  const text = sql.text.replace(PLACEHOLDER, (_, n: string) => {
    order.push(Number(n) - 1);
    return "?";
  });
  return { text, order };
}

let lastTime = Number.NaN;
let lastStamp: string | null = null;

/** A value as SQLite holds it: DateTime text, booleans as 0/1. (Statements often bind one time twice in a row: it
 * is turned into text once.) */
export function sqliteValue(value: unknown): unknown {
  if (value instanceof Date) {
    const time = value.getTime();
    if (time !== lastTime) [lastTime, lastStamp] = [time, stamp(value)];
    return lastStamp;
  }
  if (typeof value === "boolean") return value ? 1 : 0;
  return value;
}

/** A value as PostgreSQL's columns take it: a Date as UTC ISO text (TIMESTAMP(3) keeps no zone). */
export function postgresValue(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

const combined = new Map<string, Statement>();

/**
 * A read and the write that follows it as one PostgreSQL statement (both with the same parameters: the read's $n
 * mean what the write's do). One row: the read's columns (null when it found nothing), `__found` and `__written`.
 */
export function readThenWriteForPostgres(read: Statement, write: Statement): Statement {
  const name = `${read.name}+${write.name}`;
  let sql = combined.get(name);
  if (!sql) {
    sql = statement(
      name,
      `WITH r AS (${read.text}), w AS (${write.text} RETURNING 1)
      SELECT r.*, EXISTS (SELECT 1 FROM r) AS "__found", EXISTS (SELECT 1 FROM w) AS "__written" FROM (SELECT 1) AS one LEFT JOIN r ON true`,
    );
    combined.set(name, sql);
  }
  return sql;
}

/**
 * A statement or fragment for Prisma's raw queries, which place the values for whichever database it runs on:
 * `$n` take `values[n-1]`, `@name` take `values[name]` (the named form better-sqlite3 binds from an object).
 */
export function prismaSql(text: string, values: readonly unknown[] | Record<string, unknown>): Prisma.Sql {
  const strings: string[] = [];
  const bound: unknown[] = [];
  let last = 0;
  for (const match of text.matchAll(/\$(\d+)|@(\w+)/g)) {
    strings.push(text.slice(last, match.index));
    bound.push(
      match[1] !== undefined
        ? (values as readonly unknown[])[Number(match[1]) - 1]
        : (values as Record<string, unknown>)[match[2]],
    );
    last = match.index! + match[0].length;
  }
  strings.push(text.slice(last));
  return new Prisma.Sql(strings, bound as Prisma.Sql["values"]);
}

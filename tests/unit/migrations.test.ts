// The migrations build exactly the tables and indexes schema.prisma describes (no drift between the two).
import { execFileSync } from "node:child_process";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { readFileSync } from "node:fs";
import { derivePostgresSchema, POSTGRES_SCHEMA, SQLITE_SCHEMA } from "../../scripts/prisma-schemas.mjs";
import { postgresUrlFor } from "../setup/global-setup";
import { describe, expect, inject, it } from "vitest";

/** Tables with their columns (by name: ALTER TABLE appends, so order may differ) and indexes with their columns. */
function shape(file: string) {
  const db = new Database(file, { readonly: true });
  const tables = (
    db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all() as { name: string }[]
  ).map((t) => t.name);
  const result = tables.map((table) => ({
    table,
    columns: (db.prepare(`PRAGMA table_info("${table}")`).all() as { name: string }[])
      .map(({ name, type, notnull, dflt_value, pk }: Record<string, unknown>) => ({
        name,
        type,
        notnull,
        dflt_value,
        pk,
      }))
      .sort((a, b) => String(a.name).localeCompare(String(b.name))),
    indexes: (db.prepare(`PRAGMA index_list("${table}")`).all() as { name: string; unique: number }[])
      .map((index) => ({
        name: index.name,
        unique: index.unique,
        columns: (db.prepare(`PRAGMA index_info("${index.name}")`).all() as { name: string }[]).map((c) => c.name),
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  }));
  db.close();
  return result;
}

describe("migrations", () => {
  it("keep PostgreSQL's schema derived from the one schema (scripts/prisma-schemas.mjs)", () => {
    expect(readFileSync(POSTGRES_SCHEMA, "utf8")).toBe(derivePostgresSchema(readFileSync(SQLITE_SCHEMA, "utf8")));
  });

  it.runIf(inject("postgres"))("on PostgreSQL produce the same database as the schema itself", async () => {
    const postgres = inject("postgres")!;
    // Given the SQL Prisma derives from the PostgreSQL schema alone, run in a database of its own
    const sql = execFileSync(
      process.execPath,
      [
        "node_modules/prisma/build/index.js",
        "migrate",
        "diff",
        "--from-empty",
        "--to-schema-datamodel",
        POSTGRES_SCHEMA,
        "--script",
      ],
      { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], env: { ...process.env, DATABASE_URL: postgres.url } },
    );
    const name = `${postgres.template.replace(/_template$/, "")}_fromschema`;
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const fromSchema = new pg.Client({ connectionString: postgresUrlFor(postgres.url, name) });
    await fromSchema.connect();
    await fromSchema.query(sql);
    await fromSchema.end();
    // Then the template database built by applying prisma/postgresql/migrations has the same columns and indexes
    const migrated = await postgresShape(postgresUrlFor(postgres.url, postgres.template));
    expect(migrated.columns.some((c) => c.startsWith("Job."))).toBe(true);
    expect(migrated).toEqual(await postgresShape(postgresUrlFor(postgres.url, name)));
  });

  it.runIf(!inject("postgres"))("produce the same database as the schema itself", () => {
    // Given the SQL Prisma derives from schema.prisma alone
    const sql = execFileSync(
      process.execPath,
      [
        "node_modules/prisma/build/index.js",
        "migrate",
        "diff",
        "--from-empty",
        "--to-schema-datamodel",
        "prisma/schema.prisma",
        "--script",
      ],
      { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] },
    );
    const fromSchema = path.join(inject("testRunDir"), "from-schema.sqlite");
    const db = new Database(fromSchema);
    db.exec(sql);
    db.close();
    // Then the template database built by applying prisma/migrations has the same tables and indexes
    const migrated = shape(inject("templateDb"));
    expect(migrated.map((t) => t.table)).toContain("Job");
    expect(migrated).toEqual(shape(fromSchema));
  });
});

async function postgresShape(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const columns = await client.query(
      `SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') AS c
       FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' ORDER BY 1`,
    );
    const indexes = await client.query(
      `SELECT indexdef AS i FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY 1`,
    );
    return { columns: columns.rows.map((r) => r.c as string), indexes: indexes.rows.map((r) => r.i as string) };
  } finally {
    await client.end();
  }
}

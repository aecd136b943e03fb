// The migrations build exactly the tables and indexes schema.prisma describes (no drift between the two).
import { execFileSync } from "node:child_process";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, inject, it } from "vitest";

/** Tables with their columns (by name: ALTER TABLE appends, so order may differ) and indexes with their columns. */
function shape(file: string) {
  const db = new Database(file, { readonly: true });
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
  const result = tables.map((table) => ({
    table,
    columns: (db.prepare(`PRAGMA table_info("${table}")`).all() as { name: string }[])
      .map(({ name, type, notnull, dflt_value, pk }: Record<string, unknown>) => ({ name, type, notnull, dflt_value, pk }))
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
  it("produce the same database as the schema itself", () => {
    // Given the SQL Prisma derives from schema.prisma alone
    const sql = execFileSync(
      process.execPath,
      ["node_modules/prisma/build/index.js", "migrate", "diff", "--from-empty", "--to-schema-datamodel", "prisma/schema.prisma", "--script"],
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

// The migrations build exactly the tables and indexes schema.prisma describes (no drift between the two).
import { execFileSync } from "node:child_process";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { TEMPLATE_DB, TEST_TMP } from "../setup/global-setup";

function shape(file: string) {
  const db = new Database(file, { readonly: true });
  const rows = db
    .prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE '_prisma%' AND name NOT LIKE 'sqlite_%' ORDER BY type, name")
    .all() as { sql: string | null }[];
  db.close();
  return rows.map((r) => ({ ...r, sql: r.sql?.replace(/\s+/g, " ") }));
}

describe("migrations", () => {
  it("produce the same database as the schema itself", () => {
    // Given the SQL Prisma derives from schema.prisma alone
    const sql = execFileSync(
      process.execPath,
      ["node_modules/prisma/build/index.js", "migrate", "diff", "--from-empty", "--to-schema-datamodel", "prisma/schema.prisma", "--script"],
      { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] },
    );
    const fromSchema = path.join(TEST_TMP, "from-schema.sqlite");
    const db = new Database(fromSchema);
    db.exec(sql);
    db.close();
    // Then the template database built by applying prisma/migrations has the same tables and indexes
    expect(shape(TEMPLATE_DB)).toEqual(shape(fromSchema));
  });
});

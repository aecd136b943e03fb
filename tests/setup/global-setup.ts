// Runs once before all test files: builds a template SQLite database from the migrations. Each test file copies it
// (tests/setup/per-file.ts), so files run in parallel without sharing state.
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";

export const TEST_TMP = path.resolve("tmp/test");
export const TEMPLATE_DB = path.join(TEST_TMP, "template.sqlite");

export default function setup() {
  rmSync(TEST_TMP, { recursive: true, force: true });
  mkdirSync(TEST_TMP, { recursive: true });
  execFileSync(process.execPath, ["node_modules/prisma/build/index.js", "migrate", "deploy"], {
    env: { ...process.env, DATABASE_URL: `file:${TEMPLATE_DB}`, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
    stdio: "pipe",
  });
}

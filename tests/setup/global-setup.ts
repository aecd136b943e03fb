// Runs once before all test files: builds a template SQLite database from the migrations in a directory of this
// run's own (concurrent runs never share files). Each test file copies the template (tests/setup/per-file.ts).
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";

const ROOT = path.resolve("tmp/test");

declare module "vitest" {
  export interface ProvidedContext {
    testRunDir: string;
    templateDb: string;
  }
}

export function templateDbIn(dir: string) {
  return path.join(dir, "template.sqlite");
}

export default function setup(project: TestProject) {
  mkdirSync(ROOT, { recursive: true });
  // Leftovers of runs that died more than an hour ago.
  for (const name of readdirSync(ROOT)) {
    const full = path.join(ROOT, name);
    if (Date.now() - statSync(full).mtimeMs > 3_600_000) rmSync(full, { recursive: true, force: true });
  }
  const runDir = path.join(ROOT, `run-${process.pid}-${Date.now()}`);
  mkdirSync(runDir, { recursive: true });
  const templateDb = templateDbIn(runDir);
  execFileSync(process.execPath, ["node_modules/prisma/build/index.js", "migrate", "deploy"], {
    env: { ...process.env, DATABASE_URL: `file:${templateDb}`, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
    stdio: "pipe",
  });
  project.provide("testRunDir", runDir);
  project.provide("templateDb", templateDb);
  return () => rmSync(runDir, { recursive: true, force: true });
}

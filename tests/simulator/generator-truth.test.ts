// The truth summary written beside a generated file is what the ledger must conclude from it; here it is checked
// against a recomputation from the file itself, written independently of the generator's code.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OrderRecord } from "../../simulator/shop-file/types";
import { generateShop, readShopFile, type TruthSummary, writeShopFile } from "../../simulator/generator";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "generator-truth-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Recomputed {
  perCustomer: Map<string, { qualifyingOrders: number; spendMinor: number; lastOrderAt: string }>;
  qualifyingOrders: number;
  qualifyingSpendMinor: number;
  excluded: { test: number; cancelled: number; zero: number };
}

/**
 * docs/rules.md#ledger-qualifying: a qualifying order has a customer, is not a test, is not cancelled, and its current
 * value is > 0.
 */
async function recompute(file: string, decimals: number): Promise<Recomputed> {
  const toMinor = (amount: string) => {
    const [whole, fraction = ""] = amount.split(".");
    return Number(whole) * 10 ** decimals + Number(fraction.padEnd(decimals, "0") || "0");
  };
  const result: Recomputed = {
    perCustomer: new Map(),
    qualifyingOrders: 0,
    qualifyingSpendMinor: 0,
    excluded: { test: 0, cancelled: 0, zero: 0 },
  };
  for await (const record of readShopFile(file)) {
    if (record.__typename !== "Order" || record.customer === null) continue;
    const order: OrderRecord = record;
    const customerId = record.customer.id;
    const value = toMinor(order.currentTotalPriceSet.shopMoney.amount);
    if (order.test) {
      result.excluded.test++;
      continue;
    }
    if (order.cancelledAt) {
      result.excluded.cancelled++;
      continue;
    }
    if (value <= 0) {
      result.excluded.zero++;
      continue;
    }
    const entry = result.perCustomer.get(customerId) ?? {
      qualifyingOrders: 0,
      spendMinor: 0,
      lastOrderAt: order.processedAt,
    };
    entry.qualifyingOrders++;
    entry.spendMinor += value;
    if (order.processedAt > entry.lastOrderAt) entry.lastOrderAt = order.processedAt;
    result.perCustomer.set(customerId, entry);
    result.qualifyingOrders++;
    result.qualifyingSpendMinor += value;
  }
  return result;
}

describe.each([
  ["demo (USD)", { preset: "demo", seed: 3 }, 2],
  ["demo-jpy", { preset: "demo-jpy", seed: 3 }, 0],
] as const)("truth summary of %s", (_, options, decimals) => {
  let file: string;
  let truth: TruthSummary;
  let recomputed: Recomputed;
  beforeAll(async () => {
    file = path.join(dir, `${options.preset}.jsonl`);
    ({ truth } = await writeShopFile(options, file));
    recomputed = await recompute(file, decimals);
  });

  it("is computed over a file that has orders the rules must exclude", () => {
    // Given: a meaningful comparison needs test, cancelled and zero-value customer orders in the file
    expect(recomputed.excluded.test).toBeGreaterThan(0);
    expect(recomputed.excluded.cancelled).toBeGreaterThan(0);
    expect(recomputed.excluded.zero).toBeGreaterThan(0);
  });

  it("matches the recomputation customer by customer", () => {
    // When both are compared as plain objects, Then every customer's count, spend and last order agree
    expect(truth.perCustomer).toEqual(Object.fromEntries(recomputed.perCustomer));
  });

  it("matches the recomputation for the shop totals", () => {
    expect(truth.orders.qualifying).toBe(recomputed.qualifyingOrders);
    expect(truth.qualifyingSpendMinor).toBe(recomputed.qualifyingSpendMinor);
    expect(truth.customers.qualifying).toBe(recomputed.perCustomer.size);
    expect(truth.decimals).toBe(decimals);
  });

  it("is written beside the file as <file>.truth.json", async () => {
    expect(JSON.parse(await readFile(`${file}.truth.json`, "utf8"))).toEqual(truth);
  });

  it("is also the return value of the generator itself", () => {
    const generator = generateShop(options);
    let step = generator.next();
    while (!step.done) step = generator.next();
    expect(step.value).toEqual(truth);
  });
});

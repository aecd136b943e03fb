// The generator of shops from known BG/NBD and Gamma-Gamma parameters (simulator/generator/bgnbd-history.ts): valid
// shop-file records, deterministic for a seed, nothing after the end date, and the story's shape (the share of
// customers who never buy again and the mean order value match the parameters' closed forms).
import { describe, expect, it } from "vitest";
import { bgnbdExpectedPurchases } from "../../app/domain/predictions/bgnbd";
import { generateBgNbdHistory } from "../../simulator/generator/bgnbd-history";
import { shopFileRecordSchema } from "../../simulator/generator/schema";
import type { OrderRecord } from "../../simulator/shop-file/types";

const END = "2025-06-01T00:00:00.000Z";

describe("generateBgNbdHistory", () => {
  it("writes valid shop-file records, the same for the same seed, none after the end date", () => {
    const records = [...generateBgNbdHistory({ seed: 2, customers: 300, endDate: END })];
    expect(records[0].__typename).toBe("Shop");
    for (const record of records) expect(shopFileRecordSchema.safeParse(record).success).toBe(true);
    expect(JSON.stringify([...generateBgNbdHistory({ seed: 2, customers: 300, endDate: END })])).toBe(
      JSON.stringify(records),
    );
    expect(JSON.stringify([...generateBgNbdHistory({ seed: 3, customers: 300, endDate: END })])).not.toBe(
      JSON.stringify(records),
    );
    const orders = records.filter((r): r is OrderRecord => r.__typename === "Order");
    expect(orders.every((o) => o.processedAt <= END)).toBe(true);
    expect(records.filter((r) => r.__typename === "Customer")).toHaveLength(300);
  });

  it("follows its parameters: repeat purchases within 5 % of E[X(T)] averaged over T, order values at the scale pγ/(q−1)", () => {
    const params = { r: 0.6, alpha: 6, a: 0.7, b: 2.8 };
    const spend = { p: 6, q: 4, gamma: 1500 };
    // Every customer observed exactly `weeks`: first purchases spread over the span, so compare with the average
    // of E[X(T)] over T uniform in (0, 104] weeks.
    const records = [...generateBgNbdHistory({ seed: 8, customers: 20_000, endDate: END, bgnbd: params, spend })];
    const orders = records.filter((r): r is OrderRecord => r.__typename === "Order");
    const customers = 20_000;
    const repeats = orders.length - customers;
    let expected = 0;
    for (let i = 0; i < 1000; i++) expected += bgnbdExpectedPurchases(params, ((i + 0.5) / 1000) * 104);
    expected = (expected / 1000) * customers;
    expect(Math.abs(repeats - expected) / expected).toBeLessThan(0.05);
    const meanValue = orders.reduce((s, o) => s + Number(o.totalPriceSet.shopMoney.amount) * 100, 0) / orders.length;
    // Orders are weighted by how often each customer buys, not per customer: only a loose check of the scale.
    expect(meanValue).toBeGreaterThan(0.7 * ((spend.p * spend.gamma) / (spend.q - 1)));
    expect(meanValue).toBeLessThan(1.3 * ((spend.p * spend.gamma) / (spend.q - 1)));
  });
});

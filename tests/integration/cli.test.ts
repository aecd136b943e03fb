// The operator CLI (npm run loyalty): commands, their output and their refusals.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { prisma } from "../../app/db.server";
import { writeShopFile, type TruthSummary } from "../../simulator/generator/index";
import { runCli } from "../../app/cli.server";
import { addCustomerWithOrders, installShop } from "../support/shops";

function capture() {
  const lines = { log: [] as string[], error: [] as string[] };
  return { out: { log: (t: string) => lines.log.push(t), error: (t: string) => lines.error.push(t) }, lines };
}

describe("npm run loyalty", () => {
  it("status prints the shop's jobs, backfill and ledger counts as JSON", async () => {
    await installShop("cli-shop.myshopify.com");
    await addCustomerWithOrders("cli-shop.myshopify.com", 5, [51, 52]);
    const { out, lines } = capture();
    expect(await runCli(["status", "--shop", "cli-shop.myshopify.com"], out)).toBe(0);
    expect(JSON.parse(lines.log.join("\n"))).toMatchObject({
      shop: "cli-shop.myshopify.com",
      installed: "installed",
      backfill: null,
      ledger: { customers: 1, orders: 2, refunds: 0 },
      sync: {
        pending: 0,
        inFlight: 0,
        lastRun: null,
        customersWritten: 0,
        customersFailing: 0,
        failures: [],
        tiers: [],
      },
    });
  });

  it("load, recompute and export: a shop file into the ledger, scored, out as CSV", async () => {
    const shop = "loaded-shop.myshopify.com";
    const file = path.join(inject("testRunDir"), "loaded.jsonl");
    await writeShopFile(
      { preset: "demo-jpy", seed: 4, customers: 50, shopDomain: shop, endDate: "2026-11-01T00:00:00.000Z" },
      file,
    );
    const truth: TruthSummary = JSON.parse(readFileSync(`${file}.truth.json`, "utf8"));

    const load = capture();
    expect(await runCli(["load", "--shop", shop, "--file", file], load.out)).toBe(0);
    expect(JSON.parse(load.lines.log.join(""))).toMatchObject({
      customers: truth.records.customers,
      orders: truth.records.orders,
      refunds: truth.records.refunds,
    });
    const spend = await prisma.$queryRaw<{ total: number }[]>`
      SELECT SUM("valueMinor") AS total FROM "Order" WHERE "shop" = ${shop} AND "customerId" IS NOT NULL AND "test" = false AND "cancelledAt" IS NULL AND "valueMinor" > 0`;
    expect(Number(spend[0].total)).toBe(truth.qualifyingSpendMinor);

    const recompute = capture();
    expect(await runCli(["recompute", "--shop", shop, "--as-of", "2026-11-01T00:00:00Z"], recompute.out)).toBe(0);
    expect(JSON.parse(recompute.lines.log.join(""))).toMatchObject({
      customers: truth.records.customers,
      population: truth.customers.qualifying,
    });

    const csv = path.join(inject("testRunDir"), "loaded.csv");
    const exported = capture();
    expect(
      await runCli(["export", "--shop", shop, "--as-of", "2026-11-01T00:00:00Z", "--out", csv], exported.out),
    ).toBe(0);
    const rows = readFileSync(csv, "utf8").trim().split("\n");
    expect(rows[0]).toBe(
      "customer_id,recency_days,frequency,monetary,r,f,m,fm,segment,tier,spend_in_window,next_tier,amount_to_next,tier_expires_at",
    );
    expect(rows).toHaveLength(truth.records.customers + 1);
  });

  it("refuses a shop file of another shop, a bad --as-of and a missing --file", async () => {
    const file = path.join(inject("testRunDir"), "other.jsonl");
    await writeShopFile(
      {
        preset: "demo",
        seed: 4,
        customers: 3,
        shopDomain: "someone-else.myshopify.com",
        endDate: "2026-11-01T00:00:00.000Z",
      },
      file,
    );
    const refused = capture();
    expect(await runCli(["load", "--shop", "mine.myshopify.com", "--file", file], refused.out)).toBe(1);
    expect(refused.lines.error.join("")).toMatch(/someone-else\.myshopify\.com's history, not mine\.myshopify\.com's/);
    expect(await runCli(["recompute", "--shop", "mine.myshopify.com", "--as-of", "last tuesday"], capture().out)).toBe(
      2,
    );
    expect(await runCli(["load", "--shop", "mine.myshopify.com"], capture().out)).toBe(2);
  });

  it("refuses a missing or malformed shop, and an unknown command, with usage and exit code 2", async () => {
    for (const args of [
      ["status"],
      ["status", "--shop", "evil.example.com"],
      ["explode", "--shop", "a.myshopify.com"],
      ["status", "--nope"],
    ]) {
      const { out, lines } = capture();
      expect(await runCli(args, out)).toBe(2);
      expect(lines.error.join("\n")).toContain("Usage: npm run loyalty");
    }
  });
});

// The operator CLI (npm run loyalty): commands, their output and their refusals.
import { describe, expect, it } from "vitest";
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
    });
  });

  it("refuses a missing or malformed shop, and an unknown command, with usage and exit code 2", async () => {
    for (const args of [["status"], ["status", "--shop", "evil.example.com"], ["explode", "--shop", "a.myshopify.com"], ["status", "--nope"]]) {
      const { out, lines } = capture();
      expect(await runCli(args, out)).toBe(2);
      expect(lines.error.join("\n")).toContain("Usage: npm run loyalty");
    }
  });
});

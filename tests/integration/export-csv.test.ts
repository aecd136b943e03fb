// CSV export: byte for byte the independent computation (stored states, and on the fly for another asOf without
// saving), money in the shop currency, spreadsheet-safe cells, streamed.
import { Writable } from "node:stream";
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { applyCustomers, applyOrders } from "../../app/models/ledger.server";
import { csvLines, exportCsv, exportCsvStream } from "../../app/services/export.server";
import { recomputeShop } from "../../app/services/recompute.server";
import {
  DEFAULT_USD,
  expectedCsv,
  expectedStates,
  loadGeneratedShop,
  type GeneratedShop,
  type PlainProgram,
} from "./recompute-fixtures";

const USD_SHOP = "export-usd.myshopify.com";
const JPY_SHOP = "export-jpy.myshopify.com";
const END = "2025-06-01T00:00:00.000Z";
const AS_OF = new Date(END);
let usd: GeneratedShop;
let jpy: GeneratedShop;

/** defaultTierProgram("JPY"), written out: ¥35,000 / ¥100,000 / ¥300,000 (no minor unit). */
const DEFAULT_JPY: PlainProgram = {
  ...DEFAULT_USD,
  tiers: [
    { key: "member", threshold: 0 },
    { key: "silver", threshold: 35_000 },
    { key: "gold", threshold: 100_000 },
    { key: "platinum", threshold: 300_000 },
  ],
};

class Collect extends Writable {
  text = "";
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void) {
    this.text += chunk.toString("utf8");
    done();
  }
}

async function exported(shop: string, asOf: Date) {
  const out = new Collect();
  const result = await exportCsv(shop, { asOf, out });
  return { ...result, text: out.text };
}

beforeAll(async () => {
  usd = await loadGeneratedShop(USD_SHOP, { preset: "demo", seed: 31, endDate: END, shopDomain: USD_SHOP });
  jpy = await loadGeneratedShop(JPY_SHOP, {
    preset: "demo-jpy",
    seed: 32,
    endDate: END,
    shopDomain: JPY_SHOP,
    customers: 80,
  });
});

describe("CSV export", () => {
  it("after a recompute, streams the stored states byte for byte as the independent computation", async () => {
    // Given the USD shop recomputed as of its last day
    await recomputeShop(USD_SHOP, { asOf: AS_OF, reason: "backfill" });
    // When it is exported as of that moment
    const { text, source, rows } = await exported(USD_SHOP, AS_OF);
    // Then the stored computation was used and the file is exactly the expected one
    const expected = expectedStates(usd, AS_OF.getTime(), DEFAULT_USD);
    expect(source).toBe("stored");
    expect(rows).toBe(expected.length);
    expect(text).toBe(expectedCsv(expected, 2));
    // And it holds prospects (empty score cells) and tiered customers with an expiry
    expect(text).toMatch(/\n[^,\n]+,,,,,,,,prospect,/);
    expect(text).toMatch(
      /,(silver|gold|platinum),\d+\.\d{2},\w*,(\d+\.\d{2})?,\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z\n/,
    );
  });

  it("for another asOf computes on the fly, equal to the independent computation, and saves nothing", async () => {
    // Given stored states as of AS_OF
    const before = await prisma.customerState.findMany({ where: { shop: USD_SHOP }, orderBy: { customerId: "asc" } });
    const computation = await prisma.shopComputation.findUnique({ where: { shop: USD_SHOP } });
    // When the shop is exported as of an afternoon half a year earlier
    const asOf = new Date("2024-11-15T13:45:10.250Z");
    const { text, source } = await exported(USD_SHOP, asOf);
    // Then the file is the independent computation at that moment, and the database is unchanged
    expect(source).toBe("computed");
    expect(text).toBe(expectedCsv(expectedStates(usd, asOf.getTime(), DEFAULT_USD), 2));
    expect(await prisma.customerState.findMany({ where: { shop: USD_SHOP }, orderBy: { customerId: "asc" } })).toEqual(
      before,
    );
    expect(await prisma.shopComputation.findUnique({ where: { shop: USD_SHOP } })).toEqual(computation);
  });

  it("writes money in the shop currency's own unit (yen, no decimals)", async () => {
    // Given a JPY shop never recomputed; When it is exported
    const { text, source } = await exported(JPY_SHOP, AS_OF);
    // Then amounts have no decimal point and equal the independent computation
    expect(source).toBe("computed");
    expect(text).toBe(expectedCsv(expectedStates(jpy, AS_OF.getTime(), DEFAULT_JPY), 0));
    const monetary = text
      .trim()
      .split("\n")
      .slice(1)
      .map((line) => line.split(",")[3]);
    expect(monetary.filter((m) => m !== "").length).toBeGreaterThan(40);
    expect(monetary.every((m) => /^\d*$/.test(m))).toBe(true);
  });

  it("is also a Node Readable with the same bytes", async () => {
    // Given the USD shop; When the export is read from the stream
    let text = "";
    for await (const chunk of exportCsvStream(USD_SHOP, { asOf: AS_OF })) text += chunk;
    // Then it is the same file
    expect(text).toBe(expectedCsv(expectedStates(usd, AS_OF.getTime(), DEFAULT_USD), 2));
  });

  it("prefixes cells that a spreadsheet would run as a formula with a single quote", () => {
    // Given cells starting with =, +, -, @, tab and CR (full-width forms too), and ordinary ones (one with a line break
    // inside, plain negative numbers)
    const line = csvLines([
      [
        "=SUM(A1:A9)",
        "+1",
        "-2+3+cmd|' /C calc'!A0",
        "@cmd",
        "\tx",
        "\ry",
        "\uFF1D1",
        "plain",
        "a,b",
        "a\rb",
        "",
        "-2",
        "-12.50",
      ],
    ]);
    // Then each dangerous cell starts with ' (quoted where CSV needs it), the others are as they were
    expect(line).toBe(
      `'=SUM(A1:A9),'+1,'-2+3+cmd|' /C calc'!A0,'@cmd,'\tx,"'\ry",'\uFF1D1,plain,"a,b","a\rb",,-2,-12.50\n`,
    );
  });

  it("makes a hostile customer id from the ledger safe in the file", async () => {
    // Given a customer whose id (as the ledger received it) is a formula, with an order
    const shop = "export-hostile.myshopify.com";
    const id = '=HYPERLINK("http://evil.example","x")';
    const at = new Date("2025-05-01T00:00:00.000Z");
    await applyCustomers(shop, [
      { id, email: null, firstName: null, lastName: null, locale: null, sourceCreatedAt: at, sourceUpdatedAt: at },
    ]);
    await applyOrders(shop, [
      {
        id: "gid://shopify/Order/1",
        customerId: id,
        name: "#1",
        processedAt: at,
        cancelledAt: null,
        test: false,
        currencyCode: "USD",
        currentTotalMinor: 1999,
        discountCodes: [],
        discountMinor: 0,
        sourceUpdatedAt: at,
      },
    ]);
    // When the shop is exported
    const { text } = await exported(shop, AS_OF);
    // Then the id cell starts with a quote, so the spreadsheet shows text (the only customer: every score is 1)
    expect(text.split("\n")[1]).toBe(
      `"'=HYPERLINK(""http://evil.example"",""x"")",31,1,19.99,1,1,1,1,hibernating,member,19.99,silver,230.01,`,
    );
  });
});

// Every generated file is a valid shop file: it reads back through readShopFile, has exactly the fields of the
// shared types, and follows the documented order, id, name and timestamp rules (docs/shop-file-format.md).
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OrderRecord, ShopFileRecord } from "../../simulator/shop-file/types";
import { readShopFile, resolveOptions, writeShopFile } from "../../simulator/generator";

const OPTIONS = { preset: "demo", seed: 42 } as const;
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let dir: string;
let file: string;
let lines: string[];
let records: ShopFileRecord[];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "generator-format-"));
  file = path.join(dir, "demo.jsonl");
  await writeShopFile(OPTIONS, file, { truthFile: false });
  lines = (await readFile(file, "utf8")).split("\n");
  records = [];
  for await (const record of readShopFile(file)) records.push(record);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const orders = () => records.filter((r): r is OrderRecord => r.__typename === "Order");

describe("generated shop file format", () => {
  it("reads back every line through readShopFile", () => {
    // Given the demo file, When read back, Then there is one record per line (the file ends with a newline)
    expect(lines.at(-1)).toBe("");
    expect(records).toHaveLength(lines.length - 1);
    expect(records.length).toBeGreaterThan(500);
  });

  it("holds exactly the fields of the shared record types, no more, no fewer", () => {
    // Given each raw line and its schema-checked record
    // Then the raw object and the record have the same keys (the reader drops unknown fields, so an extra or a
    // missing field shows up as a difference)
    lines.slice(0, -1).forEach((line, i) => {
      expect(Object.keys(JSON.parse(line)), `line ${i + 1}`).toEqual(Object.keys(records[i]));
    });
  });

  it("starts with the Shop, then each customer followed by their orders, then guest orders", () => {
    // Given the records in file order
    expect(records[0].__typename).toBe("Shop");
    let currentCustomer: string | null = null;
    let inGuests = false;
    for (const record of records.slice(1)) {
      if (record.__typename === "Customer") {
        // Then no customer comes after the guest orders
        expect(inGuests).toBe(false);
        currentCustomer = record.id;
      } else if (record.__typename === "Order") {
        if (record.customer === null) inGuests = true;
        // And every customer's order sits under that customer, and guests come last
        else expect(inGuests ? "customer order among guests" : record.customer.id).toBe(currentCustomer);
      }
    }
    expect(inGuests).toBe(true);
  });

  it("puts each refund right after its order (or after that order's earlier refunds)", () => {
    let lastOrder: OrderRecord | null = null;
    let previous: ShopFileRecord | null = null;
    for (const record of records) {
      if (record.__typename === "Order") lastOrder = record;
      if (record.__typename === "Refund") {
        expect(previous?.__typename === "Order" || previous?.__typename === "Refund").toBe(true);
        expect(record.order.id).toBe(lastOrder?.id);
      }
      previous = record;
    }
  });

  it("gives every record a unique gid with a long numeric id", () => {
    const ids = records.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const record of records.slice(1)) {
      expect(record.id).toMatch(new RegExp(`^gid://shopify/${record.__typename}/\\d{12,13}$`));
    }
  });

  it("names orders #1001, #1002, … in file order", () => {
    expect(orders().map((o) => o.name)).toEqual(orders().map((_, i) => `#${1001 + i}`));
  });

  it("writes every timestamp as ISO-8601 UTC with milliseconds", () => {
    const stamps = records.flatMap((r) => {
      if (r.__typename === "Customer") return [r.createdAt, r.updatedAt];
      if (r.__typename === "Order") return [r.createdAt, r.updatedAt, r.processedAt, r.cancelledAt ?? r.createdAt];
      if (r.__typename === "Refund") return [r.createdAt];
      return [];
    });
    for (const stamp of stamps) expect(stamp).toMatch(ISO_MS);
  });

  it("keeps every moment within the shop's history, ending at endDate", () => {
    // Given the demo options: 3 years ending at endDate
    const { endDate, years } = resolveOptions(OPTIONS);
    const end = Date.parse(endDate);
    const start = new Date(end);
    start.setUTCFullYear(start.getUTCFullYear() - years);
    for (const r of records) {
      if (r.__typename === "Shop") continue;
      const at = Date.parse(r.createdAt);
      const updated = r.__typename === "Refund" ? at : Date.parse(r.updatedAt);
      expect(at).toBeGreaterThanOrEqual(start.getTime());
      expect(updated).toBeLessThanOrEqual(end);
    }
  });

  it("orders time consistently: created ≤ updated, processed ≤ refunds and cancellation ≤ order updatedAt", () => {
    const byId = new Map(orders().map((o) => [o.id, o]));
    for (const r of records) {
      if (r.__typename === "Customer") expect(Date.parse(r.updatedAt)).toBeGreaterThanOrEqual(Date.parse(r.createdAt));
      if (r.__typename === "Order") {
        expect(Date.parse(r.updatedAt)).toBeGreaterThanOrEqual(Date.parse(r.createdAt));
        expect(Date.parse(r.createdAt)).toBeGreaterThanOrEqual(Date.parse(r.processedAt));
        if (r.cancelledAt) {
          expect(Date.parse(r.cancelledAt)).toBeGreaterThan(Date.parse(r.processedAt));
          expect(Date.parse(r.updatedAt)).toBeGreaterThanOrEqual(Date.parse(r.cancelledAt));
        }
      }
      if (r.__typename === "Refund") {
        const order = byId.get(r.order.id)!;
        expect(Date.parse(r.createdAt)).toBeGreaterThan(Date.parse(order.processedAt));
        expect(Date.parse(order.updatedAt)).toBeGreaterThanOrEqual(Date.parse(r.createdAt));
      }
    }
  });

  it("creates each customer no later than their first order", () => {
    const created = new Map<string, number>();
    for (const r of records) {
      if (r.__typename === "Customer") created.set(r.id, Date.parse(r.createdAt));
      if (r.__typename === "Order" && r.customer) {
        expect(Date.parse(r.processedAt)).toBeGreaterThanOrEqual(created.get(r.customer.id)!);
      }
    }
  });
});

describe("readShopFile on a bad file", () => {
  const shopLine = JSON.stringify({
    __typename: "Shop",
    id: "gid://shopify/Shop/1",
    name: "Bad",
    myshopifyDomain: "bad.myshopify.com",
    email: "owner@bad.example.com",
    currencyCode: "USD",
    ianaTimezone: "UTC",
    primaryLocale: "en",
    plan: "standard",
  });

  async function readAll(content: string): Promise<ShopFileRecord[]> {
    const bad = path.join(dir, `bad-${Math.random().toString(36).slice(2)}.jsonl`);
    await writeFile(bad, content);
    const out: ShopFileRecord[] = [];
    for await (const r of readShopFile(bad)) out.push(r);
    return out;
  }

  it("names the line of an order missing a required field", async () => {
    // Given a file whose third line is an order without `edited`
    const order = JSON.parse(lines.find((l) => l.includes('"__typename":"Order"'))!);
    delete order.edited;
    const customer = lines.find((l) => l.includes('"__typename":"Customer"'))!;
    // When it is read, Then the error names line 3 and the field
    await expect(readAll([shopLine, customer, JSON.stringify(order)].join("\n"))).rejects.toThrow(
      /:3: invalid Order: edited/,
    );
  });

  it("names the line that is not JSON", async () => {
    await expect(readAll(`${shopLine}\n{"__typename": "Customer",\n`)).rejects.toThrow(/:2: not JSON/);
  });

  it("names the line with an unknown __typename", async () => {
    await expect(readAll(`${shopLine}\n{"__typename":"LineItem","id":"x"}\n`)).rejects.toThrow(
      /:2: unknown __typename "LineItem"/,
    );
  });

  it("refuses a file that does not start with the Shop", async () => {
    const customer = lines.find((l) => l.includes('"__typename":"Customer"'))!;
    await expect(readAll(`${customer}\n${shopLine}\n`)).rejects.toThrow(/:1: the first record must be the Shop/);
  });

  it("refuses an amount that is not a decimal string", async () => {
    const order = JSON.parse(lines.find((l) => l.includes('"__typename":"Order"'))!);
    order.totalPriceSet.shopMoney.amount = 12.5;
    await expect(readAll(`${shopLine}\n${JSON.stringify(order)}\n`)).rejects.toThrow(
      /:2: invalid Order: totalPriceSet\.shopMoney\.amount/,
    );
  });
});

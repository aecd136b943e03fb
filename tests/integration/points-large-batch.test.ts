// The points journal at the size of a real batch (docs/rules.md#points-derive): journals are derived 500 customers at a
// time, and 500 customers may hold any number of orders. Prisma refuses an ORM query with more than 999 bound
// parameters on SQLite (P2029), so the refunds of a batch's orders and the names of the orders a "Points earned" pass
// reads are asked for in slices. Before that, `points-start`, `points` and the daily points pass failed on a 10,000
// customer shop (about 2.7 orders a customer). Here: 600 customers with 2 orders each (1,000 orders in the first batch
// of 500), every tenth customer's older order refunded in part inside its return window.
import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { prisma } from "../../app/db.server";
import { runCli } from "../../app/cli.server";
import { orderNames } from "../../app/models/points-flow.server";
import { ORDER_IDS_PER_QUERY, pointsLedgers } from "../../app/models/points.server";
import { derivePointsShop } from "../../app/services/points.server";
import { pointsProgramPage, submitPointsProgram } from "../../app/services/points-preview.server";
import { installShop } from "../support/shops";

const SHOP = "points-batch.myshopify.com";
const OTHER = "points-batch-other.myshopify.com";
const DAY = 86_400_000;
const NOW = Date.now();
const CUSTOMERS = 600;
const customerId = (i: number) => `gid://shopify/Customer/${70_000 + i}`;
const orderId = (i: number, k: number) => `gid://shopify/Order/${800_000 + 2 * i + k}`;

beforeAll(async () => {
  for (const shop of [SHOP, OTHER]) {
    await installShop(shop);
    // The programme starts at the install: 400 days ago
    await prisma.shop.update({ where: { shop }, data: { installedAt: new Date(NOW - 400 * DAY) } });
  }
  await prisma.customer.createMany({
    data: Array.from({ length: CUSTOMERS }, (_, i) => ({ shop: SHOP, id: customerId(i) })),
  });
  // Each customer: an order of 100.00 placed 100 days ago (available since day 70) and one placed 10 days ago
  // (pending); every tenth customer's older order refunded 25.00 five days after it, inside its window.
  const refunded = (i: number) => i % 10 === 0;
  await prisma.order.createMany({
    data: Array.from({ length: CUSTOMERS }, (_, i) =>
      [0, 1].map((k) => ({
        shop: SHOP,
        id: orderId(i, k),
        customerId: customerId(i),
        name: `#${2 * i + k + 1001}`,
        processedAt: new Date(NOW - (k === 0 ? 100 : 10) * DAY),
        currencyCode: "USD",
        currentTotalMinor: k === 0 && refunded(i) ? 7_500n : 10_000n,
        valueMinor: k === 0 && refunded(i) ? 7_500n : 10_000n,
      })),
    ).flat(),
  });
  await prisma.refund.createMany({
    data: Array.from({ length: CUSTOMERS }, (_, i) => i)
      .filter(refunded)
      .map((i) => ({
        shop: SHOP,
        id: `gid://shopify/Refund/${900_000 + i}`,
        orderId: orderId(i, 0),
        createdAt: new Date(NOW - 95 * DAY),
        amountMinor: 2_500n,
        currencyCode: "USD",
      })),
  });
}, 60_000);

describe("a batch of 500 customers with 1,000 orders", () => {
  it("reads every order's refunds in slices under the parameter limit", async () => {
    const ids = Array.from({ length: 500 }, (_, i) => customerId(i));
    expect(2 * ids.length).toBeGreaterThan(ORDER_IDS_PER_QUERY);
    const ledgers = await pointsLedgers(SHOP, ids, new Date(NOW - 400 * DAY));
    const orders = [...ledgers.values()].flatMap((l) => l.orders);
    expect(orders).toHaveLength(1_000);
    expect(orders.filter((o) => o.refunds.length === 1)).toHaveLength(50);
    expect(orders.find((o) => o.id === orderId(10, 0))!.refunds).toEqual([
      { id: "gid://shopify/Refund/900010", createdAt: NOW - 95 * DAY, amountMinor: 2_500, currencyCode: "USD" },
    ]);
  });

  it("derives every journal, and deriving again appends nothing", async () => {
    const first = await derivePointsShop(SHOP, { now: () => new Date(NOW) });
    expect(first).toMatchObject({ customers: CUSTOMERS, appended: 2 * CUSTOMERS + CUSTOMERS / 10 });
    const kinds = await prisma.pointsEntry.groupBy({
      by: ["kind"],
      where: { shop: SHOP },
      _count: { _all: true },
      _sum: { points: true },
      orderBy: { kind: "asc" },
    });
    expect(kinds.map((k) => [k.kind, k._count._all, Number(k._sum.points)])).toEqual([
      ["order", 2 * CUSTOMERS, 2 * CUSTOMERS * 100],
      ["refund", CUSTOMERS / 10, -25 * (CUSTOMERS / 10)],
    ]);
    expect(await derivePointsShop(SHOP, { now: () => new Date(NOW) })).toMatchObject({ appended: 0 });
    // The other shop has no journal
    expect(await prisma.pointsEntry.count({ where: { shop: OTHER } })).toBe(0);
  });

  it("the points CLI writes one line per customer with the balances worked out by hand", async () => {
    const file = path.join(inject("testRunDir"), "points-batch.csv");
    const lines = { log: [] as string[], error: [] as string[] };
    const out = { log: (t: string) => lines.log.push(t), error: (t: string) => lines.error.push(t) };
    const asOf = new Date(NOW).toISOString();
    expect(await runCli(["points", "--shop", SHOP, "--as-of", asOf, "--out", file], out)).toBe(0);
    expect(lines.error.join("")).toContain(`Wrote ${CUSTOMERS} customers to`);
    const [header, ...rows] = readFileSync(file, "utf8").trim().split("\n");
    expect(header).toBe("customer_id,earned,pending,available,redeemed,expired,clawed_back,lost");
    expect(rows).toHaveLength(CUSTOMERS);
    const byId = new Map(rows.map((r) => [r.split(",")[0], r]));
    // 100 + 100 earned; the newer order's 100 pending; the older one's available, less 25 when refunded
    expect(byId.get(customerId(10))).toBe(`${customerId(10)},200,100,75,0,0,25,0`);
    expect(byId.get(customerId(11))).toBe(`${customerId(11)},200,100,100,0,0,0,0`);
    const total = (column: number) => rows.reduce((sum, r) => sum + Number(r.split(",")[column]), 0);
    expect([1, 2, 3, 4, 5, 6, 7].map(total)).toEqual([120_000, 60_000, 58_500, 0, 0, 1_500, 0]);
  });

  it("the programme screen's preview says what a change of the expiry rule would expire, writing nothing", async () => {
    const page = (await pointsProgramPage(SHOP))!;
    const held = await prisma.pointsEntry.count({ where: { shop: SHOP } });
    // A lifetime of 1 month: each older order's lot (less its refund) expired when it became available, 70 days ago;
    // the newer orders' lots, still pending, have 20 days left
    const result = await submitPointsProgram(
      SHOP,
      { intent: "preview", rules: { ...page.form, expiryMonths: "1", expiryMode: "lifetime" } },
      { now: () => new Date(NOW) },
    );
    expect(result).toMatchObject({
      ok: true,
      intent: "preview",
      preview: {
        customers: CUSTOMERS,
        affected: CUSTOMERS,
        before: { earned: 120_000, pending: 60_000, available: 58_500, expired: 0 },
        after: { earned: 120_000, pending: 60_000, available: 0, expired: 58_500 },
      },
    });
    expect(await prisma.pointsEntry.count({ where: { shop: SHOP } })).toBe(held);
  });

  it("names every order a Points earned pass reads, in slices", async () => {
    const ids = Array.from({ length: CUSTOMERS }, (_, i) => [orderId(i, 0), orderId(i, 1)]).flat();
    const names = await orderNames(SHOP, ids);
    expect(names.size).toBe(2 * CUSTOMERS);
    expect(names.get(orderId(599, 1))).toBe(`#${2 * 599 + 1 + 1001}`);
    // Another shop's orders are never named
    expect((await orderNames(OTHER, ids)).size).toBe(0);
  });
});

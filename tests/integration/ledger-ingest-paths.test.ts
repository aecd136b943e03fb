// A webhook's change written through the database's one-transaction path (SQLite's prepared statements, or
// PostgreSQL's with the jobs in pg-boss) and through Prisma's steps leaves the same ledger rows, the same follow-up
// jobs and the same delivery records — over a stream with duplicates, out-of-order versions, refunds before their
// order, deletes and tombstones.
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { databaseKind, prisma } from "../../app/db.server";
import { ingestWithPrisma } from "../../app/models/ledger-ingest.server";
import { sqliteLedger } from "../../app/models/ledger-bulk-sqlite.server";
import { pgLedger } from "../../app/models/ledger-pg.server";
import type { LedgerChange, LedgerOrder } from "../../app/models/ledger-types";
import { customerFollowUp } from "../../app/webhooks/ledger-changed.server";
import { installShop } from "../support/shops";
import { jobRows } from "../support/queue";

/** This database's one-transaction webhook path. */
const direct = () => (databaseKind === "sqlite" ? sqliteLedger() : pgLedger())!;

const at = (minute: number) => new Date(Date.UTC(2026, 5, 1, 12, minute));
const order = (n: number, customer: number | null, cents: number, minute: number, extra: Partial<LedgerOrder> = {}): LedgerOrder => ({
  id: `gid://shopify/Order/${n}`,
  customerId: customer === null ? null : `gid://shopify/Customer/${customer}`,
  name: `#${1000 + n}`,
  processedAt: at(0),
  cancelledAt: null,
  test: false,
  currencyCode: "USD",
  currentTotalMinor: cents,
  discountCodes: [],
  discountMinor: 0,
  sourceUpdatedAt: at(minute),
  ...extra,
});
const customer = (n: number, minute: number, lastName = "King") => ({
  id: `gid://shopify/Customer/${n}`, email: `c${n}@example.com`, firstName: "Ada", lastName, locale: "th",
  sourceCreatedAt: at(0), sourceUpdatedAt: at(minute),
});

/** [webhook id, event id, topic, change] in delivery order, duplicates and lateness included. */
const stream: [string, string, string, LedgerChange][] = [
  ["w1", "e1", "customers/create", { kind: "customers", customers: [customer(1, 1)] }],
  ["w2", "e2", "refunds/create", { kind: "refunds", refunds: [{ id: "gid://shopify/Refund/9", orderId: "gid://shopify/Order/1", createdAt: at(5), amountMinor: 1500, currencyCode: "USD" }] }],
  ["w3", "e3", "orders/create", { kind: "orders", orders: [order(1, 1, 10000, 2)], refunds: [] }],
  ["w4", "e4", "orders/updated", { kind: "orders", orders: [order(1, 2, 10000, 3)], refunds: [] }], // changes hands
  ["w3", "e3", "orders/create", { kind: "orders", orders: [order(1, 1, 10000, 2)], refunds: [] }], // a retry
  ["w5", "e3", "orders/create", { kind: "orders", orders: [order(1, 1, 10000, 2)], refunds: [] }], // a duplicate event
  ["w6", "e6", "orders/updated", { kind: "orders", orders: [order(1, 1, 5000, 1)], refunds: [] }], // late and older
  ["w7", "e7", "orders/create", { kind: "orders", orders: [order(2, null, 700, 4)], refunds: [] }],
  ["w8", "e8", "orders/create", { kind: "orders", orders: [order(3, 1, 2500, 4, { test: true })], refunds: [] }],
  ["w9", "e9", "orders/delete", { kind: "deleteOrder", orderId: "gid://shopify/Order/3", at: at(6) }],
  ["w10", "e10", "orders/updated", { kind: "orders", orders: [order(3, 1, 2500, 7)], refunds: [] }], // after its delete
  ["w11", "e11", "customers/update", { kind: "customers", customers: [customer(1, 8, "Lovelace")] }],
  ["w12", "e12", "customers/delete", { kind: "deleteCustomer", customerId: "gid://shopify/Customer/1", at: at(9) }],
  ["w13", "e13", "customers/update", { kind: "customers", customers: [customer(1, 10)] }], // after its delete
  ["w14", "e14", "customers/update", { kind: "customers", customers: [customer(3, 11, "Byron")] }],
  ["w15", "e15", "customers/update", { kind: "customers", customers: [customer(3, 11, "King")] }], // same second, differs
  ["w16", "e16", "customers/update", { kind: "customers", customers: [customer(4, 12)] }],
  ["w17", "e17", "customers/update", { kind: "customers", customers: [{ ...customer(4, 12), locale: null }] }], // same second, same
];

async function snapshot(shop: string) {
  const strip = <T extends { shop: string }>(rows: T[]) => rows.map(({ shop: _s, ...rest }) => rest);
  const [customers, orders, refunds, deliveries, jobs] = await Promise.all([
    prisma.customer.findMany({ where: { shop }, orderBy: { id: "asc" } }),
    prisma.order.findMany({ where: { shop }, orderBy: { id: "asc" } }),
    prisma.refund.findMany({ where: { shop }, orderBy: { id: "asc" } }),
    prisma.webhookDelivery.findMany({ where: { shop }, orderBy: { webhookId: "asc" }, select: { webhookId: true, eventId: true, topic: true } }),
    jobRows(shop).then((rows) => rows.map(({ kind, key, payload, state, attempts }) => ({ kind, key, payload, state, attempts })).sort((a, b) => (a.key! < b.key! ? -1 : 1))),
  ]);
  return { customers: strip(customers), orders: strip(orders), refunds: strip(refunds), deliveries, jobs };
}

describe("webhook ingest paths", () => {
  it.runIf(databaseKind === "sqlite")("waits without blocking the event loop while another connection holds the write lock, then writes", async () => {
    await installShop("busy.myshopify.com");
    // Given another connection (another process, say) in the middle of a write transaction
    const holder = new Database(process.env.DATABASE_URL!.slice("file:".length));
    holder.prepare("BEGIN IMMEDIATE").run();
    // When a webhook's change arrives meanwhile
    const change: LedgerChange = { kind: "orders", orders: [order(77, 7, 100, 1)], refunds: [] };
    const ingest = sqliteLedger()!.ingest("busy.myshopify.com", { webhookId: "b1", eventId: "b1", topic: "orders/create" }, change, customerFollowUp.kind);
    // Then the event loop stays free (a timer fires first), and once the lock is released the write lands
    const first = await Promise.race([new Promise((r) => setTimeout(() => r("timer"), 40)), ingest.then((o) => `ingested: ${o}`)]);
    holder.prepare("COMMIT").run();
    holder.close();
    expect(first).toBe("timer");
    expect(await ingest).toBe("applied");
    expect(await prisma.order.count({ where: { shop: "busy.myshopify.com" } })).toBe(1);
  });

  it(`${databaseKind}'s one transaction and Prisma's steps give the same rows, jobs and deliveries`, async () => {
    await installShop("fast.myshopify.com");
    await installShop("portable.myshopify.com");
    const outcomes: string[][] = [[], []];
    for (const [webhookId, eventId, topic, change] of stream) {
      outcomes[0].push(await direct().ingest("fast.myshopify.com", { webhookId, eventId, topic }, change, customerFollowUp.kind));
      outcomes[1].push(await ingestWithPrisma("portable.myshopify.com", { webhookId, eventId, topic }, change, customerFollowUp));
    }
    expect(outcomes[0]).toEqual(outcomes[1]);
    expect(outcomes[0].filter((o) => o === "duplicate")).toHaveLength(2);
    const [fast, portable] = [await snapshot("fast.myshopify.com"), await snapshot("portable.myshopify.com")];
    expect(fast).toEqual(portable);
    // The stream's meaning, checked once by hand: order 1 is customer 2's at 100.00 less the 15.00 refund that
    // came first; order 3 and customer 1 are tombstones; the guest order stands.
    const one = fast.orders.find((o) => o.id === "gid://shopify/Order/1")!;
    expect([one.customerId, one.currentTotalMinor, one.valueMinor]).toEqual(["gid://shopify/Customer/2", 10000n, 8500n]);
    expect(fast.orders.find((o) => o.id === "gid://shopify/Order/3")!.deletedAt).not.toBeNull();
    expect(fast.customers.find((c) => c.id === "gid://shopify/Customer/1")!.email).toBeNull();
    // Customer 3's two versions of one second differ: re-read from Shopify; customer 4's agree: nothing to settle.
    expect(fast.customers.find((c) => c.id === "gid://shopify/Customer/3")!.lastName).toBe("Byron");
    expect(fast.jobs.map((j) => j.key).sort()).toEqual([
      "customer-changed:gid://shopify/Customer/1",
      "customer-changed:gid://shopify/Customer/2",
      "customer-changed:gid://shopify/Customer/3",
      "customer-changed:gid://shopify/Customer/4",
      "customer-refresh:gid://shopify/Customer/3",
    ]);
  });

  it("refuses a shop that never installed the app on both paths, writing nothing", async () => {
    const change: LedgerChange = { kind: "orders", orders: [order(50, 5, 100, 1)], refunds: [] };
    const ids = { webhookId: "x", eventId: "y", topic: "orders/create" };
    expect(await direct().ingest("stranger.myshopify.com", ids, change, customerFollowUp.kind)).toBe("unknown-shop");
    expect(await ingestWithPrisma("stranger.myshopify.com", ids, change, customerFollowUp)).toBe("unknown-shop");
    expect(await prisma.order.count({ where: { shop: "stranger.myshopify.com" } })).toBe(0);
    expect(await prisma.webhookDelivery.count({ where: { shop: "stranger.myshopify.com" } })).toBe(0);
  });

  it("handles an event delivered many times at once exactly once: one write, one job, one delivery row", async () => {
    const shop = "racing.myshopify.com";
    await installShop(shop);
    // Given eight deliveries of one event (Shopify's retries and duplicates) arriving together
    const change: LedgerChange = { kind: "orders", orders: [order(60, 6, 4200, 1)], refunds: [] };
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, i) => direct().ingest(shop, { webhookId: `race-${i}`, eventId: "race-event", topic: "orders/create" }, change, customerFollowUp.kind)),
    );
    // Then one applied it and the others saw it as a duplicate
    expect(outcomes.filter((o) => o === "applied")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "duplicate")).toHaveLength(7);
    expect(await prisma.webhookDelivery.count({ where: { shop } })).toBe(1);
    expect((await jobRows(shop)).map((j) => j.key)).toEqual(["customer-changed:gid://shopify/Customer/6"]);
    expect((await prisma.order.findUniqueOrThrow({ where: { shop_id: { shop, id: "gid://shopify/Order/60" } } })).valueMinor).toBe(4200n);
  });

  it("writes nothing for a redacted shop and nothing twice for a late retry of a handled event", async () => {
    const shop = "erased.myshopify.com";
    await installShop(shop);
    await prisma.shop.update({ where: { shop }, data: { status: "redacted" } });
    const change: LedgerChange = { kind: "customers", customers: [customer(70, 1)] };
    expect(await direct().ingest(shop, { webhookId: "r1", eventId: "r1", topic: "customers/create" }, change, customerFollowUp.kind)).toBe("redacted");
    expect(await prisma.customer.count({ where: { shop } })).toBe(0);
    expect(await prisma.webhookDelivery.count({ where: { shop } })).toBe(0);
    expect(await jobRows(shop)).toEqual([]);
  });
});

describe("versions of one second", () => {
  // Shopify's updated_at has whole seconds: an order placed, refunded and cancelled within one second arrives as
  // versions with the same updated_at, in any order. The ledger must end on the last one whatever the order.
  const placed = order(21, 5, 10000, 11);
  const refunded = order(21, 5, 9000, 11);
  const cancelled = order(21, 5, 9000, 11, { cancelledAt: at(11) });
  const orders = [placed, refunded, cancelled];
  const permutations = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];

  it.each(permutations)("end on the cancelled, refunded version whatever the order (%s, %s, %s), through Prisma", async (...p) => {
    const shop = `same-second-${p.join("")}.myshopify.com`;
    await installShop(shop);
    for (const i of p) await ingestWithPrisma(shop, { webhookId: `w${i}`, eventId: `e${i}`, topic: "orders/updated" }, { kind: "orders", orders: [orders[i]], refunds: [] }, customerFollowUp);
    const row = await prisma.order.findUniqueOrThrow({ where: { shop_id: { shop, id: placed.id } } });
    expect([row.currentTotalMinor, row.cancelledAt]).toEqual([9000n, at(11)]);
  });

  it.each(permutations)(`and through ${databaseKind}'s one transaction (%s, %s, %s)`, async (...p) => {
    const shop = `same-second-fast-${p.join("")}.myshopify.com`;
    await installShop(shop);
    for (const i of p) await direct().ingest(shop, { webhookId: `w${i}`, eventId: `e${i}`, topic: "orders/updated" }, { kind: "orders", orders: [orders[i]], refunds: [] }, customerFollowUp.kind);
    const row = await prisma.order.findUniqueOrThrow({ where: { shop_id: { shop, id: placed.id } } });
    expect([row.currentTotalMinor, row.cancelledAt]).toEqual([9000n, at(11)]);
  });
});

// A webhook's change is written by one algorithm (app/models/ledger-write.ts) on two drivers: SQLite's prepared
// statements with the table queue, and PostgreSQL's with the jobs in pg-boss. Both drivers, each on a database of its
// own, take the same stream — duplicates, out-of-order versions, refunds before their order, deletes and tombstones —
// and must leave the same ledger rows, jobs and delivery records, and the ledger written out here by hand. The app's
// own path (this run's database) is checked for the lock, unknown shops, races and redacted shops.
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { databaseKind, prisma } from "../../app/db.server";
import { ingestLedgerChange } from "../../app/models/ledger-ingest.server";
import { ingestWebhook } from "../../app/models/ledger-write";
import { parseOrderList } from "../../app/domain/customer-aggregate";
import type { LedgerChange, LedgerOrder } from "../../app/domain/ledger-types";
import type { DeliveryIds } from "../../app/models/webhook-delivery.server";
import { customerFollowUp } from "../../app/webhooks/ledger-changed.server";
import { installShop } from "../support/shops";
import { jobRows } from "../support/queue";
import { ledgerRows, openBothDrivers, type BothDrivers, type LedgerSide } from "../support/ledger-drivers";

/** The app's webhook path on this run's database. */
const direct = () => ({
  ingest: (shop: string, ids: DeliveryIds, change: LedgerChange) =>
    ingestLedgerChange(shop, ids, change, customerFollowUp),
});

/** One driver's webhook path, as the app runs it. */
const ingestOn = (side: LedgerSide, shop: string, ids: DeliveryIds, change: LedgerChange) =>
  side.driver.transaction(() => ingestWebhook(shop, ids, change, customerFollowUp, new Date()), side.queue);

const drivers = await openBothDrivers();
afterAll(async () => {
  if (drivers !== "skipped") await drivers.close();
});
const bothDrivers = drivers === "skipped" ? describe.skip : describe;
const both = () => drivers as BothDrivers;

const at = (minute: number) => new Date(Date.UTC(2026, 5, 1, 12, minute));
const order = (
  n: number,
  customer: number | null,
  cents: number,
  minute: number,
  extra: Partial<LedgerOrder> = {},
): LedgerOrder => ({
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
  id: `gid://shopify/Customer/${n}`,
  email: `c${n}@example.com`,
  firstName: "Ada",
  lastName,
  locale: "th",
  sourceCreatedAt: at(0),
  sourceUpdatedAt: at(minute),
});

/** [webhook id, event id, topic, change] in delivery order, duplicates and lateness included. */
const stream: [string, string, string, LedgerChange][] = [
  ["w1", "e1", "customers/create", { kind: "customers", customers: [customer(1, 1)] }],
  [
    "w2",
    "e2",
    "refunds/create",
    {
      kind: "refunds",
      refunds: [
        {
          id: "gid://shopify/Refund/9",
          orderId: "gid://shopify/Order/1",
          createdAt: at(5),
          amountMinor: 1500,
          currencyCode: "USD",
        },
      ],
    },
  ],
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

async function snapshot(side: LedgerSide, shop: string) {
  return { ...(await ledgerRows(side, shop)), jobs: await side.jobs(shop) };
}

/** The stream's ledger, written out by hand (docs/rules.md#ledger): what either driver must end on. */
const customerRow = (
  n: number,
  fields: { email: string | null; firstName: string | null; lastName: string | null; locale: string | null },
  created: number | null,
  updated: number | null,
  deleted: number | null,
) => ({
  id: `gid://shopify/Customer/${n}`,
  ...fields,
  sourceCreatedAt: created === null ? null : at(created),
  sourceUpdatedAt: updated === null ? null : at(updated),
  deletedAt: deleted === null ? null : at(deleted),
});
const expectedLedger = {
  customers: [
    // Customer 1: tombstoned (minute 9); the later version (minute 10) did not bring them back.
    customerRow(1, { email: null, firstName: null, lastName: null, locale: null }, null, null, 9),
    // Customer 3: two versions of minute 11 that differ: the first held, the customer re-read from Shopify.
    customerRow(3, { email: "c3@example.com", firstName: "Ada", lastName: "Byron", locale: "th" }, 0, 11, null),
    // Customer 4: the second version of minute 12 has no locale: the held one stays.
    customerRow(4, { email: "c4@example.com", firstName: "Ada", lastName: "King", locale: "th" }, 0, 12, null),
  ],
  orders: [
    // Order 1 changed hands to customer 2 (minute 3); the late, older version (minute 1) lost; its value is 100.00
    // less the 15.00 refund that came before it (created minute 5, after the version held).
    {
      id: "gid://shopify/Order/1",
      customerId: "gid://shopify/Customer/2",
      name: "#1001",
      processedAt: at(0),
      cancelledAt: null,
      test: false,
      currencyCode: "USD",
      currentTotalMinor: 10000n,
      valueMinor: 8500n,
      discountCodes: "[]",
      discountMinor: 0n,
      sourceUpdatedAt: at(3),
      deletedAt: null,
    },
    // The guest order stands.
    {
      id: "gid://shopify/Order/2",
      customerId: null,
      name: "#1002",
      processedAt: at(0),
      cancelledAt: null,
      test: false,
      currencyCode: "USD",
      currentTotalMinor: 700n,
      valueMinor: 700n,
      discountCodes: "[]",
      discountMinor: 0n,
      sourceUpdatedAt: at(4),
      deletedAt: null,
    },
    // Order 3: a tombstone (deleted minute 6); the version after its delete did not bring it back.
    {
      id: "gid://shopify/Order/3",
      customerId: null,
      name: null,
      processedAt: at(6),
      cancelledAt: null,
      test: false,
      currencyCode: "XXX",
      currentTotalMinor: 0n,
      valueMinor: 0n,
      discountCodes: "[]",
      discountMinor: 0n,
      sourceUpdatedAt: null,
      deletedAt: at(6),
    },
  ],
  refunds: [
    {
      id: "gid://shopify/Refund/9",
      orderId: "gid://shopify/Order/1",
      createdAt: at(5),
      amountMinor: 1500n,
      currencyCode: "USD",
    },
  ],
  // Every delivery but the retry of w3 and the duplicate of its event (w5).
  deliveries: stream
    .filter(([webhookId], i) => !(webhookId === "w3" && i === 4) && webhookId !== "w5")
    .map(([webhookId, eventId, topic]) => ({ webhookId, eventId, topic }))
    .sort((a, b) => (a.webhookId < b.webhookId ? -1 : 1)),
  jobs: [
    ...[1, 2, 3, 4].map((n) => ({
      kind: "customer-changed",
      key: `customer-changed:gid://shopify/Customer/${n}`,
      payload: { customerId: `gid://shopify/Customer/${n}` },
      state: "queued",
    })),
    {
      kind: "customer-refresh",
      key: "customer-refresh:gid://shopify/Customer/3",
      payload: { customerId: "gid://shopify/Customer/3" },
      state: "queued",
    },
  ],
};
const expectedOutcomes = stream.map((_, i) => (i === 4 || i === 5 ? "duplicate" : "applied"));

bothDrivers("the two drivers", () => {
  it("give the same rows, jobs and deliveries for one stream, and the ledger written out by hand", async () => {
    const shop = "stream.myshopify.com";
    const { sqlite, postgresql } = both();
    const outcomes: Record<string, string[]> = { sqlite: [], postgresql: [] };
    for (const side of [sqlite, postgresql]) {
      await side.install(shop);
      for (const [webhookId, eventId, topic, change] of stream)
        outcomes[side.database].push(await ingestOn(side, shop, { webhookId, eventId, topic }, change));
    }
    expect(outcomes.sqlite).toEqual(expectedOutcomes);
    expect(outcomes.postgresql).toEqual(expectedOutcomes);
    const [onSqlite, onPostgres] = [await snapshot(sqlite, shop), await snapshot(postgresql, shop)];
    expect(onSqlite).toEqual(onPostgres);
    expect(onSqlite).toEqual(expectedLedger);
    // And the maintained aggregates (docs/decisions/0009) follow every change on both: only customer 2 has a
    // qualifying order (order 1, moved to them, worth 85.00 after the refund); customer 1 is tombstoned, order 2 is
    // a guest's, order 3 deleted. The list's times are each database's timestamp text; parsed, they are one instant.
    for (const side of [sqlite, postgresql]) {
      const rows = await side.prisma.customerAggregate.findMany({ where: { shop } });
      expect(
        rows.map((r) => ({ ...r, orders: parseOrderList(r.orders) })),
        side.database,
      ).toEqual([
        {
          shop,
          customerId: "gid://shopify/Customer/2",
          orderCount: 1,
          totalMinor: 8500n,
          firstOrderAt: at(0),
          lastOrderAt: at(0),
          orders: { times: new Float64Array([at(0).getTime()]), values: new Float64Array([8500]) },
        },
      ]);
    }
  });

  it("write nothing for a shop that never installed the app", async () => {
    const change: LedgerChange = { kind: "orders", orders: [order(50, 5, 100, 1)], refunds: [] };
    for (const side of [both().sqlite, both().postgresql]) {
      expect(
        await ingestOn(
          side,
          "stranger.myshopify.com",
          { webhookId: "x", eventId: "y", topic: "orders/create" },
          change,
        ),
      ).toBe("unknown-shop");
      expect(await snapshot(side, "stranger.myshopify.com")).toEqual({
        customers: [],
        orders: [],
        refunds: [],
        deliveries: [],
        jobs: [],
      });
    }
  });
});

describe("webhook ingest paths", () => {
  it.runIf(databaseKind === "sqlite")(
    "waits without blocking the event loop while another connection holds the write lock, then writes",
    async () => {
      await installShop("busy.myshopify.com");
      // Given another connection (another process, say) in the middle of a write transaction
      const holder = new Database(process.env.DATABASE_URL!.slice("file:".length));
      holder.prepare("BEGIN IMMEDIATE").run();
      // When a webhook's change arrives meanwhile
      const change: LedgerChange = { kind: "orders", orders: [order(77, 7, 100, 1)], refunds: [] };
      const ingest = direct().ingest(
        "busy.myshopify.com",
        { webhookId: "b1", eventId: "b1", topic: "orders/create" },
        change,
      );
      // Then the event loop stays free (a timer fires first), and once the lock is released the write lands
      const first = await Promise.race([
        new Promise((r) => setTimeout(() => r("timer"), 40)),
        ingest.then((o) => `ingested: ${o}`),
      ]);
      holder.prepare("COMMIT").run();
      holder.close();
      expect(first).toBe("timer");
      expect(await ingest).toBe("applied");
      expect(await prisma.order.count({ where: { shop: "busy.myshopify.com" } })).toBe(1);
    },
  );

  it("refuses a shop that never installed the app, writing nothing", async () => {
    const change: LedgerChange = { kind: "orders", orders: [order(50, 5, 100, 1)], refunds: [] };
    const ids = { webhookId: "x", eventId: "y", topic: "orders/create" };
    expect(await direct().ingest("stranger.myshopify.com", ids, change)).toBe("unknown-shop");
    expect(await prisma.order.count({ where: { shop: "stranger.myshopify.com" } })).toBe(0);
    expect(await prisma.webhookDelivery.count({ where: { shop: "stranger.myshopify.com" } })).toBe(0);
  });

  it("handles an event delivered many times at once exactly once: one write, one job, one delivery row", async () => {
    const shop = "racing.myshopify.com";
    await installShop(shop);
    // Given eight deliveries of one event (Shopify's retries and duplicates) arriving together
    const change: LedgerChange = { kind: "orders", orders: [order(60, 6, 4200, 1)], refunds: [] };
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        direct().ingest(shop, { webhookId: `race-${i}`, eventId: "race-event", topic: "orders/create" }, change),
      ),
    );
    // Then one applied it and the others saw it as a duplicate
    expect(outcomes.filter((o) => o === "applied")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "duplicate")).toHaveLength(7);
    expect(await prisma.webhookDelivery.count({ where: { shop } })).toBe(1);
    expect((await jobRows(shop)).map((j) => j.key)).toEqual(["customer-changed:gid://shopify/Customer/6"]);
    expect(
      (await prisma.order.findUniqueOrThrow({ where: { shop_id: { shop, id: "gid://shopify/Order/60" } } })).valueMinor,
    ).toBe(4200n);
  });

  it("writes nothing for a redacted shop and nothing twice for a late retry of a handled event", async () => {
    const shop = "erased.myshopify.com";
    await installShop(shop);
    await prisma.shop.update({ where: { shop }, data: { status: "redacted" } });
    const change: LedgerChange = { kind: "customers", customers: [customer(70, 1)] };
    expect(await direct().ingest(shop, { webhookId: "r1", eventId: "r1", topic: "customers/create" }, change)).toBe(
      "redacted",
    );
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
  const permutations = [
    [0, 1, 2],
    [0, 2, 1],
    [1, 0, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
  ];

  it.runIf(drivers !== "skipped").each(permutations)(
    "end on the cancelled, refunded version whatever the order (%s, %s, %s), on both drivers",
    async (...p) => {
      const shop = `same-second-${p.join("")}.myshopify.com`;
      for (const side of [both().sqlite, both().postgresql]) {
        await side.install(shop);
        for (const i of p)
          await ingestOn(
            side,
            shop,
            { webhookId: `w${i}`, eventId: `e${i}`, topic: "orders/updated" },
            { kind: "orders", orders: [orders[i]], refunds: [] },
          );
        const row = await side.prisma.order.findUniqueOrThrow({ where: { shop_id: { shop, id: placed.id } } });
        expect([side.database, row.currentTotalMinor, row.cancelledAt]).toEqual([side.database, 9000n, at(11)]);
      }
    },
  );

  it.each(permutations)(`and through the app's path on ${databaseKind} (%s, %s, %s)`, async (...p) => {
    const shop = `same-second-fast-${p.join("")}.myshopify.com`;
    await installShop(shop);
    for (const i of p)
      await direct().ingest(
        shop,
        { webhookId: `w${i}`, eventId: `e${i}`, topic: "orders/updated" },
        { kind: "orders", orders: [orders[i]], refunds: [] },
      );
    const row = await prisma.order.findUniqueOrThrow({ where: { shop_id: { shop, id: placed.id } } });
    expect([row.currentTotalMinor, row.cancelledAt]).toEqual([9000n, at(11)]);
  });
});

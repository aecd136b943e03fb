// The qualifying-order rule (docs/rules.md#ledger-qualifying) exists twice: as the one SQL text every read uses
// (QUALIFYING_ORDER and LIVE_CUSTOMER, app/models/ledger-rules.sql.ts) and as a predicate on one order
// (app/domain/qualifying.ts). On generated ledgers — guests, customers live, deleted or not held, tests, cancelled,
// deleted, values around 0, times around asOf to the millisecond — the two pick the same orders, here as the SQL text
// itself and as the reads that use it (scoring's scan, analytics' ledger), on this run's database.
import Database from "better-sqlite3";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { databaseKind, prisma } from "../../app/db.server";
import { qualifies, type LedgerOrderRow } from "../../app/domain/qualifying";
import { readOrderLedger } from "../../app/models/analytics.server";
import { LIVE_CUSTOMER, QUALIFYING_ORDER } from "../../app/models/ledger-rules.sql";
import { qualifying, scanLedger } from "../../app/models/qualifying-orders.server";
import { stamp } from "../../app/models/sql-dialect";

const AS_OF = new Date("2026-03-01T12:00:00.000Z");
const DAY = 86_400_000;
const CUSTOMERS = ["gid://shopify/Customer/1", "gid://shopify/Customer/2", "gid://shopify/Customer/3"];

const customerState = fc.constantFrom("live" as const, "deleted" as const, "not held" as const);
/** Mostly false, so that enough orders pass every other condition for each one to decide. */
const rarely = fc.oneof({ arbitrary: fc.constant(false), weight: 4 }, { arbitrary: fc.constant(true), weight: 1 });
const orderArb = fc.record({
  customer: fc.constantFrom(null, ...CUSTOMERS),
  test: rarely,
  cancelled: rarely,
  deleted: rarely,
  valueMinor: fc.oneof(fc.constantFrom(-100, 0, 1), fc.integer({ min: -5000, max: 50_000 })),
  // Around asOf to the millisecond, and far either side.
  offsetMs: fc.oneof(fc.constantFrom(-1, 0, 1), fc.integer({ min: -400 * DAY, max: 100 * DAY })),
});
const ledgerArb = fc.record({
  customers: fc.tuple(customerState, customerState, customerState),
  orders: fc.array(orderArb, { minLength: 1, maxLength: 12 }),
});

let shops = 0;

/** Writes one generated ledger for a new shop; returns the shop and its order rows as the domain sees them. */
async function write(ledger: typeof ledgerArb extends fc.Arbitrary<infer T> ? T : never) {
  const shop = `qualifying-${++shops}.myshopify.com`;
  const deleted = new Set<string>();
  for (const [i, state] of ledger.customers.entries()) {
    if (state === "not held") continue;
    if (state === "deleted") deleted.add(CUSTOMERS[i]);
    await prisma.customer.create({
      data: { shop, id: CUSTOMERS[i], email: `c${i}@example.com`, deletedAt: state === "deleted" ? AS_OF : null },
    });
  }
  const rows: (LedgerOrderRow & { id: string })[] = ledger.orders.map((o, i) => ({
    id: `gid://shopify/Order/${i + 1}`,
    customerId: o.customer,
    customerDeleted: o.customer !== null && deleted.has(o.customer),
    test: o.test,
    cancelledAt: o.cancelled ? new Date(AS_OF.getTime() - DAY) : null,
    deletedAt: o.deleted ? new Date(AS_OF.getTime() - DAY) : null,
    valueMinor: o.valueMinor,
    processedAt: new Date(AS_OF.getTime() + o.offsetMs),
  }));
  await prisma.order.createMany({
    data: rows.map((r) => ({
      shop,
      id: r.id,
      customerId: r.customerId,
      processedAt: r.processedAt,
      cancelledAt: r.cancelledAt,
      deletedAt: r.deletedAt,
      test: r.test,
      currencyCode: "USD",
      currentTotalMinor: BigInt(Math.max(r.valueMinor, 0)),
      valueMinor: BigInt(r.valueMinor),
    })),
  });
  return { shop, rows };
}

const sorted = (ids: Iterable<string>) => [...ids].sort();

describe("the qualifying-order rule", () => {
  it("picks the same orders as SQL (the text every read uses) and as the domain's predicate", async () => {
    const file = databaseKind === "sqlite" ? process.env.DATABASE_URL!.slice("file:".length) : null;
    const sqlite = file ? new Database(file, { readonly: true }) : null;
    const bySqlite = sqlite
      ?.prepare(`SELECT o."id" FROM "Order" o WHERE ${QUALIFYING_ORDER} AND ${LIVE_CUSTOMER}`)
      .pluck();
    let qualifyingSeen = 0;
    try {
      await fc.assert(
        fc.asyncProperty(ledgerArb, async (ledger) => {
          const { shop, rows } = await write(ledger);
          const expected = sorted(rows.filter((r) => qualifies(r, AS_OF)).map((r) => r.id));
          qualifyingSeen += expected.length;
          // The SQL text through Prisma (PostgreSQL's reads, and the reference on SQLite)
          const viaPrisma = await prisma.$queryRaw<
            { id: string }[]
          >`SELECT o."id" FROM "Order" o WHERE ${qualifying(shop, AS_OF)}`;
          expect(sorted(viaPrisma.map((r) => r.id))).toEqual(expected);
          // …as better-sqlite3 binds it (the prepared-statement reads on SQLite)
          if (bySqlite) expect(sorted(bySqlite.all({ shop, asOf: stamp(AS_OF) }) as string[])).toEqual(expected);
          // …and as the reads use it: scoring's scan (orders per customer) and analytics (orders before asOf + 1 ms)
          const perCustomer = new Map<string, number>();
          for (const r of rows)
            if (qualifies(r, AS_OF)) perCustomer.set(r.customerId!, (perCustomer.get(r.customerId!) ?? 0) + 1);
          const scan = await scanLedger(shop, { asOf: AS_OF.getTime(), windowStart: null, tierFrom: null });
          expect(new Map(scan.aggregates.map((a) => [a.customerId, a.frequency]))).toEqual(perCustomer);
          const analytics = await readOrderLedger(shop, AS_OF.getTime() + 1);
          expect(
            new Map(analytics.customerIds.map((id, i) => [id, analytics.offsets[i + 1] - analytics.offsets[i]])),
          ).toEqual(perCustomer);
        }),
        { numRuns: 60 },
      );
    } finally {
      sqlite?.close();
    }
    // The generated ledgers were not all empty of qualifying orders.
    expect(qualifyingSeen).toBeGreaterThan(20);
  });
});

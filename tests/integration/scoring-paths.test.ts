// The full recompute reads and writes through prepared statements on SQLite (scoring-sqlite.server.ts) and through
// Prisma everywhere else. Both paths run here on the same ledger and must give the same scan and write the same rows,
// so the two cannot drift apart silently (docs/decisions/0003-recompute-on-sqlite.md).
import { createRequire } from "node:module";
import { beforeAll, describe, expect, it } from "vitest";
import { databaseKind, prisma } from "../../app/db.server";
import { deleteCustomer, deleteOrder } from "../../app/models/ledger.server";
import { writeStatesWithPrisma } from "../../app/models/customer-state.server";
import { scanLedgerWithPrisma } from "../../app/models/qualifying-orders.server";
import { sqliteScoring } from "../../app/models/scoring-sqlite.server";
import type { LedgerScan } from "../../app/models/scoring-types";
import { changesBetween, tierHorizon } from "../../app/domain/recompute";
import { computeStates, loadComputeSettings, scoreShop } from "../../app/services/recompute.server";
import { DAY, loadGeneratedShop, type GeneratedShop } from "./recompute-fixtures";

const SHOP = "scoring-paths.myshopify.com";
const VIA_SQLITE = "scoring-paths-sqlite.myshopify.com";
const VIA_PRISMA = "scoring-paths-prisma.myshopify.com";
const END = "2025-06-01T00:00:00.000Z";
const AS_OF = new Date(END).getTime();
let generated: GeneratedShop;

beforeAll(async () => {
  generated = await loadGeneratedShop(SHOP, { preset: "demo", seed: 21, endDate: END, shopDomain: SHOP });
  // A deleted customer (their orders stop counting) and a deleted order.
  const buyer = generated.orders.find((o) => o.customer)!.customer!.id;
  await deleteCustomer(SHOP, buyer, new Date(END));
  await deleteOrder(
    SHOP,
    generated.orders.filter((o) => o.customer && o.customer.id !== buyer).at(-1)!.id,
    new Date(END),
  );
});

async function everything(scan: LedgerScan) {
  const ids = scan.aggregates.map((a) => a.customerId);
  const orders = await scan.tierOrders(ids);
  const sortedOrders = [...orders].map(
    ([id, list]) => [id, [...list].sort((a, b) => a.time - b.time || a.value - b.value)] as const,
  );
  return {
    aggregates: [...scan.aggregates].sort((a, b) => (a.customerId < b.customerId ? -1 : 1)),
    live: [...(await scan.liveCustomerIds())].sort(),
    orders: sortedOrders.sort((a, b) => (a[0] < b[0] ? -1 : 1)),
    tierFrom: scan.tierFrom,
  };
}

// The prepared-statement paths exist on SQLite only; on PostgreSQL the Prisma paths are the app's (and the suite runs them).
describe.skipIf(databaseKind !== "sqlite")("the ledger scan", () => {
  const ranges = [
    { name: "all history, tiers over two years", windowStart: null, tierFrom: AS_OF - 730 * DAY },
    { name: "a 365-day RFM window, tiers over all history", windowStart: AS_OF - 365 * DAY, tierFrom: null },
    { name: "a 90-day RFM window, tiers over 200 days", windowStart: AS_OF - 90 * DAY, tierFrom: AS_OF - 200 * DAY },
  ];
  for (const range of ranges) {
    it(`is the same through prepared statements and through Prisma: ${range.name}`, async () => {
      const sqlite = sqliteScoring();
      expect(sqlite).not.toBeNull();
      const input = { asOf: AS_OF, windowStart: range.windowStart, tierFrom: range.tierFrom };
      const fast = await everything(await sqlite!.scanLedger(SHOP, input));
      const reference = await everything(await scanLedgerWithPrisma(SHOP, input));
      expect(fast).toEqual(reference);
      // And the scan is not trivial: customers with and without orders in range, a deleted customer left out
      expect(reference.aggregates.length).toBeGreaterThan(20);
      expect(reference.orders.length).toBeGreaterThan(5);
      expect(reference.orders.length).toBeLessThanOrEqual(reference.aggregates.length);
      expect(reference.live.length).toBe(generated.customers.length - 1);
    });
  }
});

describe.skipIf(databaseKind !== "sqlite")("writing states", () => {
  it("leaves the same rows and history through prepared statements and through Prisma, across two runs", async () => {
    const settings = await loadComputeSettings(SHOP);
    for (const [day, reason] of [
      [0, "backfill"],
      [40, "daily"],
    ] as const) {
      const asOf = AS_OF + day * DAY;
      const scoring = await scoreShop(SHOP, asOf, settings.windowDays, [settings.program]);
      expect(tierHorizon(settings.program, asOf)).not.toBeNull();
      const before = new Map(
        (await prisma.customerState.findMany({ where: { shop: VIA_PRISMA } })).map((r) => [r.customerId, r]),
      );
      for await (const batch of computeStates(scoring, settings.program)) {
        const history = batch.flatMap((s) => changesBetween(before.get(s.customerId) ?? null, s));
        const moved = new Set(history.map((h) => h.customerId));
        // States whose segment and tier stay go through the narrower update on SQLite.
        const sameKeys = new Set(
          batch.filter((s) => before.has(s.customerId) && !moved.has(s.customerId)).map((s) => s.customerId),
        );
        await sqliteScoring()!.writeStates(
          VIA_SQLITE,
          batch,
          history,
          { computedAt: new Date(asOf), reason },
          sameKeys,
        );
        await writeStatesWithPrisma(VIA_PRISMA, batch, history, { computedAt: new Date(asOf), reason });
      }
    }
    const rows = async (shop: string) =>
      (await prisma.customerState.findMany({ where: { shop }, orderBy: { customerId: "asc" } })).map(
        ({ shop: _, ...row }) => row,
      );
    const history = async (shop: string) =>
      (await prisma.customerStateChange.findMany({ where: { shop }, orderBy: { id: "asc" } })).map(
        ({ shop: _, id: __, ...row }) => row,
      );
    const fast = await rows(VIA_SQLITE);
    expect(fast).toEqual(await rows(VIA_PRISMA));
    expect(await history(VIA_SQLITE)).toEqual(await history(VIA_PRISMA));
    // And the second run moved someone (so history and the narrow update both ran) and every row has its digest
    expect((await history(VIA_PRISMA)).filter((h) => h.reason === "daily").length).toBeGreaterThan(0);
    expect(fast.every((r) => r.digest !== null && r.computedAt.getTime() >= AS_OF)).toBe(true);
  });

  it("refuses history that does not belong to a state written with it, writing nothing", async () => {
    const write = sqliteScoring()!.writeStates(
      VIA_SQLITE,
      [],
      [{ customerId: "gid://shopify/Customer/1", kind: "tier", from: null, to: "gold" }],
      {
        computedAt: new Date(AS_OF),
        reason: "manual",
      },
    );
    await expect(write).rejects.toThrow(/belong to a state/);
    expect(await prisma.customerStateChange.count({ where: { shop: VIA_SQLITE, reason: "manual" } })).toBe(0);
  });
});

describe.skipIf(databaseKind !== "sqlite")("one SQLite library in the process", () => {
  it("is shared by Prisma's adapter and the prepared-statement paths", () => {
    // Two copies of SQLite in one process each keep their own POSIX locks on the same file; closing a connection in
    // one drops the other's locks, which corrupts the database (seen here before the versions were aligned).
    const app = createRequire(import.meta.url).resolve("better-sqlite3");
    const adapter = createRequire(createRequire(import.meta.url).resolve("@prisma/adapter-better-sqlite3")).resolve(
      "better-sqlite3",
    );
    expect(adapter).toBe(app);
  });
});

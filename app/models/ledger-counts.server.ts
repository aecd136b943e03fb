// How many orders and customers a shop's ledger holds, read in constant time (docs/ledger-counts.md). Database
// triggers on "Order" and "Customer" append every row's +1/-1 to LedgerCountDelta (migration 20261206013332); a read
// folds the shop's deltas into its LedgerCount row and answers that row. So the read costs the changes since the last
// read, not the ledger's size, and it is exact whatever wrote the rows (the ledger's two drivers, bulk imports, the
// shop file, erasure), duplicates included: an insert ignored or turned into an update fires no insert trigger.
import { Prisma } from "../generated/prisma/client";
import { databaseKind, prisma } from "../db.server";

export interface LedgerCounts {
  orders: number;
  customers: number;
}

/** The shop's order and customer counts, after folding in what changed since the last read. */
export async function ledgerCounts(shop: string): Promise<LedgerCounts> {
  if (databaseKind === "postgresql") {
    // One statement: exactly the deltas it deleted are the ones it adds (a concurrent writer's uncommitted delta is
    // neither deleted nor added; the next read takes it).
    const [row] = await prisma.$queryRaw<({ orders: number; customers: number } | undefined)[]>(Prisma.sql`
      WITH "moved" AS (DELETE FROM "LedgerCountDelta" WHERE "shop" = ${shop} RETURNING "orders", "customers")
      INSERT INTO "LedgerCount" ("shop", "orders", "customers")
      SELECT ${shop}, COALESCE(SUM("orders"), 0), COALESCE(SUM("customers"), 0) FROM "moved" HAVING COUNT(*) > 0
      ON CONFLICT ("shop") DO UPDATE SET "orders" = "LedgerCount"."orders" + excluded."orders",
        "customers" = "LedgerCount"."customers" + excluded."customers"
      RETURNING "orders", "customers"`);
    // Nothing to fold (no row written: a shop never seen keeps no row): the row as it is.
    const held = row ?? (await prisma.ledgerCount.findUnique({ where: { shop } }));
    return { orders: Number(held?.orders ?? 0), customers: Number(held?.customers ?? 0) };
  }
  // SQLite: one writer at a time. The first statement takes the write lock, so no delta is written between the sum
  // and the delete of the same transaction.
  const [, , row] = await prisma.$transaction([
    prisma.$executeRaw(Prisma.sql`
      INSERT INTO "LedgerCount" ("shop", "orders", "customers")
      SELECT ${shop}, COALESCE(SUM("orders"), 0), COALESCE(SUM("customers"), 0) FROM "LedgerCountDelta"
      WHERE "shop" = ${shop} HAVING COUNT(*) > 0
      ON CONFLICT ("shop") DO UPDATE SET "orders" = "LedgerCount"."orders" + excluded."orders",
        "customers" = "LedgerCount"."customers" + excluded."customers"`),
    prisma.$executeRaw(Prisma.sql`DELETE FROM "LedgerCountDelta" WHERE "shop" = ${shop}`),
    prisma.ledgerCount.findUnique({ where: { shop } }),
  ]);
  return { orders: row?.orders ?? 0, customers: row?.customers ?? 0 };
}

/** Erasing a shop: its counts go with it (the deltas its erasure wrote included). */
export async function eraseLedgerCounts(shop: string): Promise<void> {
  await prisma.$transaction([
    prisma.ledgerCountDelta.deleteMany({ where: { shop } }),
    prisma.ledgerCount.deleteMany({ where: { shop } }),
  ]);
}

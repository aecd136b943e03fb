// The backfill's bulk write path on SQLite: one synchronous transaction of prepared statements per batch, on a
// second better-sqlite3 connection to the same file. Prisma's raw queries cost ~4 µs per bound parameter (its query
// compiler runs on every statement), which capped backfill at ~13k orders/s; prepared statements cost a fraction of
// that. Same SQL semantics as ledger.server.ts (newest version wins, tombstones stay, late refunds subtract), same
// stored formats — a test writes one batch both ways and compares the rows. See docs/decisions/0002-*.md.
import Database from "better-sqlite3";
import type { LedgerCustomer, LedgerOrder, LedgerRefund } from "./ledger-types";

/** Prisma's SQLite adapter stores DateTime as this text; comparisons in SQL rely on one format. */
const stamp = (d: Date | null) => (d ? d.toISOString().replace("Z", "+00:00") : null);

export interface SqliteBulkBatch {
  customers: LedgerCustomer[];
  orders: LedgerOrder[];
  refunds: LedgerRefund[];
  throughLine: number;
}

export function createSqliteBulkWriter(file: string) {
  const db = new Database(file, { timeout: 10_000 });
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  const upsertCustomer = db.prepare(`
    INSERT INTO "Customer" ("shop","id","email","firstName","lastName","locale","sourceCreatedAt","sourceUpdatedAt")
    VALUES (?,?,?,?,?,?,?,?)
    ON CONFLICT ("shop","id") DO UPDATE SET "email" = excluded."email", "firstName" = excluded."firstName",
      "lastName" = excluded."lastName", "locale" = COALESCE(excluded."locale", "Customer"."locale"),
      "sourceCreatedAt" = COALESCE(excluded."sourceCreatedAt", "Customer"."sourceCreatedAt"),
      "sourceUpdatedAt" = excluded."sourceUpdatedAt"
    WHERE "Customer"."deletedAt" IS NULL
      AND ("Customer"."sourceUpdatedAt" IS NULL OR excluded."sourceUpdatedAt" > "Customer"."sourceUpdatedAt")`);
  const upsertOrder = db.prepare(`
    INSERT INTO "Order" ("shop","id","customerId","name","processedAt","cancelledAt","test","currencyCode",
      "currentTotalMinor","valueMinor","discountCodes","sourceUpdatedAt")
    VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
    ON CONFLICT ("shop","id") DO UPDATE SET "customerId" = excluded."customerId", "name" = excluded."name",
      "processedAt" = excluded."processedAt", "cancelledAt" = excluded."cancelledAt", "test" = excluded."test",
      "currencyCode" = excluded."currencyCode", "currentTotalMinor" = excluded."currentTotalMinor",
      "valueMinor" = excluded."valueMinor", "discountCodes" = excluded."discountCodes",
      "sourceUpdatedAt" = excluded."sourceUpdatedAt"
    WHERE "Order"."deletedAt" IS NULL
      AND ("Order"."sourceUpdatedAt" IS NULL OR excluded."sourceUpdatedAt" > "Order"."sourceUpdatedAt")`);
  const lateRefunds = `SELECT SUM(r."amountMinor") FROM "Refund" r
      WHERE r."shop" = "Order"."shop" AND r."orderId" = "Order"."id" AND r."amountMinor" IS NOT NULL
        AND r."currencyCode" = "Order"."currencyCode" AND r."createdAt" > "Order"."sourceUpdatedAt"`;
  const refreshOrder = db.prepare(`
    UPDATE "Order" SET "valueMinor" = "currentTotalMinor" - COALESCE((${lateRefunds}), 0)
    WHERE "shop" = ? AND "id" = ? AND "valueMinor" <> "currentTotalMinor" - COALESCE((${lateRefunds}), 0)`);
  const insertRefund = db.prepare(`
    INSERT INTO "Refund" ("shop","id","orderId","createdAt","amountMinor","currencyCode") VALUES (?,?,?,?,?,?)
    ON CONFLICT ("shop","id") DO NOTHING`);
  const progress = db.prepare(`
    UPDATE "BackfillRun" SET "linesCommitted" = ?, "customersRead" = "customersRead" + ?, "ordersRead" = "ordersRead" + ?,
      "updatedAt" = ? WHERE "shop" = ? AND "id" = ?`);

  const commit = db.transaction((shop: string, runId: string, batch: SqliteBulkBatch) => {
    for (const c of newest(batch.customers, (x) => x.id, (x) => x.sourceUpdatedAt)) {
      upsertCustomer.run(shop, c.id, c.email, c.firstName, c.lastName, c.locale, stamp(c.sourceCreatedAt), stamp(c.sourceUpdatedAt));
    }
    for (const o of newest(batch.orders, (x) => x.id, (x) => x.sourceUpdatedAt)) {
      const { changes } = upsertOrder.run(
        shop, o.id, o.customerId, o.name, stamp(o.processedAt), stamp(o.cancelledAt), o.test ? 1 : 0, o.currencyCode,
        o.currentTotalMinor, o.currentTotalMinor, JSON.stringify(o.discountCodes), stamp(o.sourceUpdatedAt),
      );
      if (changes) refreshOrder.run(shop, o.id);
    }
    // Refunds that come inside their order's version are already reflected in its current total.
    for (const r of batch.refunds) insertRefund.run(shop, r.id, r.orderId, stamp(r.createdAt), r.amountMinor, r.currencyCode);
    progress.run(batch.throughLine, batch.customers.length, batch.orders.length, stamp(new Date()), shop, runId);
  });

  return {
    commit: (shop: string, runId: string, batch: SqliteBulkBatch) => commit(shop, runId, batch),
    close: () => db.close(),
  };
}

function newest<T>(items: T[], key: (item: T) => string, version: (item: T) => Date | null): T[] {
  const held = new Map<string, T>();
  for (const item of items) {
    const current = held.get(key(item));
    if (!current || (version(item)?.getTime() ?? 0) > (version(current)?.getTime() ?? 0)) held.set(key(item), item);
  }
  return [...held.values()];
}

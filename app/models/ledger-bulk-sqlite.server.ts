// The ledger's write path on SQLite for the two hot paths — backfill batches and webhooks: one synchronous
// transaction of prepared statements each, on a second better-sqlite3 connection to the same file. Prisma's raw queries cost ~4 µs per bound parameter (its query
// compiler runs on every statement), which capped backfill at ~13k orders/s; prepared statements cost a fraction of
// that. Same SQL semantics as ledger.server.ts (newest version wins, tombstones stay, late refunds subtract), same
// stored formats — a test writes one batch both ways and compares the rows. See docs/decisions/0002-*.md.
import Database from "better-sqlite3";
import { randomUUID } from "node:crypto";
import { CUSTOMER_REFRESH, newestVersions, sameSecondConflict, type HeldCustomer, type LedgerChange, type LedgerCustomer, type LedgerOrder, type LedgerRefund } from "./ledger-types";
import { sqliteFile, stamp, whenFree } from "./sqlite-direct.server";
import { CUSTOMER_VERSION_WINS, LATE_REFUNDS, ORDER_VERSION_WINS } from "./ledger-rules.sql";

/** "redacted": the shop's data was erased (shop/redact); a late delivery is acknowledged and writes nothing. */
export type WebhookOutcome = "applied" | "duplicate" | "unknown-shop" | "redacted";

export interface SqliteBulkBatch {
  customers: LedgerCustomer[];
  orders: LedgerOrder[];
  refunds: LedgerRefund[];
  throughLine: number;
}

export function createSqliteBulkWriter(file: string) {
  // No busy wait: better-sqlite3 waits synchronously, on the event loop, which would also stop the Prisma
  // transaction holding the lock from ever finishing. A busy database is retried asynchronously instead (below).
  const db = new Database(file, { timeout: 0 });
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  const upsertCustomer = db.prepare(`
    INSERT INTO "Customer" ("shop","id","email","firstName","lastName","locale","sourceCreatedAt","sourceUpdatedAt")
    VALUES (?,?,?,?,?,?,?,?)
    ON CONFLICT ("shop","id") DO UPDATE SET "email" = excluded."email", "firstName" = excluded."firstName",
      "lastName" = excluded."lastName", "locale" = COALESCE(excluded."locale", "Customer"."locale"),
      "sourceCreatedAt" = COALESCE(excluded."sourceCreatedAt", "Customer"."sourceCreatedAt"),
      "sourceUpdatedAt" = excluded."sourceUpdatedAt"
    WHERE ${CUSTOMER_VERSION_WINS}`);
  const upsertOrder = db.prepare(`
    INSERT INTO "Order" ("shop","id","customerId","name","processedAt","cancelledAt","test","currencyCode",
      "currentTotalMinor","valueMinor","discountCodes","discountMinor","sourceUpdatedAt")
    VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)
    ON CONFLICT ("shop","id") DO UPDATE SET "customerId" = excluded."customerId", "name" = excluded."name",
      "processedAt" = excluded."processedAt", "cancelledAt" = excluded."cancelledAt", "test" = excluded."test",
      "currencyCode" = excluded."currencyCode", "currentTotalMinor" = excluded."currentTotalMinor",
      "valueMinor" = excluded."valueMinor", "discountCodes" = excluded."discountCodes",
      "discountMinor" = excluded."discountMinor", "sourceUpdatedAt" = excluded."sourceUpdatedAt"
    WHERE ${ORDER_VERSION_WINS}`);
  const lateRefunds = LATE_REFUNDS;
  const refreshOrder = db.prepare(`
    UPDATE "Order" SET "valueMinor" = "currentTotalMinor" - COALESCE((${lateRefunds}), 0)
    WHERE "shop" = ? AND "id" = ? AND "valueMinor" <> "currentTotalMinor" - COALESCE((${lateRefunds}), 0)`);
  const insertRefund = db.prepare(`
    INSERT INTO "Refund" ("shop","id","orderId","createdAt","amountMinor","currencyCode") VALUES (?,?,?,?,?,?)
    ON CONFLICT ("shop","id") DO NOTHING`);
  const progress = db.prepare(`
    UPDATE "BackfillRun" SET "linesCommitted" = ?, "customersRead" = "customersRead" + ?, "ordersRead" = "ordersRead" + ?,
      "updatedAt" = ? WHERE "shop" = ? AND "id" = ?`);

  // Webhooks: the shop and the delivery checked, the change written, the follow-up queued and the delivery recorded,
  // all in one transaction (the same rules as receive.server.ts + ledger.server.ts + the table queue).
  const shopStatus = db.prepare(`SELECT "status" FROM "Shop" WHERE "shop" = ?`).pluck();
  const delivered = db.prepare(`SELECT 1 FROM "WebhookDelivery" WHERE ("shop" = ? AND "webhookId" = ?) OR ("shop" = ? AND "eventId" = ? AND "topic" = ?) LIMIT 1`).pluck();
  const recordDelivery = db.prepare(`INSERT INTO "WebhookDelivery" ("shop","webhookId","eventId","topic","receivedAt") VALUES (?,?,?,?,?) ON CONFLICT DO NOTHING`);
  const heldCustomer = db.prepare(`SELECT "email","firstName","lastName","locale", "sourceUpdatedAt" = ? AS "sameSecond",
    "deletedAt" IS NOT NULL AS "deleted" FROM "Customer" WHERE "shop" = ? AND "id" = ?`);
  const orderOwner = db.prepare(`SELECT "customerId" FROM "Order" WHERE "shop" = ? AND "id" = ? AND "deletedAt" IS NULL`).pluck();
  const tombstoneOrder = db.prepare(`
    INSERT INTO "Order" ("shop","id","customerId","name","processedAt","cancelledAt","test","currencyCode","currentTotalMinor","valueMinor","discountCodes","sourceUpdatedAt","deletedAt")
    VALUES (?,?,NULL,NULL,?,NULL,0,'XXX',0,0,'[]',NULL,?)
    ON CONFLICT ("shop","id") DO UPDATE SET "customerId" = NULL, "name" = NULL, "processedAt" = excluded."processedAt",
      "cancelledAt" = NULL, "test" = 0, "currencyCode" = 'XXX', "currentTotalMinor" = 0, "valueMinor" = 0,
      "discountCodes" = '[]', "discountMinor" = 0, "sourceUpdatedAt" = NULL, "deletedAt" = excluded."deletedAt"
    WHERE "Order"."deletedAt" IS NULL`);
  const tombstoneCustomer = db.prepare(`
    INSERT INTO "Customer" ("shop","id","email","firstName","lastName","locale","sourceCreatedAt","sourceUpdatedAt","deletedAt")
    VALUES (?,?,NULL,NULL,NULL,NULL,NULL,NULL,?)
    ON CONFLICT ("shop","id") DO UPDATE SET "email" = NULL, "firstName" = NULL, "lastName" = NULL, "locale" = NULL,
      "sourceCreatedAt" = NULL, "sourceUpdatedAt" = NULL, "deletedAt" = excluded."deletedAt"
    WHERE "Customer"."deletedAt" IS NULL`);
  const enqueue = db.prepare(`
    INSERT INTO "Job" ("id","shop","kind","key","payload","state","runAt","attempts","maxAttempts","createdAt","updatedAt")
    SELECT ?, ?, ?, ?, ?, 'queued', ?, 0, 8, ?, ?
    WHERE NOT EXISTS (SELECT 1 FROM "Job" WHERE "shop" = ? AND "key" = ? AND "state" = 'queued')`);

  const heldOf = (shop: string, c: LedgerCustomer): HeldCustomer | undefined => {
    const row = heldCustomer.get(stamp(c.sourceUpdatedAt), shop, c.id) as (Omit<HeldCustomer, "sameSecond" | "deleted"> & { sameSecond: number; deleted: number }) | undefined;
    return row && { ...row, sameSecond: row.sameSecond === 1, deleted: row.deleted === 1 };
  };

  const ingest = db.transaction(
    (shop: string, delivery: { webhookId: string; eventId: string | null; topic: string }, change: LedgerChange, followUp: string): WebhookOutcome => {
      const status = shopStatus.get(shop) as string | undefined;
      if (status === undefined) return "unknown-shop";
      if (status === "redacted") return "redacted";
      if (delivered.get(shop, delivery.webhookId, shop, delivery.eventId, delivery.topic)) return "duplicate";
      const affected = new Set<string>();
      const inDoubt = new Set<string>();
      const now = stamp(new Date());
      const applyOrder = (o: LedgerOrder) => {
        const before = orderOwner.get(shop, o.id) as string | null | undefined;
        const { changes } = upsertOrder.run(
          shop, o.id, o.customerId, o.name, stamp(o.processedAt), stamp(o.cancelledAt), o.test ? 1 : 0, o.currencyCode,
          o.currentTotalMinor, o.currentTotalMinor, JSON.stringify(o.discountCodes), o.discountMinor, stamp(o.sourceUpdatedAt),
        );
        if (!changes) return;
        refreshOrder.run(shop, o.id);
        if (o.customerId) affected.add(o.customerId);
        if (before) affected.add(before);
      };
      const applyRefund = (r: LedgerRefund, reflected: boolean) => {
        if (!insertRefund.run(shop, r.id, r.orderId, stamp(r.createdAt), r.amountMinor, r.currencyCode).changes || reflected) return;
        refreshOrder.run(shop, r.orderId);
        const owner = orderOwner.get(shop, r.orderId) as string | null | undefined;
        if (owner) affected.add(owner);
      };
      switch (change.kind) {
        case "orders":
          for (const o of newestVersions(change.orders, (x) => x.id, (x) => x.sourceUpdatedAt)) applyOrder(o);
          // Refunds inside an order body are reflected in its current total, but one that arrived on its own
          // earlier is the same row: inserting is a no-op either way.
          for (const r of change.refunds) applyRefund(r, false);
          break;
        case "refunds":
          for (const r of change.refunds) applyRefund(r, false);
          break;
        case "customers":
          for (const c of newestVersions(change.customers, (x) => x.id, (x) => x.sourceUpdatedAt)) {
            const { changes } = upsertCustomer.run(shop, c.id, c.email, c.firstName, c.lastName, c.locale, stamp(c.sourceCreatedAt), stamp(c.sourceUpdatedAt));
            if (changes) affected.add(c.id);
            else if (sameSecondConflict(heldOf(shop, c), c)) inDoubt.add(c.id);
          }
          break;
        case "deleteOrder": {
          const owner = orderOwner.get(shop, change.orderId) as string | null | undefined;
          const { changes } = tombstoneOrder.run(shop, change.orderId, stamp(change.at), stamp(change.at));
          if (changes && owner) affected.add(owner);
          break;
        }
        case "deleteCustomer":
          if (tombstoneCustomer.run(shop, change.customerId, stamp(change.at)).changes) affected.add(change.customerId);
          break;
      }
      const queue = (kind: string, customerId: string) => {
        const key = `${kind}:${customerId}`;
        enqueue.run(randomUUID(), shop, kind, key, JSON.stringify({ customerId }), now, now, now, shop, key);
      };
      for (const customerId of affected) queue(followUp, customerId);
      for (const customerId of inDoubt) queue(CUSTOMER_REFRESH, customerId);
      recordDelivery.run(shop, delivery.webhookId, delivery.eventId, delivery.topic, now);
      return "applied";
    },
  );

  const commit = db.transaction((shop: string, runId: string, batch: SqliteBulkBatch) => {
    for (const c of newestVersions(batch.customers, (x) => x.id, (x) => x.sourceUpdatedAt)) {
      upsertCustomer.run(shop, c.id, c.email, c.firstName, c.lastName, c.locale, stamp(c.sourceCreatedAt), stamp(c.sourceUpdatedAt));
    }
    for (const o of newestVersions(batch.orders, (x) => x.id, (x) => x.sourceUpdatedAt)) {
      const { changes } = upsertOrder.run(
        shop, o.id, o.customerId, o.name, stamp(o.processedAt), stamp(o.cancelledAt), o.test ? 1 : 0, o.currencyCode,
        o.currentTotalMinor, o.currentTotalMinor, JSON.stringify(o.discountCodes), o.discountMinor, stamp(o.sourceUpdatedAt),
      );
      if (changes) refreshOrder.run(shop, o.id);
    }
    // Refunds that come inside their order's version are already reflected in its current total.
    for (const r of batch.refunds) insertRefund.run(shop, r.id, r.orderId, stamp(r.createdAt), r.amountMinor, r.currencyCode);
    progress.run(batch.throughLine, batch.customers.length, batch.orders.length, stamp(new Date()), shop, runId);
  });

  return {
    commit: (shop: string, runId: string, batch: SqliteBulkBatch) => whenFree(() => commit(shop, runId, batch)),
    ingest: (shop: string, delivery: { webhookId: string; eventId: string | null; topic: string }, change: LedgerChange, followUp: string) =>
      whenFree(() => ingest(shop, delivery, change, followUp)),
    close: () => db.close(),
  };
}


let shared: ReturnType<typeof createSqliteBulkWriter> | undefined;

/** The process's SQLite writer when the database is a SQLite file; null for other databases (Prisma path). */
export function sqliteLedger() {
  const file = sqliteFile();
  if (file === null) return null;
  shared ??= createSqliteBulkWriter(file);
  return shared;
}

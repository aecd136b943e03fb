// The webhook path's ledger write on PostgreSQL: one transaction of prepared statements on the process's pool — the
// delivery claimed, the change written, the follow-up jobs queued in pg-boss and all of it committed together or not
// at all (an unknown shop, a redacted one or a repeat commits nothing: nothing was written). Through Prisma the same steps cost ~12 ms of the web process's CPU per webhook (its query compiler runs on
// every statement), which capped one web process at ~80 webhooks/s (docs/RELIABILITY.md). Same rules and stored
// values as ledger.server.ts and the SQLite path (ledger-bulk-sqlite.server.ts); a test runs one stream through this
// path and through Prisma's steps and compares the rows, jobs and deliveries.
import type pg from "pg";
import { pgPool } from "../db.server";
import { getQueue } from "../jobs/runtime.server";
import type { PgBossQueue } from "../jobs/pgboss-queue.server";
import { CUSTOMER_REFRESH, newestVersions, sameSecondConflict, type HeldCustomer, type LedgerChange, type LedgerOrder, type LedgerRefund } from "./ledger-types";
import type { WebhookOutcome } from "./ledger-bulk-sqlite.server";
import type { DeliveryIds } from "./webhook-delivery.server";
import { inTransaction } from "./pg-transaction.server";
import { CUSTOMER_VERSION_WINS, LATE_REFUNDS, ORDER_VERSION_WINS } from "./ledger-rules.sql";

// TIMESTAMP(3) columns hold UTC (as Prisma writes them): an ISO text's zone is dropped on the way in, node-pg's Date
// serialisation would write the process's local time instead.
const ts = (d: Date | null) => (d ? d.toISOString() : null);

/** Statements by name: node-pg prepares each once per connection and then only binds. */
const SQL = {
  // The shop's status, and the delivery claimed when the shop is installed, in one round trip. A retry or a
  // duplicate of the event conflicts (a concurrent one waits for the first to commit or roll back), so each event is
  // handled by exactly one transaction.
  claimDelivery: `
    WITH held AS (SELECT "status" FROM "Shop" WHERE "shop" = $1::text),
    claimed AS (
      INSERT INTO "WebhookDelivery" ("shop","webhookId","eventId","topic","receivedAt")
      SELECT $1::text, $2::text, $3::text, $4::text, $5::timestamp(3) WHERE EXISTS (SELECT 1 FROM held WHERE "status" <> 'redacted')
      ON CONFLICT DO NOTHING RETURNING 1)
    SELECT (SELECT "status" FROM held) AS "status", EXISTS (SELECT 1 FROM claimed) AS "claimed"`,
  orderOwner: `SELECT "customerId" FROM "Order" WHERE "shop" = $1 AND "id" = $2 AND "deletedAt" IS NULL`,
  // The order's owner before the write (both owners are affected when it changes hands) and the write itself, in one
  // round trip: every part of one statement sees the rows as they were before it.
  upsertOrder: `
    WITH before AS (SELECT "customerId" FROM "Order" WHERE "shop" = $1 AND "id" = $2 AND "deletedAt" IS NULL),
    written AS (
      INSERT INTO "Order" ("shop","id","customerId","name","processedAt","cancelledAt","test","currencyCode",
        "currentTotalMinor","valueMinor","discountCodes","discountMinor","sourceUpdatedAt")
      VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$9,$10,$11,$12)
      ON CONFLICT ("shop","id") DO UPDATE SET "customerId" = excluded."customerId", "name" = excluded."name",
        "processedAt" = excluded."processedAt", "cancelledAt" = excluded."cancelledAt", "test" = excluded."test",
        "currencyCode" = excluded."currencyCode", "currentTotalMinor" = excluded."currentTotalMinor",
        "valueMinor" = excluded."valueMinor", "discountCodes" = excluded."discountCodes",
        "discountMinor" = excluded."discountMinor", "sourceUpdatedAt" = excluded."sourceUpdatedAt"
      WHERE ${ORDER_VERSION_WINS}
    RETURNING 1)
    SELECT (SELECT "customerId" FROM before) AS "before", EXISTS (SELECT 1 FROM written) AS "written"`,
  refreshOrder: `
    UPDATE "Order" SET "valueMinor" = "currentTotalMinor" - COALESCE((${LATE_REFUNDS}), 0)
    WHERE "shop" = $1 AND "id" = $2 AND "valueMinor" <> "currentTotalMinor" - COALESCE((${LATE_REFUNDS}), 0)`,
  insertRefund: `INSERT INTO "Refund" ("shop","id","orderId","createdAt","amountMinor","currencyCode") VALUES ($1,$2,$3,$4,$5,$6)
    ON CONFLICT ("shop","id") DO NOTHING RETURNING 1`,
  upsertCustomer: `
    INSERT INTO "Customer" ("shop","id","email","firstName","lastName","locale","sourceCreatedAt","sourceUpdatedAt")
    VALUES ($1,$2,$3,$4,$5,$6,$7,$8)
    ON CONFLICT ("shop","id") DO UPDATE SET "email" = excluded."email", "firstName" = excluded."firstName",
      "lastName" = excluded."lastName", "locale" = COALESCE(excluded."locale", "Customer"."locale"),
      "sourceCreatedAt" = COALESCE(excluded."sourceCreatedAt", "Customer"."sourceCreatedAt"),
      "sourceUpdatedAt" = excluded."sourceUpdatedAt"
    WHERE ${CUSTOMER_VERSION_WINS}
    RETURNING 1`,
  heldCustomer: `SELECT "email","firstName","lastName","locale", "sourceUpdatedAt" = $3 AS "sameSecond",
    "deletedAt" IS NOT NULL AS "deleted" FROM "Customer" WHERE "shop" = $1 AND "id" = $2`,
  tombstoneOrder: `
    INSERT INTO "Order" ("shop","id","customerId","name","processedAt","cancelledAt","test","currencyCode","currentTotalMinor","valueMinor","discountCodes","sourceUpdatedAt","deletedAt")
    VALUES ($1,$2,NULL,NULL,$3,NULL,false,'XXX',0,0,'[]',NULL,$3)
    ON CONFLICT ("shop","id") DO UPDATE SET "customerId" = NULL, "name" = NULL, "processedAt" = excluded."processedAt",
      "cancelledAt" = NULL, "test" = false, "currencyCode" = 'XXX', "currentTotalMinor" = 0, "valueMinor" = 0,
      "discountCodes" = '[]', "discountMinor" = 0, "sourceUpdatedAt" = NULL, "deletedAt" = excluded."deletedAt"
    WHERE "Order"."deletedAt" IS NULL
    RETURNING 1`,
  tombstoneCustomer: `
    INSERT INTO "Customer" ("shop","id","email","firstName","lastName","locale","sourceCreatedAt","sourceUpdatedAt","deletedAt")
    VALUES ($1,$2,NULL,NULL,NULL,NULL,NULL,NULL,$3)
    ON CONFLICT ("shop","id") DO UPDATE SET "email" = NULL, "firstName" = NULL, "lastName" = NULL, "locale" = NULL,
      "sourceCreatedAt" = NULL, "sourceUpdatedAt" = NULL, "deletedAt" = excluded."deletedAt"
    WHERE "Customer"."deletedAt" IS NULL
    RETURNING 1`,
} as const;

type Statement = keyof typeof SQL;

/** The newest version of each row, in id order: two transactions touching the same rows lock them in the same order. */
function newest<T>(items: T[], key: (item: T) => string, version: (item: T) => Date | null): T[] {
  return newestVersions(items, key, version).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

export function createPgLedger(pool: pg.Pool, queue: Pick<PgBossQueue, "enqueueIn">) {
  function ingest(shop: string, delivery: DeliveryIds, change: LedgerChange, followUp: string): Promise<WebhookOutcome> {
    return inTransaction(pool, async (client) => {
      const run = (name: Statement, values: unknown[]) => client.query({ name: `ledger-${name}`, text: SQL[name], values });
      const { status, claimed } = (await run("claimDelivery", [shop, delivery.webhookId, delivery.eventId, delivery.topic, ts(new Date())])).rows[0] as {
        status: string | null;
        claimed: boolean;
      };
      if (status === null) return "unknown-shop";
      if (status === "redacted") return "redacted";
      if (!claimed) return "duplicate";

      const affected = new Set<string>();
      const inDoubt = new Set<string>();
      const owner = async (orderId: string) => (await run("orderOwner", [shop, orderId])).rows[0]?.customerId as string | null | undefined;
      const applyOrder = async (o: LedgerOrder) => {
        const { before, written } = (await run("upsertOrder", [
          shop, o.id, o.customerId, o.name, ts(o.processedAt), ts(o.cancelledAt), o.test, o.currencyCode,
          o.currentTotalMinor, JSON.stringify(o.discountCodes), o.discountMinor, ts(o.sourceUpdatedAt),
        ])).rows[0] as { before: string | null; written: boolean };
        if (!written) return;
        await run("refreshOrder", [shop, o.id]);
        if (o.customerId) affected.add(o.customerId);
        if (before) affected.add(before);
      };
      const applyRefund = async (r: LedgerRefund) => {
        const inserted = await run("insertRefund", [shop, r.id, r.orderId, ts(r.createdAt), r.amountMinor, r.currencyCode]);
        if (!inserted.rowCount) return;
        await run("refreshOrder", [shop, r.orderId]);
        const held = await owner(r.orderId);
        if (held) affected.add(held);
      };
      switch (change.kind) {
        case "orders":
          for (const o of newest(change.orders, (x) => x.id, (x) => x.sourceUpdatedAt)) await applyOrder(o);
          // Refunds inside an order body are reflected in its current total; one that arrived earlier on its own is
          // the same row, so inserting is a no-op either way.
          for (const r of newest(change.refunds, (x) => x.id, (x) => x.createdAt)) await applyRefund(r);
          break;
        case "refunds":
          for (const r of newest(change.refunds, (x) => x.id, (x) => x.createdAt)) await applyRefund(r);
          break;
        case "customers":
          for (const c of newest(change.customers, (x) => x.id, (x) => x.sourceUpdatedAt)) {
            const written = await run("upsertCustomer", [shop, c.id, c.email, c.firstName, c.lastName, c.locale, ts(c.sourceCreatedAt), ts(c.sourceUpdatedAt)]);
            if (written.rowCount) affected.add(c.id);
            else if (sameSecondConflict((await run("heldCustomer", [shop, c.id, ts(c.sourceUpdatedAt)])).rows[0] as HeldCustomer | undefined, c)) inDoubt.add(c.id);
          }
          break;
        case "deleteOrder": {
          const held = await owner(change.orderId);
          const written = await run("tombstoneOrder", [shop, change.orderId, ts(change.at)]);
          if (written.rowCount && held) affected.add(held);
          break;
        }
        case "deleteCustomer":
          if ((await run("tombstoneCustomer", [shop, change.customerId, ts(change.at)])).rowCount) affected.add(change.customerId);
          break;
      }
      // In id order, like the rows: the per-key locks of two transactions are taken in one order.
      for (const customerId of [...affected].sort()) {
        await queue.enqueueIn(client, shop, followUp, { customerId }, { key: `${followUp}:${customerId}` });
      }
      for (const customerId of [...inDoubt].sort()) {
        await queue.enqueueIn(client, shop, CUSTOMER_REFRESH, { customerId }, { key: `${CUSTOMER_REFRESH}:${customerId}` });
      }
      return "applied";
    });
  }
  return { ingest };
}

let shared: ReturnType<typeof createPgLedger> | undefined;

/** The process's PostgreSQL webhook writer when the database is PostgreSQL; null otherwise. */
export function pgLedger() {
  const pool = pgPool();
  if (!pool) return null;
  shared ??= createPgLedger(pool, getQueue() as PgBossQueue);
  return shared;
}

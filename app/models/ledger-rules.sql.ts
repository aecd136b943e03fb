// The ledger's version rules as SQL, shared word for word by its three write paths (Prisma's steps in
// ledger.server.ts, SQLite's prepared statements in ledger-bulk-sqlite.server.ts, PostgreSQL's in
// ledger-pg.server.ts), inside `INSERT … ON CONFLICT ("shop","id") DO UPDATE … WHERE <rule>` on the row held.

/** An order version replaces the held one when it is newer and the order is not deleted (a tombstone stays). */
export const ORDER_VERSION_WINS = `"Order"."deletedAt" IS NULL
  AND ("Order"."sourceUpdatedAt" IS NULL OR excluded."sourceUpdatedAt" > "Order"."sourceUpdatedAt"
    -- Shopify's updated_at has whole seconds: two versions of one second are ordered by what can only come later
    -- (cancelled after open, a lower total after a refund), so any delivery order ends on the same row.
    OR (excluded."sourceUpdatedAt" = "Order"."sourceUpdatedAt" AND (
        (excluded."cancelledAt" IS NOT NULL AND "Order"."cancelledAt" IS NULL)
        OR ((excluded."cancelledAt" IS NULL) = ("Order"."cancelledAt" IS NULL) AND excluded."currentTotalMinor" < "Order"."currentTotalMinor"))))`;

/**
 * A customer version replaces the held one when it is newer and the customer is not deleted. Two versions of one
 * second that differ cannot be ordered from the payloads: the customer is re-read from Shopify (ledger-types.ts
 * sameSecondConflict, the customer-refresh job).
 */
export const CUSTOMER_VERSION_WINS = `"Customer"."deletedAt" IS NULL
  AND ("Customer"."sourceUpdatedAt" IS NULL OR excluded."sourceUpdatedAt" > "Customer"."sourceUpdatedAt")`;

/**
 * Late refunds of the "Order" row being updated: those Shopify created after the order version held (they arrived
 * before the update reflecting them), in the order's currency. An order's value is its current total less these.
 */
export const LATE_REFUNDS = `SELECT SUM(r."amountMinor") FROM "Refund" r
  WHERE r."shop" = "Order"."shop" AND r."orderId" = "Order"."id" AND r."amountMinor" IS NOT NULL
    AND r."currencyCode" = "Order"."currencyCode" AND r."createdAt" > "Order"."sourceUpdatedAt"`;

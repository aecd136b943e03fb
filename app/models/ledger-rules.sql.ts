// The ledger's SQL, each statement written once (docs/rules.md#ledger): the version rules, every statement of its hot
// writes, and the qualifying-order rule every read uses. One text for SQLite and PostgreSQL; the differences between
// the two (placeholders, value formats, one round trip for a read and a write) are sql-dialect.ts's. The algorithm
// that runs these statements is ledger-write.ts, on a driver per database (ledger-driver-sqlite.server.ts,
// ledger-driver-pg.server.ts).
import { statement } from "./sql-dialect";

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

// --- The statements of the hot writes (webhooks, backfill batches, reconciliation) --------------------------------

/** $1 shop. */
export const SHOP_STATUS = statement("shopStatus", `SELECT "status" FROM "Shop" WHERE "shop" = $1`);

/**
 * $1 shop, $2 webhook id, $3 event id, $4 topic, $5 received at. Claims a delivery of an installed shop: a retry (same
 * webhook id) or a duplicate of the event (same event id and topic) conflicts and changes nothing; on PostgreSQL a
 * concurrent one waits for the first to commit or roll back, so each event is handled by exactly one transaction.
 */
export const CLAIM_DELIVERY = statement(
  "claimDelivery",
  `INSERT INTO "WebhookDelivery" ("shop","webhookId","eventId","topic","receivedAt")
  SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM "Shop" WHERE "shop" = $1 AND "status" <> 'redacted')
  ON CONFLICT DO NOTHING`,
);

/** $1 shop, $2 order id: the customer a live order belongs to (both owners are affected when it changes hands). */
export const ORDER_OWNER = statement(
  "orderOwner",
  `SELECT "customerId" FROM "Order" WHERE "shop" = $1 AND "id" = $2 AND "deletedAt" IS NULL`,
);

/**
 * $1 shop, $2 id, $3 customer, $4 name, $5 processed at, $6 cancelled at, $7 test, $8 currency, $9 current total
 * (also the value until late refunds are taken off), $10 discount codes (JSON), $11 discount, $12 updated at.
 */
export const UPSERT_ORDER = statement(
  "upsertOrder",
  `INSERT INTO "Order" ("shop","id","customerId","name","processedAt","cancelledAt","test","currencyCode",
    "currentTotalMinor","valueMinor","discountCodes","discountMinor","sourceUpdatedAt")
  VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$9,$10,$11,$12)
  ON CONFLICT ("shop","id") DO UPDATE SET "customerId" = excluded."customerId", "name" = excluded."name",
    "processedAt" = excluded."processedAt", "cancelledAt" = excluded."cancelledAt", "test" = excluded."test",
    "currencyCode" = excluded."currencyCode", "currentTotalMinor" = excluded."currentTotalMinor",
    "valueMinor" = excluded."valueMinor", "discountCodes" = excluded."discountCodes",
    "discountMinor" = excluded."discountMinor", "sourceUpdatedAt" = excluded."sourceUpdatedAt"
  WHERE ${ORDER_VERSION_WINS}`,
);

/** $1 shop, $2 order id: its value is its current total less its late refunds (rewritten only when that differs). */
export const REFRESH_ORDER_VALUE = statement(
  "refreshOrderValue",
  `UPDATE "Order" SET "valueMinor" = "currentTotalMinor" - COALESCE((${LATE_REFUNDS}), 0)
  WHERE "shop" = $1 AND "id" = $2 AND "valueMinor" <> "currentTotalMinor" - COALESCE((${LATE_REFUNDS}), 0)`,
);

/** $1 shop, $2 id, $3 order id, $4 created at, $5 amount, $6 currency. A refund is stored once, by id. */
export const INSERT_REFUND = statement(
  "insertRefund",
  `INSERT INTO "Refund" ("shop","id","orderId","createdAt","amountMinor","currencyCode") VALUES ($1,$2,$3,$4,$5,$6)
  ON CONFLICT ("shop","id") DO NOTHING`,
);

/**
 * $1 shop, $2 id, $3 email, $4 first name, $5 last name, $6 locale, $7 created at, $8 updated at. A version without
 * locale (or created at) keeps the held one.
 */
export const UPSERT_CUSTOMER = statement(
  "upsertCustomer",
  `INSERT INTO "Customer" ("shop","id","email","firstName","lastName","locale","sourceCreatedAt","sourceUpdatedAt")
  VALUES ($1,$2,$3,$4,$5,$6,$7,$8)
  ON CONFLICT ("shop","id") DO UPDATE SET "email" = excluded."email", "firstName" = excluded."firstName",
    "lastName" = excluded."lastName", "locale" = COALESCE(excluded."locale", "Customer"."locale"),
    "sourceCreatedAt" = COALESCE(excluded."sourceCreatedAt", "Customer"."sourceCreatedAt"),
    "sourceUpdatedAt" = excluded."sourceUpdatedAt"
  WHERE ${CUSTOMER_VERSION_WINS}`,
);

/** $1 shop, $2 id, $3 the incoming version's updated at: the row held, next to a version that did not replace it. */
export const HELD_CUSTOMER = statement(
  "heldCustomer",
  `SELECT "email","firstName","lastName","locale", "sourceUpdatedAt" = $3 AS "sameSecond", "deletedAt" IS NOT NULL AS "deleted"
  FROM "Customer" WHERE "shop" = $1 AND "id" = $2`,
);

/** $1 shop, $2 order id, $3 deleted at: every field blanked and deletedAt set, so no later version brings it back. */
export const TOMBSTONE_ORDER = statement(
  "tombstoneOrder",
  `INSERT INTO "Order" ("shop","id","customerId","name","processedAt","cancelledAt","test","currencyCode","currentTotalMinor","valueMinor","discountCodes","sourceUpdatedAt","deletedAt")
  VALUES ($1,$2,NULL,NULL,$3,NULL,false,'XXX',0,0,'[]',NULL,$3)
  ON CONFLICT ("shop","id") DO UPDATE SET "customerId" = NULL, "name" = NULL, "processedAt" = excluded."processedAt",
    "cancelledAt" = NULL, "test" = false, "currencyCode" = 'XXX', "currentTotalMinor" = 0, "valueMinor" = 0,
    "discountCodes" = '[]', "discountMinor" = 0, "sourceUpdatedAt" = NULL, "deletedAt" = excluded."deletedAt"
  WHERE "Order"."deletedAt" IS NULL`,
);

/** $1 shop, $2 customer id, $3 deleted at: the same for a customer. */
export const TOMBSTONE_CUSTOMER = statement(
  "tombstoneCustomer",
  `INSERT INTO "Customer" ("shop","id","email","firstName","lastName","locale","sourceCreatedAt","sourceUpdatedAt","deletedAt")
  VALUES ($1,$2,NULL,NULL,NULL,NULL,NULL,NULL,$3)
  ON CONFLICT ("shop","id") DO UPDATE SET "email" = NULL, "firstName" = NULL, "lastName" = NULL, "locale" = NULL,
    "sourceCreatedAt" = NULL, "sourceUpdatedAt" = NULL, "deletedAt" = excluded."deletedAt"
  WHERE "Customer"."deletedAt" IS NULL`,
);

// --- Line items, refunded lines and products (docs/rules.md#line-items-and-products) -----------------------------

/** $1 shop, $2 order id: the lines held for an order, dropped before a winning version writes its own (or a tombstone). */
export const DELETE_ORDER_LINES = statement(
  "deleteOrderLines",
  `DELETE FROM "OrderLine" WHERE "shop" = $1 AND "orderId" = $2`,
);

/**
 * $1 shop, $2 id, $3 order id, $4 product, $5 variant, $6 title, $7 variant title, $8 vendor, $9 sku, $10 quantity,
 * $11 amount, $12 gift card: a line of the order version that just won (its order's lines were dropped first).
 */
export const UPSERT_ORDER_LINE = statement(
  "upsertOrderLine",
  `INSERT INTO "OrderLine" ("shop","id","orderId","productId","variantId","title","variantTitle","vendor","sku","quantity","amountMinor","giftCard")
  VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)
  ON CONFLICT ("shop","id") DO UPDATE SET "orderId" = excluded."orderId", "productId" = excluded."productId",
    "variantId" = excluded."variantId", "title" = excluded."title", "variantTitle" = excluded."variantTitle",
    "vendor" = excluded."vendor", "sku" = excluded."sku", "quantity" = excluded."quantity",
    "amountMinor" = excluded."amountMinor", "giftCard" = excluded."giftCard"`,
);

/**
 * The same values and $13 the version's updated at: a line of a version that did not win but is the very version held
 * (a ledger filled before line items were kept, read again by a backfill or a shop file). Written only when the held
 * order is that version, so it never mixes two versions' lines; a held line of it only gains the product it was read
 * without (a backfill before read_products was granted).
 */
export const FILL_ORDER_LINE = statement(
  "fillOrderLine",
  `INSERT INTO "OrderLine" ("shop","id","orderId","productId","variantId","title","variantTitle","vendor","sku","quantity","amountMinor","giftCard")
  SELECT $1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12
  WHERE EXISTS (SELECT 1 FROM "Order" o WHERE o."shop" = $1 AND o."id" = $3 AND o."deletedAt" IS NULL
    AND o."sourceUpdatedAt" = $13)
  ON CONFLICT ("shop","id") DO UPDATE SET "productId" = excluded."productId", "variantId" = excluded."variantId"
  WHERE "OrderLine"."productId" IS NULL AND excluded."productId" IS NOT NULL`,
);

/**
 * $1 shop, $2 id, $3 refund id, $4 order id, $5 line id, $6 quantity, $7 amount: a refunded line, stored once by id
 * like its refund, before or after its order arrives; never for an order the ledger holds as deleted.
 */
export const INSERT_REFUND_LINE = statement(
  "insertRefundLine",
  `INSERT INTO "RefundLine" ("shop","id","refundId","orderId","lineId","quantity","amountMinor")
  SELECT $1,$2,$3,$4,$5,$6,$7
  WHERE NOT EXISTS (SELECT 1 FROM "Order" o WHERE o."shop" = $1 AND o."id" = $4 AND o."deletedAt" IS NOT NULL)
  ON CONFLICT ("shop","id") DO NOTHING`,
);

/** $1 shop, $2 order id: a deleted order's refunded lines go with its lines. */
export const DELETE_REFUND_LINES = statement(
  "deleteRefundLines",
  `DELETE FROM "RefundLine" WHERE "shop" = $1 AND "orderId" = $2`,
);

/**
 * $1 shop, $2 id, $3 title, $4 handle, $5 product type, $6 vendor, $7 status, $8 updated at: the newest version of a
 * product wins, and a deleted product stays deleted (its title stays for the lines that name it). A version of the held
 * second does not win: when it differs the product is re-read (HELD_PRODUCT, REFRESH_PRODUCT).
 */
export const UPSERT_PRODUCT = statement(
  "upsertProduct",
  `INSERT INTO "Product" ("shop","id","title","handle","productType","vendor","status","sourceUpdatedAt")
  VALUES ($1,$2,$3,$4,$5,$6,$7,$8)
  ON CONFLICT ("shop","id") DO UPDATE SET "title" = excluded."title", "handle" = excluded."handle",
    "productType" = excluded."productType", "vendor" = excluded."vendor", "status" = excluded."status",
    "sourceUpdatedAt" = excluded."sourceUpdatedAt"
  WHERE "Product"."deletedAt" IS NULL
    AND ("Product"."sourceUpdatedAt" IS NULL OR excluded."sourceUpdatedAt" > "Product"."sourceUpdatedAt")`,
);

/**
 * $1 shop, $2 id, $3 the incoming version's updated at: the product held, next to a version that did not replace it.
 * Two versions of one second that differ are settled by a re-read (ledger-types.ts productSameSecondConflict, the
 * product-refresh job).
 */
export const HELD_PRODUCT = statement(
  "heldProduct",
  `SELECT "title","handle","productType","vendor","status", "sourceUpdatedAt" = $3 AS "sameSecond", "deletedAt" IS NOT NULL AS "deleted"
  FROM "Product" WHERE "shop" = $1 AND "id" = $2`,
);

/**
 * $1 shop, $2 id, $3 title, $4 handle, $5 product type, $6 vendor, $7 status, $8 updated at: a product as just read from
 * Shopify (product-refresh). It replaces the held version when it is as new or newer — a read at Shopify settles a tie
 * between two versions of one second — and differs from it; a deleted product stays deleted.
 */
export const REFRESH_PRODUCT = statement(
  "refreshProduct",
  `INSERT INTO "Product" ("shop","id","title","handle","productType","vendor","status","sourceUpdatedAt")
  VALUES ($1,$2,$3,$4,$5,$6,$7,$8)
  ON CONFLICT ("shop","id") DO UPDATE SET "title" = excluded."title", "handle" = excluded."handle",
    "productType" = excluded."productType", "vendor" = excluded."vendor", "status" = excluded."status",
    "sourceUpdatedAt" = excluded."sourceUpdatedAt"
  WHERE "Product"."deletedAt" IS NULL
    AND ("Product"."sourceUpdatedAt" IS NULL OR excluded."sourceUpdatedAt" >= "Product"."sourceUpdatedAt")
    AND NOT ("Product"."title" IS NOT DISTINCT FROM excluded."title"
      AND "Product"."handle" IS NOT DISTINCT FROM excluded."handle"
      AND "Product"."productType" IS NOT DISTINCT FROM excluded."productType"
      AND "Product"."vendor" IS NOT DISTINCT FROM excluded."vendor"
      AND "Product"."status" IS NOT DISTINCT FROM excluded."status"
      AND "Product"."sourceUpdatedAt" IS NOT DISTINCT FROM excluded."sourceUpdatedAt")`,
);

/** $1 shop, $2 product id, $3 deleted at: marked deleted once (a later version never brings it back). */
export const TOMBSTONE_PRODUCT = statement(
  "tombstoneProduct",
  `INSERT INTO "Product" ("shop","id","deletedAt") VALUES ($1,$2,$3)
  ON CONFLICT ("shop","id") DO UPDATE SET "deletedAt" = excluded."deletedAt" WHERE "Product"."deletedAt" IS NULL`,
);

/** $1 shop, $2 product id: the product's status as held (read before its upsert: did it go on or off sale?). */
export const PRODUCT_STATUS = statement(
  "productStatus",
  `SELECT "status" FROM "Product" WHERE "shop" = $1 AND "id" = $2 AND "deletedAt" IS NULL`,
);

/**
 * $1 shop, $2 the product's gid as it is quoted in a JSON array ("gid://shopify/Product/1", quotes included, inside
 * %…%): a row when some customer of the shop has the product in their stored recommendations (docs/recommendations.md).
 * A product gid holds no LIKE wildcard (its id is digits).
 */
export const PRODUCT_RECOMMENDED = statement(
  "productRecommended",
  `SELECT 1 AS "found" FROM "CustomerRecommendation" WHERE "shop" = $1 AND "products" LIKE $2 LIMIT 1`,
);

/** $1 shop, $2 run id, $3 last line committed, $4 customers read, $5 orders read, $6 now: a backfill's resume point. */
export const BACKFILL_PROGRESS = statement(
  "backfillProgress",
  `UPDATE "BackfillRun" SET "linesCommitted" = $3, "customersRead" = "customersRead" + $4, "ordersRead" = "ordersRead" + $5,
    "updatedAt" = $6 WHERE "shop" = $1 AND "id" = $2`,
);

// --- The qualifying-order rule (docs/rules.md#ledger-qualifying), for every read ----------------------------------

/**
 * A qualifying order, in the columns of the Order aliased `o`, as of `@asOf`, for `@shop` (named parameters: bound
 * from an object by better-sqlite3, by prismaSql for Prisma): it has a customer, is not a test, not cancelled, not
 * deleted, is worth more than 0 now and its time is at or before asOf. Together with LIVE_CUSTOMER (its customer is
 * not deleted) it is the rule; app/domain/qualifying.ts is the same rule on one order, tested equal.
 *
 * The time goes through COALESCE(t, t) (valid in SQLite and PostgreSQL alike) on purpose: these reads go customer by
 * customer, and SQLite, without statistics, otherwise walks the (shop, processedAt) index for any time bound and
 * visits every order in the range once per batch (a full run of 1M orders took 150 s that way).
 */
export const QUALIFYING_ORDER = `o."shop" = @shop AND o."customerId" IS NOT NULL AND o."deletedAt" IS NULL AND o."test" = false
  AND o."cancelledAt" IS NULL AND o."valueMinor" > 0 AND COALESCE(o."processedAt", o."processedAt") <= @asOf`;

/**
 * The rest of the rule: the order's customer is not deleted (tombstoned). An order whose customer the ledger has not
 * seen yet still counts: the customer exists in Shopify. Tombstoned customers are few, so NOT IN over them is cheaper
 * than joining every order; a read grouped by customer may check it once per group (HAVING).
 */
export const LIVE_CUSTOMER = `o."customerId" NOT IN (SELECT c."id" FROM "Customer" c WHERE c."shop" = @shop AND c."deletedAt" IS NOT NULL)`;

// --- Maintained per-customer aggregates (docs/decisions/0009-recompute-from-maintained-aggregates.md) ---------------

/** Far enough ahead that every order counts: the aggregates hold every qualifying order, whatever the asOf. */
export const EVERY_ORDER_UNTIL = new Date("9999-12-31T23:59:59.999Z");

/**
 * A customer's aggregate from their own qualifying orders (the rule above, asOf bound to EVERY_ORDER_UNTIL): count,
 * sum, first and last time, and "time value,…" in time order — the times as the database writes a timestamp as text
 * (domain/customer-aggregate.ts parses both). Named parameters @shop, @asOf; `only` narrows to one customer.
 */
export function aggregateSelect(only: string): string {
  return `SELECT o."shop", o."customerId", COUNT(*), SUM(o."valueMinor"), MIN(o."processedAt"), MAX(o."processedAt"),
    string_agg(CAST(o."processedAt" AS TEXT) || ' ' || CAST(o."valueMinor" AS TEXT), ',' ORDER BY o."processedAt", o."id")
  FROM "Order" o WHERE ${QUALIFYING_ORDER} AND ${LIVE_CUSTOMER} ${only}
  GROUP BY o."shop", o."customerId"`;
}

const AGGREGATE_COLUMNS = `"shop","customerId","orderCount","totalMinor","firstOrderAt","lastOrderAt","orders"`;
const AGGREGATE_UPDATE = `"orderCount" = excluded."orderCount", "totalMinor" = excluded."totalMinor",
    "firstOrderAt" = excluded."firstOrderAt", "lastOrderAt" = excluded."lastOrderAt", "orders" = excluded."orders"`;

/**
 * $1 shop, $2 customer id, $3 EVERY_ORDER_UNTIL: takes the customer's aggregate row for this transaction (an empty
 * one, orderCount 0, until AGGREGATE_REFRESH fills it; AGGREGATE_DROP_EMPTY removes it when nothing did), so two transactions refreshing one customer run one after the other and the second
 * reads the first's orders (PostgreSQL, read committed: each statement sees what committed before it).
 */
export const AGGREGATE_LOCK = statement(
  "aggregateLock",
  `INSERT INTO "CustomerAggregate" (${AGGREGATE_COLUMNS}) VALUES ($1, $2, 0, 0, $3, $3, '')
  ON CONFLICT ("shop","customerId") DO UPDATE SET "orderCount" = 0`,
);

/** $1 shop, $2 customer id, $3 EVERY_ORDER_UNTIL: the customer's aggregate recomputed from their qualifying orders. */
export const AGGREGATE_REFRESH = statement(
  "aggregateRefresh",
  `INSERT INTO "CustomerAggregate" (${AGGREGATE_COLUMNS})
  ${aggregateSelect(`AND o."customerId" = $2`).replaceAll("@shop", "$1").replaceAll("@asOf", "$3")}
  ON CONFLICT ("shop","customerId") DO UPDATE SET ${AGGREGATE_UPDATE}`,
);

/** $1 shop, $2 customer id: no qualifying order left (or the customer was deleted): no aggregate row. */
export const AGGREGATE_DROP_EMPTY = statement(
  "aggregateDropEmpty",
  `DELETE FROM "CustomerAggregate" WHERE "shop" = $1 AND "customerId" = $2 AND "orderCount" = 0`,
);

/** $1 shop: a bulk write (backfill batch) went around the per-customer refresh; the shop's aggregates are rebuilt. */
export const AGGREGATES_STALE = statement(
  "aggregatesStale",
  `INSERT INTO "CustomerAggregateBuild" ("shop","stale") VALUES ($1, 1)
  ON CONFLICT ("shop") DO UPDATE SET "stale" = "CustomerAggregateBuild"."stale" + 1`,
);

/**
 * The whole shop's aggregates in one pass (named @shop, @asOf = EVERY_ORDER_UNTIL): after bulk writes, in the
 * transaction that first deleted them. A row already there can only be a per-customer refresh that ran meanwhile
 * (PostgreSQL): it read the ledger after this statement's snapshot, so it is kept.
 */
export const AGGREGATES_REBUILD = `INSERT INTO "CustomerAggregate" (${AGGREGATE_COLUMNS}) ${aggregateSelect("")}
  ON CONFLICT ("shop","customerId") DO NOTHING`;

-- CreateTable
CREATE TABLE "LedgerCount" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "orders" INTEGER NOT NULL DEFAULT 0,
    "customers" INTEGER NOT NULL DEFAULT 0
);

-- CreateTable
CREATE TABLE "LedgerCountDelta" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "orders" INTEGER NOT NULL,
    "customers" INTEGER NOT NULL
);

-- CreateIndex
CREATE INDEX "LedgerCountDelta_shop_idx" ON "LedgerCountDelta"("shop");


-- The counts as they are (one row per shop with orders or customers), then kept by triggers: each row written into or
-- removed from "Order" or "Customer" — by any path — appends its +1/-1 to "LedgerCountDelta"; the dashboard's read
-- folds them into "LedgerCount" (app/models/ledger-counts.server.ts, docs/ledger-counts.md). An INSERT that is ignored
-- or turned into an UPDATE by ON CONFLICT fires no AFTER INSERT trigger, so a duplicate delivery counts nothing.
-- A later migration that redefines "Order" or "Customer" on SQLite (a new table copied and renamed) drops these
-- triggers and must make them again; tests/integration/ledger-counts.test.ts fails without them.
INSERT INTO "LedgerCount" ("shop", "orders", "customers")
SELECT "shop", SUM("orders"), SUM("customers") FROM (
    SELECT "shop", COUNT(*) AS "orders", 0 AS "customers" FROM "Order" GROUP BY "shop"
    UNION ALL
    SELECT "shop", 0 AS "orders", COUNT(*) AS "customers" FROM "Customer" GROUP BY "shop"
) AS "counted" GROUP BY "shop";

CREATE TRIGGER "Order_ledger_count_insert" AFTER INSERT ON "Order"
BEGIN
    INSERT INTO "LedgerCountDelta" ("shop", "orders", "customers") VALUES (NEW."shop", 1, 0);
END;

CREATE TRIGGER "Order_ledger_count_delete" AFTER DELETE ON "Order"
BEGIN
    INSERT INTO "LedgerCountDelta" ("shop", "orders", "customers") VALUES (OLD."shop", -1, 0);
END;

CREATE TRIGGER "Order_ledger_count_move" AFTER UPDATE OF "shop" ON "Order" WHEN OLD."shop" IS NOT NEW."shop"
BEGIN
    INSERT INTO "LedgerCountDelta" ("shop", "orders", "customers") VALUES (OLD."shop", -1, 0), (NEW."shop", 1, 0);
END;

CREATE TRIGGER "Customer_ledger_count_insert" AFTER INSERT ON "Customer"
BEGIN
    INSERT INTO "LedgerCountDelta" ("shop", "orders", "customers") VALUES (NEW."shop", 0, 1);
END;

CREATE TRIGGER "Customer_ledger_count_delete" AFTER DELETE ON "Customer"
BEGIN
    INSERT INTO "LedgerCountDelta" ("shop", "orders", "customers") VALUES (OLD."shop", 0, -1);
END;

CREATE TRIGGER "Customer_ledger_count_move" AFTER UPDATE OF "shop" ON "Customer" WHEN OLD."shop" IS NOT NEW."shop"
BEGIN
    INSERT INTO "LedgerCountDelta" ("shop", "orders", "customers") VALUES (OLD."shop", 0, -1), (NEW."shop", 0, 1);
END;

-- CreateTable
CREATE TABLE "LedgerCount" (
    "shop" TEXT NOT NULL,
    "orders" INTEGER NOT NULL DEFAULT 0,
    "customers" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "LedgerCount_pkey" PRIMARY KEY ("shop")
);

-- CreateTable
CREATE TABLE "LedgerCountDelta" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "orders" INTEGER NOT NULL,
    "customers" INTEGER NOT NULL,

    CONSTRAINT "LedgerCountDelta_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "LedgerCountDelta_shop_idx" ON "LedgerCountDelta"("shop");


-- The counts as they are (one row per shop with orders or customers), then kept by triggers: each row written into or
-- removed from "Order" or "Customer" — by any path — appends its +1/-1 to "LedgerCountDelta"; the dashboard's read
-- folds them into "LedgerCount" (app/models/ledger-counts.server.ts, docs/ledger-counts.md). An INSERT that is ignored
-- or turned into an UPDATE by ON CONFLICT fires no AFTER INSERT trigger, so a duplicate delivery counts nothing.
-- (TRUNCATE fires no row trigger: nothing in the app truncates these tables.)
INSERT INTO "LedgerCount" ("shop", "orders", "customers")
SELECT "shop", SUM("orders"), SUM("customers") FROM (
    SELECT "shop", COUNT(*) AS "orders", 0 AS "customers" FROM "Order" GROUP BY "shop"
    UNION ALL
    SELECT "shop", 0 AS "orders", COUNT(*) AS "customers" FROM "Customer" GROUP BY "shop"
) AS "counted" GROUP BY "shop";

CREATE FUNCTION "ledger_count"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    o INTEGER := CASE WHEN TG_TABLE_NAME = 'Order' THEN 1 ELSE 0 END;
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO "LedgerCountDelta" ("shop", "orders", "customers") VALUES (NEW."shop", o, 1 - o);
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO "LedgerCountDelta" ("shop", "orders", "customers") VALUES (OLD."shop", -o, o - 1);
    ELSIF OLD."shop" IS DISTINCT FROM NEW."shop" THEN
        INSERT INTO "LedgerCountDelta" ("shop", "orders", "customers")
        VALUES (OLD."shop", -o, o - 1), (NEW."shop", o, 1 - o);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER "Order_ledger_count" AFTER INSERT OR DELETE OR UPDATE OF "shop" ON "Order"
    FOR EACH ROW EXECUTE FUNCTION "ledger_count"();

CREATE TRIGGER "Customer_ledger_count" AFTER INSERT OR DELETE OR UPDATE OF "shop" ON "Customer"
    FOR EACH ROW EXECUTE FUNCTION "ledger_count"();

-- 20261205222259_customer_aggregates redefined "CustomerState" (SQLite: a new table copied and renamed), which drops
-- the table's triggers: the "changed since last sync" triggers of 20261205222103_customer_sync_due are made again.
-- (PostgreSQL altered the table in place and kept them: no PostgreSQL migration.) Any later migration that redefines
-- "CustomerState" on SQLite must do the same; tests/integration/sync.test.ts checks that they are present.
DROP TRIGGER IF EXISTS "CustomerState_sync_due_insert";
DROP TRIGGER IF EXISTS "CustomerState_sync_due_update";

CREATE TRIGGER "CustomerState_sync_due_insert" AFTER INSERT ON "CustomerState"
BEGIN
    INSERT INTO "CustomerSyncDue" ("shop", "customerId", "version") VALUES (NEW."shop", NEW."customerId", 1)
    ON CONFLICT ("shop", "customerId") DO UPDATE SET "version" = "CustomerSyncDue"."version" + 1;
END;

CREATE TRIGGER "CustomerState_sync_due_update" AFTER UPDATE ON "CustomerState"
WHEN OLD."segment" IS NOT NEW."segment" OR OLD."tier" IS NOT NEW."tier"
    OR OLD."spendInWindowMinor" IS NOT NEW."spendInWindowMinor" OR OLD."nextTier" IS NOT NEW."nextTier"
    OR OLD."amountToNextMinor" IS NOT NEW."amountToNextMinor" OR OLD."tierExpiresAt" IS NOT NEW."tierExpiresAt"
    OR OLD."customerId" IS NOT NEW."customerId" OR OLD."shop" IS NOT NEW."shop"
BEGIN
    INSERT INTO "CustomerSyncDue" ("shop", "customerId", "version") VALUES (NEW."shop", NEW."customerId", 1)
    ON CONFLICT ("shop", "customerId") DO UPDATE SET "version" = "CustomerSyncDue"."version" + 1;
END;

-- CreateTable
CREATE TABLE "CustomerSyncDue" (
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,

    PRIMARY KEY ("shop", "customerId")
);


-- "Changed since last sync" (docs/rules.md#sync): set in the same transaction as the write that moves what the sync
-- writes for a customer. CustomerState: a new row, or a change of a column the sync reads (SyncState in
-- app/domain/sync.ts); PointsEntry: a new journal entry (the points metafield). The version is bumped on every later
-- change, so a sync that read version n and deletes the row only where it is still n never loses a change made
-- while it ran. (SQLite drops a table's triggers when a migration redefines the table: tests/integration/sync-due.test.ts
-- checks they are present.)
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

CREATE TRIGGER "PointsEntry_sync_due_insert" AFTER INSERT ON "PointsEntry"
BEGIN
    INSERT INTO "CustomerSyncDue" ("shop", "customerId", "version") VALUES (NEW."shop", NEW."customerId", 1)
    ON CONFLICT ("shop", "customerId") DO UPDATE SET "version" = "CustomerSyncDue"."version" + 1;
END;

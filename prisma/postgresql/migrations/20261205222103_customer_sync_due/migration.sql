-- CreateTable
CREATE TABLE "CustomerSyncDue" (
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "CustomerSyncDue_pkey" PRIMARY KEY ("shop","customerId")
);


-- "Changed since last sync" (docs/rules.md#sync): set in the same transaction as the write that moves what the sync
-- writes for a customer. CustomerState: a new row, or a change of a column the sync reads (SyncState in
-- app/domain/sync.ts); PointsEntry: a new journal entry (the points metafield). The version is bumped on every later
-- change, so a sync that read version n and deletes the row only where it is still n never loses a change made
-- while it ran.
CREATE FUNCTION "customer_sync_due"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO "CustomerSyncDue" ("shop", "customerId", "version") VALUES (NEW."shop", NEW."customerId", 1)
    ON CONFLICT ("shop", "customerId") DO UPDATE SET "version" = "CustomerSyncDue"."version" + 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER "CustomerState_sync_due_insert" AFTER INSERT ON "CustomerState"
    FOR EACH ROW EXECUTE FUNCTION "customer_sync_due"();

CREATE TRIGGER "CustomerState_sync_due_update" AFTER UPDATE ON "CustomerState"
    FOR EACH ROW WHEN (OLD."segment" IS DISTINCT FROM NEW."segment" OR OLD."tier" IS DISTINCT FROM NEW."tier"
        OR OLD."spendInWindowMinor" IS DISTINCT FROM NEW."spendInWindowMinor"
        OR OLD."nextTier" IS DISTINCT FROM NEW."nextTier"
        OR OLD."amountToNextMinor" IS DISTINCT FROM NEW."amountToNextMinor"
        OR OLD."tierExpiresAt" IS DISTINCT FROM NEW."tierExpiresAt"
        OR OLD."customerId" IS DISTINCT FROM NEW."customerId" OR OLD."shop" IS DISTINCT FROM NEW."shop")
    EXECUTE FUNCTION "customer_sync_due"();

CREATE TRIGGER "PointsEntry_sync_due_insert" AFTER INSERT ON "PointsEntry"
    FOR EACH ROW EXECUTE FUNCTION "customer_sync_due"();

-- CreateTable
CREATE TABLE "CustomerAggregate" (
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "orderCount" INTEGER NOT NULL,
    "totalMinor" BIGINT NOT NULL,
    "firstOrderAt" DATETIME NOT NULL,
    "lastOrderAt" DATETIME NOT NULL,
    "orders" TEXT NOT NULL,

    PRIMARY KEY ("shop", "customerId")
);

-- CreateTable
CREATE TABLE "CustomerAggregateBuild" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "stale" INTEGER NOT NULL
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_CustomerState" (
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "segment" TEXT NOT NULL,
    "r" INTEGER,
    "f" INTEGER,
    "m" INTEGER,
    "fm" INTEGER,
    "frequency" INTEGER,
    "monetaryMinor" BIGINT,
    "lastOrderAt" DATETIME,
    "tier" TEXT,
    "spendInWindowMinor" BIGINT,
    "ordersInWindow" INTEGER,
    "nextTier" TEXT,
    "amountToNextMinor" BIGINT,
    "ordersToNext" INTEGER,
    "tierExpiresAt" DATETIME,
    "windowChangesAt" DATETIME,
    "baseLastOrderAt" DATETIME,
    "baseFrequency" INTEGER,
    "baseMonetaryMinor" BIGINT,
    "computedAt" DATETIME NOT NULL,
    "digest" TEXT,

    PRIMARY KEY ("shop", "customerId")
);
INSERT INTO "new_CustomerState" ("amountToNextMinor", "baseFrequency", "baseLastOrderAt", "baseMonetaryMinor", "computedAt", "customerId", "digest", "f", "fm", "frequency", "lastOrderAt", "m", "monetaryMinor", "nextTier", "ordersInWindow", "ordersToNext", "r", "segment", "shop", "spendInWindowMinor", "tier", "tierExpiresAt", "windowChangesAt") SELECT "amountToNextMinor", "baseFrequency", "baseLastOrderAt", "baseMonetaryMinor", "computedAt", "customerId", "digest", "f", "fm", "frequency", "lastOrderAt", "m", "monetaryMinor", "nextTier", "ordersInWindow", "ordersToNext", "r", "segment", "shop", "spendInWindowMinor", "tier", "tierExpiresAt", "windowChangesAt" FROM "CustomerState";
DROP TABLE "CustomerState";
ALTER TABLE "new_CustomerState" RENAME TO "CustomerState";
CREATE INDEX "CustomerState_shop_segment_idx" ON "CustomerState"("shop", "segment");
CREATE INDEX "CustomerState_shop_tier_idx" ON "CustomerState"("shop", "tier");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;


-- CreateTable
CREATE TABLE "CustomerState" (
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "segment" TEXT NOT NULL,
    "r" INTEGER,
    "f" INTEGER,
    "m" INTEGER,
    "fm" INTEGER,
    "recencyDays" INTEGER,
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

    PRIMARY KEY ("shop", "customerId")
);

-- CreateTable
CREATE TABLE "CustomerStateChange" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "from" TEXT,
    "to" TEXT,
    "at" DATETIME NOT NULL,
    "reason" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "TierProgramVersion" (
    "shop" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "program" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("shop", "version")
);

-- CreateTable
CREATE TABLE "RfmSettings" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "windowDays" INTEGER,
    "segmentNames" TEXT NOT NULL DEFAULT '{}',
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ShopComputation" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "asOf" DATETIME NOT NULL,
    "reason" TEXT NOT NULL,
    "windowDays" INTEGER,
    "tierProgramVersion" INTEGER NOT NULL,
    "boundaries" TEXT NOT NULL,
    "customers" INTEGER NOT NULL,
    "population" INTEGER NOT NULL,
    "finishedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "CustomerState_shop_segment_idx" ON "CustomerState"("shop", "segment");

-- CreateIndex
CREATE INDEX "CustomerState_shop_tier_idx" ON "CustomerState"("shop", "tier");

-- CreateIndex
CREATE INDEX "CustomerStateChange_shop_customerId_at_idx" ON "CustomerStateChange"("shop", "customerId", "at");

-- CreateIndex
CREATE INDEX "CustomerStateChange_shop_at_idx" ON "CustomerStateChange"("shop", "at");


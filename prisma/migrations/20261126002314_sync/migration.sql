-- CreateTable
CREATE TABLE "SyncSettings" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "rfmPrefix" TEXT,
    "tierPrefix" TEXT,
    "metafields" BOOLEAN NOT NULL DEFAULT true,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "CustomerSync" (
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "tags" TEXT NOT NULL DEFAULT '[]',
    "foreignTags" TEXT,
    "metafields" TEXT,
    "syncedAt" DATETIME,
    "failureCode" TEXT,
    "failureMessage" TEXT,
    "failedAt" DATETIME,
    "failures" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("shop", "customerId")
);

-- CreateTable
CREATE TABLE "SyncRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME,
    "considered" INTEGER NOT NULL DEFAULT 0,
    "changed" INTEGER NOT NULL DEFAULT 0,
    "synced" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "requests" INTEGER NOT NULL DEFAULT 0,
    "costPoints" INTEGER NOT NULL DEFAULT 0,
    "throttled" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT
);

-- CreateIndex
CREATE INDEX "CustomerSync_shop_failedAt_idx" ON "CustomerSync"("shop", "failedAt");

-- CreateIndex
CREATE INDEX "SyncRun_shop_startedAt_idx" ON "SyncRun"("shop", "startedAt");


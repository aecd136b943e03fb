-- CreateTable
CREATE TABLE "PointsEntry" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "points" BIGINT NOT NULL,
    "sourceKey" TEXT NOT NULL,
    "ruleVersion" INTEGER NOT NULL,
    "effectiveAt" DATETIME NOT NULL,
    "availableAt" DATETIME NOT NULL,
    "orderId" TEXT,
    "refundId" TEXT,
    "note" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "PointsRulesVersion" (
    "shop" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "rules" TEXT NOT NULL,
    "effectiveFrom" DATETIME NOT NULL,
    "startsAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("shop", "version")
);

-- CreateIndex
CREATE INDEX "PointsEntry_shop_orderId_idx" ON "PointsEntry"("shop", "orderId");

-- CreateIndex
CREATE UNIQUE INDEX "PointsEntry_shop_customerId_sourceKey_key" ON "PointsEntry"("shop", "customerId", "sourceKey");


-- CreateTable
CREATE TABLE "PointsEntry" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "points" BIGINT NOT NULL,
    "sourceKey" TEXT NOT NULL,
    "ruleVersion" INTEGER NOT NULL,
    "effectiveAt" TIMESTAMP(3) NOT NULL,
    "availableAt" TIMESTAMP(3) NOT NULL,
    "orderId" TEXT,
    "refundId" TEXT,
    "note" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PointsEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PointsRulesVersion" (
    "shop" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "rules" TEXT NOT NULL,
    "effectiveFrom" TIMESTAMP(3) NOT NULL,
    "startsAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PointsRulesVersion_pkey" PRIMARY KEY ("shop","version")
);

-- CreateIndex
CREATE INDEX "PointsEntry_shop_orderId_idx" ON "PointsEntry"("shop", "orderId");

-- CreateIndex
CREATE UNIQUE INDEX "PointsEntry_shop_customerId_sourceKey_key" ON "PointsEntry"("shop", "customerId", "sourceKey");


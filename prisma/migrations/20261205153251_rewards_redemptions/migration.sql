-- CreateTable
CREATE TABLE "Reward" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "pointsPrice" INTEGER NOT NULL,
    "valueMinor" BIGINT,
    "expiryDays" INTEGER,
    "limitPerCustomer" INTEGER,
    "limitPeriodDays" INTEGER,
    "limitTotal" INTEGER,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("shop", "id")
);

-- CreateTable
CREATE TABLE "Redemption" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "rewardId" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "points" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "valueMinor" BIGINT,
    "currencyCode" TEXT NOT NULL,
    "expiresAt" DATETIME,
    "state" TEXT NOT NULL,
    "code" TEXT,
    "shopifyId" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "attemptedAt" DATETIME,
    "notifiedAt" DATETIME,
    "failure" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "confirmedAt" DATETIME,
    "releasedAt" DATETIME,

    PRIMARY KEY ("shop", "id")
);

-- CreateIndex
CREATE INDEX "Redemption_shop_state_idx" ON "Redemption"("shop", "state");

-- CreateIndex
CREATE INDEX "Redemption_shop_rewardId_customerId_idx" ON "Redemption"("shop", "rewardId", "customerId");

-- CreateIndex
CREATE UNIQUE INDEX "Redemption_shop_customerId_token_key" ON "Redemption"("shop", "customerId", "token");


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
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Reward_pkey" PRIMARY KEY ("shop","id")
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
    "expiresAt" TIMESTAMP(3),
    "state" TEXT NOT NULL,
    "code" TEXT,
    "shopifyId" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "attemptedAt" TIMESTAMP(3),
    "notifiedAt" TIMESTAMP(3),
    "failure" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "confirmedAt" TIMESTAMP(3),
    "releasedAt" TIMESTAMP(3),

    CONSTRAINT "Redemption_pkey" PRIMARY KEY ("shop","id")
);

-- CreateIndex
CREATE INDEX "Redemption_shop_state_idx" ON "Redemption"("shop", "state");

-- CreateIndex
CREATE INDEX "Redemption_shop_rewardId_customerId_idx" ON "Redemption"("shop", "rewardId", "customerId");

-- CreateIndex
CREATE UNIQUE INDEX "Redemption_shop_customerId_token_key" ON "Redemption"("shop", "customerId", "token");


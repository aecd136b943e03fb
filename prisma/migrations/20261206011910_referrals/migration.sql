-- CreateTable
CREATE TABLE "ReferralSettings" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "settings" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ReferralMember" (
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "visits" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("shop", "customerId")
);

-- CreateTable
CREATE TABLE "Referral" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "referrerId" TEXT NOT NULL,
    "friendEmail" TEXT NOT NULL,
    "emailKey" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "discountId" TEXT,
    "offer" TEXT NOT NULL,
    "currencyCode" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "state" TEXT NOT NULL,
    "orderId" TEXT,
    "friendCustomerId" TEXT,
    "orderedAt" DATETIME,
    "orderValueMinor" BIGINT,
    "discountMinor" BIGINT,
    "refusal" TEXT,
    "rewardPoints" INTEGER,
    "rewardedAt" DATETIME,
    "clawbackPoints" INTEGER,
    "clawedBackAt" DATETIME,
    "failure" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ReferralMember_shop_code_key" ON "ReferralMember"("shop", "code");

-- CreateIndex
CREATE INDEX "Referral_shop_referrerId_idx" ON "Referral"("shop", "referrerId");

-- CreateIndex
CREATE INDEX "Referral_shop_state_idx" ON "Referral"("shop", "state");

-- CreateIndex
CREATE UNIQUE INDEX "Referral_shop_token_key" ON "Referral"("shop", "token");

-- CreateIndex
CREATE UNIQUE INDEX "Referral_shop_code_key" ON "Referral"("shop", "code");

-- CreateIndex
CREATE UNIQUE INDEX "Referral_shop_emailKey_key" ON "Referral"("shop", "emailKey");


-- CreateTable
CREATE TABLE "ReferralSettings" (
    "shop" TEXT NOT NULL,
    "settings" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ReferralSettings_pkey" PRIMARY KEY ("shop")
);

-- CreateTable
CREATE TABLE "ReferralMember" (
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "visits" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ReferralMember_pkey" PRIMARY KEY ("shop","customerId")
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
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "state" TEXT NOT NULL,
    "orderId" TEXT,
    "friendCustomerId" TEXT,
    "orderedAt" TIMESTAMP(3),
    "orderValueMinor" BIGINT,
    "discountMinor" BIGINT,
    "refusal" TEXT,
    "rewardPoints" INTEGER,
    "rewardedAt" TIMESTAMP(3),
    "clawbackPoints" INTEGER,
    "clawedBackAt" TIMESTAMP(3),
    "failure" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Referral_pkey" PRIMARY KEY ("shop","id")
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


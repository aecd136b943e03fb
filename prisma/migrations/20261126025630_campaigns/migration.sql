-- CreateTable
CREATE TABLE "Campaign" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "template" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'active',
    "audience" TEXT NOT NULL,
    "includeExisting" BOOLEAN NOT NULL DEFAULT false,
    "schedule" TEXT NOT NULL,
    "offerKind" TEXT NOT NULL,
    "offerValue" INTEGER NOT NULL,
    "minimumSubtotalMinor" BIGINT,
    "expiryDays" INTEGER NOT NULL,
    "holdoutPercent" INTEGER NOT NULL,
    "cooldownDays" INTEGER NOT NULL,
    "codePrefix" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastRunAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "CampaignRecipient" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "holdout" BOOLEAN NOT NULL,
    "assignedAt" DATETIME NOT NULL,
    "code" TEXT,
    "expiresAt" DATETIME,
    "discountId" TEXT,
    "issuedAt" DATETIME,
    "metafieldAt" DATETIME,
    "flowSentAt" DATETIME,
    "failure" TEXT,
    "failures" INTEGER NOT NULL DEFAULT 0
);

-- CreateIndex
CREATE INDEX "Campaign_shop_status_idx" ON "Campaign"("shop", "status");

-- CreateIndex
CREATE INDEX "CampaignRecipient_shop_campaignId_assignedAt_idx" ON "CampaignRecipient"("shop", "campaignId", "assignedAt");

-- CreateIndex
CREATE INDEX "CampaignRecipient_shop_customerId_campaignId_idx" ON "CampaignRecipient"("shop", "customerId", "campaignId");

-- CreateIndex
CREATE UNIQUE INDEX "CampaignRecipient_shop_code_key" ON "CampaignRecipient"("shop", "code");


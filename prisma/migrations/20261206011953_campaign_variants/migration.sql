-- AlterTable
ALTER TABLE "Campaign" ADD COLUMN "testEndedAt" DATETIME;
ALTER TABLE "Campaign" ADD COLUMN "testWinner" TEXT;

-- AlterTable
ALTER TABLE "CampaignRecipient" ADD COLUMN "variant" TEXT;

-- CreateTable
CREATE TABLE "CampaignVariant" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "offerKind" TEXT NOT NULL,
    "offerValue" INTEGER NOT NULL,
    "minimumSubtotalMinor" BIGINT,
    "weight" INTEGER NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "CampaignVariant_shop_campaignId_key_key" ON "CampaignVariant"("shop", "campaignId", "key");


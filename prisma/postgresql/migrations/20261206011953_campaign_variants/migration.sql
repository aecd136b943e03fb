-- AlterTable
ALTER TABLE "Campaign" ADD COLUMN     "testEndedAt" TIMESTAMP(3),
ADD COLUMN     "testWinner" TEXT;

-- AlterTable
ALTER TABLE "CampaignRecipient" ADD COLUMN     "variant" TEXT;

-- CreateTable
CREATE TABLE "CampaignVariant" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "offerKind" TEXT NOT NULL,
    "offerValue" INTEGER NOT NULL,
    "minimumSubtotalMinor" BIGINT,
    "weight" INTEGER NOT NULL,

    CONSTRAINT "CampaignVariant_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "CampaignVariant_shop_campaignId_key_key" ON "CampaignVariant"("shop", "campaignId", "key");


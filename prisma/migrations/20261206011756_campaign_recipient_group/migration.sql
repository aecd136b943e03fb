-- AlterTable
ALTER TABLE "CampaignRecipient" ADD COLUMN "retiredAt" DATETIME;
ALTER TABLE "CampaignRecipient" ADD COLUMN "segment" TEXT;
ALTER TABLE "CampaignRecipient" ADD COLUMN "tier" TEXT;


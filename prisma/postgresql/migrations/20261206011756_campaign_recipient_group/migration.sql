-- AlterTable
ALTER TABLE "CampaignRecipient" ADD COLUMN     "retiredAt" TIMESTAMP(3),
ADD COLUMN     "segment" TEXT,
ADD COLUMN     "tier" TEXT;


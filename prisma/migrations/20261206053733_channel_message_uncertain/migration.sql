-- AlterTable
ALTER TABLE "ChannelMessage" ADD COLUMN "claimedAt" DATETIME;
ALTER TABLE "ChannelMessage" ADD COLUMN "uncertainSince" DATETIME;


-- AlterTable
ALTER TABLE "ChannelMessage" ADD COLUMN     "claimedAt" TIMESTAMP(3),
ADD COLUMN     "uncertainSince" TIMESTAMP(3);


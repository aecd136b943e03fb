-- AlterTable
ALTER TABLE "ChannelMessage" ADD COLUMN "claimToken" TEXT;


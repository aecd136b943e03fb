-- AlterTable
ALTER TABLE "Campaign" ADD COLUMN     "lineMode" TEXT NOT NULL DEFAULT 'off';

-- CreateTable
CREATE TABLE "ChannelTemplate" (
    "shop" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL,
    "titleEn" TEXT NOT NULL,
    "bodyEn" TEXT NOT NULL,
    "buttonEn" TEXT NOT NULL,
    "titleTh" TEXT NOT NULL,
    "bodyTh" TEXT NOT NULL,
    "buttonTh" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ChannelTemplate_pkey" PRIMARY KEY ("shop","channel","event")
);


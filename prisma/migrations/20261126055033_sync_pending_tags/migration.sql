-- AlterTable
ALTER TABLE "CustomerSync" ADD COLUMN "pendingTags" TEXT;


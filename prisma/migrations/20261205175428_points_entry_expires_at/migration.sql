-- AlterTable
ALTER TABLE "PointsEntry" ADD COLUMN "expiresAt" DATETIME;


-- AlterTable
ALTER TABLE "PointsEntry" ADD COLUMN     "expiresAt" TIMESTAMP(3);


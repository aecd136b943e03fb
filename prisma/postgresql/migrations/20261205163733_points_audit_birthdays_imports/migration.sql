-- AlterTable
ALTER TABLE "PointsEntry" ADD COLUMN     "actor" TEXT;

-- CreateTable
CREATE TABLE "CustomerBirthday" (
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "month" INTEGER NOT NULL,
    "day" INTEGER NOT NULL,
    "year" INTEGER,
    "source" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CustomerBirthday_pkey" PRIMARY KEY ("shop","customerId")
);

-- CreateTable
CREATE TABLE "PointsImport" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "fileName" TEXT NOT NULL,
    "fileHash" TEXT NOT NULL,
    "rows" INTEGER NOT NULL,
    "matched" INTEGER NOT NULL,
    "points" BIGINT NOT NULL,
    "report" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "actor" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "appliedAt" TIMESTAMP(3),

    CONSTRAINT "PointsImport_pkey" PRIMARY KEY ("shop","id")
);

-- CreateIndex
CREATE INDEX "PointsImport_shop_createdAt_idx" ON "PointsImport"("shop", "createdAt");


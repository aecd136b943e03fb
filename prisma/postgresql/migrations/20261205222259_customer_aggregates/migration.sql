-- AlterTable
ALTER TABLE "CustomerState" DROP COLUMN "recencyDays";

-- CreateTable
CREATE TABLE "CustomerAggregate" (
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "orderCount" INTEGER NOT NULL,
    "totalMinor" BIGINT NOT NULL,
    "firstOrderAt" TIMESTAMP(3) NOT NULL,
    "lastOrderAt" TIMESTAMP(3) NOT NULL,
    "orders" TEXT NOT NULL,

    CONSTRAINT "CustomerAggregate_pkey" PRIMARY KEY ("shop","customerId")
);

-- CreateTable
CREATE TABLE "CustomerAggregateBuild" (
    "shop" TEXT NOT NULL,
    "stale" INTEGER NOT NULL,

    CONSTRAINT "CustomerAggregateBuild_pkey" PRIMARY KEY ("shop")
);


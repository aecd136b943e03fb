-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "locale" TEXT;

-- CreateTable
CREATE TABLE "TierDiscount" (
    "shop" TEXT NOT NULL,
    "tierKey" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "discountId" TEXT,
    "method" TEXT,
    "spec" TEXT,
    "segmentId" TEXT,
    "pendingSpec" TEXT,
    "failure" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TierDiscount_pkey" PRIMARY KEY ("shop","tierKey","kind")
);

-- The tier codes made before: carried over as percent discounts of unknown state (spec NULL), which the next sync
-- replaces with what the tier's perks ask for, or deletes.
INSERT INTO "TierDiscount" ("shop", "tierKey", "kind", "discountId", "method", "spec", "segmentId", "updatedAt")
SELECT "shop", "tierKey", 'percent', "discountId", 'code', NULL, "discountSegmentId", CURRENT_TIMESTAMP
FROM "TierSegment" WHERE "discountId" IS NOT NULL;

-- AlterTable
ALTER TABLE "TierSegment" DROP COLUMN "discountActive",
DROP COLUMN "discountCode",
DROP COLUMN "discountId",
DROP COLUMN "discountPercent",
DROP COLUMN "discountSegmentId",
DROP COLUMN "discountTitle";

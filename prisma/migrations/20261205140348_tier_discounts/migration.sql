-- AlterTable
ALTER TABLE "Shop" ADD COLUMN "locale" TEXT;

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
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "tierKey", "kind")
);

-- The tier codes made before: carried over as percent discounts of unknown state (spec NULL), which the next sync
-- replaces with what the tier's perks ask for, or deletes.
INSERT INTO "TierDiscount" ("shop", "tierKey", "kind", "discountId", "method", "spec", "segmentId", "updatedAt")
SELECT "shop", "tierKey", 'percent', "discountId", 'code', NULL, "discountSegmentId", CURRENT_TIMESTAMP
FROM "TierSegment" WHERE "discountId" IS NOT NULL;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_TierSegment" (
    "shop" TEXT NOT NULL,
    "tierKey" TEXT NOT NULL,
    "segmentId" TEXT,
    "segmentName" TEXT,
    "segmentQuery" TEXT,
    "failure" TEXT,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "tierKey")
);
INSERT INTO "new_TierSegment" ("failure", "segmentId", "segmentName", "segmentQuery", "shop", "tierKey", "updatedAt") SELECT "failure", "segmentId", "segmentName", "segmentQuery", "shop", "tierKey", "updatedAt" FROM "TierSegment";
DROP TABLE "TierSegment";
ALTER TABLE "new_TierSegment" RENAME TO "TierSegment";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;


-- CreateTable
CREATE TABLE "TierSegment" (
    "shop" TEXT NOT NULL,
    "tierKey" TEXT NOT NULL,
    "segmentId" TEXT,
    "segmentName" TEXT,
    "segmentQuery" TEXT,
    "discountId" TEXT,
    "discountCode" TEXT,
    "discountTitle" TEXT,
    "discountPercent" INTEGER,
    "discountActive" BOOLEAN NOT NULL DEFAULT false,
    "failure" TEXT,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "tierKey")
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_SyncSettings" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "rfmPrefix" TEXT,
    "tierPrefix" TEXT,
    "metafields" BOOLEAN NOT NULL DEFAULT true,
    "segmentNamePrefix" TEXT NOT NULL DEFAULT 'Loyalty tier: ',
    "codePrefix" TEXT NOT NULL DEFAULT '',
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_SyncSettings" ("metafields", "rfmPrefix", "shop", "tierPrefix", "updatedAt") SELECT "metafields", "rfmPrefix", "shop", "tierPrefix", "updatedAt" FROM "SyncSettings";
DROP TABLE "SyncSettings";
ALTER TABLE "new_SyncSettings" RENAME TO "SyncSettings";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;


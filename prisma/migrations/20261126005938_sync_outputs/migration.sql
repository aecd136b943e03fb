-- AlterTable
ALTER TABLE "TierSegment" ADD COLUMN "discountSegmentId" TEXT;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_SyncSettings" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "rfmPrefix" TEXT,
    "tierPrefix" TEXT,
    "metafields" BOOLEAN NOT NULL DEFAULT true,
    "segments" BOOLEAN NOT NULL DEFAULT true,
    "codes" BOOLEAN NOT NULL DEFAULT true,
    "segmentNamePrefix" TEXT NOT NULL DEFAULT 'Loyalty tier: ',
    "codePrefix" TEXT NOT NULL DEFAULT '',
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_SyncSettings" ("codePrefix", "metafields", "rfmPrefix", "segmentNamePrefix", "shop", "tierPrefix", "updatedAt") SELECT "codePrefix", "metafields", "rfmPrefix", "segmentNamePrefix", "shop", "tierPrefix", "updatedAt" FROM "SyncSettings";
DROP TABLE "SyncSettings";
ALTER TABLE "new_SyncSettings" RENAME TO "SyncSettings";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;


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
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "channel", "event")
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Campaign" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "template" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'active',
    "audience" TEXT NOT NULL,
    "includeExisting" BOOLEAN NOT NULL DEFAULT false,
    "schedule" TEXT NOT NULL,
    "offerKind" TEXT NOT NULL,
    "offerValue" INTEGER NOT NULL,
    "minimumSubtotalMinor" BIGINT,
    "expiryDays" INTEGER NOT NULL,
    "holdoutPercent" INTEGER NOT NULL,
    "cooldownDays" INTEGER NOT NULL,
    "codePrefix" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastRunAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "testEndedAt" DATETIME,
    "testWinner" TEXT,
    "lineMode" TEXT NOT NULL DEFAULT 'off'
);
INSERT INTO "new_Campaign" ("audience", "codePrefix", "cooldownDays", "createdAt", "expiryDays", "holdoutPercent", "id", "includeExisting", "lastRunAt", "minimumSubtotalMinor", "name", "offerKind", "offerValue", "schedule", "shop", "startedAt", "status", "template", "testEndedAt", "testWinner", "updatedAt") SELECT "audience", "codePrefix", "cooldownDays", "createdAt", "expiryDays", "holdoutPercent", "id", "includeExisting", "lastRunAt", "minimumSubtotalMinor", "name", "offerKind", "offerValue", "schedule", "shop", "startedAt", "status", "template", "testEndedAt", "testWinner", "updatedAt" FROM "Campaign";
DROP TABLE "Campaign";
ALTER TABLE "new_Campaign" RENAME TO "Campaign";
CREATE INDEX "Campaign_shop_status_idx" ON "Campaign"("shop", "status");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;


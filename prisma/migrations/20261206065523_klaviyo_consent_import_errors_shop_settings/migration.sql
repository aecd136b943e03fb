-- AlterTable
ALTER TABLE "Shop" ADD COLUMN "settingsAt" DATETIME;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_KlaviyoProfile" (
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "subscribed" BOOLEAN NOT NULL DEFAULT false,
    "digest" TEXT,
    "pendingDigest" TEXT,
    "pendingJobId" TEXT,
    "syncedAt" DATETIME,
    "clearPending" BOOLEAN NOT NULL DEFAULT false,
    "importFailures" INTEGER NOT NULL DEFAULT 0,
    "importError" TEXT,

    PRIMARY KEY ("shop", "customerId")
);
INSERT INTO "new_KlaviyoProfile" ("customerId", "digest", "pendingDigest", "pendingJobId", "shop", "subscribed", "syncedAt") SELECT "customerId", "digest", "pendingDigest", "pendingJobId", "shop", "subscribed", "syncedAt" FROM "KlaviyoProfile";
DROP TABLE "KlaviyoProfile";
ALTER TABLE "new_KlaviyoProfile" RENAME TO "KlaviyoProfile";
CREATE INDEX "KlaviyoProfile_shop_pendingJobId_idx" ON "KlaviyoProfile"("shop", "pendingJobId");
CREATE TABLE "new_KlaviyoSyncRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME,
    "considered" INTEGER NOT NULL DEFAULT 0,
    "subscribed" INTEGER NOT NULL DEFAULT 0,
    "changed" INTEGER NOT NULL DEFAULT 0,
    "imported" INTEGER NOT NULL DEFAULT 0,
    "jobs" INTEGER NOT NULL DEFAULT 0,
    "eventsSent" INTEGER NOT NULL DEFAULT 0,
    "eventsSkipped" INTEGER NOT NULL DEFAULT 0,
    "eventsRefused" INTEGER NOT NULL DEFAULT 0,
    "throttled" INTEGER NOT NULL DEFAULT 0,
    "profilesFailed" INTEGER NOT NULL DEFAULT 0,
    "cleared" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT
);
INSERT INTO "new_KlaviyoSyncRun" ("changed", "considered", "error", "eventsRefused", "eventsSent", "eventsSkipped", "finishedAt", "id", "imported", "jobs", "reason", "shop", "startedAt", "status", "subscribed", "throttled") SELECT "changed", "considered", "error", "eventsRefused", "eventsSent", "eventsSkipped", "finishedAt", "id", "imported", "jobs", "reason", "shop", "startedAt", "status", "subscribed", "throttled" FROM "KlaviyoSyncRun";
DROP TABLE "KlaviyoSyncRun";
ALTER TABLE "new_KlaviyoSyncRun" RENAME TO "KlaviyoSyncRun";
CREATE INDEX "KlaviyoSyncRun_shop_startedAt_idx" ON "KlaviyoSyncRun"("shop", "startedAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;


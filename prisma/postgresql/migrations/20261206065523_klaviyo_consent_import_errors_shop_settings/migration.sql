-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "settingsAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "KlaviyoProfile" ADD COLUMN     "clearPending" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "importError" TEXT,
ADD COLUMN     "importFailures" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "KlaviyoSyncRun" ADD COLUMN     "cleared" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "profilesFailed" INTEGER NOT NULL DEFAULT 0;


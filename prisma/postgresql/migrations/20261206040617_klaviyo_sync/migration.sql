-- CreateTable
CREATE TABLE "KlaviyoProfile" (
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "subscribed" BOOLEAN NOT NULL DEFAULT false,
    "digest" TEXT,
    "pendingDigest" TEXT,
    "pendingJobId" TEXT,
    "syncedAt" TIMESTAMP(3),

    CONSTRAINT "KlaviyoProfile_pkey" PRIMARY KEY ("shop","customerId")
);

-- CreateTable
CREATE TABLE "KlaviyoImportJob" (
    "shop" TEXT NOT NULL,
    "jobId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "profiles" INTEGER NOT NULL,
    "completed" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "KlaviyoImportJob_pkey" PRIMARY KEY ("shop","jobId")
);

-- CreateTable
CREATE TABLE "KlaviyoSyncRun" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "considered" INTEGER NOT NULL DEFAULT 0,
    "subscribed" INTEGER NOT NULL DEFAULT 0,
    "changed" INTEGER NOT NULL DEFAULT 0,
    "imported" INTEGER NOT NULL DEFAULT 0,
    "jobs" INTEGER NOT NULL DEFAULT 0,
    "eventsSent" INTEGER NOT NULL DEFAULT 0,
    "eventsSkipped" INTEGER NOT NULL DEFAULT 0,
    "eventsRefused" INTEGER NOT NULL DEFAULT 0,
    "throttled" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,

    CONSTRAINT "KlaviyoSyncRun_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "KlaviyoProfile_shop_pendingJobId_idx" ON "KlaviyoProfile"("shop", "pendingJobId");

-- CreateIndex
CREATE INDEX "KlaviyoImportJob_shop_status_idx" ON "KlaviyoImportJob"("shop", "status");

-- CreateIndex
CREATE INDEX "KlaviyoSyncRun_shop_startedAt_idx" ON "KlaviyoSyncRun"("shop", "startedAt");


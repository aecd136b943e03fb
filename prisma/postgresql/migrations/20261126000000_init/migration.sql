-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "isOnline" BOOLEAN NOT NULL DEFAULT false,
    "scope" TEXT,
    "expires" TIMESTAMP(3),
    "accessToken" TEXT NOT NULL,
    "userId" BIGINT,
    "firstName" TEXT,
    "lastName" TEXT,
    "email" TEXT,
    "accountOwner" BOOLEAN NOT NULL DEFAULT false,
    "locale" TEXT,
    "collaborator" BOOLEAN DEFAULT false,
    "emailVerified" BOOLEAN DEFAULT false,
    "refreshToken" TEXT,
    "refreshTokenExpires" TIMESTAMP(3),

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Shop" (
    "shop" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'installed',
    "scope" TEXT,
    "installedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" TIMESTAMP(3),
    "redactedAt" TIMESTAMP(3),
    "currencyCode" TEXT,
    "timezone" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Shop_pkey" PRIMARY KEY ("shop")
);

-- CreateTable
CREATE TABLE "Customer" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "email" TEXT,
    "firstName" TEXT,
    "lastName" TEXT,
    "locale" TEXT,
    "sourceCreatedAt" TIMESTAMP(3),
    "sourceUpdatedAt" TIMESTAMP(3),
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "Customer_pkey" PRIMARY KEY ("shop","id")
);

-- CreateTable
CREATE TABLE "Order" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "customerId" TEXT,
    "name" TEXT,
    "processedAt" TIMESTAMP(3) NOT NULL,
    "cancelledAt" TIMESTAMP(3),
    "test" BOOLEAN NOT NULL DEFAULT false,
    "currencyCode" TEXT NOT NULL,
    "currentTotalMinor" BIGINT NOT NULL,
    "valueMinor" BIGINT NOT NULL,
    "discountCodes" TEXT NOT NULL DEFAULT '[]',
    "discountMinor" BIGINT NOT NULL DEFAULT 0,
    "sourceUpdatedAt" TIMESTAMP(3),
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "Order_pkey" PRIMARY KEY ("shop","id")
);

-- CreateTable
CREATE TABLE "Refund" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "amountMinor" BIGINT,
    "currencyCode" TEXT NOT NULL,

    CONSTRAINT "Refund_pkey" PRIMARY KEY ("shop","id")
);

-- CreateTable
CREATE TABLE "Job" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "key" TEXT,
    "payload" TEXT NOT NULL DEFAULT '{}',
    "state" TEXT NOT NULL DEFAULT 'queued',
    "runAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "maxAttempts" INTEGER NOT NULL DEFAULT 8,
    "lockedBy" TEXT,
    "lockedUntil" TIMESTAMP(3),
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Job_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BackfillRun" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "phase" TEXT NOT NULL DEFAULT 'customers',
    "bulkOperationId" TEXT,
    "resultUrl" TEXT,
    "linesCommitted" INTEGER NOT NULL DEFAULT 0,
    "customersRead" INTEGER NOT NULL DEFAULT 0,
    "ordersRead" INTEGER NOT NULL DEFAULT 0,
    "customersExpected" INTEGER,
    "ordersExpected" INTEGER,
    "lastError" TEXT,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "phaseStartedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "BackfillRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "shop" TEXT NOT NULL,
    "webhookId" TEXT NOT NULL,
    "eventId" TEXT,
    "topic" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("shop","webhookId")
);

-- CreateTable
CREATE TABLE "ComplianceRequest" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "customerId" TEXT,
    "requestId" TEXT,
    "summary" TEXT NOT NULL DEFAULT '{}',
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ComplianceRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CustomerState" (
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "segment" TEXT NOT NULL,
    "r" INTEGER,
    "f" INTEGER,
    "m" INTEGER,
    "fm" INTEGER,
    "recencyDays" INTEGER,
    "frequency" INTEGER,
    "monetaryMinor" BIGINT,
    "lastOrderAt" TIMESTAMP(3),
    "tier" TEXT,
    "spendInWindowMinor" BIGINT,
    "ordersInWindow" INTEGER,
    "nextTier" TEXT,
    "amountToNextMinor" BIGINT,
    "ordersToNext" INTEGER,
    "tierExpiresAt" TIMESTAMP(3),
    "windowChangesAt" TIMESTAMP(3),
    "baseLastOrderAt" TIMESTAMP(3),
    "baseFrequency" INTEGER,
    "baseMonetaryMinor" BIGINT,
    "computedAt" TIMESTAMP(3) NOT NULL,
    "digest" TEXT,

    CONSTRAINT "CustomerState_pkey" PRIMARY KEY ("shop","customerId")
);

-- CreateTable
CREATE TABLE "CustomerStateChange" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "from" TEXT,
    "to" TEXT,
    "at" TIMESTAMP(3) NOT NULL,
    "reason" TEXT NOT NULL,
    "flowSentAt" TIMESTAMP(3),

    CONSTRAINT "CustomerStateChange_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TierProgramVersion" (
    "shop" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "program" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TierProgramVersion_pkey" PRIMARY KEY ("shop","version")
);

-- CreateTable
CREATE TABLE "RfmSettings" (
    "shop" TEXT NOT NULL,
    "windowDays" INTEGER,
    "segmentNames" TEXT NOT NULL DEFAULT '{}',
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RfmSettings_pkey" PRIMARY KEY ("shop")
);

-- CreateTable
CREATE TABLE "ShopComputation" (
    "shop" TEXT NOT NULL,
    "asOf" TIMESTAMP(3) NOT NULL,
    "reason" TEXT NOT NULL,
    "windowDays" INTEGER,
    "tierProgramVersion" INTEGER NOT NULL,
    "boundaries" TEXT NOT NULL,
    "customers" INTEGER NOT NULL,
    "population" INTEGER NOT NULL,
    "finishedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ShopComputation_pkey" PRIMARY KEY ("shop")
);

-- CreateTable
CREATE TABLE "ReconcileRun" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "mode" TEXT NOT NULL,
    "customersChecked" INTEGER NOT NULL DEFAULT 0,
    "mismatched" INTEGER NOT NULL DEFAULT 0,
    "ordersRepaired" INTEGER NOT NULL DEFAULT 0,
    "ordersRemoved" INTEGER NOT NULL DEFAULT 0,
    "fixes" TEXT NOT NULL DEFAULT '[]',
    "lastError" TEXT,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "ReconcileRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SyncSettings" (
    "shop" TEXT NOT NULL,
    "rfmPrefix" TEXT,
    "tierPrefix" TEXT,
    "metafields" BOOLEAN NOT NULL DEFAULT true,
    "segments" BOOLEAN NOT NULL DEFAULT true,
    "codes" BOOLEAN NOT NULL DEFAULT true,
    "segmentNamePrefix" TEXT NOT NULL DEFAULT 'Loyalty tier: ',
    "codePrefix" TEXT NOT NULL DEFAULT '',
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SyncSettings_pkey" PRIMARY KEY ("shop")
);

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
    "discountSegmentId" TEXT,
    "failure" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TierSegment_pkey" PRIMARY KEY ("shop","tierKey")
);

-- CreateTable
CREATE TABLE "CustomerSync" (
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "tags" TEXT NOT NULL DEFAULT '[]',
    "foreignTags" TEXT,
    "metafields" TEXT,
    "syncedAt" TIMESTAMP(3),
    "failureCode" TEXT,
    "failureMessage" TEXT,
    "failedAt" TIMESTAMP(3),
    "failures" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "CustomerSync_pkey" PRIMARY KEY ("shop","customerId")
);

-- CreateTable
CREATE TABLE "SyncRun" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "considered" INTEGER NOT NULL DEFAULT 0,
    "changed" INTEGER NOT NULL DEFAULT 0,
    "synced" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "requests" INTEGER NOT NULL DEFAULT 0,
    "costPoints" INTEGER NOT NULL DEFAULT 0,
    "throttled" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,

    CONSTRAINT "SyncRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Campaign" (
    "id" TEXT NOT NULL,
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
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastRunAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Campaign_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CampaignRecipient" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "holdout" BOOLEAN NOT NULL,
    "assignedAt" TIMESTAMP(3) NOT NULL,
    "code" TEXT,
    "expiresAt" TIMESTAMP(3),
    "discountId" TEXT,
    "issuedAt" TIMESTAMP(3),
    "metafieldAt" TIMESTAMP(3),
    "flowSentAt" TIMESTAMP(3),
    "failure" TEXT,
    "failures" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "CampaignRecipient_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Session_shop_idx" ON "Session"("shop");

-- CreateIndex
CREATE INDEX "Customer_shop_email_idx" ON "Customer"("shop", "email");

-- CreateIndex
CREATE INDEX "Customer_shop_deletedAt_id_idx" ON "Customer"("shop", "deletedAt", "id");

-- CreateIndex
CREATE INDEX "Order_shop_customerId_idx" ON "Order"("shop", "customerId");

-- CreateIndex
CREATE INDEX "Order_shop_processedAt_idx" ON "Order"("shop", "processedAt");

-- CreateIndex
CREATE INDEX "Refund_shop_orderId_idx" ON "Refund"("shop", "orderId");

-- CreateIndex
CREATE INDEX "Job_state_runAt_idx" ON "Job"("state", "runAt");

-- CreateIndex
CREATE INDEX "Job_shop_state_idx" ON "Job"("shop", "state");

-- CreateIndex
CREATE INDEX "Job_shop_key_state_idx" ON "Job"("shop", "key", "state");

-- CreateIndex
CREATE INDEX "BackfillRun_shop_startedAt_idx" ON "BackfillRun"("shop", "startedAt");

-- CreateIndex
CREATE INDEX "WebhookDelivery_shop_eventId_idx" ON "WebhookDelivery"("shop", "eventId");

-- CreateIndex
CREATE INDEX "ComplianceRequest_shop_idx" ON "ComplianceRequest"("shop");

-- CreateIndex
CREATE INDEX "CustomerState_shop_segment_idx" ON "CustomerState"("shop", "segment");

-- CreateIndex
CREATE INDEX "CustomerState_shop_tier_idx" ON "CustomerState"("shop", "tier");

-- CreateIndex
CREATE INDEX "CustomerStateChange_shop_customerId_at_idx" ON "CustomerStateChange"("shop", "customerId", "at");

-- CreateIndex
CREATE INDEX "CustomerStateChange_shop_at_idx" ON "CustomerStateChange"("shop", "at");

-- CreateIndex
CREATE INDEX "CustomerStateChange_shop_flowSentAt_idx" ON "CustomerStateChange"("shop", "flowSentAt");

-- CreateIndex
CREATE INDEX "ReconcileRun_shop_startedAt_idx" ON "ReconcileRun"("shop", "startedAt");

-- CreateIndex
CREATE INDEX "CustomerSync_shop_failedAt_idx" ON "CustomerSync"("shop", "failedAt");

-- CreateIndex
CREATE INDEX "SyncRun_shop_startedAt_idx" ON "SyncRun"("shop", "startedAt");

-- CreateIndex
CREATE INDEX "Campaign_shop_status_idx" ON "Campaign"("shop", "status");

-- CreateIndex
CREATE INDEX "CampaignRecipient_shop_campaignId_assignedAt_idx" ON "CampaignRecipient"("shop", "campaignId", "assignedAt");

-- CreateIndex
CREATE INDEX "CampaignRecipient_shop_customerId_campaignId_idx" ON "CampaignRecipient"("shop", "customerId", "campaignId");

-- CreateIndex
CREATE UNIQUE INDEX "CampaignRecipient_shop_code_key" ON "CampaignRecipient"("shop", "code");


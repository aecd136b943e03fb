-- CreateTable
CREATE TABLE "LineLink" (
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "lineUserId" TEXT NOT NULL,
    "displayName" TEXT,
    "locale" TEXT NOT NULL,
    "following" BOOLEAN NOT NULL,
    "linkedAt" DATETIME NOT NULL,
    "followAt" DATETIME,

    PRIMARY KEY ("shop", "customerId")
);

-- CreateTable
CREATE TABLE "ChannelMessage" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "sourceKey" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "retryKey" TEXT NOT NULL,
    "batchKey" TEXT,
    "requestId" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME,
    "lastError" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" DATETIME
);

-- CreateIndex
CREATE UNIQUE INDEX "LineLink_shop_lineUserId_key" ON "LineLink"("shop", "lineUserId");

-- CreateIndex
CREATE INDEX "ChannelMessage_shop_channel_state_nextAttemptAt_idx" ON "ChannelMessage"("shop", "channel", "state", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "ChannelMessage_shop_event_sourceKey_idx" ON "ChannelMessage"("shop", "event", "sourceKey");

-- CreateIndex
CREATE INDEX "ChannelMessage_shop_customerId_idx" ON "ChannelMessage"("shop", "customerId");

-- CreateIndex
CREATE UNIQUE INDEX "ChannelMessage_shop_channel_customerId_event_sourceKey_key" ON "ChannelMessage"("shop", "channel", "customerId", "event", "sourceKey");


-- CreateTable
CREATE TABLE "LineLink" (
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "lineUserId" TEXT NOT NULL,
    "displayName" TEXT,
    "locale" TEXT NOT NULL,
    "following" BOOLEAN NOT NULL,
    "linkedAt" TIMESTAMP(3) NOT NULL,
    "followAt" TIMESTAMP(3),

    CONSTRAINT "LineLink_pkey" PRIMARY KEY ("shop","customerId")
);

-- CreateTable
CREATE TABLE "ChannelMessage" (
    "id" SERIAL NOT NULL,
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
    "nextAttemptAt" TIMESTAMP(3),
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMP(3),

    CONSTRAINT "ChannelMessage_pkey" PRIMARY KEY ("id")
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


-- CreateTable
CREATE TABLE "ChannelConnection" (
    "shop" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "publicId" TEXT,
    "secrets" TEXT NOT NULL,
    "keyId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'untested',
    "lastError" TEXT,
    "lastTestedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ChannelConnection_pkey" PRIMARY KEY ("shop","channel")
);


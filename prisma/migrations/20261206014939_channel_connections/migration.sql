-- CreateTable
CREATE TABLE "ChannelConnection" (
    "shop" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "publicId" TEXT,
    "secrets" TEXT NOT NULL,
    "keyId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'untested',
    "lastError" TEXT,
    "lastTestedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "channel")
);


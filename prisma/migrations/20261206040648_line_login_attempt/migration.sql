-- CreateTable
CREATE TABLE "LineLoginAttempt" (
    "state" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "codeVerifier" TEXT NOT NULL,
    "nonce" TEXT NOT NULL,
    "redirectUri" TEXT NOT NULL,
    "locale" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "LineLoginAttempt_shop_customerId_idx" ON "LineLoginAttempt"("shop", "customerId");

-- CreateIndex
CREATE INDEX "LineLoginAttempt_expiresAt_idx" ON "LineLoginAttempt"("expiresAt");


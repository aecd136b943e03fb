-- CreateTable
CREATE TABLE "LineLoginAttempt" (
    "state" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "codeVerifier" TEXT NOT NULL,
    "nonce" TEXT NOT NULL,
    "redirectUri" TEXT NOT NULL,
    "locale" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LineLoginAttempt_pkey" PRIMARY KEY ("state")
);

-- CreateIndex
CREATE INDEX "LineLoginAttempt_shop_customerId_idx" ON "LineLoginAttempt"("shop", "customerId");

-- CreateIndex
CREATE INDEX "LineLoginAttempt_expiresAt_idx" ON "LineLoginAttempt"("expiresAt");


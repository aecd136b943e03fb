-- CreateTable
CREATE TABLE "ProxySignature" (
    "shop" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "signature")
);

-- CreateIndex
CREATE INDEX "ProxySignature_expiresAt_idx" ON "ProxySignature"("expiresAt");


-- CreateTable
CREATE TABLE "ProxySignature" (
    "shop" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ProxySignature_pkey" PRIMARY KEY ("shop","signature")
);

-- CreateIndex
CREATE INDEX "ProxySignature_expiresAt_idx" ON "ProxySignature"("expiresAt");


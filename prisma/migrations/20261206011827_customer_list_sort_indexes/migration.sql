-- CreateIndex
CREATE INDEX "CustomerState_shop_lastOrderAt_customerId_idx" ON "CustomerState"("shop", "lastOrderAt" DESC, "customerId");

-- CreateIndex
CREATE INDEX "CustomerState_shop_frequency_customerId_idx" ON "CustomerState"("shop", "frequency" DESC, "customerId");

-- CreateIndex
CREATE INDEX "CustomerState_shop_monetaryMinor_customerId_idx" ON "CustomerState"("shop", "monetaryMinor" DESC, "customerId");


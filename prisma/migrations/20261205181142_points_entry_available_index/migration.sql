-- CreateIndex
CREATE INDEX "PointsEntry_shop_availableAt_idx" ON "PointsEntry"("shop", "availableAt");


-- DropIndex
DROP INDEX "CustomerState_shop_segment_idx";

-- CreateIndex
CREATE INDEX "CustomerState_shop_segment_monetaryMinor_frequency_idx" ON "CustomerState"("shop", "segment", "monetaryMinor", "frequency");


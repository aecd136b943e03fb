-- DropIndex
DROP INDEX "CustomerStateChange_shop_at_idx";

-- CreateIndex
CREATE INDEX "CustomerStateChange_shop_at_kind_from_to_idx" ON "CustomerStateChange"("shop", "at", "kind", "from", "to");


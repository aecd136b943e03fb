-- AlterTable
ALTER TABLE "CustomerState" ADD COLUMN "digest" TEXT;

-- CreateIndex
CREATE INDEX "Customer_shop_deletedAt_id_idx" ON "Customer"("shop", "deletedAt", "id");


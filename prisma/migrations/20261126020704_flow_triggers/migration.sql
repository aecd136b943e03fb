-- AlterTable
ALTER TABLE "CustomerStateChange" ADD COLUMN "flowSentAt" DATETIME;

-- CreateIndex
CREATE INDEX "CustomerStateChange_shop_flowSentAt_idx" ON "CustomerStateChange"("shop", "flowSentAt");


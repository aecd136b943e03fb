-- AlterTable
ALTER TABLE "Job" ADD COLUMN "finishedAt" DATETIME;
ALTER TABLE "Job" ADD COLUMN "key" TEXT;

-- CreateIndex
CREATE INDEX "Job_shop_key_state_idx" ON "Job"("shop", "key", "state");


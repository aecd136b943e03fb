-- CreateTable
CREATE TABLE "PointsFlowTrigger" (
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "sourceKey" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "points" BIGINT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMP(3),

    CONSTRAINT "PointsFlowTrigger_pkey" PRIMARY KEY ("shop","customerId","sourceKey","topic")
);

-- CreateIndex
CREATE INDEX "PointsFlowTrigger_shop_state_idx" ON "PointsFlowTrigger"("shop", "state");


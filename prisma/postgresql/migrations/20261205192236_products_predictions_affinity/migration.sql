-- AlterTable
ALTER TABLE "SyncSettings" ADD COLUMN     "insightPrefix" TEXT;

-- CreateTable
CREATE TABLE "Product" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "title" TEXT,
    "handle" TEXT,
    "productType" TEXT,
    "vendor" TEXT,
    "status" TEXT,
    "sourceUpdatedAt" TIMESTAMP(3),
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "Product_pkey" PRIMARY KEY ("shop","id")
);

-- CreateTable
CREATE TABLE "OrderLine" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "productId" TEXT,
    "variantId" TEXT,
    "title" TEXT NOT NULL,
    "variantTitle" TEXT,
    "vendor" TEXT,
    "sku" TEXT,
    "quantity" INTEGER NOT NULL,
    "amountMinor" BIGINT NOT NULL,
    "giftCard" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "OrderLine_pkey" PRIMARY KEY ("shop","id")
);

-- CreateTable
CREATE TABLE "RefundLine" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "refundId" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "lineId" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "amountMinor" BIGINT,

    CONSTRAINT "RefundLine_pkey" PRIMARY KEY ("shop","id")
);

-- CreateTable
CREATE TABLE "ShopPrediction" (
    "shop" TEXT NOT NULL,
    "asOf" TIMESTAMP(3) NOT NULL,
    "status" TEXT NOT NULL,
    "reason" TEXT,
    "customers" INTEGER NOT NULL,
    "repeaters" INTEGER NOT NULL,
    "model" TEXT NOT NULL DEFAULT '{}',
    "backtest" TEXT,
    "fittedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ShopPrediction_pkey" PRIMARY KEY ("shop")
);

-- CreateTable
CREATE TABLE "CustomerPrediction" (
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "x" INTEGER NOT NULL,
    "tx" DOUBLE PRECISION NOT NULL,
    "T" DOUBLE PRECISION NOT NULL,
    "pAlive" DOUBLE PRECISION NOT NULL,
    "expected90" DOUBLE PRECISION NOT NULL,
    "expected365" DOUBLE PRECISION NOT NULL,
    "avgSpendMinor" BIGINT,
    "clv12Minor" BIGINT,
    "band" TEXT,
    "asOf" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CustomerPrediction_pkey" PRIMARY KEY ("shop","customerId")
);

-- CreateTable
CREATE TABLE "PredictionSettings" (
    "shop" TEXT NOT NULL,
    "settings" TEXT NOT NULL DEFAULT '{}',
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PredictionSettings_pkey" PRIMARY KEY ("shop")
);

-- CreateTable
CREATE TABLE "ProductAssociation" (
    "shop" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "antecedent" TEXT NOT NULL,
    "consequent" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "support" DOUBLE PRECISION NOT NULL,
    "confidence" DOUBLE PRECISION NOT NULL,
    "lift" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "ProductAssociation_pkey" PRIMARY KEY ("shop","kind","antecedent","consequent")
);

-- CreateTable
CREATE TABLE "ShopAffinity" (
    "shop" TEXT NOT NULL,
    "asOf" TIMESTAMP(3) NOT NULL,
    "status" TEXT NOT NULL,
    "orders" INTEGER NOT NULL,
    "lines" INTEGER NOT NULL,
    "rules" INTEGER NOT NULL,
    "settings" TEXT NOT NULL DEFAULT '{}',
    "computedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ShopAffinity_pkey" PRIMARY KEY ("shop")
);

-- CreateTable
CREATE TABLE "ProductExclusion" (
    "shop" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProductExclusion_pkey" PRIMARY KEY ("shop","productId")
);

-- CreateTable
CREATE TABLE "CustomerRecommendation" (
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "products" TEXT NOT NULL,
    "computedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CustomerRecommendation_pkey" PRIMARY KEY ("shop","customerId")
);

-- CreateTable
CREATE TABLE "CustomerShopifyStats" (
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "rfmGroup" TEXT,
    "predictedSpendTier" TEXT,
    "readAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CustomerShopifyStats_pkey" PRIMARY KEY ("shop","customerId")
);

-- CreateTable
CREATE TABLE "StateHistory" (
    "shop" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "kind" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "customers" INTEGER NOT NULL,

    CONSTRAINT "StateHistory_pkey" PRIMARY KEY ("shop","kind","at","key")
);

-- CreateTable
CREATE TABLE "StateMoveHistory" (
    "shop" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "kind" TEXT NOT NULL,
    "from" TEXT NOT NULL,
    "to" TEXT NOT NULL,
    "customers" INTEGER NOT NULL,

    CONSTRAINT "StateMoveHistory_pkey" PRIMARY KEY ("shop","kind","at","from","to")
);

-- CreateIndex
CREATE INDEX "Product_shop_productType_idx" ON "Product"("shop", "productType");

-- CreateIndex
CREATE INDEX "OrderLine_shop_orderId_idx" ON "OrderLine"("shop", "orderId");

-- CreateIndex
CREATE INDEX "OrderLine_shop_productId_idx" ON "OrderLine"("shop", "productId");

-- CreateIndex
CREATE INDEX "RefundLine_shop_orderId_idx" ON "RefundLine"("shop", "orderId");

-- CreateIndex
CREATE INDEX "CustomerPrediction_shop_pAlive_idx" ON "CustomerPrediction"("shop", "pAlive");

-- CreateIndex
CREATE INDEX "CustomerPrediction_shop_clv12Minor_idx" ON "CustomerPrediction"("shop", "clv12Minor");

-- CreateIndex
CREATE INDEX "CustomerPrediction_shop_band_idx" ON "CustomerPrediction"("shop", "band");

-- CreateIndex
CREATE INDEX "ProductAssociation_shop_kind_lift_idx" ON "ProductAssociation"("shop", "kind", "lift");

-- CreateIndex
CREATE INDEX "CustomerShopifyStats_shop_rfmGroup_idx" ON "CustomerShopifyStats"("shop", "rfmGroup");


-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Order" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "customerId" TEXT,
    "name" TEXT,
    "processedAt" DATETIME NOT NULL,
    "cancelledAt" DATETIME,
    "test" BOOLEAN NOT NULL DEFAULT false,
    "currencyCode" TEXT NOT NULL,
    "currentTotalMinor" BIGINT NOT NULL,
    "valueMinor" BIGINT NOT NULL,
    "discountCodes" TEXT NOT NULL DEFAULT '[]',
    "discountMinor" BIGINT NOT NULL DEFAULT 0,
    "sourceUpdatedAt" DATETIME,
    "deletedAt" DATETIME,

    PRIMARY KEY ("shop", "id")
);
INSERT INTO "new_Order" ("cancelledAt", "currencyCode", "currentTotalMinor", "customerId", "deletedAt", "discountCodes", "id", "name", "processedAt", "shop", "sourceUpdatedAt", "test", "valueMinor") SELECT "cancelledAt", "currencyCode", "currentTotalMinor", "customerId", "deletedAt", "discountCodes", "id", "name", "processedAt", "shop", "sourceUpdatedAt", "test", "valueMinor" FROM "Order";
DROP TABLE "Order";
ALTER TABLE "new_Order" RENAME TO "Order";
CREATE INDEX "Order_shop_customerId_idx" ON "Order"("shop", "customerId");
CREATE INDEX "Order_shop_processedAt_idx" ON "Order"("shop", "processedAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;


-- DropIndex
DROP INDEX "WebhookDelivery_shop_eventId_idx";

-- CreateIndex
CREATE UNIQUE INDEX "WebhookDelivery_shop_eventId_topic_key" ON "WebhookDelivery"("shop", "eventId", "topic");


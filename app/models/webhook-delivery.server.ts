// Delivered webhooks per shop, so that Shopify's at-least-once delivery becomes exactly-once handling. A repeat is
// the same webhook id (a retry) or the same event id and topic (a duplicate delivery of one event).
import { prisma } from "../db.server";

export interface DeliveryIds {
  webhookId: string;
  eventId: string | null;
  topic: string;
}

export async function wasDelivered(shop: string, { webhookId, eventId, topic }: DeliveryIds): Promise<boolean> {
  // Each branch carries the shop, so SQLite uses the primary key and the (shop, eventId) index instead of scanning
  // every delivery the shop ever had.
  const row = await prisma.webhookDelivery.findFirst({
    where: { OR: [{ shop, webhookId }, ...(eventId ? [{ shop, eventId, topic }] : [])] },
    select: { webhookId: true },
  });
  return row !== null;
}

/**
 * Records a handled delivery; a concurrent duplicate that got there first (the same webhook id, or the same event and
 * topic) is not an error: its changes were the same idempotent writes, and the event keeps one row.
 */
export async function recordDelivery(shop: string, { webhookId, eventId, topic }: DeliveryIds): Promise<void> {
  await prisma.$executeRaw`INSERT INTO "WebhookDelivery" ("shop", "webhookId", "eventId", "topic", "receivedAt")
    VALUES (${shop}, ${webhookId}, ${eventId}, ${topic}, ${new Date()}) ON CONFLICT DO NOTHING`;
}

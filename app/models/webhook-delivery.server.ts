// Delivered webhook ids per shop, so that Shopify's at-least-once delivery becomes exactly-once handling.
import { prisma } from "../db.server";

export async function wasDelivered(shop: string, webhookId: string): Promise<boolean> {
  const row = await prisma.webhookDelivery.findUnique({ where: { shop_webhookId: { shop, webhookId } } });
  return row !== null;
}

/** Records a handled delivery; a concurrent duplicate that got there first is not an error. */
export async function recordDelivery(shop: string, webhookId: string, topic: string): Promise<void> {
  await prisma.webhookDelivery.upsert({
    where: { shop_webhookId: { shop, webhookId } },
    create: { shop, webhookId, topic },
    update: {},
  });
}

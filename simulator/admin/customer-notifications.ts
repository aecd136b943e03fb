// What Shopify sends a customer because of the app's calls (emails, texts), recorded on the shop so tests can read it
// (ShopState.customerNotifications; the kinds and their sources are in records.ts).
import type { CustomerRecord } from "../shop-file/types";
import { isoAt, type Clock } from "./clock";
import type { CustomerNotificationRecord } from "./records";
import type { ShopState } from "./store";

/**
 * Where a gift card notification reaches a customer: "When both an email address and a phone number are available,
 * the notification is sent by email" (https://shopify.dev/docs/api/admin-graphql/latest/mutations/giftCardSendNotificationToCustomer).
 */
export function contactOf(customer: CustomerRecord): { channel: "email" | "sms"; to: string } | null {
  if (customer.email) return { channel: "email", to: customer.email };
  if (customer.phone) return { channel: "sms", to: customer.phone };
  return null;
}

export function recordNotification(
  shop: ShopState,
  clock: Clock,
  notification: Omit<CustomerNotificationRecord, "recordedAt" | "sendAt"> & { sendAt?: string },
): CustomerNotificationRecord {
  const now = isoAt(clock);
  const record: CustomerNotificationRecord = { ...notification, sendAt: notification.sendAt ?? now, recordedAt: now };
  shop.customerNotifications.push(record);
  return record;
}

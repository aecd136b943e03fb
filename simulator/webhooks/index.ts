// The simulator's Shopify webhook sender: REST bodies from shop-file records, signed and delivered like Shopify.
export { createWebhookSender, realClock, SHOPIFY_WEBHOOK_USER_AGENT } from "./sender";
export type {
  BatchOptions,
  Clock,
  DeliveryLogEntry,
  DeliveryOutcome,
  SendOptions,
  WebhookSender,
  WebhookSenderOptions,
} from "./sender";
export { signWebhookBody } from "./sign";
export { assertValidPayload, validatorFor, WebhookPayloadSchemaError } from "./schema-check";
export { WIDENINGS } from "./schema-widening";
export { parseAppTomlWebhooks, pathsFor, subscriptionsFromMap } from "./subscriptions";
export type { AppTomlWebhooks, Subscription, SubscriptionMap } from "./subscriptions";
export { SHOPIFY_RETRY_DELAYS_MS, retryDelays } from "./retry-schedule";
export type { RetryOptions } from "./retry-schedule";
export { createPrng } from "./prng";
export { WEBHOOK_TOPICS } from "./topics";
export type { TopicResources, WebhookEvent, WebhookTopic } from "./topics";
export * from "./payloads";
export { restTimestamp, restId, toMinor, fromMinor, API_VERSION } from "./payloads/shared";

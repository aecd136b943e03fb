// Email marketing consent as Shopify announces it (customers_email_marketing_consent/update; docs/klaviyo.md):
// - withdrawn (any state but subscribed): the customer's waiting Klaviyo events are skipped at once, the event
//   producer leaves them out, and — when Klaviyo may hold their loyalty_ properties — the next pass removes them
//   (queued now); nothing is sent to Klaviyo from here;
// - given: their digest is forgotten, so the next pass (queued now), which asks Shopify before sending, sends all
//   their properties.
// Only customers the Klaviyo sync already knows change; the others have nothing in Klaviyo. A change older than the
// last one applied for the customer (consent_updated_at; docs/klaviyo.md#consent-order) changes nothing.
import { enqueueKlaviyoSync } from "../jobs/contracts";
import type { JobQueue } from "../jobs/queue";
import { getQueue } from "../jobs/runtime.server";
import { getSealedConnection } from "../models/channel-connections.server";
import { applyConsentChange } from "../models/klaviyo-profiles.server";

export const CONSENT_WITHDRAWN_REASON = "unsubscribed from email marketing (Shopify's consent update)";

export interface ConsentOutcome {
  /** False: a newer consent change was already applied for this customer; nothing changed, nothing queued. */
  applied: boolean;
  /** Waiting event rows skipped. */
  skipped: number;
  /** Whether a pass was queued (removal of the properties, or sending them again). */
  queued: boolean;
}

/** The consent change that happened at `at` (Shopify's consent_updated_at, or when it raised the webhook). */
export async function applyEmailMarketingConsent(
  shop: string,
  customerId: string,
  subscribed: boolean,
  at: Date,
  queue: JobQueue = getQueue(),
): Promise<ConsentOutcome> {
  const change = await applyConsentChange(shop, customerId, subscribed, at, CONSENT_WITHDRAWN_REASON);
  if (!change.applied) return { applied: false, skipped: 0, queued: false };
  const connected = (await getSealedConnection(shop, "klaviyo")) !== null;
  const queued = connected && (subscribed || change.clear);
  if (queued) await enqueueKlaviyoSync(queue, shop, "consent");
  return { applied: true, skipped: change.skipped, queued };
}

// Email marketing consent as Shopify announces it (customers_email_marketing_consent/update; docs/klaviyo.md):
// - withdrawn (any state but subscribed): the customer's waiting Klaviyo events are skipped at once, the event
//   producer leaves them out, and — when Klaviyo may hold their loyalty_ properties — the next pass removes them
//   (queued now); nothing is sent to Klaviyo from here;
// - given: their digest is forgotten, so the next pass (queued now), which asks Shopify before sending, sends all
//   their properties.
// Only customers the Klaviyo sync already knows change; the others have nothing in Klaviyo.
import { enqueueKlaviyoSync } from "../jobs/contracts";
import type { JobQueue } from "../jobs/queue";
import { getQueue } from "../jobs/runtime.server";
import { getSealedConnection } from "../models/channel-connections.server";
import { restoreKlaviyoConsent, skipPendingEventsOf, withdrawKlaviyoConsent } from "../models/klaviyo-profiles.server";

export const CONSENT_WITHDRAWN_REASON = "unsubscribed from email marketing (Shopify's consent update)";

export interface ConsentOutcome {
  /** Waiting event rows skipped. */
  skipped: number;
  /** Whether a pass was queued (removal of the properties, or sending them again). */
  queued: boolean;
}

export async function applyEmailMarketingConsent(
  shop: string,
  customerId: string,
  subscribed: boolean,
  queue: JobQueue = getQueue(),
): Promise<ConsentOutcome> {
  const connected = (await getSealedConnection(shop, "klaviyo")) !== null;
  if (subscribed) {
    await restoreKlaviyoConsent(shop, customerId);
    if (connected) await enqueueKlaviyoSync(queue, shop, "consent");
    return { skipped: 0, queued: connected };
  }
  const skipped = await skipPendingEventsOf(shop, customerId, CONSENT_WITHDRAWN_REASON);
  const clear = await withdrawKlaviyoConsent(shop, customerId);
  if (clear && connected) await enqueueKlaviyoSync(queue, shop, "consent");
  return { skipped, queued: clear && connected };
}

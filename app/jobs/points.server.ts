// Points jobs: `points-customer` (one customer's journal after a ledger change of theirs) and `points-shop` (every
// customer's, after each full recompute: daily, backfill, rules). The payloads are checked here; the work is
// services/points.server.ts. The storefront's points metafield follows the journal: with the queue given, a journal
// that gained entries queues the shop's coalesced sync (a customer's a few seconds later, so a burst makes one sync),
// and every shop pass does, since pending points become available and expiries come near as days pass. With a client
// (`clientFor`), each pass then sends "Points earned" for the points that became available (and again for sends
// Shopify refused before): services/points-flow.server.ts announcePointsEarned.
import { pointsCustomerChanged, pointsShopPass } from "../services/points.server";
import { announcePointsEarned } from "../services/points-flow.server";
import { enqueueKlaviyoSyncIfConnected } from "../services/klaviyo-sync.server";
import { enqueueLineEventsIfConnected } from "../services/channel-events.server";
import type { AdminClient } from "../shopify/client";
import {
  enqueueBirthdays,
  enqueueSync,
  KLAVIYO_SYNC_COALESCE_MS,
  POINTS_SHOP_REASONS,
  SYNC_COALESCE_MS,
  type PointsCustomerPayload,
  type PointsShopPayload,
} from "./contracts";
import { PermanentJobError, type JobContext, type JobQueue } from "./queue";

export interface PointsJobDeps {
  now?: () => Date;
  /** Where the sync that follows a changed journal is queued; none: no sync (a test of the journal alone). */
  queue?: JobQueue;
  /** The shop's Admin client for the "Points earned" trigger; none: not sent (a test of the journal alone). */
  clientFor?: (shop: string) => Promise<AdminClient>;
}

/** "Points earned" after a pass's derive (the client asked for only when there is something to send). */
async function announce(shop: string, deps: PointsJobDeps, customerIds?: readonly string[]) {
  const { clientFor } = deps;
  if (!clientFor) return;
  await announcePointsEarned(shop, async () => ({ client: await clientFor(shop) }), { now: deps.now, customerIds });
}

export function pointsCustomerJob(deps: PointsJobDeps = {}) {
  return async function runPointsCustomer(job: JobContext<PointsCustomerPayload>) {
    const { shop, payload } = job;
    if (typeof payload.customerId !== "string" || payload.customerId === "")
      throw new PermanentJobError(`points-customer needs a customerId, got ${JSON.stringify(payload.customerId)}`);
    const result = await pointsCustomerChanged(shop, payload.customerId, { now: deps.now });
    if (deps.queue && result && result.appended > 0) {
      await enqueueSync(deps.queue, shop, "customer", { delayMs: SYNC_COALESCE_MS, now: deps.now });
      await enqueueKlaviyoSyncIfConnected(deps.queue, shop, "points", {
        delayMs: KLAVIYO_SYNC_COALESCE_MS,
        now: deps.now,
      });
    }
    if (result) await announce(shop, deps, [payload.customerId]);
    // "Points earned" through LINE follows the announcement's record (docs/line-sending.md).
    if (deps.queue && result && result.appended > 0)
      await enqueueLineEventsIfConnected(deps.queue, shop, "points", { delayMs: 3_000, now: deps.now });
  };
}

export function pointsShopJob(deps: PointsJobDeps = {}) {
  return async function runPointsShop(job: JobContext<PointsShopPayload>) {
    const { shop, payload } = job;
    if (!POINTS_SHOP_REASONS.includes(payload.reason))
      throw new PermanentJobError(`unknown points-shop reason ${JSON.stringify(payload.reason)}`);
    const result = await pointsShopPass(shop, { now: deps.now });
    if (deps.queue && result && result.customers > 0) {
      await enqueueSync(deps.queue, shop, "recompute", { now: deps.now });
      await enqueueKlaviyoSyncIfConnected(deps.queue, shop, "points", { now: deps.now });
    }
    if (result) await announce(shop, deps);
    if (deps.queue && result && result.customers > 0)
      await enqueueLineEventsIfConnected(deps.queue, shop, "points", { now: deps.now });
    // Birth dates from the chosen metafield, read daily with this pass (the job does nothing while the bonus is off)
    if (deps.queue && result && payload.reason === "daily") await enqueueBirthdays(deps.queue, shop, "daily");
  };
}

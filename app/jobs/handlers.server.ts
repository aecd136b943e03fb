// Every job kind the worker knows, and the handler that runs it: a plain map, one line per kind, built from what the
// handlers need (the Admin API client of a shop, the queue), so a test can run the app's own handlers on its own.
// Kinds and payloads are jobs/contracts.ts; each handler checks its payload and calls its service.
import { parkJob } from "../services/access.server";
import type { AdminClient } from "../shopify/client";
import { accessRefusals } from "../shopify/errors";
import { adminClientForJob } from "./admin-client.server";
import { affinityJob } from "./affinity.server";
import { backfillJob } from "./backfill.server";
import { pointsBirthdaysJob } from "./birthdays.server";
import { campaignsJob } from "./campaigns.server";
import { channelEventsJob } from "./channel-events.server";
import {
  AFFINITY,
  BACKFILL,
  CAMPAIGNS,
  CHANNEL_EVENTS,
  CUSTOMER_CHANGED,
  CUSTOMER_REFRESH,
  HISTORY,
  KLAVIYO_SYNC,
  LINE_SEND,
  POINTS_BIRTHDAYS,
  POINTS_CUSTOMER,
  POINTS_SHOP,
  PREDICTIONS,
  PRODUCT_REFRESH,
  PRODUCTS_IMPORT,
  RECOMPUTE_SHOP,
  RECONCILE,
  REDEMPTIONS_RECOVER,
  REFERRALS,
  SHOPIFY_STATS,
  SYNC,
} from "./contracts";
import { customerRefreshJob } from "./customer-refresh.server";
import { historyJob } from "./history.server";
import { lineSendJob } from "./line-send.server";
import { klaviyoSyncJob } from "./klaviyo-sync.server";
import { pointsCustomerJob, pointsShopJob } from "./points.server";
import { predictionsJob } from "./predictions.server";
import { productRefreshJob } from "./product-refresh.server";
import { productsImportJob } from "./products-import.server";
import type { JobHandler, JobHandlers, JobQueue } from "./queue";
import { customerChangedJob, recomputeShopJob } from "./recompute.server";
import { reconcileJob } from "./reconcile.server";
import { redemptionsRecoverJob } from "./redemptions.server";
import { referralsJob } from "./referrals.server";
import { getQueue } from "./runtime.server";
import { shopifyStatsJob } from "./shopify-stats.server";
import { syncJob } from "./sync.server";

/**
 * A job Shopify refuses for lack of access (a missing scope, protected customer data not approved) is parked, not
 * retried: retrying cannot help until access is granted, which queues it again (services/access.server.ts).
 */
function parkedWhenRefused<P>(kind: string, handler: JobHandler<P>): JobHandler<P> {
  return async (job) => {
    try {
      await handler(job);
    } catch (error) {
      const refusals = accessRefusals(error);
      if (!refusals) throw error;
      await parkJob(job.shop, { kind, payload: job.payload }, refusals);
    }
  };
}

export interface JobHandlerDeps {
  clientFor(shop: string): Promise<AdminClient>;
  queue: JobQueue;
}

export function createJobHandlers({ clientFor, queue }: JobHandlerDeps): JobHandlers {
  const handlers: JobHandlers = {
    [BACKFILL]: backfillJob({ clientFor, queue }),
    [RECONCILE]: reconcileJob({ clientFor, queue }),
    [RECOMPUTE_SHOP]: recomputeShopJob({ queue }),
    [CUSTOMER_CHANGED]: customerChangedJob({ queue }),
    [HISTORY]: historyJob(),
    [SHOPIFY_STATS]: shopifyStatsJob({ clientFor }),
    [SYNC]: syncJob({ clientFor }),
    [CAMPAIGNS]: campaignsJob({ clientFor, queue }),
    [CUSTOMER_REFRESH]: customerRefreshJob({ clientFor, queue }),
    [POINTS_CUSTOMER]: pointsCustomerJob({ clientFor, queue }),
    [POINTS_SHOP]: pointsShopJob({ clientFor, queue }),
    [PREDICTIONS]: predictionsJob({ queue }),
    [AFFINITY]: affinityJob({ queue }),
    [POINTS_BIRTHDAYS]: pointsBirthdaysJob({ clientFor, queue }),
    [REDEMPTIONS_RECOVER]: redemptionsRecoverJob({ clientFor, queue }),
    [PRODUCTS_IMPORT]: productsImportJob({ clientFor }),
    [PRODUCT_REFRESH]: productRefreshJob({ clientFor, queue }),
    [REFERRALS]: referralsJob({ clientFor, queue }),
    [KLAVIYO_SYNC]: klaviyoSyncJob({ clientFor, queue }),
    [CHANNEL_EVENTS]: channelEventsJob({ queue }),
    [LINE_SEND]: lineSendJob({ queue }),
  };
  return Object.fromEntries(
    Object.entries(handlers).map(([kind, handler]) => [kind, parkedWhenRefused(kind, handler as JobHandler<unknown>)]),
  );
}

/** The process's handlers: the Admin API client of the shop's stored session, the process's queue. */
export function appJobHandlers(): JobHandlers {
  return createJobHandlers({ clientFor: (shop) => adminClientForJob(shop), queue: getQueue() });
}

// Every job kind the worker knows, and the handler that runs it. A plain map: one line per kind.
import { adminClientForJob } from "../shopify/job-client.server";
import { backfillJob, BACKFILL } from "./backfill.server";
import { reconcileJob, RECONCILE } from "./reconcile.server";
import type { JobHandlers } from "./queue";
import { CUSTOMER_CHANGED, customerChangedJob, RECOMPUTE_SHOP, recomputeShopJob } from "./recompute.server";
import { getQueue } from "./runtime.server";
import { SYNC, syncJob } from "./sync.server";
import { CAMPAIGNS, campaignsJob } from "./campaigns.server";
import { CUSTOMER_REFRESH, customerRefreshJob } from "./customer-refresh.server";

export const jobHandlers: JobHandlers = {
  [BACKFILL]: backfillJob({ clientFor: (shop) => adminClientForJob(shop), queue: getQueue() }),
  [RECONCILE]: reconcileJob({ clientFor: (shop) => adminClientForJob(shop) }),
  [RECOMPUTE_SHOP]: recomputeShopJob({ queue: getQueue() }),
  [CUSTOMER_CHANGED]: customerChangedJob({ queue: getQueue() }),
  [SYNC]: syncJob({ clientFor: (shop) => adminClientForJob(shop) }),
  [CAMPAIGNS]: campaignsJob({ clientFor: (shop) => adminClientForJob(shop) }),
  [CUSTOMER_REFRESH]: customerRefreshJob({ clientFor: (shop) => adminClientForJob(shop) }),
};

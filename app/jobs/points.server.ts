// Points jobs: `points-customer` (one customer's journal after a ledger change of theirs) and `points-shop` (every
// customer's, after each full recompute: daily, backfill, rules). The payloads are checked here; the work is
// services/points.server.ts.
import { pointsCustomerChanged, pointsShopPass } from "../services/points.server";
import { POINTS_SHOP_REASONS, type PointsCustomerPayload, type PointsShopPayload } from "./contracts";
import { PermanentJobError, type JobContext } from "./queue";

export interface PointsJobDeps {
  now?: () => Date;
}

export function pointsCustomerJob(deps: PointsJobDeps = {}) {
  return async function runPointsCustomer(job: JobContext<PointsCustomerPayload>) {
    const { shop, payload } = job;
    if (typeof payload.customerId !== "string" || payload.customerId === "")
      throw new PermanentJobError(`points-customer needs a customerId, got ${JSON.stringify(payload.customerId)}`);
    await pointsCustomerChanged(shop, payload.customerId, { now: deps.now });
  };
}

export function pointsShopJob(deps: PointsJobDeps = {}) {
  return async function runPointsShop(job: JobContext<PointsShopPayload>) {
    const { shop, payload } = job;
    if (!POINTS_SHOP_REASONS.includes(payload.reason))
      throw new PermanentJobError(`unknown points-shop reason ${JSON.stringify(payload.reason)}`);
    await pointsShopPass(shop, { now: deps.now });
  };
}

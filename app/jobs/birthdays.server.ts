// The `points-birthdays` job: birth dates read from the customer metafield the merchant chose, then the journals of
// the customers whose date changed (services/birthday-metafield.server.ts). Queued when the birthday bonus is turned
// on or its metafield changes (savePointsRules) and by the daily points pass; a journal that gained entries queues the
// shop's coalesced sync, so the storefront's points follow.
import type { AdminClient } from "../shopify/client";
import { readBirthdayMetafields } from "../services/birthday-metafield.server";
import { enqueueSync, POINTS_BIRTHDAYS_REASONS, type PointsBirthdaysPayload } from "./contracts";
import { PermanentJobError, type JobContext, type JobQueue } from "./queue";

export interface BirthdaysJobDeps {
  clientFor(shop: string): Promise<AdminClient>;
  queue?: JobQueue;
  now?: () => Date;
}

export function pointsBirthdaysJob(deps: BirthdaysJobDeps) {
  return async function runPointsBirthdays(job: JobContext<PointsBirthdaysPayload>) {
    const { shop, payload } = job;
    if (!POINTS_BIRTHDAYS_REASONS.includes(payload.reason))
      throw new PermanentJobError(`unknown points-birthdays reason ${JSON.stringify(payload.reason)}`);
    const result = await readBirthdayMetafields(shop, { clientFor: deps.clientFor, now: deps.now });
    if (deps.queue && result && result.appended > 0) await enqueueSync(deps.queue, shop, "customer", { now: deps.now });
  };
}

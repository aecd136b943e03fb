// Job rows per shop now belong to the job queue's engine (app/jobs/queue.ts: the table queue on SQLite, pg-boss on
// PostgreSQL), so app code calls getQueue().counts / state / cancelShop / purgeShop. These delegations remain for
// callers outside app/ written against the old functions.
import { getQueue } from "../jobs/runtime.server";

/** Stops every job of the shop that has not finished; a running job sees its signal aborted. */
export function cancelShopJobs(shop: string): Promise<number> {
  return getQueue().cancelShop(shop);
}

export async function countJobsByState(shop: string, kind?: string): Promise<Record<string, number>> {
  return (await getQueue().counts(shop, kind)) as Record<string, number>;
}

/** A job's state, or null when there is no such job. */
export function jobState(id: string): Promise<string | null> {
  return getQueue().state(id);
}

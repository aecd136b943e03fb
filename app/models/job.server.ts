// Job rows as seen per shop: counts by state, and cancelling a shop's pending work (uninstall, redact).
import { prisma } from "../db.server";

const ACTIVE_STATES = ["queued", "running"];

/** Stops every job of the shop that has not finished; a running job sees its state change and stops. */
export async function cancelShopJobs(shop: string): Promise<number> {
  const { count } = await prisma.job.updateMany({
    where: { shop, state: { in: ACTIVE_STATES } },
    data: { state: "cancelled", lockedBy: null, lockedUntil: null },
  });
  return count;
}

export async function countJobsByState(shop: string, kind?: string): Promise<Record<string, number>> {
  const rows = await prisma.job.groupBy({ by: ["state"], where: { shop, ...(kind === undefined ? {} : { kind }) }, _count: { _all: true } });
  return Object.fromEntries(rows.map((r) => [r.state, r._count._all]));
}

/** A job's state, or null when there is no such job. */
export async function jobState(id: string): Promise<string | null> {
  return (await prisma.job.findUnique({ where: { id }, select: { state: true } }))?.state ?? null;
}

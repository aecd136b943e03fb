// Backfill use cases: start one (on install, or on demand), and report its progress.
import { getQueue } from "../jobs/runtime.server";
import { BACKFILL } from "../jobs/backfill.server";
import { backfillProgress, createBackfillRun, latestBackfillRun } from "../models/backfill.server";

/** Starts a full-history backfill unless one is already queued or running; returns the run's id. */
export async function startBackfill(shop: string): Promise<{ runId: string; started: boolean }> {
  const { run, created } = await createBackfillRun(shop);
  if (created) await getQueue().enqueue(shop, BACKFILL, { runId: run.id }, { maxAttempts: 20 });
  return { runId: run.id, started: created };
}

/** On install: backfill a shop that has never been backfilled. */
export async function backfillOnInstall(shop: string) {
  if (!(await latestBackfillRun(shop))) await startBackfill(shop);
}

export async function backfillStatus(shop: string, now = new Date()) {
  const run = await latestBackfillRun(shop);
  return run ? backfillProgress(run, now) : null;
}

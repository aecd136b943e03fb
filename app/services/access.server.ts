// When Shopify says no for lack of access: the job that was refused is parked (not retried in a loop, not dead) and
// the refusal is recorded for the admin; when access is granted (app/scopes_update, a new token with more scopes) or
// the merchant asks to check again, the parked jobs are queued again. docs/rules.md#access.
import {
  accessReport,
  JOB_FEATURES,
  jobCanRun,
  mergeProblems,
  problemOf,
  withScopesGranted,
  hasScope,
  type RecordedProblem,
} from "../domain/access";
import { env } from "../env.server";
import { getQueue } from "../jobs/runtime.server";
import { logger } from "../logger.server";
import { latestBackfillRun } from "../models/backfill.server";
import { getShopAccess, updateShopAccess, type ParkedJob } from "../models/shop-access.server";
import { startBackfill } from "./backfill.server";

/** Same job (kind and payload) parked twice is one parked job. */
function sameJob(a: ParkedJob, b: ParkedJob) {
  return a.kind === b.kind && JSON.stringify(a.payload) === JSON.stringify(b.payload);
}

/** A job was refused for lack of access: record why, park it. */
export async function parkJob(shop: string, job: ParkedJob, refusals: string[], now = new Date()) {
  const features = JOB_FEATURES[job.kind] ?? [];
  await updateShopAccess(shop, (access) => {
    let problems = access.problems;
    for (const message of refusals) {
      const seen: RecordedProblem = {
        problem: problemOf(message, { granted: access.granted, features }),
        message,
        at: now.toISOString(),
      };
      problems = mergeProblems(problems, seen);
    }
    const parked = access.parked.some((p) => sameJob(p, job)) ? access.parked : [...access.parked, job];
    return { problems, parked, result: undefined };
  });
  logger.warn("job parked: Shopify refused it for lack of access", { shop, kind: job.kind, refusals });
}

async function enqueueAll(shop: string, jobs: ParkedJob[]) {
  const queue = getQueue();
  for (const job of jobs)
    await queue.enqueue(shop, job.kind, job.payload, { key: `${job.kind}:${JSON.stringify(job.payload)}` });
}

/**
 * The installation's scopes changed (app/scopes_update, or a token exchange): scope problems keep only what is still
 * missing, parked jobs that can run now are queued again, and a shop whose history was read without read_all_orders
 * gets a new backfill for the older orders once it is granted.
 */
export async function accessScopesChanged(shop: string, previous: readonly string[], current: readonly string[]) {
  const resumed = await updateShopAccess(shop, (access) => {
    const problems = withScopesGranted(access.problems, current);
    const runnable = access.parked.filter((job) => jobCanRun(job.kind, current, problems));
    return { problems, parked: access.parked.filter((job) => !runnable.includes(job)), result: runnable };
  });
  await enqueueAll(shop, resumed);
  if (!hasScope(previous, "read_all_orders") && hasScope(current, "read_all_orders") && previous.length > 0) {
    const run = await latestBackfillRun(shop);
    if (run && run.status === "done") await startBackfill(shop);
  }
  return { resumed: resumed.length };
}

/**
 * The merchant says access was granted (protected customer data is approved in the Partner Dashboard, which sends the
 * app no webhook): every refusal is forgotten and every parked job queued again; any that is still refused parks
 * itself again and the refusal comes back.
 */
export async function checkAccessAgain(shop: string) {
  const resumed = await updateShopAccess(shop, (access) => ({ problems: [], parked: [], result: access.parked }));
  await enqueueAll(shop, resumed);
  return { resumed: resumed.length };
}

/** What the admin shows: features that do not fully work and why, the refusals in Shopify's words, parked jobs. */
export async function accessStatus(shop: string) {
  const access = await getShopAccess(shop);
  // A shop whose grant was never recorded (a shop file loaded by the CLI) is judged by what Shopify refuses alone.
  const granted = access.granted.length ? access.granted : env.SCOPES;
  return {
    items: accessReport({ granted, requested: env.SCOPES, problems: access.problems }),
    refusals: access.problems.map((p) => ({ message: p.message, at: p.at })),
    parkedJobs: access.parked.length,
    /** Kinds of the parked jobs (the dashboard shows a parked import as waiting, not running). */
    parkedKinds: [...new Set(access.parked.map((job) => job.kind))],
    granted,
  };
}

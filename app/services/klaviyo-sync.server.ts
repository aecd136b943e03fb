// The Klaviyo sync (docs/klaviyo.md): keeps the Klaviyo profiles of the shop's email subscribers current with their
// loyalty properties through profile bulk import jobs, and sends the loyalty events as Klaviyo events.
// One pass (the klaviyo-sync job):
// 1. import jobs left open by an earlier pass (a restart, a crash after Klaviyo answered) are polled to their end —
//    never created again;
// 1b. customers who withdrew consent (clearPending, from the consent webhook or a "no" from Shopify) have the loyalty_
//    properties removed from their profile (import jobs with meta.patch_properties.unset);
// 2. every customer with an email address, in pages of 250: consent read from Shopify
//    (defaultEmailAddress.marketingState, the consent of this moment); for those SUBSCRIBED the properties are made
//    from the ledger and compared by digest with what Klaviyo last accepted; only the changed ones are imported, in
//    jobs of at most 10,000 profiles, each recorded with its profiles as soon as Klaviyo answers with its id;
// 3. event rows (ChannelMessage, channel "klaviyo") are written for what happened since Klaviyo was connected, and
//    the due ones sent — consent read from Shopify again right before, so an unsubscribe stops them at once.
import type { AdminClient } from "../shopify/client";
import { enqueueKlaviyoSync, type KlaviyoSyncReason } from "../jobs/contracts";
import type { JobQueue } from "../jobs/queue";
import { getQueue } from "../jobs/runtime.server";
import { env } from "../env.server";
import {
  eventPayload,
  eventRetryDelayMs,
  importErrorProfile,
  isKlaviyoEvent,
  isOpen,
  KLAVIYO_EVENT_MAX_ATTEMPTS,
  KLAVIYO_IMPORT_MAX_FAILURES,
  KLAVIYO_IMPORT_RETRY_MS,
  LOYALTY_PROPERTY_KEYS,
  UNSET_DIGEST,
  profileProperties,
  propertiesDigest,
  type KlaviyoEventFacts,
} from "../domain/klaviyo";
import { balancesAt } from "../domain/points";
import { isSegmentKey, segmentDisplayName } from "../domain/segments";
import { fromMinorUnits } from "../domain/money";
import { getSealedConnection } from "../models/channel-connections.server";
import {
  countPendingEvents,
  customersWithEmail,
  dueEventRows,
  emailsOf,
  eventSources,
  finishImportJob,
  finishRun,
  givenUpProfiles,
  jobCustomers,
  lastRuns,
  ledgerFacts,
  markEventRows,
  markForClearing,
  nextEventAttempt,
  openImportJobs,
  produceEventRows,
  profileRows,
  profilesToClear,
  recordConsent,
  recordImportJob,
  startRun,
  type RunCounts,
} from "../models/klaviyo-profiles.server";
import { journalsOf } from "../models/points.server";
import { getRfmSettings } from "../models/rfm-settings.server";
import { shopCurrency } from "../models/shop-currency.server";
import { getActiveTierProgram } from "../models/tier-program.server";
import { emailConsentOf, type EmailConsent } from "./campaign-signups.server";
import { openConnection } from "./channels.server";
import {
  createKlaviyoClient,
  KLAVIYO_BULK_EVENTS_MAX,
  KLAVIYO_IMPORT_MAX_PROFILES,
  type KlaviyoClient,
  type KlaviyoProfileInput,
} from "./klaviyo-client.server";

/** Customers read (and asked Shopify about) per page: Shopify's nodes(ids:) maximum. */
export const KLAVIYO_PAGE = 250;
/** Event rows sent per pass step: one Bulk Create Events request (consent read for them at once). */
const EVENT_BATCH = KLAVIYO_BULK_EVENTS_MAX;
/** In-flight event requests (the client paces them within Klaviyo's limits). */
const EVENT_CONCURRENCY = 8;

export interface KlaviyoSyncOptions {
  clientFor(shop: string): Promise<AdminClient>;
  reason: string;
  now?: () => Date;
  signal?: AbortSignal;
  /** The client to use (tests, the bench); default: the shop's connection against KLAVIYO_API_ORIGIN. */
  klaviyo?: KlaviyoClient;
  /** Import jobs are polled every pollMs for at most pollBudgetMs per pass; then the pass ends "still running". */
  pollMs?: number;
  pollBudgetMs?: number;
  /** The most profiles one job carries (Klaviyo's maximum; smaller in tests). */
  jobSize?: number;
}

export type KlaviyoSyncResult =
  | { status: "not-connected" }
  | {
      status: "done" | "throttled" | "failed" | "waiting";
      runId: string;
      counts: RunCounts;
      /** When the next pass should run (a 429's Retry-After, an event's backoff, a job still running). */
      retryAt: Date | null;
      error: string | null;
    };

class PassStop extends Error {
  constructor(
    readonly status: "throttled" | "failed" | "waiting",
    message: string,
    readonly retryAt: Date | null,
  ) {
    super(message);
  }
}

export async function syncKlaviyo(shop: string, options: KlaviyoSyncOptions): Promise<KlaviyoSyncResult> {
  const now = options.now ?? (() => new Date());
  const row = await getSealedConnection(shop, "klaviyo");
  if (!row) return { status: "not-connected" };
  let client = options.klaviyo;
  if (!client) {
    const opened = await openConnection(shop, "klaviyo");
    if (!opened) return { status: "not-connected" };
    client = createKlaviyoClient({ origin: env.KLAVIYO_API_ORIGIN, privateKey: opened.secrets.privateKey });
  }
  const runId = await startRun(shop, options.reason, now());
  const counts: Required<RunCounts> = {
    considered: 0,
    subscribed: 0,
    changed: 0,
    imported: 0,
    jobs: 0,
    eventsSent: 0,
    eventsSkipped: 0,
    eventsRefused: 0,
    throttled: 0,
    profilesFailed: 0,
    cleared: 0,
  };
  const ctx: Ctx = { shop, client, options, now, counts, importError: null, retryFailedAt: null };
  try {
    const admin = await options.clientFor(shop);
    await resumeOpenJobs(ctx);
    await clearWithdrawn(ctx);
    await importChanged(ctx, admin);
    await produceEventRows(shop, row.createdAt);
    const eventsAt = await sendEvents(ctx, admin);
    const retryAt = [eventsAt, ctx.retryFailedAt]
      .filter((d): d is Date => d !== null)
      .reduce<Date | null>((a, b) => (a === null || b < a ? b : a), null);
    // Profiles Klaviyo could not import do not fail the pass (the others were recorded); the run says which error.
    const error = ctx.importError;
    await finishRun(shop, runId, counts, { status: "done", error, at: now() });
    return { status: "done", runId, counts, retryAt, error };
  } catch (e) {
    const stop = e instanceof PassStop ? e : null;
    const message = e instanceof Error ? e.message : String(e);
    await finishRun(shop, runId, counts, { status: "failed", error: message, at: now() });
    if (!stop) throw e;
    return { status: stop.status, runId, counts, retryAt: stop.retryAt, error: message };
  }
}

type Ctx = {
  shop: string;
  client: KlaviyoClient;
  options: KlaviyoSyncOptions;
  now: () => Date;
  counts: Required<RunCounts>;
  /** What the run records when Klaviyo could not import some profiles (their count and Klaviyo's first error). */
  importError: string | null;
  /** When failed profiles (not given up) are to be tried again. */
  retryFailedAt: Date | null;
};

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(t);
      reject(signal.reason ?? new Error("aborted"));
    });
  });

/** Polls one job until Klaviyo says it ended; records the outcome. Throws PassStop when it must wait longer. */
async function pollJob(ctx: Ctx, jobId: string) {
  const pollMs = ctx.options.pollMs ?? 1000;
  const deadline = Date.now() + (ctx.options.pollBudgetMs ?? 60_000);
  for (;;) {
    const out = await ctx.client.importJob(jobId);
    if (out.kind === "ok") {
      const s = out.value;
      if (s.status === "complete" || s.status === "cancelled") {
        // Profiles Klaviyo could not import are named by the job's import errors: the others are held; only those
        // are sent again. Errors that do not name a profile of the job (or fewer than the job's failed count) leave
        // the job's outcome unknown per profile: then none is taken as held and the next pass sends them all again.
        const failures = s.status === "complete" && s.failed > 0 ? await failedProfiles(ctx, jobId, s.failed) : null;
        const accepted = s.status === "complete" && (s.failed === 0 || failures !== null);
        const done = await finishImportJob(
          ctx.shop,
          jobId,
          { status: s.status, completed: s.completed, failed: s.failed, accepted, failures: failures ?? undefined },
          ctx.now(),
        );
        ctx.counts.imported += done.imported;
        ctx.counts.cleared += done.cleared;
        ctx.counts.profilesFailed += done.failed;
        if (!accepted)
          throw new PassStop("failed", `import job ${jobId} ${s.status} with ${s.failed} failed profile(s)`, null);
        if (failures && failures.size > 0) {
          const first = [...failures.values()][0];
          ctx.importError ??= `Klaviyo could not import ${failures.size} profile(s) of job ${jobId}: ${first}`;
          if (done.failed > done.givenUp) ctx.retryFailedAt ??= new Date(ctx.now().getTime() + KLAVIYO_IMPORT_RETRY_MS);
        }
        return;
      }
    } else if (out.kind === "rate-limited") {
      ctx.counts.throttled++;
      throw new PassStop("throttled", `Klaviyo throttled: ${out.message}`, retryAt(ctx, out.retryAfterMs));
    } else if (out.kind === "refused" && out.status === 404) {
      // Klaviyo no longer knows the job (expired after 7 days): its profiles are sent again by this pass.
      await finishImportJob(ctx.shop, jobId, { status: "lost", completed: 0, failed: 0, accepted: false }, ctx.now());
      return;
    } else if (out.kind === "refused") {
      throw new Error(`Klaviyo refused reading import job ${jobId}: ${out.message}`);
    } else {
      throw new Error(`Klaviyo import job ${jobId} unreadable: ${out.message}`);
    }
    if (Date.now() + pollMs > deadline)
      throw new PassStop(
        "waiting",
        `import job ${jobId} still ${out.value.status}`,
        new Date(ctx.now().getTime() + 10_000),
      );
    await sleep(pollMs, ctx.options.signal);
  }
}

const retryAt = (ctx: Ctx, ms: number | null) => new Date(ctx.now().getTime() + (ms ?? 1000));

/**
 * The job's failed profiles (customer → Klaviyo's error) from its import errors, or null when they cannot all be
 * told apart (an error naming no profile of the job, fewer named than failed, the errors unreadable).
 */
async function failedProfiles(ctx: Ctx, jobId: string, failedCount: number): Promise<Map<string, string> | null> {
  const out = await ctx.client.importErrors(jobId);
  if (out.kind === "rate-limited") {
    ctx.counts.throttled++;
    throw new PassStop("throttled", `Klaviyo throttled: ${out.message}`, retryAt(ctx, out.retryAfterMs));
  }
  if (out.kind === "failed") throw new Error(`Klaviyo import errors of job ${jobId} unreadable: ${out.message}`);
  if (out.kind === "refused") return null;
  const carried = await jobCustomers(ctx.shop, jobId);
  const failures = new Map<string, string>();
  for (const e of out.value) {
    const { externalId } = importErrorProfile(e.originalPayload);
    if (externalId === null || !carried.has(externalId)) return null;
    if (!failures.has(externalId)) failures.set(externalId, e.detail);
  }
  return failures.size >= failedCount ? failures : null;
}

async function resumeOpenJobs(ctx: Ctx) {
  for (const job of await openImportJobs(ctx.shop)) await pollJob(ctx, job.jobId);
}

/** Creates one import job of `batch` and records it with its profiles; Klaviyo's refusals end the pass. */
async function createJob(ctx: Ctx, batch: readonly (KlaviyoProfileInput & { digest: string })[]): Promise<string> {
  const out = await ctx.client.createImportJob(batch);
  if (out.kind === "rate-limited") {
    ctx.counts.throttled++;
    throw new PassStop("throttled", `Klaviyo throttled: ${out.message}`, retryAt(ctx, out.retryAfterMs));
  }
  if (out.kind === "refused") throw new PassStop("failed", `Klaviyo refused the import job: ${out.message}`, null);
  if (out.kind === "failed") throw new Error(`Klaviyo import job not created: ${out.message}`);
  await recordImportJob(
    ctx.shop,
    { id: out.value.id, status: out.value.status },
    batch.map((p) => ({ customerId: p.externalId, digest: p.digest })),
  );
  ctx.counts.jobs++;
  return out.value.id;
}

/**
 * Customers who withdrew consent (clearPending): their loyalty_ properties are removed from their Klaviyo profile by
 * import jobs whose profiles carry `meta.patch_properties.unset` and no properties — the merchant's other properties
 * stay. Done before anything is imported, so a customer is never in two open jobs.
 */
async function clearWithdrawn(ctx: Ctx) {
  const jobSize = Math.min(ctx.options.jobSize ?? KLAVIYO_IMPORT_MAX_PROFILES, KLAVIYO_IMPORT_MAX_PROFILES);
  const created: string[] = [];
  let batch: (KlaviyoProfileInput & { digest: string })[] = [];
  for (let after: string | null = null; ; ) {
    ctx.options.signal?.throwIfAborted();
    const page = await profilesToClear(ctx.shop, after, KLAVIYO_PAGE);
    if (page.length === 0) break;
    after = page[page.length - 1].customerId;
    for (const p of page) {
      batch.push({
        email: p.email,
        externalId: p.customerId,
        properties: {},
        unset: LOYALTY_PROPERTY_KEYS,
        digest: UNSET_DIGEST,
      });
      if (batch.length >= jobSize) {
        created.push(await createJob(ctx, batch));
        batch = [];
      }
    }
  }
  if (batch.length > 0) created.push(await createJob(ctx, batch));
  for (const id of created) await pollJob(ctx, id);
}

async function importChanged(ctx: Ctx, admin: AdminClient) {
  const { shop } = ctx;
  const at = ctx.now();
  const [program, rfm, currency] = await Promise.all([
    getActiveTierProgram(shop),
    getRfmSettings(shop),
    shopCurrency(shop),
  ]);
  const tierNames = new Map(program.program.tiers.map((t) => [t.key, t.name]));
  const jobSize = Math.min(ctx.options.jobSize ?? KLAVIYO_IMPORT_MAX_PROFILES, KLAVIYO_IMPORT_MAX_PROFILES);
  let pending: (KlaviyoProfileInput & { digest: string })[] = [];
  const created: string[] = [];

  const flush = async () => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    created.push(await createJob(ctx, batch));
  };

  for (let after: string | null = null; ; ) {
    ctx.options.signal?.throwIfAborted();
    const page = await customersWithEmail(shop, after, KLAVIYO_PAGE);
    if (page.length === 0) break;
    after = page[page.length - 1].id;
    const ids = page.map((c) => c.id);
    const [rows, facts, journals] = await Promise.all([
      profileRows(shop, ids),
      ledgerFacts(shop, ids),
      journalsOf(shop, ids),
    ]);
    // Properties first: a customer whose properties (and email) are what Klaviyo last accepted has nothing to send,
    // whatever their consent — Shopify is asked only about the others.
    const differing: (KlaviyoProfileInput & { digest: string })[] = [];
    for (const c of page) {
      const state = facts.state.get(c.id) ?? null;
      // The points journal as written by the points passes (a customer without entries holds 0).
      const balance = balancesAt(journals.get(c.id) ?? [], at.getTime());
      const used = facts.usedCodes.get(c.id) ?? new Set<string>();
      const properties = profileProperties({
        tierKey: state?.tier ?? null,
        tierName: state?.tier ? (tierNames.get(state.tier) ?? state.tier) : null,
        segmentKey: state?.segment ?? null,
        segmentName: state && isSegmentKey(state.segment) ? segmentDisplayName(state.segment, rfm.segmentNames) : null,
        pointsAvailable: balance.available,
        pointsPending: balance.pending,
        clv12Minor: facts.clv.get(c.id) ?? null,
        currency,
        openCodes: (facts.codes.get(c.id) ?? []).filter((code) => isOpen(code, at.getTime(), used)),
      });
      const digest = propertiesDigest({ ...properties, $email: c.email.toLowerCase() });
      const row = rows.get(c.id);
      if (row?.digest === digest) continue;
      // Klaviyo failed these very properties KLAVIYO_IMPORT_MAX_FAILURES times: given up until they change.
      if (row && row.importFailures >= KLAVIYO_IMPORT_MAX_FAILURES && row.pendingDigest === digest) continue;
      differing.push({ email: c.email, externalId: c.id, properties, digest });
    }
    if (differing.length === 0) continue;
    const asked = differing.map((d) => d.externalId);
    const consent = await emailConsentOf(admin, asked);
    const subscribed = subscribedIn(consent);
    ctx.counts.considered += asked.length;
    await recordConsent(shop, consentOf(asked, consent), new Set(rows.keys()));
    // Shopify says no to someone whose properties Klaviyo holds (a consent webhook missed): removed next pass.
    await markForClearing(
      shop,
      asked.filter((id) => !subscribed.has(id) && rows.get(id)?.digest),
    );
    for (const d of differing) {
      if (!subscribed.has(d.externalId)) continue;
      ctx.counts.subscribed++;
      ctx.counts.changed++;
      pending.push(d);
      if (pending.length >= jobSize) await flush();
    }
  }
  await flush();
  for (const id of created) await pollJob(ctx, id);
}

function offerText(kind: string, value: number, currency: string) {
  return kind === "percentage" ? `${value}%` : `${fromMinorUnits(value, currency)} ${currency}`;
}

/** Sends the due event rows; returns when the next pass should run for rows that wait (null: none waits). */
async function sendEvents(ctx: Ctx, admin: AdminClient): Promise<Date | null> {
  const { shop, counts } = ctx;
  const [program, currency] = await Promise.all([getActiveTierProgram(shop), shopCurrency(shop)]);
  const tierName = (key: string | null) =>
    key ? (program.program.tiers.find((t) => t.key === key)?.name ?? key) : null;
  const seen = new Set<number>();
  for (;;) {
    ctx.options.signal?.throwIfAborted();
    const rows = (await dueEventRows(shop, ctx.now(), EVENT_BATCH)).filter((r) => !seen.has(r.id));
    if (rows.length === 0) break;
    for (const r of rows) seen.add(r.id);
    const customerIds = [...new Set(rows.map((r) => r.customerId))];
    // Consent of this moment: an unsubscribe since the last pass skips the customer's events now.
    const [consent, emails, sources] = await Promise.all([
      emailConsentOf(admin, customerIds),
      emailsOf(shop, customerIds),
      eventSources(shop, rows),
    ]);
    const subscribed = subscribedIn(consent);
    await recordConsent(shop, consentOf(customerIds, consent), new Set(customerIds));
    const skip = (ids: number[], why: string) => {
      counts.eventsSkipped += ids.length;
      return markEventRows(shop, ids, { state: "skipped", lastError: why });
    };
    await skip(
      rows.filter((r) => !subscribed.has(r.customerId)).map((r) => r.id),
      "not subscribed to email marketing",
    );
    const sendable: { row: (typeof rows)[number]; facts: KlaviyoEventFacts }[] = [];
    const gone: number[] = [];
    for (const row of rows) {
      if (!subscribed.has(row.customerId)) continue;
      const facts = factsOf(row, sources, tierName, currency);
      if (facts && emails.has(row.customerId)) sendable.push({ row, facts });
      else gone.push(row.id);
    }
    await skip(gone, "its source or the customer's email is gone");

    let stop: PassStop | null = null;
    const sent: number[] = [];
    const input = ({ row, facts }: (typeof sendable)[number]) => ({
      ...eventPayload(facts),
      profile: { email: emails.get(row.customerId)!, externalId: row.customerId },
      uniqueId: row.retryKey,
    });
    const failed = async (row: (typeof sendable)[number]["row"], out: { status: number | null; message: string }) => {
      const attempts = row.attempts + 1;
      const last = attempts >= KLAVIYO_EVENT_MAX_ATTEMPTS;
      if (last) counts.eventsRefused++;
      await markEventRows(shop, [row.id], {
        ...(last ? { state: "refused" } : {}),
        attemptsIncrement: true,
        nextAttemptAt: new Date(ctx.now().getTime() + eventRetryDelayMs(attempts)),
        lastError: `${out.status ?? "network"}: ${out.message}`.slice(0, 500),
      });
    };
    // The batch in one Bulk Create Events request (≤ 1,000 events); a refused request is sent again event by event,
    // so that only the event Klaviyo refuses is marked refused.
    let oneByOne: typeof sendable = [];
    if (sendable.length > 0) {
      const out = await ctx.client.createEvents(sendable.map(input));
      if (out.kind === "ok") sent.push(...sendable.map((x) => x.row.id));
      else if (out.kind === "rate-limited") {
        counts.throttled++;
        const at = retryAt(ctx, out.retryAfterMs);
        await markEventRows(
          shop,
          sendable.map((x) => x.row.id),
          { nextAttemptAt: at, lastError: `throttled: ${out.message}` },
        );
        stop = new PassStop("throttled", `Klaviyo throttled events: ${out.message}`, at);
      } else if (out.kind === "refused") oneByOne = sendable;
      else for (const x of sendable) await failed(x.row, out);
    }
    let next = 0;
    const worker = async () => {
      while (!stop && next < oneByOne.length) {
        const { row, facts } = oneByOne[next++];
        const out = await ctx.client.createEvent(input({ row, facts }));
        if (out.kind === "ok") {
          sent.push(row.id);
        } else if (out.kind === "rate-limited") {
          counts.throttled++;
          const at = retryAt(ctx, out.retryAfterMs);
          await markEventRows(shop, [row.id], { nextAttemptAt: at, lastError: `throttled: ${out.message}` });
          stop ??= new PassStop("throttled", `Klaviyo throttled events: ${out.message}`, at);
        } else if (out.kind === "refused") {
          counts.eventsRefused++;
          await markEventRows(shop, [row.id], {
            state: "refused",
            attemptsIncrement: true,
            lastError: `${out.status}: ${out.message}`.slice(0, 500),
          });
        } else {
          await failed(row, out);
        }
      }
    };
    await Promise.all(Array.from({ length: EVENT_CONCURRENCY }, worker));
    counts.eventsSent += sent.length;
    await markEventRows(shop, sent, {
      state: "sent",
      attemptsIncrement: true,
      sentAt: ctx.now(),
      nextAttemptAt: null,
      lastError: null,
    });
    if (stop) throw stop;
  }
  return nextEventAttempt(shop);
}

function factsOf(
  row: { event: string; sourceKey: string; customerId: string },
  s: Awaited<ReturnType<typeof eventSources>>,
  tierName: (key: string | null) => string | null,
  currency: string,
): KlaviyoEventFacts | null {
  if (!isKlaviyoEvent(row.event)) return null;
  const [prefix, ...rest] = row.sourceKey.split(":");
  const key = rest.join(":");
  switch (row.event) {
    case "tier-changed": {
      const c = prefix === "change" ? s.changes.get(Number(key)) : undefined;
      if (!c) return null;
      return {
        event: "tier-changed",
        at: c.at,
        fromKey: c.from,
        fromName: tierName(c.from),
        toKey: c.to,
        toName: tierName(c.to),
      };
    }
    case "campaign-offer": {
      const r = prefix === "recipient" ? s.recipients.get(Number(key)) : undefined;
      const campaign = r ? s.campaigns.get(r.campaignId) : undefined;
      if (!r || !campaign || !r.code) return null;
      const variant = r.variant ? s.variants.get(`${r.campaignId} ${r.variant}`) : undefined;
      const offer = variant ?? campaign;
      return {
        event: "campaign-offer",
        at: r.issuedAt ?? r.assignedAt,
        campaign: campaign.name,
        code: r.code,
        expiresAt: r.expiresAt,
        offer: offerText(offer.offerKind, offer.offerValue, currency),
      };
    }
    case "points-earned": {
      const p = prefix === "points" ? s.points.get(`${row.customerId} ${key}`) : undefined;
      if (!p) return null;
      return { event: "points-earned", at: p.createdAt, points: Number(p.points), source: p.sourceKey };
    }
    case "reward-redeemed": {
      const r = prefix === "redemption" ? s.redemptions.get(key) : undefined;
      if (!r) return null;
      return {
        event: "reward-redeemed",
        at: r.confirmedAt ?? r.createdAt,
        reward: s.rewards.get(r.rewardId)?.title ?? r.kind,
        // A gift card's code is money to whoever holds it: never sent out.
        code: r.kind === "gift_card" ? null : r.code,
        expiresAt: r.expiresAt,
        points: r.points,
      };
    }
  }
}

/** Queues a Klaviyo pass only for a shop connected to Klaviyo (the other shops' queues stay as they were). */
export async function enqueueKlaviyoSyncIfConnected(
  queue: JobQueue,
  shop: string,
  reason: KlaviyoSyncReason,
  options: { delayMs?: number; now?: () => Date } = {},
) {
  if (!(await getSealedConnection(shop, "klaviyo"))) return null;
  return enqueueKlaviyoSync(queue, shop, reason, options);
}

export interface KlaviyoOverview {
  connected: boolean;
  lastRun: {
    status: string;
    reason: string;
    startedAt: string;
    finishedAt: string | null;
    considered: number;
    subscribed: number;
    changed: number;
    imported: number;
    jobs: number;
    eventsSent: number;
    eventsSkipped: number;
    eventsRefused: number;
    throttled: number;
    profilesFailed: number;
    cleared: number;
    error: string | null;
  } | null;
  /** Profiles no longer sent after KLAVIYO_IMPORT_MAX_FAILURES import errors in a row, and the latest error. */
  profilesGivenUp: number;
  givenUpError: string | null;
  /** Event rows waiting to be sent (a backoff, a 429). */
  eventsPending: number;
  /** Import jobs Klaviyo has not finished yet. */
  jobsOpen: number;
}

/** What the Channels page's Klaviyo card shows: the last pass and what waits. */
export async function klaviyoOverview(shop: string): Promise<KlaviyoOverview> {
  const [connection, runs, eventsPending, jobsOpen, givenUp] = await Promise.all([
    getSealedConnection(shop, "klaviyo"),
    lastRuns(shop, 1),
    countPendingEvents(shop),
    openImportJobs(shop).then((j) => j.length),
    givenUpProfiles(shop),
  ]);
  const r = runs[0];
  return {
    connected: connection !== null,
    lastRun: r
      ? {
          status: r.status,
          reason: r.reason,
          startedAt: r.startedAt.toISOString(),
          finishedAt: r.finishedAt?.toISOString() ?? null,
          considered: r.considered,
          subscribed: r.subscribed,
          changed: r.changed,
          imported: r.imported,
          jobs: r.jobs,
          eventsSent: r.eventsSent,
          eventsSkipped: r.eventsSkipped,
          eventsRefused: r.eventsRefused,
          throttled: r.throttled,
          profilesFailed: r.profilesFailed,
          cleared: r.cleared,
          error: r.error,
        }
      : null,
    profilesGivenUp: givenUp.count,
    givenUpError: givenUp.lastError,
    eventsPending,
    jobsOpen,
  };
}

/** "Sync now": a pass queued at once (coalesced with one already queued); null when Klaviyo is not connected. */
export async function requestKlaviyoSync(shop: string, queue: JobQueue = getQueue()): Promise<"queued" | null> {
  if (!(await getSealedConnection(shop, "klaviyo"))) return null;
  await enqueueKlaviyoSync(queue, shop, "manual");
  return "queued";
}

/** The customers Shopify says are SUBSCRIBED. */
const subscribedIn = (consent: ReadonlyMap<string, EmailConsent>) =>
  new Set([...consent].filter(([, c]) => c.subscribed).map(([id]) => id));

/** Each asked customer's consent as Shopify answered (one it did not return: not subscribed, no time). */
const consentOf = (ids: readonly string[], consent: ReadonlyMap<string, EmailConsent>) =>
  new Map(ids.map((id) => [id, consent.get(id) ?? { subscribed: false, updatedAt: null }]));

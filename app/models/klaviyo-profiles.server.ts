// The Klaviyo sync's tables (docs/klaviyo.md): KlaviyoProfile (per customer: consent at the last sync, the digest
// Klaviyo accepted, the job in flight), KlaviyoImportJob (each bulk import job, recorded as soon as Klaviyo answers)
// and KlaviyoSyncRun; and the ledger reads a profile's properties are made of. Every query is scoped by shop.
import { randomUUID } from "node:crypto";
import { prisma } from "../db.server";
import { Prisma } from "../generated/prisma/client";
import { KLAVIYO_IMPORT_MAX_FAILURES, RESEND_DIGEST, UNSET_DIGEST, type OpenCode } from "../domain/klaviyo";

export interface Candidate {
  id: string;
  email: string;
}

/** A page of the shop's live customers with an email address, by id after `afterId`. */
export async function customersWithEmail(shop: string, afterId: string | null, take: number): Promise<Candidate[]> {
  const rows = await prisma.customer.findMany({
    where: { shop, deletedAt: null, email: { not: null }, ...(afterId === null ? {} : { id: { gt: afterId } }) },
    select: { id: true, email: true },
    orderBy: { id: "asc" },
    take,
  });
  return rows.filter((r) => r.email && r.email.trim() !== "").map((r) => ({ id: r.id, email: r.email!.trim() }));
}

export async function emailsOf(shop: string, customerIds: readonly string[]): Promise<Map<string, string>> {
  const rows = await prisma.customer.findMany({
    where: { shop, id: { in: [...customerIds] }, deletedAt: null },
    select: { id: true, email: true },
  });
  return new Map(rows.filter((r) => r.email).map((r) => [r.id, r.email!.trim()]));
}

export interface LedgerFacts {
  state: Map<string, { segment: string; tier: string | null }>;
  clv: Map<string, bigint>;
  codes: Map<string, OpenCode[]>;
  usedCodes: Map<string, Set<string>>;
}

/** What a page of customers' properties are made of: state, prediction, issued campaign codes, reward codes, used codes. */
export async function ledgerFacts(shop: string, ids: readonly string[]): Promise<LedgerFacts> {
  const customerId = { in: [...ids] };
  const [states, predictions, recipients, redemptions, orders] = await Promise.all([
    prisma.customerState.findMany({
      where: { shop, customerId },
      select: { customerId: true, segment: true, tier: true },
    }),
    prisma.customerPrediction.findMany({
      where: { shop, customerId, clv12Minor: { not: null } },
      select: { customerId: true, clv12Minor: true },
    }),
    prisma.campaignRecipient.findMany({
      where: { shop, customerId, holdout: false, code: { not: null }, issuedAt: { not: null }, retiredAt: null },
      select: { customerId: true, code: true, expiresAt: true },
    }),
    prisma.redemption.findMany({
      where: {
        shop,
        customerId,
        state: "confirmed",
        code: { not: null },
        kind: { in: ["amount_off", "free_shipping"] },
      },
      select: { customerId: true, code: true, expiresAt: true },
    }),
    prisma.order.findMany({
      where: { shop, customerId, deletedAt: null, NOT: { discountCodes: "[]" } },
      select: { customerId: true, discountCodes: true },
    }),
  ]);
  const codes = new Map<string, OpenCode[]>();
  const add = (id: string, c: OpenCode) => codes.set(id, [...(codes.get(id) ?? []), c]);
  for (const r of recipients) add(r.customerId, { code: r.code!, source: "campaign", expiresAt: r.expiresAt });
  for (const r of redemptions) add(r.customerId, { code: r.code!, source: "reward", expiresAt: r.expiresAt });
  const usedCodes = new Map<string, Set<string>>();
  for (const o of orders) {
    if (!o.customerId) continue;
    const set = usedCodes.get(o.customerId) ?? new Set<string>();
    for (const c of JSON.parse(o.discountCodes) as string[]) set.add(String(c).toUpperCase());
    usedCodes.set(o.customerId, set);
  }
  return {
    state: new Map(states.map((s) => [s.customerId, { segment: s.segment, tier: s.tier }])),
    clv: new Map(predictions.map((p) => [p.customerId, p.clv12Minor!])),
    codes,
    usedCodes,
  };
}

export interface ProfileRow {
  customerId: string;
  subscribed: boolean;
  digest: string | null;
  /** The digest of the job in flight; with no job in flight, the digest Klaviyo last failed to import. */
  pendingDigest: string | null;
  pendingJobId: string | null;
  importFailures: number;
}

export async function profileRows(shop: string, ids: readonly string[]): Promise<Map<string, ProfileRow>> {
  const rows = await prisma.klaviyoProfile.findMany({
    where: { shop, customerId: { in: [...ids] } },
    select: {
      customerId: true,
      subscribed: true,
      digest: true,
      pendingDigest: true,
      pendingJobId: true,
      importFailures: true,
    },
  });
  return new Map(rows.map((r) => [r.customerId, r]));
}

/**
 * Records each customer's consent as Shopify answered it (rows created on first sight), and when Shopify says it last
 * changed (`consentAt`, only ever moved forward): a consent webhook older than the state a pass read changes nothing
 * (docs/klaviyo.md#consent-order).
 */
export async function recordConsent(
  shop: string,
  consent: ReadonlyMap<string, { subscribed: boolean; updatedAt: Date | null }>,
  known: ReadonlySet<string>,
) {
  const fresh = [...consent].filter(([id]) => !known.has(id));
  if (fresh.length > 0) {
    await prisma.klaviyoProfile.createMany({
      data: fresh.map(([customerId, c]) => ({ shop, customerId, subscribed: c.subscribed, consentAt: c.updatedAt })),
    });
  }
  for (const value of [true, false]) {
    const ids = [...consent].filter(([id, c]) => known.has(id) && c.subscribed === value).map(([id]) => id);
    if (ids.length > 0)
      await prisma.klaviyoProfile.updateMany({ where: { shop, customerId: { in: ids } }, data: { subscribed: value } });
  }
  // The times: one read of the rows' own, then a statement only for a row whose time is older (once per change; the
  // statement checks again, so a webhook applied meanwhile is not moved back).
  const timed = [...consent].filter(([id, c]) => known.has(id) && c.updatedAt);
  if (timed.length === 0) return;
  const held = new Map(
    (
      await prisma.klaviyoProfile.findMany({
        where: { shop, customerId: { in: timed.map(([id]) => id) } },
        select: { customerId: true, consentAt: true },
      })
    ).map((r) => [r.customerId, r.consentAt]),
  );
  for (const [customerId, c] of timed) {
    const at = held.get(customerId);
    if (at === undefined || (at && at.getTime() >= c.updatedAt!.getTime())) continue;
    await prisma.klaviyoProfile.updateMany({
      where: { shop, customerId, OR: [{ consentAt: null }, { consentAt: { lt: c.updatedAt! } }] },
      data: { consentAt: c.updatedAt },
    });
  }
}

type Tx = Pick<typeof prisma, "$executeRaw">;

/**
 * Sets one digest column per customer in statements of 1,000 rows (UPDATE … FROM VALUES, which SQLite ≥ 3.33 and
 * PostgreSQL both run; VALUES columns are column1, column2 in both), instead of one statement per customer.
 */
async function setDigests(
  tx: Tx,
  shop: string,
  column: "digest" | "pendingDigest",
  pairs: readonly { customerId: string; digest: string }[],
  jobId: string | null,
) {
  for (let i = 0; i < pairs.length; i += 1000) {
    const values = Prisma.join(pairs.slice(i, i + 1000).map((p) => Prisma.sql`(${p.customerId}, ${p.digest})`));
    const pending = column === "pendingDigest" ? Prisma.sql`, "pendingJobId" = ${jobId}` : Prisma.empty;
    await tx.$executeRaw`UPDATE "KlaviyoProfile" SET ${Prisma.raw(`"${column}"`)} = v.column2 ${pending}
      FROM (VALUES ${values}) AS v
      WHERE "KlaviyoProfile"."shop" = ${shop} AND "KlaviyoProfile"."customerId" = v.column1`;
  }
}

/** The job Klaviyo answered with and what it carries, in one transaction: from now on a restart polls it. */
export async function recordImportJob(
  shop: string,
  job: { id: string; status: string },
  profiles: readonly { customerId: string; digest: string }[],
) {
  await prisma.$transaction(
    async (tx) => {
      await tx.klaviyoImportJob.create({
        data: { shop, jobId: job.id, status: job.status, profiles: profiles.length },
      });
      await setDigests(tx, shop, "pendingDigest", profiles, job.id);
    },
    { timeout: 60_000 },
  );
}

export function openImportJobs(shop: string) {
  return prisma.klaviyoImportJob.findMany({
    where: { shop, status: { in: ["queued", "processing"] } },
    orderBy: { createdAt: "asc" },
  });
}

/** The customers a recorded job carries. */
export async function jobCustomers(shop: string, jobId: string): Promise<Set<string>> {
  const rows = await prisma.klaviyoProfile.findMany({
    where: { shop, pendingJobId: jobId },
    select: { customerId: true },
  });
  return new Set(rows.map((r) => r.customerId));
}

export interface JobFinish {
  /** Profiles whose properties Klaviyo now holds (their digest accepted). */
  imported: number;
  /** Profiles whose loyalty properties Klaviyo removed (consent withdrawn). */
  cleared: number;
  /** Profiles Klaviyo could not import (named by its import errors). */
  failed: number;
  /** Of them, those that have now failed KLAVIYO_IMPORT_MAX_FAILURES times: not sent again until they change. */
  givenUp: number;
}

/**
 * A job that ended. When `accepted`, every profile of the job that `failures` (customer → Klaviyo's error) does not
 * name is what Klaviyo holds: its pending digest becomes the accepted one (a removal of the loyalty properties leaves
 * no digest and ends clearPending), its failure count is reset; each profile `failures` names counts one failure more,
 * keeps Klaviyo's error and the digest that failed (pendingDigest, no job), and is sent again by a later pass. When
 * not accepted (cancelled, lost, failures Klaviyo did not attribute), nothing of the job is taken as held and the next
 * pass sends it all again. Either way the job row keeps Klaviyo's counts.
 */
export async function finishImportJob(
  shop: string,
  jobId: string,
  outcome: {
    status: string;
    completed: number;
    failed: number;
    accepted: boolean;
    failures?: ReadonlyMap<string, string>;
  },
  at: Date,
): Promise<JobFinish> {
  return prisma.$transaction(
    async (tx) => {
      await tx.klaviyoImportJob.update({
        where: { shop_jobId: { shop, jobId } },
        data: { status: outcome.status, completed: outcome.completed, failed: outcome.failed, finishedAt: at },
      });
      const result: JobFinish = { imported: 0, cleared: 0, failed: 0, givenUp: 0 };
      if (outcome.accepted) {
        const rows = await tx.klaviyoProfile.findMany({
          where: { shop, pendingJobId: jobId },
          select: { customerId: true, pendingDigest: true, importFailures: true },
        });
        const failures = outcome.failures ?? new Map<string, string>();
        // The failed first (few): out of the job, one failure more, Klaviyo's error and the digest that failed kept.
        for (const r of rows.filter((x) => failures.has(x.customerId))) {
          await tx.klaviyoProfile.updateMany({
            where: { shop, customerId: r.customerId, pendingJobId: jobId },
            data: {
              importFailures: { increment: 1 },
              importError: failures.get(r.customerId)!.slice(0, 500),
              pendingJobId: null,
            },
          });
          result.failed++;
          if (r.importFailures + 1 >= KLAVIYO_IMPORT_MAX_FAILURES) result.givenUp++;
        }
        const held = rows.filter((r) => !failures.has(r.customerId));
        const imported = held.filter((r) => r.pendingDigest !== UNSET_DIGEST);
        await setDigests(
          tx,
          shop,
          "digest",
          imported.map((r) => ({ customerId: r.customerId, digest: r.pendingDigest! })),
          null,
        );
        // Removals Klaviyo did: no digest any more, nothing left to remove.
        const cleared = await tx.klaviyoProfile.updateMany({
          where: { shop, pendingJobId: jobId, pendingDigest: UNSET_DIGEST },
          data: { digest: null, clearPending: false },
        });
        await tx.klaviyoProfile.updateMany({
          where: { shop, pendingJobId: jobId },
          data: { syncedAt: at, importFailures: 0, importError: null },
        });
        // Consent withdrawn while the job was in flight: what Klaviyo now holds is to be removed by the next pass.
        await tx.klaviyoProfile.updateMany({
          where: { shop, pendingJobId: jobId, subscribed: false, pendingDigest: { not: UNSET_DIGEST } },
          data: { clearPending: true },
        });
        result.cleared = cleared.count;
        result.imported = imported.length;
      }
      await tx.klaviyoProfile.updateMany({
        where: { shop, pendingJobId: jobId },
        data: { pendingDigest: null, pendingJobId: null },
      });
      return result;
    },
    { timeout: 60_000 },
  );
}

// ---- consent withdrawn / given (customers_email_marketing_consent/update) -----------------------------------------

export interface ConsentChangeOutcome {
  /** False: the customer's row holds a consent change newer than this one, and nothing was changed. */
  applied: boolean;
  /** Waiting Klaviyo event rows skipped (withdrawn only). */
  skipped: number;
  /** Whether the loyalty properties are to be removed by the next pass (withdrawn only). */
  clear: boolean;
}

/**
 * One consent change from Shopify that happened at `at`, applied unless the customer's row records a newer one
 * (`consentAt` later than `at`: a late delivery changes nothing). The row's `consentAt` is claimed first, in the same
 * transaction as the rest, so two deliveries of one customer at once are applied in the order they happened (the
 * claiming UPDATE holds the row until commit; the older one, waiting, then finds the newer time and does nothing).
 * - withdrawn: the customer's waiting Klaviyo events are skipped with `why`, the producer's pre-filter says "not
 *   subscribed", and when Klaviyo may hold their loyalty properties (accepted, or a job in flight) they are marked for
 *   removal by the next pass;
 * - given: their digest is forgotten, so the next pass (which asks Shopify before sending) sends all their properties;
 *   a removal not done yet is no longer wanted. When Klaviyo may hold their properties (a digest, or a removal not
 *   done) the digest becomes RESEND_DIGEST rather than null, so a withdrawal before that pass still removes them.
 * A customer without a row (never synced) has nothing in Klaviyo and no time to compare: the change is applied to
 * what there is (waiting events, none in practice) and nothing is recorded.
 */
export async function applyConsentChange(
  shop: string,
  customerId: string,
  subscribed: boolean,
  at: Date,
  why: string,
): Promise<ConsentChangeOutcome> {
  return prisma.$transaction(async (tx) => {
    const claimed = await tx.klaviyoProfile.updateMany({
      where: { shop, customerId, OR: [{ consentAt: null }, { consentAt: { lte: at } }] },
      data: { consentAt: at, subscribed },
    });
    if (claimed.count === 0 && (await tx.klaviyoProfile.count({ where: { shop, customerId } })) > 0)
      return { applied: false, skipped: 0, clear: false };
    if (subscribed) {
      // Rows with no digest and no removal pending have nothing to forget.
      await tx.klaviyoProfile.updateMany({
        where: { shop, customerId, OR: [{ digest: { not: null } }, { clearPending: true }] },
        data: { digest: RESEND_DIGEST, clearPending: false },
      });
      return { applied: true, skipped: 0, clear: false };
    }
    const { count: skipped } = await tx.channelMessage.updateMany({
      where: { shop, channel: "klaviyo", customerId, state: "pending" },
      data: { state: "skipped", lastError: why },
    });
    // A job that lands after this is caught by finishImportJob, which marks a held profile whose row says "not
    // subscribed".
    const { count: clear } = await tx.klaviyoProfile.updateMany({
      where: {
        shop,
        customerId,
        OR: [{ digest: { not: null } }, { pendingJobId: { not: null } }, { clearPending: true }],
      },
      data: { clearPending: true },
    });
    return { applied: true, skipped, clear: clear > 0 };
  });
}

/** Customers Shopify says do not consent whose loyalty properties Klaviyo may hold: marked for removal. */
export async function markForClearing(shop: string, customerIds: readonly string[]) {
  if (customerIds.length === 0) return;
  await prisma.klaviyoProfile.updateMany({
    where: { shop, customerId: { in: [...customerIds] }, OR: [{ digest: { not: null } }, { clearPending: true }] },
    data: { clearPending: true },
  });
}

/** A page of the customers whose loyalty properties are to be removed (no job in flight), with their email if known. */
export async function profilesToClear(shop: string, afterId: string | null, take: number) {
  const rows = await prisma.klaviyoProfile.findMany({
    where: {
      shop,
      clearPending: true,
      pendingJobId: null,
      // A removal Klaviyo refused KLAVIYO_IMPORT_MAX_FAILURES times is given up (counted on the Klaviyo card).
      importFailures: { lt: KLAVIYO_IMPORT_MAX_FAILURES },
      ...(afterId === null ? {} : { customerId: { gt: afterId } }),
    },
    select: { customerId: true },
    orderBy: { customerId: "asc" },
    take,
  });
  const emails = await emailsOf(
    shop,
    rows.map((r) => r.customerId),
  );
  return rows.map((r) => ({ customerId: r.customerId, email: emails.get(r.customerId) ?? null }));
}

/** Profiles the sync stopped sending after repeated import errors, and the latest of their errors. */
export async function givenUpProfiles(shop: string): Promise<{ count: number; lastError: string | null }> {
  const where = { shop, importFailures: { gte: KLAVIYO_IMPORT_MAX_FAILURES } };
  const [count, one] = await Promise.all([
    prisma.klaviyoProfile.count({ where }),
    prisma.klaviyoProfile.findFirst({ where, orderBy: { syncedAt: "desc" }, select: { importError: true } }),
  ]);
  return { count, lastError: one?.importError ?? null };
}

// ---- runs ---------------------------------------------------------------------------------------------------------

export type RunCounts = Partial<
  Record<
    | "considered"
    | "subscribed"
    | "changed"
    | "imported"
    | "jobs"
    | "eventsSent"
    | "eventsSkipped"
    | "eventsRefused"
    | "throttled"
    | "profilesFailed"
    | "cleared",
    number
  >
>;

export async function startRun(shop: string, reason: string, at: Date): Promise<string> {
  const row = await prisma.klaviyoSyncRun.create({ data: { shop, reason, status: "running", startedAt: at } });
  return row.id;
}

export async function finishRun(
  shop: string,
  id: string,
  counts: RunCounts,
  outcome: { status: "done" | "failed"; error: string | null; at: Date },
) {
  await prisma.klaviyoSyncRun.updateMany({
    where: { shop, id },
    data: { ...counts, status: outcome.status, error: outcome.error?.slice(0, 500) ?? null, finishedAt: outcome.at },
  });
}

export function lastRuns(shop: string, take = 1) {
  return prisma.klaviyoSyncRun.findMany({ where: { shop }, orderBy: { startedAt: "desc" }, take });
}

// ---- events: ChannelMessage rows of channel "klaviyo" ------------------------------------------------------------

const CHANNEL = "klaviyo";

interface NewMessage {
  customerId: string;
  event: string;
  sourceKey: string;
}

/**
 * The event rows the ledger's sources call for since `since` (when Klaviyo was connected), for customers subscribed
 * at the last sync: tier changes (not the backfill's first scoring), issued campaign codes, points announced as
 * earned, confirmed redemptions. Inserts only the missing ones (the unique key makes a rerun a no-op). Returns how
 * many rows it wrote.
 */
export async function produceEventRows(shop: string, since: Date): Promise<number> {
  const subscribed = { in: (await subscribedIds(shop)) as string[] };
  if (subscribed.in.length === 0) return 0;
  const wanted: NewMessage[] = [];
  for (let i = 0; i < subscribed.in.length; i += 500) {
    const customerId = { in: subscribed.in.slice(i, i + 500) };
    const [changes, recipients, points, redemptions] = await Promise.all([
      prisma.customerStateChange.findMany({
        where: { shop, customerId, kind: "tier", at: { gte: since }, reason: { not: "backfill" } },
        select: { id: true, customerId: true },
      }),
      prisma.campaignRecipient.findMany({
        where: { shop, customerId, holdout: false, code: { not: null }, issuedAt: { gte: since } },
        select: { id: true, customerId: true },
      }),
      prisma.pointsFlowTrigger.findMany({
        where: { shop, customerId, topic: "points-earned", createdAt: { gte: since } },
        select: { customerId: true, sourceKey: true },
      }),
      prisma.redemption.findMany({
        where: { shop, customerId, state: "confirmed", confirmedAt: { gte: since } },
        select: { id: true, customerId: true },
      }),
    ]);
    for (const c of changes)
      wanted.push({ customerId: c.customerId, event: "tier-changed", sourceKey: `change:${c.id}` });
    for (const r of recipients)
      wanted.push({ customerId: r.customerId, event: "campaign-offer", sourceKey: `recipient:${r.id}` });
    for (const p of points)
      wanted.push({ customerId: p.customerId, event: "points-earned", sourceKey: `points:${p.sourceKey}` });
    for (const r of redemptions)
      wanted.push({ customerId: r.customerId, event: "reward-redeemed", sourceKey: `redemption:${r.id}` });
  }
  if (wanted.length === 0) return 0;
  const existing = new Set<string>();
  for (let i = 0; i < wanted.length; i += 500) {
    const part = wanted.slice(i, i + 500);
    const rows = await prisma.channelMessage.findMany({
      where: { shop, channel: CHANNEL, customerId: { in: [...new Set(part.map((w) => w.customerId))] } },
      select: { customerId: true, event: true, sourceKey: true },
    });
    for (const r of rows) existing.add(`${r.customerId} ${r.event} ${r.sourceKey}`);
  }
  const missing = wanted.filter((w) => !existing.has(`${w.customerId} ${w.event} ${w.sourceKey}`));
  let written = 0;
  for (const m of missing) {
    // One insert each: a row another writer added meanwhile is a unique-key refusal, not an error.
    try {
      await prisma.channelMessage.create({ data: { shop, channel: CHANNEL, ...m, retryKey: randomUUID() } });
      written++;
    } catch (e) {
      if ((e as { code?: string }).code !== "P2002") throw e;
    }
  }
  return written;
}

async function subscribedIds(shop: string): Promise<string[]> {
  const rows = await prisma.klaviyoProfile.findMany({
    where: { shop, subscribed: true },
    select: { customerId: true },
  });
  return rows.map((r) => r.customerId);
}

/** Pending event rows due at `at`, oldest first. */
export function dueEventRows(shop: string, at: Date, take: number) {
  return prisma.channelMessage.findMany({
    where: { shop, channel: CHANNEL, state: "pending", OR: [{ nextAttemptAt: null }, { nextAttemptAt: { lte: at } }] },
    orderBy: { id: "asc" },
    take,
  });
}

export function countPendingEvents(shop: string) {
  return prisma.channelMessage.count({ where: { shop, channel: CHANNEL, state: "pending" } });
}

/** The earliest moment a pending row waits for (null: none waits). */
export async function nextEventAttempt(shop: string): Promise<Date | null> {
  const row = await prisma.channelMessage.findFirst({
    where: { shop, channel: CHANNEL, state: "pending", nextAttemptAt: { not: null } },
    orderBy: { nextAttemptAt: "asc" },
    select: { nextAttemptAt: true },
  });
  return row?.nextAttemptAt ?? null;
}

export async function markEventRows(
  shop: string,
  ids: readonly number[],
  data: {
    state?: string;
    attemptsIncrement?: boolean;
    nextAttemptAt?: Date | null;
    lastError?: string | null;
    sentAt?: Date;
  },
) {
  if (ids.length === 0) return;
  const { attemptsIncrement, ...rest } = data;
  await prisma.channelMessage.updateMany({
    where: { shop, channel: CHANNEL, id: { in: [...ids] } },
    data: { ...rest, ...(attemptsIncrement ? { attempts: { increment: 1 } } : {}) },
  });
}

/** The facts each event row announces, read from its source (null: the source is gone, e.g. erased). */
export async function eventSources(
  shop: string,
  rows: readonly { id: number; event: string; sourceKey: string; customerId: string }[],
) {
  const ids = (prefix: string) =>
    rows.filter((r) => r.sourceKey.startsWith(prefix)).map((r) => r.sourceKey.slice(prefix.length));
  const [changes, recipients, points, redemptions] = await Promise.all([
    prisma.customerStateChange.findMany({ where: { shop, id: { in: ids("change:").map(Number) } } }),
    prisma.campaignRecipient.findMany({ where: { shop, id: { in: ids("recipient:").map(Number) } } }),
    prisma.pointsFlowTrigger.findMany({
      where: {
        shop,
        customerId: { in: rows.map((r) => r.customerId) },
        sourceKey: { in: ids("points:") },
        topic: "points-earned",
      },
    }),
    prisma.redemption.findMany({ where: { shop, id: { in: ids("redemption:") } } }),
  ]);
  const campaigns = await prisma.campaign.findMany({
    where: { shop, id: { in: [...new Set(recipients.map((r) => r.campaignId))] } },
    select: { id: true, name: true, offerKind: true, offerValue: true },
  });
  const variants = await prisma.campaignVariant.findMany({
    where: { shop, campaignId: { in: campaigns.map((c) => c.id) } },
    select: { campaignId: true, key: true, offerKind: true, offerValue: true },
  });
  const rewards = await prisma.reward.findMany({
    where: { shop, id: { in: [...new Set(redemptions.map((r) => r.rewardId))] } },
    select: { id: true, title: true },
  });
  return {
    changes: new Map(changes.map((c) => [c.id, c])),
    recipients: new Map(recipients.map((r) => [r.id, r])),
    points: new Map(points.map((p) => [`${p.customerId} ${p.sourceKey}`, p])),
    redemptions: new Map(redemptions.map((r) => [r.id, r])),
    campaigns: new Map(campaigns.map((c) => [c.id, c])),
    variants: new Map(variants.map((v) => [`${v.campaignId} ${v.key}`, v])),
    rewards: new Map(rewards.map((r) => [r.id, r])),
  };
}

// ---- privacy ------------------------------------------------------------------------------------------------------

/** customers/redact: the customer's profile row and Klaviyo event rows. */
export async function eraseKlaviyoCustomer(shop: string, customerId: string): Promise<number> {
  const [a, b] = await prisma.$transaction([
    prisma.klaviyoProfile.deleteMany({ where: { shop, customerId } }),
    prisma.channelMessage.deleteMany({ where: { shop, channel: CHANNEL, customerId } }),
  ]);
  return a.count + b.count;
}

// ChannelMessage: the outbox and per-recipient delivery record of the LINE sends (docs/line-sending.md), and the
// reads of the ledger's facts the LINE producer turns into rows. Every statement is scoped by shop.
// - Rows are inserted with ON CONFLICT DO NOTHING on (shop, channel, customerId, event, sourceKey): a rerun of the
//   producer inserts nothing twice.
// - A sender claims rows by a conditional UPDATE that sets its own random `claimToken` (and a lease in
//   `nextAttemptAt`) only where the row is still pending and due, returning the ids it changed. Two senders racing on
//   a row: one UPDATE matches it, the other does not, so only one sends it.
import { Prisma } from "../generated/prisma/client";
import { prisma } from "../db.server";

export type MessageState = "pending" | "sent" | "refused" | "skipped";
const IN_CHUNK = 500;
const INSERT_CHUNK = 200;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

// ---- consent ----------------------------------------------------------------------------------------------------

export interface FollowingLink {
  customerId: string;
  lineUserId: string;
  locale: string;
}

/** The links of these customers that follow the shop's LINE account (consent), by customer. */
export async function followingLinks(
  shop: string,
  customerIds: readonly string[],
): Promise<Map<string, FollowingLink>> {
  const out = new Map<string, FollowingLink>();
  for (const ids of chunks([...new Set(customerIds)], IN_CHUNK)) {
    const rows = await prisma.lineLink.findMany({
      where: { shop, following: true, customerId: { in: ids } },
      select: { customerId: true, lineUserId: true, locale: true },
    });
    for (const r of rows) out.set(r.customerId, r);
  }
  return out;
}

/** The customers of the shop with a following link, in pages (the tier-expiry source reads by customer). */
export async function followingCustomerIds(shop: string, after: string | null, limit: number): Promise<string[]> {
  const rows = await prisma.lineLink.findMany({
    where: { shop, following: true, ...(after === null ? {} : { customerId: { gt: after } }) },
    select: { customerId: true },
    orderBy: { customerId: "asc" },
    take: limit,
  });
  return rows.map((r) => r.customerId);
}

// ---- writes of the producer -------------------------------------------------------------------------------------

export interface NewChannelMessage {
  customerId: string;
  event: string;
  sourceKey: string;
  retryKey: string;
  batchKey: string | null;
}

/** Inserts pending rows; those already there (same customer, event and source) are left as they are. Rows inserted. */
export async function insertChannelMessages(
  shop: string,
  channel: string,
  rows: readonly NewChannelMessage[],
  now: Date,
): Promise<number> {
  let inserted = 0;
  for (const part of chunks(rows, INSERT_CHUNK)) {
    const values = part.map(
      (r) =>
        Prisma.sql`(${shop}, ${channel}, ${r.customerId}, ${r.event}, ${r.sourceKey}, 'pending', ${r.retryKey}, ${r.batchKey}, 0, ${now})`,
    );
    inserted += await prisma.$executeRaw(Prisma.sql`INSERT INTO "ChannelMessage"
      ("shop", "channel", "customerId", "event", "sourceKey", "state", "retryKey", "batchKey", "attempts", "createdAt")
      VALUES ${Prisma.join(values)}
      ON CONFLICT ("shop", "channel", "customerId", "event", "sourceKey") DO NOTHING`);
  }
  return inserted;
}

/** The customers that already have a row for this event and source. */
export async function customersWithMessage(
  shop: string,
  channel: string,
  event: string,
  sourceKey: string,
): Promise<Set<string>> {
  const rows = await prisma.channelMessage.findMany({
    where: { shop, channel, event, sourceKey },
    select: { customerId: true },
  });
  return new Set(rows.map((r) => r.customerId));
}

/** Of these (customer, source) pairs for an event, those that already have a row. Keys: `${customerId} ${sourceKey}`. */
export async function existingPairs(
  shop: string,
  channel: string,
  event: string,
  pairs: readonly { customerId: string; sourceKey: string }[],
): Promise<Set<string>> {
  const out = new Set<string>();
  for (const part of chunks(pairs, IN_CHUNK)) {
    const rows = await prisma.channelMessage.findMany({
      where: { shop, channel, event, customerId: { in: [...new Set(part.map((p) => p.customerId))] } },
      select: { customerId: true, sourceKey: true },
    });
    for (const r of rows) out.add(`${r.customerId} ${r.sourceKey}`);
  }
  return out;
}

// ---- the ledger's facts the producer reads ----------------------------------------------------------------------

/** The shop's campaigns that send through LINE (lineMode push or multicast). */
export function lineCampaigns(shop: string) {
  return prisma.campaign.findMany({
    where: { shop, lineMode: { in: ["push", "multicast"] } },
    select: { id: true, lineMode: true },
  });
}

/** A campaign's recipients issued a live code since `since` (not holdout, not retired, not expired at `now`). */
export function issuedRecipients(shop: string, campaignId: string, since: Date, now: Date) {
  return prisma.campaignRecipient.findMany({
    where: {
      shop,
      campaignId,
      holdout: false,
      code: { not: null },
      issuedAt: { gte: since },
      retiredAt: null,
      OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
    },
    select: { customerId: true, issuedAt: true },
    orderBy: { id: "asc" },
  });
}

/** Tier moves recorded since `since`, except those of the first scoring after install ("backfill"). */
export function tierChangesSince(shop: string, since: Date) {
  return prisma.customerStateChange.findMany({
    where: { shop, kind: "tier", at: { gte: since }, reason: { not: "backfill" }, to: { not: null } },
    select: { id: true, customerId: true, from: true, to: true },
    orderBy: { id: "asc" },
  });
}

/** Of these customers, those whose tier ends in (now, until]. */
export async function expiringTiers(shop: string, customerIds: readonly string[], now: Date, until: Date) {
  const out: { customerId: string; tier: string | null; tierExpiresAt: Date | null }[] = [];
  for (const ids of chunks(customerIds, IN_CHUNK)) {
    out.push(
      ...(await prisma.customerState.findMany({
        where: { shop, customerId: { in: ids }, tier: { not: null }, tierExpiresAt: { gt: now, lte: until } },
        select: { customerId: true, tier: true, tierExpiresAt: true },
      })),
    );
  }
  return out;
}

/** What the app last wrote to these customers' storefront metafields (CustomerSync.metafields: the storefront digest). */
export async function syncedStorefront(shop: string, customerIds: readonly string[]) {
  const out: { customerId: string; metafields: string | null }[] = [];
  for (const ids of chunks(customerIds, IN_CHUNK)) {
    out.push(
      ...(await prisma.customerSync.findMany({
        where: { shop, customerId: { in: ids }, metafields: { not: null } },
        select: { customerId: true, metafields: true },
      })),
    );
  }
  return out;
}

/** "Points earned" announcements (the points Flow trigger's records) written since `since`. */
export function pointsEarnedSince(shop: string, since: Date) {
  return prisma.pointsFlowTrigger.findMany({
    where: { shop, topic: "points-earned", createdAt: { gte: since }, points: { gt: 0 } },
    select: { customerId: true, sourceKey: true },
  });
}

/** Redemptions confirmed since `since`. */
export function redemptionsConfirmedSince(shop: string, since: Date) {
  return prisma.redemption.findMany({
    where: { shop, state: "confirmed", confirmedAt: { gte: since } },
    select: { id: true, customerId: true },
  });
}

// ---- the facts a message announces, read when it is sent ---------------------------------------------------------

export async function campaignOfferFacts(shop: string, campaignId: string, customerIds: readonly string[]) {
  const [campaign, variants] = await Promise.all([
    prisma.campaign.findFirst({ where: { shop, id: campaignId } }),
    prisma.campaignVariant.findMany({ where: { shop, campaignId } }),
  ]);
  const recipients: {
    customerId: string;
    code: string | null;
    expiresAt: Date | null;
    variant: string | null;
    retiredAt: Date | null;
  }[] = [];
  for (const ids of chunks(customerIds, IN_CHUNK)) {
    recipients.push(
      ...(await prisma.campaignRecipient.findMany({
        where: { shop, campaignId, customerId: { in: ids }, holdout: false, code: { not: null } },
        select: { customerId: true, code: true, expiresAt: true, variant: true, retiredAt: true },
        orderBy: { id: "desc" },
      })),
    );
  }
  return { campaign, variants, recipients };
}

export function tierChangeById(shop: string, id: number) {
  return prisma.customerStateChange.findFirst({ where: { shop, id }, select: { customerId: true, to: true } });
}

export function pointsAnnouncement(shop: string, customerId: string, sourceKey: string) {
  return prisma.pointsFlowTrigger.findFirst({
    where: { shop, customerId, sourceKey, topic: "points-earned" },
    select: { points: true },
  });
}

export function redemptionById(shop: string, id: string) {
  return prisma.redemption.findFirst({
    where: { shop, id, state: "confirmed" },
    select: { customerId: true, rewardId: true, code: true, expiresAt: true },
  });
}

export function rewardName(shop: string, rewardId: string) {
  return prisma.reward.findFirst({ where: { shop, id: rewardId }, select: { title: true } });
}

export async function currentTiers(shop: string, customerIds: readonly string[]) {
  const out: { customerId: string; tier: string | null }[] = [];
  for (const ids of chunks(customerIds, IN_CHUNK)) {
    out.push(
      ...(await prisma.customerState.findMany({
        where: { shop, customerId: { in: ids } },
        select: { customerId: true, tier: true },
      })),
    );
  }
  return out;
}

export function shopRow(shop: string) {
  return prisma.shop.findUnique({ where: { shop }, select: { currencyCode: true, timezone: true, name: true } });
}

// ---- the sender -------------------------------------------------------------------------------------------------

export interface DueMessage {
  id: number;
  customerId: string;
  event: string;
  sourceKey: string;
  retryKey: string;
  batchKey: string | null;
  attempts: number;
}

const dueSelect = {
  id: true,
  customerId: true,
  event: true,
  sourceKey: true,
  retryKey: true,
  batchKey: true,
  attempts: true,
} as const;

/**
 * Pending rows due at `now` (never tried, or their wait or lease over) after row `afterId`, oldest first: a pass reads
 * forward by id (a range of the primary key), not the whole pending set sorted again for every page.
 */
export function dueMessages(
  shop: string,
  channel: string,
  now: Date,
  limit: number,
  afterId = 0,
): Promise<DueMessage[]> {
  return prisma.channelMessage.findMany({
    where: {
      shop,
      channel,
      state: "pending",
      id: { gt: afterId },
      OR: [{ nextAttemptAt: null }, { nextAttemptAt: { lte: now } }],
    },
    select: dueSelect,
    orderBy: { id: "asc" },
    take: limit,
  });
}

/**
 * Claims the rows still pending and due for one attempt: sets `token`, counts the attempt and leases them until
 * `leaseUntil` (a sender that dies holding them gives them back then). Returns the ids this call claimed.
 */
export async function claimMessages(
  shop: string,
  ids: readonly number[],
  token: string,
  now: Date,
  leaseUntil: Date,
): Promise<number[]> {
  if (ids.length === 0) return [];
  const claimed: number[] = [];
  const retryKeyLapsed = new Date(now.getTime() - UNCERTAIN_MAX_MS);
  for (const part of chunks(ids, IN_CHUNK)) {
    // One statement: the rows it changed are the rows claimed (RETURNING, in SQLite and PostgreSQL alike). A row still
    // holding an earlier claim (its sender died: the lease ran out) may have been delivered by it: uncertain since
    // that claim. SET expressions read the row's values from before the UPDATE.
    const rows = await prisma.$queryRaw<{ id: number }[]>(Prisma.sql`UPDATE "ChannelMessage"
      SET "claimToken" = ${token}, "attempts" = "attempts" + 1, "nextAttemptAt" = ${leaseUntil},
        "uncertainSince" = CASE WHEN "claimToken" IS NOT NULL THEN COALESCE("uncertainSince", "claimedAt")
          ELSE "uncertainSince" END,
        "claimedAt" = ${now}
      WHERE "shop" = ${shop} AND "id" IN (${Prisma.join(part)}) AND "state" = 'pending'
        AND ("nextAttemptAt" IS NULL OR "nextAttemptAt" <= ${now})
      RETURNING "id"`);
    if (rows.length === 0) continue;
    // Uncertain for longer than LINE keeps a retry key: sending again could deliver twice. Refused instead, saying why.
    const lapsed = await prisma.$queryRaw<{ id: number }[]>(Prisma.sql`UPDATE "ChannelMessage"
      SET "state" = 'refused', "claimToken" = NULL, "nextAttemptAt" = NULL, "lastError" = ${UNCERTAIN_LAPSED_ERROR}
      WHERE "shop" = ${shop} AND "claimToken" = ${token} AND "id" IN (${Prisma.join(rows.map((r) => r.id))})
        AND "uncertainSince" IS NOT NULL AND "uncertainSince" <= ${retryKeyLapsed}
      RETURNING "id"`);
    const gone = new Set(lapsed.map((r) => Number(r.id)));
    claimed.push(...rows.map((r) => Number(r.id)).filter((id) => !gone.has(id)));
  }
  return claimed;
}

/**
 * Claims a multicast batch as a whole (docs/line-sending.md#multicast-batches-are-claimed-whole): every pending, due
 * row of `batchKey` in one statement, and only when no row of the batch is held by another sender's live claim — so
 * two senders never each hold part of one batch. Rows uncertain past LINE's retry key are refused as in
 * claimMessages. Returns the rows claimed (their attempts as before this claim).
 */
export async function claimBatch(
  shop: string,
  channel: string,
  batchKey: string,
  token: string,
  now: Date,
  leaseUntil: Date,
): Promise<DueMessage[]> {
  const rows = await prisma.$queryRaw<DueMessage[]>(Prisma.sql`UPDATE "ChannelMessage"
    SET "claimToken" = ${token}, "attempts" = "attempts" + 1, "nextAttemptAt" = ${leaseUntil},
      "uncertainSince" = CASE WHEN "claimToken" IS NOT NULL THEN COALESCE("uncertainSince", "claimedAt")
        ELSE "uncertainSince" END,
      "claimedAt" = ${now}
    WHERE "shop" = ${shop} AND "channel" = ${channel} AND "batchKey" = ${batchKey} AND "state" = 'pending'
      AND ("nextAttemptAt" IS NULL OR "nextAttemptAt" <= ${now})
      AND NOT EXISTS (SELECT 1 FROM "ChannelMessage" AS "held"
        WHERE "held"."shop" = ${shop} AND "held"."channel" = ${channel} AND "held"."batchKey" = ${batchKey}
          AND "held"."state" = 'pending' AND "held"."claimToken" IS NOT NULL AND "held"."nextAttemptAt" > ${now})
    RETURNING "id", "customerId", "event", "sourceKey", "retryKey", "batchKey", "attempts"`);
  if (rows.length === 0) return [];
  const lapsed = await prisma.$queryRaw<{ id: number }[]>(Prisma.sql`UPDATE "ChannelMessage"
    SET "state" = 'refused', "claimToken" = NULL, "nextAttemptAt" = NULL, "lastError" = ${UNCERTAIN_LAPSED_ERROR}
    WHERE "shop" = ${shop} AND "claimToken" = ${token} AND "id" IN (${Prisma.join(rows.map((r) => Number(r.id)))})
      AND "uncertainSince" IS NOT NULL AND "uncertainSince" <= ${new Date(now.getTime() - UNCERTAIN_MAX_MS)}
    RETURNING "id"`);
  const gone = new Set(lapsed.map((r) => Number(r.id)));
  return rows
    .map((r) => ({ ...r, id: Number(r.id), attempts: Number(r.attempts) - 1 }))
    .filter((r) => !gone.has(r.id))
    .sort((x, y) => x.id - y.id);
}

/**
 * Right before requests go: of these rows, those whose claim is still this sender's (its token), with their lease
 * started again (until `leaseUntil`). A row missing from the answer was taken over by another sender after this
 * one's lease ran out: this one must not send it.
 */
export async function renewClaim(
  shop: string,
  ids: readonly number[],
  token: string,
  leaseUntil: Date,
): Promise<number[]> {
  const held: number[] = [];
  for (const part of chunks(ids, IN_CHUNK)) {
    const rows = await prisma.$queryRaw<{ id: number }[]>(Prisma.sql`UPDATE "ChannelMessage"
      SET "nextAttemptAt" = ${leaseUntil}
      WHERE "shop" = ${shop} AND "claimToken" = ${token} AND "state" = 'pending' AND "id" IN (${Prisma.join(part)})
      RETURNING "id"`);
    held.push(...rows.map((r) => Number(r.id)));
  }
  return held;
}

/** LINE keeps a retry key 24 hours; a row uncertain this long is not sent again (an hour's margin for clocks and the
 * pass's own duration). */
export const UNCERTAIN_MAX_MS = 23 * 60 * 60 * 1000;
export const UNCERTAIN_LAPSED_ERROR =
  "not sent again: an earlier attempt may have been delivered and LINE's retry key (24 hours) has lapsed since";

/** Records one attempt's outcome for the rows this sender holds (its token): only those are changed. */
export async function recordOutcome(
  shop: string,
  ids: readonly number[],
  token: string,
  outcome:
    | { state: "sent"; requestId: string | null; at: Date }
    | { state: "skipped" | "refused"; error: string }
    | { state: "pending"; nextAttemptAt: Date; error: string; uncount?: boolean; uncertain?: boolean },
): Promise<number> {
  let changed = 0;
  for (const part of chunks(ids, IN_CHUNK)) {
    const where = { shop, id: { in: part }, claimToken: token };
    // An attempt that may have been delivered (5xx, timeout, reset): uncertain since its claim, unless already earlier.
    if (outcome.state === "pending" && outcome.uncertain)
      await prisma.$executeRaw(Prisma.sql`UPDATE "ChannelMessage" SET "uncertainSince" = "claimedAt"
        WHERE "shop" = ${shop} AND "claimToken" = ${token} AND "id" IN (${Prisma.join(part)})
          AND "uncertainSince" IS NULL`);
    const data =
      outcome.state === "sent"
        ? {
            state: "sent",
            requestId: outcome.requestId,
            sentAt: outcome.at,
            claimToken: null,
            nextAttemptAt: null,
            lastError: null,
          }
        : outcome.state === "pending"
          ? {
              claimToken: null,
              nextAttemptAt: outcome.nextAttemptAt,
              lastError: outcome.error.slice(0, 500),
              // A wait LINE asked for (rate or monthly limit) is not a failed attempt of this row.
              ...(outcome.uncount ? { attempts: { decrement: 1 } } : {}),
            }
          : { state: outcome.state, claimToken: null, nextAttemptAt: null, lastError: outcome.error.slice(0, 500) };
    changed += (await prisma.channelMessage.updateMany({ where, data })).count;
  }
  return changed;
}

/** Many rows sent by one push each, with their own request ids: one UPDATE per 500 rows (a CASE on the id). */
export async function recordSentEach(
  shop: string,
  token: string,
  sent: readonly { id: number; requestId: string | null }[],
  at: Date,
): Promise<void> {
  for (const part of chunks(sent, IN_CHUNK)) {
    const cases = Prisma.join(
      part.map((s) => Prisma.sql`WHEN ${s.id} THEN ${s.requestId}`),
      " ",
    );
    await prisma.$executeRaw(Prisma.sql`UPDATE "ChannelMessage"
      SET "state" = 'sent', "requestId" = CASE "id" ${cases} END, "sentAt" = ${at},
        "claimToken" = NULL, "nextAttemptAt" = NULL, "lastError" = NULL
      WHERE "shop" = ${shop} AND "claimToken" = ${token} AND "id" IN (${Prisma.join(part.map((s) => s.id))})`);
  }
}

/** Skips rows without claiming them (no consent, event off, nothing to announce): only if still pending and not held
 * by a live claim. */
export async function skipPending(shop: string, ids: readonly number[], reason: string, now: Date): Promise<number> {
  let n = 0;
  for (const part of chunks(ids, IN_CHUNK)) {
    n += (
      await prisma.channelMessage.updateMany({
        // Unclaimed, or claimed by a sender whose lease has run out (it died holding the row): else the row of a
        // shopper who no longer consents would stay pending and due, and every pass would find it again.
        where: {
          shop,
          id: { in: part },
          state: "pending",
          OR: [{ claimToken: null }, { nextAttemptAt: { lte: now } }],
        },
        data: { state: "skipped", lastError: reason, claimToken: null, nextAttemptAt: null },
      })
    ).count;
  }
  return n;
}

// ---- campaigns paused or archived (docs/line-sending.md) ---------------------------------------------------------

/** Why a paused campaign's rows wait (their lastError, exactly: resuming the campaign releases the rows carrying it). */
export const CAMPAIGN_PAUSED_ERROR = "campaign paused: waits until it is resumed";
export const CAMPAIGN_ARCHIVED_SKIP = "campaign archived";

/** The status (active | paused | archived) of these campaigns of the shop; a deleted one is absent. */
export async function campaignStatuses(shop: string, campaignIds: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const ids of chunks([...new Set(campaignIds)], IN_CHUNK)) {
    const rows = await prisma.campaign.findMany({
      where: { shop, id: { in: ids } },
      select: { id: true, status: true },
    });
    for (const r of rows) out.set(r.id, r.status);
  }
  return out;
}

/**
 * Rows that wait without being tried (a paused campaign's): pending and not held by a live claim, they become due at
 * `until`. The claim token of a sender that died holding one is kept, so the row stays uncertain when claimed later.
 */
export async function deferPending(
  shop: string,
  ids: readonly number[],
  until: Date,
  reason: string,
  now: Date,
): Promise<number> {
  let n = 0;
  for (const part of chunks(ids, IN_CHUNK)) {
    n += (
      await prisma.channelMessage.updateMany({
        where: {
          shop,
          id: { in: part },
          state: "pending",
          OR: [{ claimToken: null }, { nextAttemptAt: { lte: now } }],
        },
        data: { nextAttemptAt: until, lastError: reason.slice(0, 500) },
      })
    ).count;
  }
  return n;
}

/** A resumed campaign: its rows waiting because it was paused are due now. How many. */
export async function releasePausedCampaignMessages(shop: string, campaignId: string, now: Date): Promise<number> {
  const { count } = await prisma.channelMessage.updateMany({
    where: {
      shop,
      channel: "line",
      event: "campaign-offer",
      sourceKey: `campaign:${campaignId}`,
      state: "pending",
      lastError: CAMPAIGN_PAUSED_ERROR,
    },
    data: { nextAttemptAt: now },
  });
  return count;
}

/** Every due, unclaimed pending row of the shop waits until `until` (the monthly limit): how many. */
export async function deferDue(shop: string, channel: string, now: Date, until: Date, error: string): Promise<number> {
  const { count } = await prisma.channelMessage.updateMany({
    where: {
      shop,
      channel,
      state: "pending",
      claimToken: null,
      OR: [{ nextAttemptAt: null }, { nextAttemptAt: { lte: now } }],
    },
    data: { nextAttemptAt: until, lastError: error.slice(0, 500) },
  });
  return count;
}

/** The earliest moment a pending row of the shop becomes due (null: none pending). */
export async function nextDueAt(shop: string, channel: string): Promise<Date | null | "now"> {
  const row = await prisma.channelMessage.findFirst({
    where: { shop, channel, state: "pending" },
    select: { nextAttemptAt: true },
    orderBy: [{ nextAttemptAt: { sort: "asc", nulls: "first" } }],
  });
  if (!row) return null;
  return row.nextAttemptAt ?? "now";
}

/** A campaign's LINE rows by state, and those waiting on the monthly limit (the campaign page shows them). */
export async function campaignMessageCounts(shop: string, campaignId: string) {
  const rows = await prisma.channelMessage.groupBy({
    by: ["state"],
    where: { shop, channel: "line", event: "campaign-offer", sourceKey: `campaign:${campaignId}` },
    _count: { _all: true },
  });
  const counts: Record<MessageState, number> = { pending: 0, sent: 0, refused: 0, skipped: 0 };
  for (const r of rows) counts[r.state as MessageState] = r._count._all;
  const monthlyLimit = await prisma.channelMessage.count({
    where: {
      shop,
      channel: "line",
      event: "campaign-offer",
      sourceKey: `campaign:${campaignId}`,
      state: "pending",
      lastError: { startsWith: MONTHLY_LIMIT_ERROR },
    },
  });
  return { ...counts, waitingForQuota: monthlyLimit };
}

/** The lastError prefix of rows waiting for the monthly quota. */
export const MONTHLY_LIMIT_ERROR = "monthly-limit";

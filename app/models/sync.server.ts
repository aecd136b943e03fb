// What the app last wrote to Shopify per customer (CustomerSync), the shop's sync settings, and sync runs. The sync
// compares CustomerState with CustomerSync page by page and records each batch's outcome as soon as Shopify answered,
// so a sync killed midway resumes with only what is still missing. Customers changed since the last sync
// (CustomerSyncDue, set by database triggers in the transaction of the change: prisma/migrations/*_customer_sync_due)
// can be read alone, so a sync after one customer moved reads that customer, not the shop.
import { Prisma } from "../generated/prisma/client";
import { prisma } from "../db.server";
import { defaultSyncSettings, type SyncSettings, type SyncState } from "../domain/sync";
import { shopLocale } from "./shop.server";

export async function getSyncSettings(shop: string): Promise<SyncSettings> {
  const row = await prisma.syncSettings.findUnique({ where: { shop } });
  return row
    ? {
        rfmPrefix: row.rfmPrefix,
        tierPrefix: row.tierPrefix,
        insightPrefix: row.insightPrefix,
        metafields: row.metafields,
        segments: row.segments,
        codes: row.codes,
        segmentNamePrefix: row.segmentNamePrefix,
        codePrefix: row.codePrefix,
      }
    : defaultSyncSettings(await shopLocale(shop));
}

/** Saves validated settings (validateSyncSettings). */
export async function saveSyncSettings(shop: string, settings: SyncSettings): Promise<void> {
  await prisma.syncSettings.upsert({ where: { shop }, create: { shop, ...settings }, update: settings });
}

/** What was last written for a customer; null fields: nothing yet. */
export interface SyncedValues {
  tags: string[];
  /** Tags under the app's prefixes the customer had before the app wrote any; null until read from Shopify. */
  foreignTags: string[] | null;
  /** Tags sent to add whose outcome was never recorded (recordPendingTags); empty when every write was recorded. */
  pendingTags: string[];
  metafields: string | null;
  failures: number;
}

export interface SyncCandidate {
  state: SyncState;
  synced: SyncedValues | null;
  /** The version of the customer's "changed since last sync" row as read with the state; null: none. */
  due: number | null;
}

/** A customer's "changed since last sync" row at the version a sync read (cleared only while still at it). */
export interface SyncDue {
  customerId: string;
  version: number;
}

const list = (text: string | null): string[] | null => (text === null ? null : (JSON.parse(text) as string[]));
const ms = (value: unknown): number | null =>
  value === null || value === undefined
    ? null
    : value instanceof Date
      ? value.getTime()
      : typeof value === "number"
        ? value
        : Date.parse(String(value));
const int = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

const CANDIDATE_COLUMNS = Prisma.sql`s."customerId", s."segment", s."tier", s."spendInWindowMinor", s."nextTier",
      s."amountToNextMinor", s."tierExpiresAt", y."customerId" AS "syncedId", y."tags", y."foreignTags", y."pendingTags",
      y."metafields", y."failures", d."version" AS "dueVersion"`;

/** A page of customers with a state, after `afterId` in id order, each with what was last written for them. */
export async function syncCandidates(shop: string, afterId: string | null, limit: number): Promise<SyncCandidate[]> {
  const after = afterId === null ? Prisma.empty : Prisma.sql`AND s."customerId" > ${afterId}`;
  const rows = await prisma.$queryRaw<Record<string, unknown>[]>(Prisma.sql`
    SELECT ${CANDIDATE_COLUMNS}
    FROM "CustomerState" s
    LEFT JOIN "CustomerSync" y ON y."shop" = s."shop" AND y."customerId" = s."customerId"
    LEFT JOIN "CustomerSyncDue" d ON d."shop" = s."shop" AND d."customerId" = s."customerId"
    WHERE s."shop" = ${shop} ${after}
    ORDER BY s."customerId"
    LIMIT ${limit}`);
  return rows.map(candidate);
}

/**
 * A page of the customers changed since the last sync (a CustomerSyncDue row) that have a state, after `afterId` in
 * id order: what a sync after a few customers moved reads instead of every state of the shop. The row's version is
 * read in the same statement as the state, so clearing it at that version (clearSyncDue, recordSyncOutcomes) never
 * clears a change committed after the read.
 */
export async function dueSyncCandidates(shop: string, afterId: string | null, limit: number): Promise<SyncCandidate[]> {
  const after = afterId === null ? Prisma.empty : Prisma.sql`AND d."customerId" > ${afterId}`;
  const rows = await prisma.$queryRaw<Record<string, unknown>[]>(Prisma.sql`
    SELECT ${CANDIDATE_COLUMNS}
    FROM "CustomerSyncDue" d
    JOIN "CustomerState" s ON s."shop" = d."shop" AND s."customerId" = d."customerId"
    LEFT JOIN "CustomerSync" y ON y."shop" = d."shop" AND y."customerId" = d."customerId"
    WHERE d."shop" = ${shop} ${after}
    ORDER BY d."customerId"
    LIMIT ${limit}`);
  return rows.map(candidate);
}

function candidate(r: Record<string, unknown>): SyncCandidate {
  return {
    state: {
      customerId: r.customerId as string,
      segment: r.segment as string,
      tier: r.tier as string | null,
      spendInWindowMinor: int(r.spendInWindowMinor),
      nextTier: r.nextTier as string | null,
      amountToNextMinor: int(r.amountToNextMinor),
      tierExpiresAt: ms(r.tierExpiresAt),
    },
    synced:
      r.syncedId === null
        ? null
        : {
            tags: list(r.tags as string)!,
            foreignTags: list(r.foreignTags as string | null),
            pendingTags: list(r.pendingTags as string | null) ?? [],
            metafields: r.metafields as string | null,
            failures: Number(r.failures),
          },
    due: int(r.dueVersion),
  };
}

/** How many customers of the shop are changed since the last sync (have a CustomerSyncDue row). */
export function syncDueCount(shop: string): Promise<number> {
  return prisma.customerSyncDue.count({ where: { shop } });
}

/**
 * Clears "changed since last sync" rows at the versions a sync read: a row bumped since (the customer changed again
 * while the sync ran) stays for the next sync.
 */
export async function clearSyncDue(shop: string, due: readonly SyncDue[]): Promise<void> {
  const ROWS = 250;
  for (let i = 0; i < due.length; i += ROWS) await prisma.$executeRaw(clearDueStatement(shop, due.slice(i, i + ROWS)));
}

function clearDueStatement(shop: string, due: readonly SyncDue[]) {
  const pairs = due.map((d) => Prisma.sql`("customerId" = ${d.customerId} AND "version" = ${d.version})`);
  return Prisma.sql`DELETE FROM "CustomerSyncDue" WHERE "shop" = ${shop} AND (${Prisma.join(pairs, " OR ")})`;
}

/** Forgets what was written for customers no longer in the ledger (deleted at Shopify: nothing left to undo). */
export async function dropOrphanSyncRows(shop: string): Promise<number> {
  // Their "changed since last sync" rows too (a journal entry after the state went): nothing left to write.
  await prisma.$executeRaw(Prisma.sql`
    DELETE FROM "CustomerSyncDue" WHERE "shop" = ${shop}
      AND "customerId" NOT IN (SELECT "customerId" FROM "CustomerState" WHERE "shop" = ${shop})`);
  return prisma.$executeRaw(Prisma.sql`
    DELETE FROM "CustomerSync" WHERE "shop" = ${shop}
      AND "customerId" NOT IN (SELECT "customerId" FROM "CustomerState" WHERE "shop" = ${shop})`);
}

/**
 * Records the tags under the app's prefixes that customers had before the app wrote any (the merchant's), as read
 * from Shopify, before the app writes to them: a write that Shopify applied but the app never got to record (the
 * process killed, the database or the answer lost) must not make the next run read the app's own tags as the
 * merchant's. Only fills customers with none recorded yet.
 */
export async function recordForeignTags(shop: string, foreign: ReadonlyMap<string, readonly string[]>): Promise<void> {
  const entries = [...foreign.entries()];
  const ROWS = 250;
  for (let i = 0; i < entries.length; i += ROWS) {
    const rows = entries
      .slice(i, i + ROWS)
      .map(([customerId, tags]) => Prisma.sql`(${shop}, ${customerId}, ${JSON.stringify(tags)})`);
    await prisma.$executeRaw(Prisma.sql`
      INSERT INTO "CustomerSync" ("shop", "customerId", "foreignTags") VALUES ${Prisma.join(rows)}
      ON CONFLICT ("shop", "customerId") DO UPDATE SET "foreignTags" = excluded."foreignTags"
      WHERE "CustomerSync"."foreignTags" IS NULL`);
  }
}

/**
 * Before sending tag adds: the tags about to be added (with any still pending from an earlier run whose outcome was
 * lost), so that if Shopify applies the write and the app never records it, the next run still knows the tags are
 * its own to remove. Cleared when the outcome is recorded.
 */
export async function recordPendingTags(shop: string, pending: ReadonlyMap<string, readonly string[]>): Promise<void> {
  const entries = [...pending.entries()];
  const ROWS = 250;
  for (let i = 0; i < entries.length; i += ROWS) {
    const rows = entries
      .slice(i, i + ROWS)
      .map(([customerId, tags]) => Prisma.sql`(${shop}, ${customerId}, ${JSON.stringify(tags)})`);
    await prisma.$executeRaw(Prisma.sql`
      INSERT INTO "CustomerSync" ("shop", "customerId", "pendingTags") VALUES ${Prisma.join(rows)}
      ON CONFLICT ("shop", "customerId") DO UPDATE SET "pendingTags" = excluded."pendingTags"`);
  }
}

export interface SyncOutcome {
  customerId: string;
  tags: string[];
  /** Recorded with the first write; kept afterwards. */
  foreignTags: string[];
  /** Adds whose outcome is still unknown (kept as pending); default none. */
  pendingTags?: string[] | null;
  metafields: string | null;
  /** Set when Shopify refused part of the write (userErrors); cleared by a write that succeeds whole. */
  failure: { code: string; message: string } | null;
  /**
   * The version of the customer's "changed since last sync" row this write was computed from: cleared with the
   * outcome when the write succeeded whole (a refused one stays due, tried again by the next sync).
   */
  due?: number | null;
}

/**
 * Records what one request wrote (and what it could not), and clears the "changed since last sync" rows of what it
 * wrote whole, in one transaction.
 */
export async function recordSyncOutcomes(shop: string, outcomes: readonly SyncOutcome[], at: Date): Promise<void> {
  if (outcomes.length === 0) return;
  const done = outcomes.flatMap((o) =>
    o.failure === null && o.due != null ? [{ customerId: o.customerId, version: o.due }] : [],
  );
  await prisma.$transaction([
    ...outcomes.map((o) => {
      const values = {
        tags: JSON.stringify(o.tags),
        foreignTags: JSON.stringify(o.foreignTags),
        pendingTags: o.pendingTags?.length ? JSON.stringify(o.pendingTags) : null,
        metafields: o.metafields,
        syncedAt: at,
        ...(o.failure
          ? { failureCode: o.failure.code, failureMessage: o.failure.message, failedAt: at }
          : { failureCode: null, failureMessage: null, failedAt: null, failures: 0 }),
      };
      return prisma.customerSync.upsert({
        where: { shop_customerId: { shop, customerId: o.customerId } },
        create: { shop, customerId: o.customerId, ...values, failures: o.failure ? 1 : 0 },
        update: o.failure ? { ...values, failures: { increment: 1 } } : values,
      });
    }),
    ...(done.length > 0 ? [prisma.$executeRaw(clearDueStatement(shop, done))] : []),
  ]);
}

/** What was last written for one customer (null: nothing yet). */
export function customerSyncRow(shop: string, customerId: string) {
  return prisma.customerSync.findUnique({ where: { shop_customerId: { shop, customerId } } });
}

/** Lets customers that failed too often be tried again (the merchant's "retry failed"). */
export async function resetSyncFailures(shop: string): Promise<number> {
  const { count } = await prisma.customerSync.updateMany({
    where: { shop, failures: { gt: 0 } },
    data: { failures: 0 },
  });
  return count;
}

export interface SyncFailure {
  customerId: string;
  code: string;
  message: string;
  failures: number;
  failedAt: Date;
}

export async function syncFailures(shop: string, limit = 50): Promise<SyncFailure[]> {
  const rows = await prisma.customerSync.findMany({
    where: { shop, failedAt: { not: null } },
    orderBy: [{ failedAt: "desc" }, { customerId: "asc" }],
    take: limit,
  });
  return rows.map((r) => ({
    customerId: r.customerId,
    code: r.failureCode ?? "",
    message: r.failureMessage ?? "",
    failures: r.failures,
    failedAt: r.failedAt!,
  }));
}

export type SyncRunTotals = Pick<
  Prisma.SyncRunUncheckedCreateInput,
  "considered" | "changed" | "synced" | "failed" | "requests" | "costPoints" | "throttled"
>;

/** What a run left "running" by a process that died (kill -9, a lost host) says once the next run starts. */
export const INTERRUPTED = "interrupted: the process running it stopped before it ended";

/**
 * Starts a run. A shop's sync runs one at a time (one job per shop), so a run still marked running belongs to a
 * process that died mid-run: it is closed as failed, and the progress page stops showing it as under way.
 */
export async function createSyncRun(shop: string, reason: string) {
  const [, run] = await prisma.$transaction([
    prisma.syncRun.updateMany({
      where: { shop, status: "running" },
      data: { status: "failed", finishedAt: new Date(), error: INTERRUPTED },
    }),
    prisma.syncRun.create({ data: { shop, reason, status: "running" } }),
  ]);
  return run;
}

export function updateSyncRun(shop: string, id: string, totals: SyncRunTotals) {
  return prisma.syncRun.update({ where: { id, shop }, data: totals });
}

export function finishSyncRun(shop: string, id: string, totals: SyncRunTotals & { error?: string | null }) {
  return prisma.syncRun.update({
    where: { id, shop },
    data: { ...totals, status: totals.error ? "failed" : "done", finishedAt: new Date(), error: totals.error ?? null },
  });
}

export function latestSyncRun(shop: string) {
  return prisma.syncRun.findFirst({ where: { shop }, orderBy: [{ startedAt: "desc" }, { id: "desc" }] });
}

/** Customers whose last write Shopify refused, and all customers ever written. */
export async function syncCounts(shop: string): Promise<{ written: number; failing: number }> {
  const [written, failing] = await Promise.all([
    prisma.customerSync.count({ where: { shop } }),
    prisma.customerSync.count({ where: { shop, failedAt: { not: null } } }),
  ]);
  return { written, failing };
}

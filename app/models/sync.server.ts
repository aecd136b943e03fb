// What the app last wrote to Shopify per customer (CustomerSync), the shop's sync settings, and sync runs. The sync
// compares CustomerState with CustomerSync page by page and records each batch's outcome as soon as Shopify answered,
// so a sync killed midway resumes with only what is still missing.
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

/** A page of customers with a state, after `afterId` in id order, each with what was last written for them. */
export async function syncCandidates(shop: string, afterId: string | null, limit: number): Promise<SyncCandidate[]> {
  const after = afterId === null ? Prisma.empty : Prisma.sql`AND s."customerId" > ${afterId}`;
  const rows = await prisma.$queryRaw<Record<string, unknown>[]>(Prisma.sql`
    SELECT s."customerId", s."segment", s."tier", s."spendInWindowMinor", s."nextTier", s."amountToNextMinor", s."tierExpiresAt",
      y."customerId" AS "syncedId", y."tags", y."foreignTags", y."pendingTags", y."metafields", y."failures"
    FROM "CustomerState" s
    LEFT JOIN "CustomerSync" y ON y."shop" = s."shop" AND y."customerId" = s."customerId"
    WHERE s."shop" = ${shop} ${after}
    ORDER BY s."customerId"
    LIMIT ${limit}`);
  return rows.map((r) => ({
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
  }));
}

/** Forgets what was written for customers no longer in the ledger (deleted at Shopify: nothing left to undo). */
export async function dropOrphanSyncRows(shop: string): Promise<number> {
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
}

/** Records what one request wrote (and what it could not), in one transaction. */
export async function recordSyncOutcomes(shop: string, outcomes: readonly SyncOutcome[], at: Date): Promise<void> {
  if (outcomes.length === 0) return;
  await prisma.$transaction(
    outcomes.map((o) => {
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
  );
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

// Customer state rows (what campaigns, Flow triggers and analytics read), their change history, and the shop's last
// full computation. Writes are batched multi-row upserts; a batch's states and history go in one transaction, so a
// recompute that dies halfway and reruns leaves the same rows and no duplicate history.
import { Prisma } from "../generated/prisma/client";
import type { RfmBoundaries } from "../domain/rfm";
import type { SegmentKey } from "../domain/segments";
import { prisma } from "../db.server";
import {
  MONEY_COLUMNS,
  STORED_STATE_COLUMNS as COLUMNS,
  stateDigest,
  TIME_COLUMNS,
  type CustomerStateValues,
  type HistoryEntry,
} from "./scoring-types";
import { sqliteScoring } from "./scoring-sqlite.server";
import { derivedRecencyDays } from "../domain/customer-state";

export { stateDigest, type CustomerStateValues, type HistoryEntry };

const UPSERT_ROWS = 1000; // 24 parameters a row: under SQLite's 32766 and PostgreSQL's 65535 per statement
const HISTORY_ROWS = 500;
// Prisma caps an ORM query at 999 bound parameters on SQLite (P2029): the shop plus 500 ids stays under it.
const ID_BATCH = 500;

type StateRow = NonNullable<Awaited<ReturnType<typeof prisma.customerState.findFirst>>>;

// Rows come from the ORM or from a raw query (a third of the cost per batch); the driver may hand back times as
// Date or text and integers as number or BigInt, so both are read the same way.
// Recency is not stored: it is derived from lastOrderAt and when the row's values hold (derivedRecencyDays), with
// `runAsOf` the shop's last full run (lastRunAsOf).
function fromRow(row: StateRow, runAsOf: number | null): CustomerStateValues {
  const ms = (d: Date | string | null) => (d === null ? null : d instanceof Date ? d.getTime() : Date.parse(d));
  const num = (n: bigint | number | null) => (n === null ? null : Number(n));
  const lastOrderAt = ms(row.lastOrderAt);
  return {
    customerId: row.customerId,
    segment: row.segment as SegmentKey,
    r: num(row.r),
    f: num(row.f),
    m: num(row.m),
    fm: num(row.fm),
    recencyDays: derivedRecencyDays(lastOrderAt, ms(row.computedAt)!, runAsOf),
    frequency: num(row.frequency),
    monetaryMinor: num(row.monetaryMinor),
    lastOrderAt,
    tier: row.tier,
    spendInWindowMinor: num(row.spendInWindowMinor),
    ordersInWindow: num(row.ordersInWindow),
    nextTier: row.nextTier,
    amountToNextMinor: num(row.amountToNextMinor),
    ordersToNext: num(row.ordersToNext),
    tierExpiresAt: ms(row.tierExpiresAt),
    windowChangesAt: ms(row.windowChangesAt),
    baseLastOrderAt: ms(row.baseLastOrderAt),
    baseFrequency: num(row.baseFrequency),
    baseMonetaryMinor: num(row.baseMonetaryMinor),
  };
}

function column(state: CustomerStateValues, name: (typeof COLUMNS)[number]): unknown {
  const value = state[name];
  if (value === null) return null;
  if (TIME_COLUMNS.has(name)) return new Date(value as number);
  if (MONEY_COLUMNS.has(name)) return BigInt(value as number);
  return value;
}

/** What a full recompute needs of a stored row: its digest, and segment and tier for the history of a move. */
export interface StoredDigest {
  digest: string | null;
  segment: string;
  tier: string | null;
  /** When the row was computed (epoch ms): a full run rewrites rows computed after its asOf. */
  computedAt: number;
}

/** Every stored state of the shop as its digest, by customer id. */
export async function storedDigests(shop: string): Promise<Map<string, StoredDigest>> {
  const sqlite = sqliteScoring();
  if (sqlite) return sqlite.storedDigests(shop);
  const rows = await prisma.$queryRaw<
    { customerId: string; digest: string | null; segment: string; tier: string | null; computedAt: Date | string }[]
  >(
    Prisma.sql`SELECT "customerId", "digest", "segment", "tier", "computedAt" FROM "CustomerState" WHERE "shop" = ${shop}`,
  );
  return new Map(
    rows.map((r) => [
      r.customerId,
      {
        digest: r.digest,
        segment: r.segment,
        tier: r.tier,
        computedAt: r.computedAt instanceof Date ? r.computedAt.getTime() : Date.parse(r.computedAt),
      },
    ]),
  );
}

/** The stored states of these customers (at most a batch's worth), by customer id. */
export async function loadStates(
  shop: string,
  customerIds: readonly string[],
): Promise<Map<string, CustomerStateValues>> {
  const states = new Map<string, CustomerStateValues>();
  const runAsOf = customerIds.length ? await lastRunAsOf(shop) : null;
  for (let i = 0; i < customerIds.length; i += ID_BATCH) {
    const rows = await prisma.$queryRaw<StateRow[]>(
      Prisma.sql`SELECT * FROM "CustomerState" WHERE "shop" = ${shop} AND "customerId" IN (${Prisma.join(customerIds.slice(i, i + ID_BATCH))})`,
    );
    for (const row of rows) states.set(row.customerId, fromRow(row, runAsOf));
  }
  return states;
}

export async function loadState(shop: string, customerId: string): Promise<CustomerStateValues | null> {
  const [row, runAsOf] = await Promise.all([
    prisma.customerState.findUnique({ where: { shop_customerId: { shop, customerId } } }),
    lastRunAsOf(shop),
  ]);
  return row ? fromRow(row, runAsOf) : null;
}

/** The asOf of the shop's last full computation (epoch ms), which stored recency is derived at; null: none yet. */
export async function lastRunAsOf(shop: string): Promise<number | null> {
  const row = await prisma.shopComputation.findUnique({ where: { shop }, select: { asOf: true } });
  return row ? row.asOf.getTime() : null;
}

export { derivedRecencyDays };

/** Customers with a stored state that the ledger has not deleted (tombstoned). */
export async function liveStateCustomerIds(shop: string): Promise<string[]> {
  const rows = await prisma.$queryRaw<{ customerId: string }[]>(
    Prisma.sql`SELECT s."customerId" FROM "CustomerState" s WHERE s."shop" = ${shop}
      AND s."customerId" NOT IN (SELECT c."id" FROM "Customer" c WHERE c."shop" = ${shop} AND c."deletedAt" IS NOT NULL)`,
  );
  return rows.map((r) => r.customerId);
}

/**
 * Writes changed states (multi-row upserts) and their history entries in one transaction. `computedAt` is the asOf
 * of the computation; `reason` why it ran (order | daily | rules | backfill | manual).
 */
export async function writeStates(
  shop: string,
  states: readonly CustomerStateValues[],
  history: readonly HistoryEntry[],
  at: { computedAt: Date; reason: string },
  /** Customers whose stored row has the same segment and tier as the state written (lets SQLite skip two indexes). */
  sameKeys?: ReadonlySet<string>,
): Promise<void> {
  if (states.length === 0 && history.length === 0) return;
  const sqlite = sqliteScoring();
  if (sqlite) return sqlite.writeStates(shop, states, history, at, sameKeys);
  return writeStatesWithPrisma(shop, states, history, at);
}

/** writeStates through Prisma's raw queries: every database but SQLite, and the reference the SQLite path is tested against. */
export async function writeStatesWithPrisma(
  shop: string,
  states: readonly CustomerStateValues[],
  history: readonly HistoryEntry[],
  { computedAt, reason }: { computedAt: Date; reason: string },
): Promise<void> {
  if (states.length === 0 && history.length === 0) return;
  const statements: Prisma.PrismaPromise<number>[] = [];
  const names = Prisma.raw(COLUMNS.map((c) => `"${c}"`).join(", "));
  const updates = Prisma.raw(COLUMNS.map((c) => `"${c}" = excluded."${c}"`).join(", "));
  for (let i = 0; i < states.length; i += UPSERT_ROWS) {
    const rows = states
      .slice(i, i + UPSERT_ROWS)
      .map(
        (s) =>
          Prisma.sql`(${shop}, ${s.customerId}, ${Prisma.join(COLUMNS.map((c) => column(s, c)))}, ${computedAt}, ${stateDigest(s)})`,
      );
    statements.push(
      prisma.$executeRaw(Prisma.sql`INSERT INTO "CustomerState" ("shop", "customerId", ${names}, "computedAt", "digest")
        VALUES ${Prisma.join(rows)}
        ON CONFLICT ("shop", "customerId") DO UPDATE SET ${updates}, "computedAt" = excluded."computedAt", "digest" = excluded."digest"`),
    );
  }
  for (let i = 0; i < history.length; i += HISTORY_ROWS) {
    const rows = history
      .slice(i, i + HISTORY_ROWS)
      .map((h) => Prisma.sql`(${shop}, ${h.customerId}, ${h.kind}, ${h.from}, ${h.to}, ${computedAt}, ${reason})`);
    statements.push(
      prisma.$executeRaw(Prisma.sql`INSERT INTO "CustomerStateChange" ("shop", "customerId", "kind", "from", "to", "at", "reason")
        VALUES ${Prisma.join(rows)}`),
    );
  }
  await prisma.$transaction(statements);
}

/** Removes the states of customers no longer in the ledger (deleted); their history stays until erasure. */
export async function deleteStates(shop: string, customerIds: readonly string[]): Promise<number> {
  let deleted = 0;
  for (let i = 0; i < customerIds.length; i += ID_BATCH) {
    const { count } = await prisma.customerState.deleteMany({
      where: { shop, customerId: { in: customerIds.slice(i, i + ID_BATCH) } },
    });
    deleted += count;
  }
  return deleted;
}

export function stateHistory(shop: string, customerId?: string) {
  return prisma.customerStateChange.findMany({
    where: { shop, ...(customerId === undefined ? {} : { customerId }) },
    orderBy: [{ at: "asc" }, { id: "asc" }],
  });
}

/** Customers per segment and per tier ("" for no tier), as stored. */
export async function stateCounts(
  shop: string,
): Promise<{ segments: Record<string, number>; tiers: Record<string, number> }> {
  const [segments, tiers] = await Promise.all([
    prisma.customerState.groupBy({ by: ["segment"], where: { shop }, _count: { _all: true } }),
    prisma.customerState.groupBy({ by: ["tier"], where: { shop }, _count: { _all: true } }),
  ]);
  return {
    segments: Object.fromEntries(segments.map((s) => [s.segment, s._count._all])),
    tiers: Object.fromEntries(tiers.map((t) => [t.tier ?? "", t._count._all])),
  };
}

/** Segment and tier moves since `since`, counted per kind, from, to and time (a full run stamps all its moves alike). */
export async function stateMovesSince(
  shop: string,
  since: Date,
): Promise<{ kind: string; from: string | null; to: string | null; at: Date; count: number }[]> {
  const rows = await prisma.customerStateChange.groupBy({
    by: ["kind", "from", "to", "at"],
    where: { shop, at: { gte: since } },
    _count: { _all: true },
  });
  return rows.map((r) => ({ kind: r.kind, from: r.from, to: r.to, at: r.at, count: r._count._all }));
}

/** Per segment: its customers, their spend (minor units) and their orders in the RFM window, as stored. */
export async function segmentTotals(
  shop: string,
): Promise<{ segment: string; customers: number; spend: number; orders: number }[]> {
  const rows = await prisma.$queryRaw<
    { segment: string; customers: bigint | number; spend: bigint | number | null; orders: bigint | number | null }[]
  >(Prisma.sql`
    SELECT "segment", COUNT(*) AS "customers", SUM("monetaryMinor") AS "spend", SUM("frequency") AS "orders"
    FROM "CustomerState" WHERE "shop" = ${shop} GROUP BY "segment"`);
  return rows.map((r) => ({
    segment: r.segment,
    customers: Number(r.customers),
    spend: Number(r.spend ?? 0),
    orders: Number(r.orders ?? 0),
  }));
}

/** Moves between segments since `since` (joining customers left out), counted per from and to. */
export async function segmentMovesSince(
  shop: string,
  since: Date,
): Promise<{ from: string; to: string; moves: number }[]> {
  const rows = await prisma.$queryRaw<{ from: string; to: string | null; moves: bigint | number }[]>(Prisma.sql`
    SELECT "from", "to", COUNT(*) AS "moves" FROM "CustomerStateChange"
    WHERE "shop" = ${shop} AND "kind" = 'segment' AND "at" >= ${since} AND "from" IS NOT NULL
    GROUP BY "from", "to"`);
  return rows.map((r) => ({ from: r.from, to: r.to!, moves: Number(r.moves) }));
}

// ---- Flow triggers: each move sent once (services/flow-triggers.server.ts) ----------------------------------------

export type UnsentChange = { id: number; customerId: string; kind: string; from: string | null; to: string | null };

/** Marks the moves of one reason as sent without sending them (the first scoring after install is history). */
export async function markFlowSkipped(shop: string, reason: string, at: Date): Promise<number> {
  const { count } = await prisma.customerStateChange.updateMany({
    where: { shop, flowSentAt: null, reason },
    data: { flowSentAt: at },
  });
  return count;
}

/** The next `limit` moves not sent yet, after id `afterId`, oldest first. */
export function unsentChanges(shop: string, afterId: number, limit: number): Promise<UnsentChange[]> {
  return prisma.customerStateChange.findMany({
    where: { shop, flowSentAt: null, id: { gt: afterId } },
    orderBy: { id: "asc" },
    take: limit,
    select: { id: true, customerId: true, kind: true, from: true, to: true },
  });
}

export async function markFlowSent(shop: string, ids: readonly number[], at: Date): Promise<void> {
  if (ids.length)
    await prisma.customerStateChange.updateMany({ where: { shop, id: { in: [...ids] } }, data: { flowSentAt: at } });
}

export interface ShopComputationValues {
  asOf: Date;
  reason: string;
  windowDays: number | null;
  tierProgramVersion: number;
  boundaries: RfmBoundaries;
  customers: number;
  population: number;
  finishedAt: Date;
}

export async function getShopComputation(shop: string): Promise<ShopComputationValues | null> {
  const row = await prisma.shopComputation.findUnique({ where: { shop } });
  if (!row) return null;
  return { ...row, boundaries: JSON.parse(row.boundaries) as RfmBoundaries };
}

export async function saveShopComputation(shop: string, values: ShopComputationValues): Promise<void> {
  const data = { ...values, boundaries: JSON.stringify(values.boundaries) };
  await prisma.shopComputation.upsert({ where: { shop }, create: { shop, ...data }, update: data });
}

// Predictions' SQL (docs/predictions.md#pipeline, #storage): the one streaming read of the ledger the fit needs, the
// write of a fit (ShopPrediction + the shop's CustomerPrediction rows, replaced in one transaction), the reads the
// admin and other features use, and the merchant's settings. Every query is scoped by shop. Portable SQL through
// Prisma (SQLite and PostgreSQL).
//
// Stable reads for other features (keep their shapes):
// - getShopPrediction(shop): the last fit's status, reason, counts, model and back-test (null: never fitted).
// - predictionsOf(shop, customerIds): Map customerId → StoredCustomerPrediction (customers without one are absent).
// - customersInBand(shop, band, page?): customer ids of a CLV band ("high" | "medium" | "low"), by id, paged.
// - customersBelowPAlive(shop, threshold, page?): customer ids with P(active) < threshold, by id, paged.
// - getPredictionSettings(shop): the merchant's settings (defaults when unset), e.g. churnThreshold.
// A shop whose last fit was too small or failed has no CustomerPrediction rows: the reads return nothing for it.
//
// On SQLite the read and the write go through prepared statements on better-sqlite3 connections of their own (as the
// recompute does, docs/decisions/0003): the read is one ordered pass, the write one transaction of plain inserts
// (Prisma's createMany inside an interactive transaction took a minute for 100k rows and held the write lock).
// Elsewhere (PostgreSQL) through Prisma. Same SQL rules, same stored formats.
import Database from "better-sqlite3";
import { setImmediate as nextTurn } from "node:timers/promises";
import { Prisma } from "../generated/prisma/client";
import { prisma } from "../db.server";
import type { CustomerPredictionValues } from "../domain/predictions/shop-fit";
import { storedPredictionSettings, type PredictionSettingsValues } from "../domain/predictions/settings";
import { LIVE_CUSTOMER, QUALIFYING_ORDER } from "./ledger-rules.sql";
import { prismaSql } from "./sql-dialect";
import { sqliteFile, stamp, whenFree } from "./sqlite-direct.server";

const PAGE_ROWS = 20_000;
const WRITE_BATCH = 2_000;

/**
 * Every qualifying order (docs/rules.md#ledger-qualifying) as of `asOf`, customer by customer (ordered by customer,
 * then order id), in pages of PAGE_ROWS read by keyset: `onCustomer` is called once per customer with all their
 * orders' times (epoch ms) and values (minor units). Memory holds one page, not the shop.
 */
export async function forEachCustomerOrders(
  shop: string,
  asOf: Date,
  onCustomer: (customerId: string, times: number[], values: number[]) => void,
): Promise<{ customers: number; orders: number }> {
  const file = sqliteFile();
  return file
    ? forEachCustomerOrdersSqlite(file, shop, asOf, onCustomer)
    : forEachCustomerOrdersPrisma(shop, asOf, onCustomer);
}

const ROWS_PER_TURN = 5000;

function openSqlite(file: string) {
  const db = new Database(file, { timeout: 0 });
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  return db;
}

/** The same pass on SQLite: one ordered statement iterated on a connection of its own, the event loop let run. */
async function forEachCustomerOrdersSqlite(
  file: string,
  shop: string,
  asOf: Date,
  onCustomer: (customerId: string, times: number[], values: number[]) => void,
): Promise<{ customers: number; orders: number }> {
  const db = openSqlite(file);
  try {
    const statement = db
      .prepare(
        `SELECT o."customerId", o."processedAt", o."valueMinor" FROM "Order" o
        WHERE ${QUALIFYING_ORDER} AND ${LIVE_CUSTOMER} ORDER BY o."customerId"`,
      )
      .raw();
    let current: string | null = null;
    let times: number[] = [];
    let values: number[] = [];
    let customers = 0;
    let orders = 0;
    for (const row of statement.iterate({ shop, asOf: stamp(asOf) }) as IterableIterator<[string, string, unknown]>) {
      if (row[0] !== current) {
        if (current !== null) {
          onCustomer(current, times, values);
          customers++;
        }
        current = row[0];
        times = [];
        values = [];
      }
      times.push(instant(row[1]));
      values.push(integer(row[2]));
      if (++orders % ROWS_PER_TURN === 0) await nextTurn();
    }
    if (current !== null) {
      onCustomer(current, times, values);
      customers++;
    }
    return { customers, orders };
  } finally {
    db.close();
  }
}

/**
 * The pass through Prisma: pages by keyset (customerId, id). Every database but SQLite; exported for the test that
 * holds the two paths equal on SQLite.
 */
export async function forEachCustomerOrdersPrisma(
  shop: string,
  asOf: Date,
  onCustomer: (customerId: string, times: number[], values: number[]) => void,
  pageRows = PAGE_ROWS,
): Promise<{ customers: number; orders: number }> {
  const rule = prismaSql(`${QUALIFYING_ORDER} AND ${LIVE_CUSTOMER}`, { shop, asOf });
  let after: { customerId: string; id: string } | null = null;
  let current: string | null = null;
  let times: number[] = [];
  let values: number[] = [];
  let customers = 0;
  let orders = 0;
  for (;;) {
    const keyset: Prisma.Sql = after
      ? Prisma.sql`AND (o."customerId" > ${after.customerId} OR (o."customerId" = ${after.customerId} AND o."id" > ${after.id}))`
      : Prisma.empty;
    const rows = await prisma.$queryRaw<
      { customerId: string; id: string; processedAt: unknown; valueMinor: unknown }[]
    >(
      Prisma.sql`SELECT o."customerId" AS "customerId", o."id" AS "id", o."processedAt" AS "processedAt",
          o."valueMinor" AS "valueMinor"
        FROM "Order" o WHERE ${rule} ${keyset}
        ORDER BY o."customerId", o."id" LIMIT ${pageRows}`,
    );
    for (const row of rows) {
      if (row.customerId !== current) {
        if (current !== null) {
          onCustomer(current, times, values);
          customers++;
        }
        current = row.customerId;
        times = [];
        values = [];
      }
      times.push(instant(row.processedAt));
      values.push(integer(row.valueMinor));
      orders++;
    }
    if (rows.length < pageRows) break;
    const last = rows[rows.length - 1];
    after = { customerId: last.customerId, id: last.id };
  }
  if (current !== null) {
    onCustomer(current, times, values);
    customers++;
  }
  return { customers, orders };
}

/** The shop's IANA time zone as the ledger holds it (null when unknown). */
export async function shopTimeZone(shop: string): Promise<string | null> {
  const row = await prisma.shop.findUnique({ where: { shop }, select: { timezone: true } });
  return row?.timezone ?? null;
}

export type PredictionStatus = "fitted" | "too_small" | "failed";

export interface ShopPredictionValues {
  asOf: Date;
  status: PredictionStatus;
  reason: string | null;
  customers: number;
  repeaters: number;
  /** JSON-serialisable: parameters, fit figures, time unit and zone, band cuts (as strings for money). */
  model: Record<string, unknown>;
  backtest: Record<string, unknown> | null;
  fittedAt: Date;
}

/** The ShopPrediction row's columns for a fit (JSON as text). */
function shopPredictionRow(values: ShopPredictionValues) {
  return {
    asOf: values.asOf,
    status: values.status,
    reason: values.reason,
    customers: values.customers,
    repeaters: values.repeaters,
    model: JSON.stringify(values.model),
    backtest: values.backtest === null ? null : JSON.stringify(values.backtest),
    fittedAt: values.fittedAt,
  };
}

/**
 * Stores a fit: the ShopPrediction row and the shop's CustomerPrediction rows replaced by `predictions` (none when
 * the fit is too small or failed: earlier numbers are not left standing), in ONE transaction, so a reader sees the
 * whole of one fit or the whole of the other. Idempotent: the same fit stored twice leaves the same rows.
 */
export async function saveShopPrediction(
  shop: string,
  values: ShopPredictionValues,
  predictions: readonly CustomerPredictionValues[],
): Promise<void> {
  const row = shopPredictionRow(values);
  const file = sqliteFile();
  if (file) return saveSqlite(file, shop, row, values.asOf, predictions);
  return saveShopPredictionPrisma(shop, values, predictions);
}

/**
 * saveShopPrediction through Prisma: every database but SQLite; exported for the test that holds the two paths equal
 * on SQLite.
 */
export async function saveShopPredictionPrisma(
  shop: string,
  values: ShopPredictionValues,
  predictions: readonly CustomerPredictionValues[],
): Promise<void> {
  const row = shopPredictionRow(values);
  await prisma.$transaction(
    async (tx) => {
      await tx.shopPrediction.upsert({ where: { shop }, create: { shop, ...row }, update: row });
      await tx.customerPrediction.deleteMany({ where: { shop } });
      for (let i = 0; i < predictions.length; i += WRITE_BATCH) {
        await tx.customerPrediction.createMany({
          data: predictions.slice(i, i + WRITE_BATCH).map((p) => ({
            shop,
            customerId: p.customerId,
            x: p.x,
            tx: p.tx,
            T: p.T,
            pAlive: p.pAlive,
            expected90: p.expected90,
            expected365: p.expected365,
            avgSpendMinor: p.avgSpendMinor,
            clv12Minor: p.clv12Minor,
            band: p.band,
            asOf: values.asOf,
          })),
        });
      }
    },
    { timeout: 300_000, maxWait: 30_000 },
  );
}

/** saveShopPrediction on SQLite: the same rows, one transaction of prepared statements on a connection of its own. */
async function saveSqlite(
  file: string,
  shop: string,
  row: {
    asOf: Date;
    status: string;
    reason: string | null;
    customers: number;
    repeaters: number;
    model: string;
    backtest: string | null;
    fittedAt: Date;
  },
  asOf: Date,
  predictions: readonly CustomerPredictionValues[],
): Promise<void> {
  const db = openSqlite(file);
  try {
    const upsert = db.prepare(
      `INSERT INTO "ShopPrediction" ("shop","asOf","status","reason","customers","repeaters","model","backtest","fittedAt")
      VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT ("shop") DO UPDATE SET "asOf" = excluded."asOf", "status" = excluded."status",
        "reason" = excluded."reason", "customers" = excluded."customers", "repeaters" = excluded."repeaters",
        "model" = excluded."model", "backtest" = excluded."backtest", "fittedAt" = excluded."fittedAt"`,
    );
    const clear = db.prepare(`DELETE FROM "CustomerPrediction" WHERE "shop" = ?`);
    const insert = db.prepare(
      `INSERT INTO "CustomerPrediction" ("shop","customerId","x","tx","T","pAlive","expected90","expected365",
        "avgSpendMinor","clv12Minor","band","asOf") VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
    );
    const at = stamp(asOf);
    const write = db.transaction(() => {
      upsert.run(
        shop,
        stamp(row.asOf),
        row.status,
        row.reason,
        row.customers,
        row.repeaters,
        row.model,
        row.backtest,
        stamp(row.fittedAt),
      );
      clear.run(shop);
      for (const p of predictions)
        insert.run(
          shop,
          p.customerId,
          p.x,
          p.tx,
          p.T,
          p.pAlive,
          p.expected90,
          p.expected365,
          p.avgSpendMinor,
          p.clv12Minor,
          p.band,
          at,
        );
    });
    await whenFree(() => write());
  } finally {
    db.close();
  }
}

export interface StoredShopPrediction extends ShopPredictionValues {
  shop: string;
}

/** The shop's last fit, or null when it was never fitted. */
export async function getShopPrediction(shop: string): Promise<StoredShopPrediction | null> {
  const row = await prisma.shopPrediction.findUnique({ where: { shop } });
  if (!row) return null;
  return {
    shop: row.shop,
    asOf: row.asOf,
    status: row.status as PredictionStatus,
    reason: row.reason,
    customers: row.customers,
    repeaters: row.repeaters,
    model: JSON.parse(row.model) as Record<string, unknown>,
    backtest: row.backtest === null ? null : (JSON.parse(row.backtest) as Record<string, unknown>),
    fittedAt: row.fittedAt,
  };
}

export interface StoredCustomerPrediction {
  customerId: string;
  x: number;
  tx: number;
  T: number;
  pAlive: number;
  expected90: number;
  expected365: number;
  avgSpendMinor: bigint | null;
  clv12Minor: bigint | null;
  band: string | null;
  asOf: Date;
}

const CUSTOMER_FIELDS = {
  customerId: true,
  x: true,
  tx: true,
  T: true,
  pAlive: true,
  expected90: true,
  expected365: true,
  avgSpendMinor: true,
  clv12Minor: true,
  band: true,
  asOf: true,
} as const;

/** The last fit's predictions of these customers (absent: no prediction). */
export async function predictionsOf(
  shop: string,
  customerIds: readonly string[],
): Promise<Map<string, StoredCustomerPrediction>> {
  const result = new Map<string, StoredCustomerPrediction>();
  for (let i = 0; i < customerIds.length; i += 1000) {
    const rows = await prisma.customerPrediction.findMany({
      where: { shop, customerId: { in: customerIds.slice(i, i + 1000) as string[] } },
      select: CUSTOMER_FIELDS,
    });
    for (const row of rows) result.set(row.customerId, row);
  }
  return result;
}

export interface IdPage {
  /** Ids strictly after this one (keyset); omit for the first page. */
  afterId?: string;
  limit?: number;
}

/** Customer ids in a CLV band, in id order, a page at a time. */
export async function customersInBand(
  shop: string,
  band: "high" | "medium" | "low",
  { afterId, limit = 1000 }: IdPage = {},
): Promise<string[]> {
  const rows = await prisma.customerPrediction.findMany({
    where: { shop, band, ...(afterId === undefined ? {} : { customerId: { gt: afterId } }) },
    select: { customerId: true },
    orderBy: { customerId: "asc" },
    take: limit,
  });
  return rows.map((r) => r.customerId);
}

/** Customer ids whose P(active) is below `threshold`, in id order, a page at a time. */
export async function customersBelowPAlive(
  shop: string,
  threshold: number,
  { afterId, limit = 1000 }: IdPage = {},
): Promise<string[]> {
  const rows = await prisma.customerPrediction.findMany({
    where: { shop, pAlive: { lt: threshold }, ...(afterId === undefined ? {} : { customerId: { gt: afterId } }) },
    select: { customerId: true },
    orderBy: { customerId: "asc" },
    take: limit,
  });
  return rows.map((r) => r.customerId);
}

/** Counts and predicted 12-month value per CLV band. */
export async function bandTotals(shop: string): Promise<{ band: string; customers: number; clvMinor: bigint }[]> {
  const rows = await prisma.customerPrediction.groupBy({
    by: ["band"],
    where: { shop, band: { not: null } },
    _count: { _all: true },
    _sum: { clv12Minor: true },
  });
  return rows.map((r) => ({ band: r.band!, customers: r._count._all, clvMinor: BigInt(r._sum.clv12Minor ?? 0) }));
}

/** How many customers have P(active) in each tenth [0, 0.1), [0.1, 0.2), … [0.9, 1]. */
export async function pAliveDeciles(shop: string): Promise<number[]> {
  const cases = Array.from({ length: 10 }, (_, i) => {
    const upper = i === 9 ? Prisma.sql`` : Prisma.sql` AND "pAlive" < ${(i + 1) / 10}`;
    return Prisma.sql`SUM(CASE WHEN "pAlive" >= ${i / 10}${upper} THEN 1 ELSE 0 END) AS "d${Prisma.raw(String(i))}"`;
  });
  const rows = await prisma.$queryRaw<Record<string, unknown>[]>(
    Prisma.sql`SELECT ${Prisma.join(cases)} FROM "CustomerPrediction" WHERE "shop" = ${shop}`,
  );
  const row = rows[0] ?? {};
  return Array.from({ length: 10 }, (_, i) => (row[`d${i}`] == null ? 0 : Number(row[`d${i}`])));
}

/** The customers with the highest predicted 12-month value, with their names (the ledger's customer row). */
export async function topCustomersByClv(
  shop: string,
  limit: number,
): Promise<(StoredCustomerPrediction & { firstName: string | null; lastName: string | null; email: string | null })[]> {
  const rows = await prisma.customerPrediction.findMany({
    where: { shop, clv12Minor: { not: null } },
    select: CUSTOMER_FIELDS,
    orderBy: [{ clv12Minor: "desc" }, { customerId: "asc" }],
    take: limit,
  });
  const people = await prisma.customer.findMany({
    where: { shop, id: { in: rows.map((r) => r.customerId) } },
    select: { id: true, firstName: true, lastName: true, email: true },
  });
  const byId = new Map(people.map((p) => [p.id, p]));
  return rows.map((r) => ({
    ...r,
    firstName: byId.get(r.customerId)?.firstName ?? null,
    lastName: byId.get(r.customerId)?.lastName ?? null,
    email: byId.get(r.customerId)?.email ?? null,
  }));
}

/** The merchant's settings (the defaults for a shop that never saved any). */
export async function getPredictionSettings(shop: string): Promise<PredictionSettingsValues> {
  const row = await prisma.predictionSettings.findUnique({ where: { shop } });
  return storedPredictionSettings(row?.settings);
}

/** Saves validated settings (validatePredictionSettings first: this stores what it is given). */
export async function savePredictionSettings(shop: string, settings: PredictionSettingsValues): Promise<void> {
  const json = JSON.stringify(settings);
  await prisma.predictionSettings.upsert({
    where: { shop },
    create: { shop, settings: json },
    update: { settings: json },
  });
}

// Raw rows come back as the driver gives them (BigInt or number, text or Date).
function integer(value: unknown): number {
  const n = typeof value === "number" ? value : Number(typeof value === "bigint" ? value : String(value));
  if (!Number.isSafeInteger(n))
    throw new RangeError(`expected an exact integer from the database, got ${String(value)}`);
  return n;
}

function instant(value: unknown): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === "number" ? value : Date.parse(String(value));
  if (Number.isNaN(ms)) throw new RangeError(`expected a time from the database, got ${String(value)}`);
  return ms;
}

// Predicted CLV and churn risk end to end on the ledger (docs/predictions.md#pipeline): a shop generated from KNOWN
// BG/NBD and Gamma-Gamma parameters (simulator/generator/bgnbd-history.ts), written through the backfill's ledger
// writes, in Bangkok's time zone; the fit recovers the parameters, the summaries equal a plain count of the generated
// orders by Bangkok calendar day, the back-test predicts the holdout, the storage is whole and idempotent, a small shop
// says so and keeps no numbers, the job and the recompute's follow-up, the CLI as a process, and shop isolation.
// Runs on SQLite and on PostgreSQL (TEST_DATABASE=postgresql).
import { spawnSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { databaseKind, prisma } from "../../app/db.server";
import { bgnbdTotalLogLikelihood, type BgNbdParams } from "../../app/domain/predictions/bgnbd";
import { PREDICTIONS, SYNC, type PredictionsPayload } from "../../app/jobs/contracts";
import { getSyncSettings, saveSyncSettings } from "../../app/models/sync.server";
import { predictionsJob } from "../../app/jobs/predictions.server";
import { PermanentJobError, type JobContext } from "../../app/jobs/queue";
import { applyCustomers, applyOrders, deleteCustomer } from "../../app/models/ledger.server";
import {
  customersBelowPAlive,
  customersInBand,
  forEachCustomerOrders,
  forEachCustomerOrdersPrisma,
  getShopPrediction,
  predictionsOf,
  saveShopPredictionPrisma,
} from "../../app/models/predictions.server";
import { computePredictions, modelJson, refitPredictions } from "../../app/services/predictions.server";
import { recomputeShopAndFollowUp } from "../../app/services/recompute.server";
import { generateBgNbdHistory, type BgNbdHistoryOptions } from "../../simulator/generator/bgnbd-history";
import type { CustomerRecord, OrderRecord } from "../../simulator/shop-file/types";
import { jobRows, testQueue } from "../support/queue";
import { installShop } from "../support/shops";
import { ledgerCustomer, ledgerOrder } from "./recompute-fixtures";

const A = "predict-a.myshopify.com";
const B = "predict-b.myshopify.com";
const END = "2025-06-01T00:00:00.000Z";
const AS_OF = new Date(END);
const TRUTH: BgNbdParams = { r: 0.6, alpha: 6, a: 0.7, b: 2.8 };
const SPEND = { p: 6, q: 4, gamma: 1500 };
let ordersA: OrderRecord[] = [];
let deletedCustomer = "";

async function loadShop(shop: string, options: Partial<BgNbdHistoryOptions>) {
  await installShop(shop);
  const customers: CustomerRecord[] = [];
  const orders: OrderRecord[] = [];
  let timeZone = "UTC";
  let currency = "USD";
  for (const record of generateBgNbdHistory({ shopDomain: shop, endDate: END, ...options })) {
    if (record.__typename === "Shop") {
      timeZone = record.ianaTimezone;
      currency = record.currencyCode;
    } else if (record.__typename === "Customer") customers.push(record);
    else if (record.__typename === "Order") orders.push(record);
  }
  await prisma.shop.update({ where: { shop }, data: { timezone: timeZone, currencyCode: currency } });
  await applyCustomers(shop, customers.map(ledgerCustomer));
  for (let i = 0; i < orders.length; i += 2000) await applyOrders(shop, orders.slice(i, i + 2000).map(ledgerOrder));
  return orders;
}

beforeAll(async () => {
  ordersA = await loadShop(A, {
    seed: 5,
    customers: 4000,
    weeks: 104,
    currency: "THB",
    timeZone: "Asia/Bangkok",
    bgnbd: TRUTH,
    spend: SPEND,
  });
  // A deleted customer's orders stop counting (the qualifying rule): they get no prediction.
  deletedCustomer = ordersA[0].customer!.id;
  await deleteCustomer(A, deletedCustomer, new Date(END));
  await loadShop(B, { seed: 9, customers: 60, weeks: 20, currency: "USD" });
}, 120_000);

/** Hessian of f at v by central differences. */
function hessian(f: (v: number[]) => number, v: number[], h = 1e-4): number[][] {
  const at = (i: number, si: number, j: number, sj: number) => {
    const u = v.slice();
    u[i] += si * h;
    u[j] += sj * h;
    return f(u);
  };
  return v.map((_, i) =>
    v.map((__, j) => (at(i, 1, j, 1) - at(i, 1, j, -1) - at(i, -1, j, 1) + at(i, -1, j, -1)) / (4 * h * h)),
  );
}

/** Inverse of a small symmetric positive-definite matrix by Gauss–Jordan. */
function inverse(m: number[][]): number[][] {
  const n = m.length;
  const a = m.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    const pivot = a[c][c];
    for (let j = 0; j < 2 * n; j++) a[c][j] /= pivot;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r][c];
      for (let j = 0; j < 2 * n; j++) a[r][j] -= f * a[c][j];
    }
  }
  return a.map((row) => row.slice(n));
}

/** Bangkok calendar day (YYYY-MM-DD) of an instant, by Intl directly: independent of the app's day code. */
const bangkok = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Asia/Bangkok",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});
const bangkokDay = (iso: string) => bangkok.format(new Date(iso));
const daysBetween = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);

describe("predictions on a shop generated from known parameters", () => {
  it("summarises each customer from the ledger exactly as a plain count by Bangkok calendar day", async () => {
    const run = await computePredictions(A, { asOf: AS_OF });
    const asOfDay = bangkokDay(END);
    const byCustomer = new Map<string, Map<string, number>>();
    const orderCount = new Map<string, number>();
    for (const o of ordersA) {
      orderCount.set(o.customer!.id, (orderCount.get(o.customer!.id) ?? 0) + 1);
      if (o.customer!.id === deletedCustomer) continue;
      let days = byCustomer.get(o.customer!.id);
      if (!days) byCustomer.set(o.customer!.id, (days = new Map()));
      const day = bangkokDay(o.processedAt);
      days.set(day, (days.get(day) ?? 0) + Number(o.currentTotalPriceSet.shopMoney.amount.replace(".", "")));
    }
    expect(run.customers).toBe(byCustomer.size);
    expect(run.predictions).toHaveLength(byCustomer.size);
    expect(run.predictions.some((p) => p.customerId === deletedCustomer)).toBe(false);
    let merged = 0;
    for (const p of run.predictions) {
      const days = [...byCustomer.get(p.customerId)!.keys()].sort();
      if (orderCount.get(p.customerId)! > days.length) merged++;
      expect({ x: p.x, tx: p.tx, T: p.T }).toEqual({
        x: days.length - 1,
        tx: daysBetween(days[0], days.at(-1)!) / 7,
        T: daysBetween(days[0], asOfDay) / 7,
      });
    }
    // Some customers bought twice on one Bangkok day: one transaction to the models.
    expect(merged).toBeGreaterThan(0);
    expect(run.timeZone).toBe("Asia/Bangkok");
  });

  it("recovers BG/NBD's r, α, a, b within 4 standard errors, and Gamma-Gamma's mean spend within 5 %", async () => {
    const run = await computePredictions(A, { asOf: AS_OF });
    expect(run.status).toBe("fitted");
    const fitted = run.bgnbd!;
    const rows = run.predictions.filter((p) => p.T > 0).map((p) => ({ x: p.x, tx: p.tx, T: p.T }));
    const negLL = (v: number[]) =>
      -bgnbdTotalLogLikelihood(
        { r: Math.exp(v[0]), alpha: Math.exp(v[1]), a: Math.exp(v[2]), b: Math.exp(v[3]) },
        rows,
      );
    const at = [fitted.r, fitted.alpha, fitted.a, fitted.b].map(Math.log);
    expect(-negLL(at)).toBeCloseTo(fitted.logLikelihood, 6);
    const covariance = inverse(hessian(negLL, at));
    const truth = [TRUTH.r, TRUTH.alpha, TRUTH.a, TRUTH.b].map(Math.log);
    for (let i = 0; i < 4; i++) {
      const se = Math.sqrt(covariance[i][i]);
      expect(se).toBeGreaterThan(0);
      expect(se).toBeLessThan(0.35);
      expect(Math.abs(at[i] - truth[i]) / se, `parameter ${i}: fitted ${Math.exp(at[i])}`).toBeLessThan(4);
    }
    // Gamma-Gamma's p and γ lie on a ridge; the population mean spend per purchase p γ / (q − 1) is identified.
    const gg = run.gammaGamma!;
    const mean = (gg.p * gg.gamma) / (gg.q - 1);
    const trueMean = (SPEND.p * SPEND.gamma) / (SPEND.q - 1);
    expect(Math.abs(mean - trueMean) / trueMean).toBeLessThan(0.05);
    expect(gg.customers).toBe(run.repeaters);
  });

  it("back-tests: the fit as of 90 days earlier predicts the purchase days made since within 10 %", async () => {
    const run = await computePredictions(A, { asOf: AS_OF });
    const backtest = run.backtest!;
    expect(backtest.status).toBe("fitted");
    if (backtest.status !== "fitted") return;
    expect(backtest.holdoutDays).toBe(90);
    expect(backtest.calibrationDay).toBe("2025-03-03"); // Bangkok's 1 June 2025 less 90 days
    // The holdout's actual purchase days, counted plainly from the generated orders.
    const calibration = Date.parse("2025-03-03T17:00:00Z"); // the end of 3 March in Bangkok
    const holdout = new Set<string>();
    const known = new Set<string>();
    for (const o of ordersA) {
      if (o.customer!.id === deletedCustomer) continue;
      if (Date.parse(o.processedAt) < calibration) known.add(o.customer!.id);
    }
    for (const o of ordersA)
      if (known.has(o.customer!.id) && Date.parse(o.processedAt) >= calibration)
        holdout.add(`${o.customer!.id} ${bangkokDay(o.processedAt)}`);
    expect(backtest.actual).toBe(holdout.size);
    expect(backtest.customers).toBe(known.size);
    expect(Math.abs(backtest.predicted - backtest.actual) / backtest.actual).toBeLessThan(0.1);
    expect(backtest.groups.reduce((s, g) => s + g.customers, 0)).toBe(known.size);
  });

  it("stores the fit whole (ShopPrediction + every customer's row) and a second run leaves the same rows", async () => {
    const now = new Date("2025-06-01T01:00:00Z");
    const run = await refitPredictions(A, { asOf: AS_OF, now });
    const stored = await getShopPrediction(A);
    expect(stored).toMatchObject({ status: "fitted", reason: null, customers: run.customers, fittedAt: now });
    expect(stored!.model).toMatchObject({ timeUnit: "week", timeZone: "Asia/Bangkok", bgnbd: { r: run.bgnbd!.r } });
    expect(stored!.backtest).toMatchObject({ status: "fitted", holdoutDays: 90 });
    const rows = () => prisma.customerPrediction.findMany({ where: { shop: A }, orderBy: { customerId: "asc" } });
    const first = await rows();
    expect(first).toHaveLength(run.customers);
    await refitPredictions(A, { asOf: AS_OF, now });
    expect(await rows()).toEqual(first);
    const some = run.predictions.slice(0, 5);
    const read = await predictionsOf(
      A,
      some.map((p) => p.customerId),
    );
    for (const p of some)
      expect(read.get(p.customerId)).toMatchObject({
        x: p.x,
        pAlive: expect.closeTo(p.pAlive, 12),
        clv12Minor: p.clv12Minor,
        avgSpendMinor: p.avgSpendMinor,
        band: p.band,
      });
    const high = await customersInBand(A, "high", { limit: 100_000 });
    expect(high.length).toBe(run.predictions.filter((p) => p.band === "high").length);
    const lost = await customersBelowPAlive(A, 0.3, { limit: 100_000 });
    expect(lost.length).toBe(run.predictions.filter((p) => p.pAlive < 0.3).length);
    expect(lost.length).toBeGreaterThan(0);
    const page = await customersBelowPAlive(A, 0.3, { limit: 10, afterId: lost[9] });
    expect(page).toEqual(lost.slice(10, 20));
  });

  it("says a shop is too small and stores no numbers; a shop that becomes too young loses its old rows", async () => {
    const run = await refitPredictions(B, { asOf: AS_OF });
    expect(run).toMatchObject({ status: "too_small", reason: "too_few_customers", bgnbd: null, gammaGamma: null });
    expect(run.predictions).toEqual([]);
    expect(await getShopPrediction(B)).toMatchObject({ status: "too_small", reason: "too_few_customers" });
    expect(await prisma.customerPrediction.count({ where: { shop: B } })).toBe(0);
    // A's fit as of 8 weeks into its history: too little history; its earlier rows go.
    const young = await refitPredictions(A, { asOf: new Date(Date.parse(END) - 96 * 7 * 86_400_000) });
    expect(young).toMatchObject({ status: "too_small", reason: "too_little_history" });
    expect(await prisma.customerPrediction.count({ where: { shop: A } })).toBe(0);
    await refitPredictions(A, { asOf: AS_OF });
    expect(await prisma.customerPrediction.count({ where: { shop: A } })).toBeGreaterThan(3000);
  });

  it("keeps shops apart: B's fit never touches A's rows and B's reads never see A's customers", async () => {
    const before = await prisma.customerPrediction.count({ where: { shop: A } });
    const aIds = (await prisma.customerPrediction.findMany({ where: { shop: A }, take: 20 })).map((r) => r.customerId);
    await refitPredictions(B, { asOf: AS_OF });
    expect(await prisma.customerPrediction.count({ where: { shop: A } })).toBe(before);
    expect((await predictionsOf(B, aIds)).size).toBe(0);
    expect(await customersInBand(B, "high")).toEqual([]);
    expect(await customersBelowPAlive(B, 1)).toEqual([]);
    expect((await predictionsOf(A, aIds)).size).toBe(20);
  });
});

// On SQLite the read runs as one prepared statement (models/predictions.server.ts); the Prisma keyset pages are the
// other databases' path. Both on the same ledger must hand over the same customers and orders.
describe.skipIf(databaseKind !== "sqlite")("the ledger read", () => {
  it("is the same through the prepared statement and through Prisma's keyset pages", async () => {
    const collect = async (read: typeof forEachCustomerOrders) => {
      const seen: [string, string][] = [];
      const counts = await read(A, AS_OF, (customerId, times, values) => {
        const orders = times.map((t, i) => `${t}:${values[i]}`).sort();
        seen.push([customerId, orders.join(",")]);
      });
      return { counts, seen };
    };
    const direct = await collect(forEachCustomerOrders);
    // Pages of 997 rows: page boundaries fall inside customers' orders, which the keyset must carry over.
    const paged = await collect((shop, asOf, onCustomer) => forEachCustomerOrdersPrisma(shop, asOf, onCustomer, 997));
    const onePage = await collect(forEachCustomerOrdersPrisma);
    expect(direct).toEqual(paged);
    expect(direct).toEqual(onePage);
    expect(direct.counts.customers).toBe(3999); // 4,000 generated, one deleted
    expect(direct.counts.orders).toBeGreaterThan(10 * 997);
  });
});

describe.skipIf(databaseKind !== "sqlite")("the save", () => {
  it("leaves the same rows through the prepared statements and through Prisma", async () => {
    const now = new Date("2025-06-01T02:00:00Z");
    const run = await refitPredictions(A, { asOf: AS_OF, now });
    const snapshot = async () => ({
      shop: await prisma.shopPrediction.findUnique({ where: { shop: A } }),
      customers: await prisma.customerPrediction.findMany({ where: { shop: A }, orderBy: { customerId: "asc" } }),
    });
    const direct = await snapshot();
    await saveShopPredictionPrisma(
      A,
      {
        asOf: AS_OF,
        status: run.status,
        reason: run.reason,
        customers: run.customers,
        repeaters: run.repeaters,
        model: modelJson(run),
        backtest: run.backtest as unknown as Record<string, unknown>,
        fittedAt: now,
      },
      run.predictions,
    );
    const viaPrisma = await snapshot();
    expect(viaPrisma.shop).toEqual(direct.shop);
    expect(viaPrisma.customers).toHaveLength(direct.customers.length);
    expect(direct.customers.length).toBe(run.customers);
    for (let i = 0; i < direct.customers.length; i++) {
      const [d, p] = [direct.customers[i], viaPrisma.customers[i]];
      // Prisma's SQLite adapter writes a double with 15 significant digits (28.857142857142858 becomes
      // 28.85714285714286); the prepared statements keep it whole. Every other field is exact.
      const floats = { tx: 0, T: 0, pAlive: 0, expected90: 0, expected365: 0 };
      expect({ ...p, ...floats }).toEqual({ ...d, ...floats });
      for (const k of Object.keys(floats) as (keyof typeof floats)[]) expect(p[k]).toBeCloseTo(d[k], 12);
    }
  });
});

describe("the predictions job", () => {
  const job = (payload: unknown, shop = A): JobContext<PredictionsPayload> => ({
    id: "1",
    shop,
    kind: PREDICTIONS,
    payload: payload as PredictionsPayload,
    attempt: 1,
    signal: new AbortController().signal,
  });

  it("refuses a bad payload for good and refits on a good one", async () => {
    const run = predictionsJob({ now: () => new Date("2025-06-02T00:00:00Z") });
    await expect(run(job({ reason: "whenever" }))).rejects.toBeInstanceOf(PermanentJobError);
    await expect(run(job({ reason: "daily", asOf: "yesterday" }))).rejects.toBeInstanceOf(PermanentJobError);
    await run(job({ reason: "manual", asOf: END }));
    expect(await getShopPrediction(A)).toMatchObject({ status: "fitted", asOf: AS_OF });
  });

  it("queues a sync after the refit only when the insight tags are on (bands and 'likely lost' follow the fit)", async () => {
    const queue = testQueue();
    const run = predictionsJob({ queue, now: () => new Date("2025-06-02T00:00:00Z") });
    await prisma.job.deleteMany({ where: { shop: A, kind: SYNC } });
    await run(job({ reason: "manual", asOf: END }));
    expect(await jobRows(A, { kind: SYNC })).toHaveLength(0);
    await saveSyncSettings(A, { ...(await getSyncSettings(A)), insightPrefix: "insight:" });
    try {
      await run(job({ reason: "manual", asOf: END }));
      expect(await jobRows(A, { kind: SYNC })).toHaveLength(1);
      expect(await jobRows(B, { kind: SYNC })).toHaveLength(0);
    } finally {
      await saveSyncSettings(A, { ...(await getSyncSettings(A)), insightPrefix: null });
      await prisma.job.deleteMany({ where: { shop: A, kind: SYNC } });
    }
  });

  it("is queued by the daily and the backfill recompute, not by others", async () => {
    const queue = testQueue();
    const shop = "predict-follow.myshopify.com";
    await installShop(shop);
    await recomputeShopAndFollowUp(shop, { asOf: AS_OF, reason: "manual", queue });
    expect(await jobRows(shop, { kind: PREDICTIONS })).toHaveLength(0);
    await recomputeShopAndFollowUp(shop, { asOf: AS_OF, reason: "daily", queue });
    const rows = await jobRows(shop, { kind: PREDICTIONS });
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0].payload)).toEqual({ reason: "daily", asOf: END });
  });
});

describe("npm run loyalty -- predict", () => {
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ["scripts/loyalty.mjs", "predict", ...args], { encoding: "utf8", env: process.env });

  it("prints exactly one JSON object with --json, and writes nothing without --save", async () => {
    await prisma.customerPrediction.deleteMany({ where: { shop: A } });
    const result = cli("--shop", A, "--as-of", END, "--json");
    expect(result.status, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out).toMatchObject({
      asOf: END,
      timeUnit: "week",
      status: "fitted",
      customers: expect.any(Number),
      bgnbd: {
        r: expect.any(Number),
        alpha: expect.any(Number),
        a: expect.any(Number),
        b: expect.any(Number),
        logLikelihood: expect.any(Number),
      },
      gammaGamma: {
        p: expect.any(Number),
        q: expect.any(Number),
        gamma: expect.any(Number),
        customers: expect.any(Number),
      },
      saved: false,
    });
    const inProcess = await computePredictions(A, { asOf: AS_OF });
    expect(out.bgnbd.r).toBe(inProcess.bgnbd!.r);
    expect(out.predictions).toHaveLength(inProcess.customers);
    expect(out.predictions[0].clv12Minor).toBe(String(inProcess.predictions[0].clv12Minor));
    expect(await prisma.customerPrediction.count({ where: { shop: A } })).toBe(0);
    const saved = cli("--shop", A, "--as-of", END, "--save");
    expect(saved.status, saved.stderr).toBe(0);
    expect(saved.stdout).toMatch(/^shop predict-a\.myshopify\.com as of 2025-06-01T00:00:00\.000Z/);
    expect(saved.stdout).toMatch(/BG\/NBD r=\d/);
    expect(await prisma.customerPrediction.count({ where: { shop: A } })).toBe(inProcess.customers);
  }, 60_000);

  it("refuses a bad --as-of and an unknown shop", () => {
    const bad = cli("--shop", A, "--as-of", "tomorrow");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--as-of must be an ISO-8601 time/);
    const unknown = cli("--shop", "nobody-here.myshopify.com", "--json");
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/unknown shop/);
    expect(unknown.stdout).toBe("");
  });
});

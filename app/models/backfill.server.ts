// Backfill runs: one per full-history import of a shop, with the resume point and the progress the admin shows.
import { randomUUID } from "node:crypto";
import { prisma } from "../db.server";
import { ledgerDriver } from "./ledger.server";
import { backfillBatch, type BackfillBatch } from "./ledger-write";

export type { BackfillBatch };

export type BackfillPhase = "customers" | "orders" | "done";
export type BackfillRun = NonNullable<Awaited<ReturnType<typeof getBackfillRun>>>;

const ACTIVE = ["queued", "running"];

export function getBackfillRun(shop: string, id: string) {
  return prisma.backfillRun.findFirst({ where: { shop, id } });
}

export function latestBackfillRun(shop: string) {
  return prisma.backfillRun.findFirst({ where: { shop }, orderBy: { startedAt: "desc" } });
}

/** A new run unless one is already queued or running (then that one): one backfill per shop at a time. */
export async function createBackfillRun(shop: string): Promise<{ run: BackfillRun; created: boolean }> {
  const active = await prisma.backfillRun.findFirst({ where: { shop, status: { in: ACTIVE } } });
  if (active) return { run: active, created: false };
  const run = await prisma.backfillRun.create({ data: { id: randomUUID(), shop } });
  return { run, created: true };
}

export async function updateBackfillRun(
  shop: string,
  id: string,
  data: Parameters<typeof prisma.backfillRun.update>[0]["data"],
) {
  await prisma.backfillRun.updateMany({ where: { shop, id }, data });
}

/** The phase's bulk operation ended: where its file is, and how many objects it holds. */
export async function recordBackfillResult(
  shop: string,
  id: string,
  phase: BackfillPhase,
  url: string | null,
  objects: number,
) {
  await updateBackfillRun(shop, id, {
    resultUrl: url,
    linesCommitted: 0,
    ...(phase === "customers" ? { customersExpected: objects } : { ordersExpected: objects }),
  });
}

/** Moves to the next phase: a new bulk operation, a new file, from its first line. */
export async function advanceBackfillPhase(shop: string, id: string, next: BackfillPhase, at: Date) {
  await updateBackfillRun(shop, id, {
    phase: next,
    bulkOperationId: null,
    resultUrl: null,
    linesCommitted: 0,
    phaseStartedAt: at,
    ...(next === "done" ? { status: "done", finishedAt: at } : {}),
  });
}

/**
 * Writes a batch of the file into the ledger and moves the resume point past it in one transaction: a crash
 * either keeps both or neither, so a rerun neither skips nor doubles a line (ledger-write.ts, on this database's driver).
 */
export async function commitBackfillBatch(shop: string, id: string, batch: BackfillBatch): Promise<void> {
  await ledgerDriver().transaction(() => backfillBatch(shop, id, batch, new Date()));
}

export interface BackfillProgress {
  status: string;
  phase: string;
  customers: { read: number; expected: number | null };
  orders: { read: number; expected: number | null };
  /** Objects per second in the current phase. */
  rate: number | null;
  /** Seconds left in the current phase, when the expected count is known. */
  etaSeconds: number | null;
  startedAt: string;
  finishedAt: string | null;
  lastError: string | null;
}

export function backfillProgress(run: BackfillRun, now: Date): BackfillProgress {
  const reading = run.phase === "customers" ? run.customersRead : run.phase === "orders" ? run.ordersRead : 0;
  const expected =
    run.phase === "customers" ? run.customersExpected : run.phase === "orders" ? run.ordersExpected : null;
  const seconds = (now.getTime() - run.phaseStartedAt.getTime()) / 1000;
  const rate = run.status === "running" && seconds > 0 && reading > 0 ? reading / seconds : null;
  return {
    status: run.status,
    phase: run.phase,
    customers: { read: run.customersRead, expected: run.customersExpected },
    orders: { read: run.ordersRead, expected: run.ordersExpected },
    rate,
    etaSeconds: rate && expected !== null ? Math.max(0, (expected - reading) / rate) : null,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    lastError: run.lastError,
  };
}

// The full recompute's reads and writes on SQLite, as prepared statements on better-sqlite3 connections of their
// own (docs/decisions/0003-recompute-on-sqlite.md). Same SQL rules and stored formats as the Prisma path (qualifying-orders.server.ts,
// customer-state.server.ts); tests/integration/scoring-paths.test.ts runs both on the same ledger and requires the
// same results and the same rows.
//
// - scanLedger: ONE pass over the shop's qualifying orders (GROUP BY customer, walking the (shop, customerId) index)
//   gives every customer's RFM aggregate and, as one text per customer, the orders their tier looks at. The pass is
//   iterated with a pause for the event loop every few thousand customers, on a connection opened for it (an open
//   iterator keeps its connection busy), so webhooks are still answered while a shop of 1M orders is read.
// - storedDigests: each stored state as its digest (one column) instead of twenty columns.
// - writeStates: one prepared upsert per state, transactions of a few thousand rows, the event loop free between.
import Database from "better-sqlite3";
import { setImmediate as nextTurn } from "node:timers/promises";
import type { TierOrder } from "../domain/tiers";
import {
  MONEY_COLUMNS,
  STORED_STATE_COLUMNS as STATE_COLUMNS,
  stateDigest,
  TIME_COLUMNS,
  type CustomerAggregate,
  type CustomerStateValues,
  type HistoryEntry,
  type LedgerScan,
} from "./scoring-types";
import { sqliteFile, stamp, stampMs, whenFree } from "./sqlite-direct.server";
import { LIVE_CUSTOMER, QUALIFYING_ORDER } from "./ledger-rules.sql";

const ROWS_PER_TURN = 5000;
const STATES_PER_TRANSACTION = 5000;

function open(file: string) {
  const db = new Database(file, { timeout: 0 });
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  return db;
}

/** Iterates a statement's raw rows, letting the event loop run every ROWS_PER_TURN rows. */
async function* rowsOf(statement: Database.Statement, ...params: unknown[]): AsyncGenerator<unknown[]> {
  let n = 0;
  for (const row of statement.raw().iterate(...params) as IterableIterator<unknown[]>) {
    yield row;
    if (++n % ROWS_PER_TURN === 0) await nextTurn();
  }
}

function integer(value: unknown): number {
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isSafeInteger(n))
    throw new RangeError(`expected an exact integer from the database, got ${String(value)}`);
  return n;
}

function instant(text: unknown): number | null {
  if (text === null) return null;
  const ms = Date.parse(text as string);
  if (Number.isNaN(ms)) throw new RangeError(`expected a time from the database, got ${String(text)}`);
  return ms;
}

/** "time value,time value,…" (group_concat of the tier orders) into orders. */
function parseOrders(text: string): TierOrder[] {
  const orders: TierOrder[] = [];
  for (const pair of text.split(",")) {
    const space = pair.indexOf(" ");
    orders.push({ time: instant(pair.slice(0, space))!, value: integer(pair.slice(space + 1)) });
  }
  return orders;
}

function createScoring(file: string) {
  let writer: ReturnType<typeof createWriter> | undefined;

  async function scanLedger(
    shop: string,
    { asOf, windowStart, tierFrom }: { asOf: number; windowStart: number | null; tierFrom: number | null },
  ): Promise<LedgerScan> {
    // The qualifying rule of ledger-rules.sql.ts (its COALESCE keeps SQLite on the (shop, customerId) index).
    const windowed =
      windowStart === null
        ? `COUNT(*), SUM(o."valueMinor"), MAX(o."processedAt")`
        : `SUM(CASE WHEN o."processedAt" > @windowStart THEN 1 ELSE 0 END),
           SUM(CASE WHEN o."processedAt" > @windowStart THEN o."valueMinor" ELSE 0 END),
           MAX(CASE WHEN o."processedAt" > @windowStart THEN o."processedAt" END)`;
    const inTierRange = tierFrom === null ? "1" : `o."processedAt" >= @tierFrom`;
    const db = open(file);
    try {
      const statement = db.prepare(`
        SELECT o."customerId", MAX(o."processedAt"), ${windowed},
          group_concat(CASE WHEN ${inTierRange} THEN o."processedAt" || ' ' || o."valueMinor" END, ',')
        FROM "Order" o
        WHERE ${QUALIFYING_ORDER} AND ${LIVE_CUSTOMER}
        GROUP BY o."customerId"`);
      const params: Record<string, unknown> = { shop, asOf: stampMs(asOf) };
      if (windowStart !== null) params.windowStart = stampMs(windowStart);
      if (tierFrom !== null) params.tierFrom = stampMs(tierFrom);
      const aggregates: CustomerAggregate[] = [];
      const tierText = new Map<string, string>();
      for await (const [customerId, lastEver, frequency, monetary, lastOrderAt, orders] of rowsOf(statement, params)) {
        aggregates.push({
          customerId: customerId as string,
          lastOrderAtEver: instant(lastEver)!,
          frequency: integer(frequency),
          monetary: integer(monetary),
          lastOrderAt: instant(lastOrderAt),
        });
        if (orders !== null) tierText.set(customerId as string, orders as string);
      }
      const live: string[] = [];
      for await (const [id] of rowsOf(
        db.prepare(`SELECT "id" FROM "Customer" WHERE "shop" = ? AND "deletedAt" IS NULL`),
        shop,
      )) {
        live.push(id as string);
      }
      return {
        aggregates,
        liveCustomerIds: async () => live,
        tierFrom,
        async tierOrders(customerIds) {
          const out = new Map<string, TierOrder[]>();
          for (const id of customerIds) {
            const text = tierText.get(id);
            if (text !== undefined) out.set(id, parseOrders(text));
          }
          return out;
        },
      };
    } finally {
      db.close();
    }
  }

  async function storedDigests(shop: string) {
    const db = open(file);
    try {
      const statement = db.prepare(
        `SELECT "customerId", "digest", "segment", "tier", "computedAt" FROM "CustomerState" WHERE "shop" = ?`,
      );
      const out = new Map<
        string,
        { digest: string | null; segment: string; tier: string | null; computedAt: number }
      >();
      for await (const [customerId, digest, segment, tier, computedAt] of rowsOf(statement, shop)) {
        out.set(customerId as string, {
          digest: digest as string | null,
          segment: segment as string,
          tier: tier as string | null,
          computedAt: instant(computedAt)!,
        });
      }
      return out;
    } finally {
      db.close();
    }
  }

  async function writeStates(
    shop: string,
    states: readonly CustomerStateValues[],
    history: readonly HistoryEntry[],
    at: { computedAt: Date; reason: string },
    stored?: ReadonlySet<string>,
  ): Promise<void> {
    writer ??= createWriter(file);
    if (states.length === 0 && history.length === 0) return;
    // A state and its moves commit together, so a run that dies between two transactions and reruns records each
    // move once: the rerun finds the committed states unchanged.
    const movesOf = new Map<string, HistoryEntry[]>();
    const written = new Set(states.map((s) => s.customerId));
    for (const h of history) {
      if (!written.has(h.customerId))
        throw new Error("writeStates: every history entry must belong to a state written with it");
      const list = movesOf.get(h.customerId);
      if (list) list.push(h);
      else movesOf.set(h.customerId, [h]);
    }
    for (let i = 0; i < states.length; i += STATES_PER_TRANSACTION) {
      const part = states.slice(i, i + STATES_PER_TRANSACTION);
      const moves = part.flatMap((s) => movesOf.get(s.customerId) ?? []);
      await whenFree(() => writer!.write(shop, part, moves, at, stored));
      if (i + STATES_PER_TRANSACTION < states.length) await nextTurn();
    }
  }

  return { scanLedger, storedDigests, writeStates };
}

function createWriter(file: string) {
  const db = open(file);
  const names = STATE_COLUMNS.map((c) => `"${c}"`).join(", ");
  const upsert = db.prepare(`
    INSERT INTO "CustomerState" ("shop", "customerId", ${names}, "computedAt", "digest")
    VALUES (${Array(STATE_COLUMNS.length + 4)
      .fill("?")
      .join(", ")})
    ON CONFLICT ("shop", "customerId") DO UPDATE SET ${STATE_COLUMNS.map((c) => `"${c}" = excluded."${c}"`).join(", ")},
      "computedAt" = excluded."computedAt", "digest" = excluded."digest"`);
  // A row whose segment and tier stay (most of a daily run: recency moved) is updated without touching the two
  // columns that have indexes, which saves SQLite a third of the work per row.
  const keep = STATE_COLUMNS.filter((c) => c !== "segment" && c !== "tier");
  const update = db.prepare(`
    UPDATE "CustomerState" SET ${keep.map((c) => `"${c}" = ?`).join(", ")}, "computedAt" = ?, "digest" = ?
    WHERE "shop" = ? AND "customerId" = ? AND "segment" = ? AND "tier" IS ?`);
  const insertMove = db.prepare(`
    INSERT INTO "CustomerStateChange" ("shop", "customerId", "kind", "from", "to", "at", "reason") VALUES (?, ?, ?, ?, ?, ?, ?)`);
  const cell = (state: CustomerStateValues, name: (typeof STATE_COLUMNS)[number]) => {
    const value = state[name];
    if (value === null) return null;
    if (TIME_COLUMNS.has(name)) return stampMs(value as number);
    if (MONEY_COLUMNS.has(name)) return integer(value);
    return value;
  };
  const write = db.transaction(
    (
      shop: string,
      states: readonly CustomerStateValues[],
      history: readonly HistoryEntry[],
      { computedAt, reason }: { computedAt: Date; reason: string },
      sameKeys?: ReadonlySet<string>,
    ) => {
      const at = stamp(computedAt);
      const params: unknown[] = new Array(STATE_COLUMNS.length + 4);
      const kept: unknown[] = new Array(keep.length + 6);
      params[0] = shop;
      for (const state of states) {
        if (sameKeys?.has(state.customerId)) {
          for (let c = 0; c < keep.length; c++) kept[c] = cell(state, keep[c]);
          kept[keep.length] = at;
          kept[keep.length + 1] = stateDigest(state);
          kept[keep.length + 2] = shop;
          kept[keep.length + 3] = state.customerId;
          kept[keep.length + 4] = state.segment;
          kept[keep.length + 5] = state.tier;
          // The WHERE checks the promise; a row that moved meanwhile is written whole below.
          if (update.run(kept).changes === 1) continue;
        }
        params[1] = state.customerId;
        for (let c = 0; c < STATE_COLUMNS.length; c++) params[c + 2] = cell(state, STATE_COLUMNS[c]);
        params[STATE_COLUMNS.length + 2] = at;
        params[STATE_COLUMNS.length + 3] = stateDigest(state);
        upsert.run(params);
      }
      for (const h of history) insertMove.run(shop, h.customerId, h.kind, h.from, h.to, at, reason);
    },
  );
  return { write };
}

let shared: ReturnType<typeof createScoring> | undefined;

/** The scoring reads and writes on SQLite when the database is a SQLite file; null for other databases (Prisma path). */
export function sqliteScoring() {
  const file = sqliteFile();
  if (file === null) return null;
  shared ??= createScoring(file);
  return shared;
}

// Product affinity's SQL (docs/affinity.md): the one streaming read of the ledger's baskets (qualifying orders with
// their lines' products and net quantities), the write of a run (ShopAffinity + the shop's ProductAssociation rows,
// replaced in one transaction), the reads the admin shows, and the merchant's exclusions. Every statement is scoped
// by shop.
//
// The read goes customer by customer and holds one customer's orders at a time: on a SQLite file through a
// better-sqlite3 iterator on a connection of its own (the event loop runs every few thousand rows), elsewhere through
// Prisma in keyset pages. Both read the same SQL text.
import Database from "better-sqlite3";
import { setImmediate as nextTurn } from "node:timers/promises";
import { Prisma } from "../generated/prisma/client";
import { prisma } from "../db.server";
import type { AffinityLine, AssociationKind, AssociationRule } from "../domain/affinity";
import { LIVE_CUSTOMER, QUALIFYING_ORDER } from "./ledger-rules.sql";
import { prismaSql, stamp } from "./sql-dialect";
import { sqliteFile, whenFree } from "./sqlite-direct.server";

/** One qualifying order of a customer: its time (epoch ms) and its product lines (net quantity, may be ≤ 0). */
export interface BasketOrder {
  orderId: string;
  time: number;
  lines: AffinityLine[];
}

const ROWS_PER_TURN = 5000;
const PAGE_ROWS = 20_000;

/**
 * The basket rows: each line with a product of a qualifying order (docs/rules.md#ledger-qualifying) as of @asOf,
 * gift cards left out, with its net quantity (quantity less every refunded quantity of the line), grouped by customer.
 * `paged`: ordered by customer, order and line, continuing after `keyset` (a (customer, order, line)); otherwise
 * ordered by customer only — the one streaming pass.
 *
 * The CROSS JOIN (conditions in WHERE, the same rows in SQLite and PostgreSQL) makes SQLite walk the orders by the
 * (shop, customerId) index and find each order's lines by (shop, orderId): rows come out customer by customer with
 * no sort of the whole result (a plain JOIN let it start from the lines' product index and sort millions of rows);
 * COALESCE(p, p) keeps it off the (shop, productId) index for the lines, as QUALIFYING_ORDER does for the times.
 */
export function basketSql({ paged = false, keyset = "" }: { paged?: boolean; keyset?: string } = {}): string {
  return `SELECT o."customerId" AS "customerId", o."id" AS "orderId", o."processedAt" AS "processedAt",
      l."productId" AS "productId",
      l."quantity" - COALESCE((SELECT SUM(r."quantity") FROM "RefundLine" r
        WHERE r."shop" = o."shop" AND r."orderId" = o."id" AND r."lineId" = l."id"), 0) AS "net", l."id" AS "lineId"
    FROM "Order" o CROSS JOIN "OrderLine" l
    WHERE ${QUALIFYING_ORDER} AND ${LIVE_CUSTOMER} AND l."shop" = o."shop" AND l."orderId" = o."id"
      AND COALESCE(l."productId", l."productId") IS NOT NULL AND l."giftCard" = false ${keyset}
    ORDER BY ${paged ? `o."customerId", o."id", l."id"` : `o."customerId"`}`;
}

type Row = [customerId: string, orderId: string, processedAt: unknown, productId: string, net: unknown, lineId: string];

/** Groups rows (by customer; a customer's rows in any order) into customers; calls `onCustomer` once per customer. */
function grouper(onCustomer: (customerId: string, orders: BasketOrder[]) => void) {
  let customer: string | null = null;
  let orders = new Map<string, BasketOrder>();
  let customers = 0;
  let lines = 0;
  const flush = () => {
    if (customer !== null) {
      onCustomer(customer, [...orders.values()]);
      customers++;
    }
  };
  return {
    add([customerId, orderId, processedAt, productId, net]: Row) {
      if (customerId !== customer) {
        flush();
        customer = customerId;
        orders = new Map();
      }
      let order = orders.get(orderId);
      if (!order) {
        order = { orderId, time: instant(processedAt), lines: [] };
        orders.set(orderId, order);
      }
      order.lines.push({ productId, quantity: integer(net) });
      lines++;
    },
    end() {
      flush();
      customer = null;
      return { customers, lines };
    },
  };
}

/**
 * Every customer's qualifying orders with their product lines as of `asOf`, one customer at a time (memory holds one
 * customer's orders and, off SQLite, one page of rows). Orders without product lines do not appear.
 */
export async function forEachCustomerBaskets(
  shop: string,
  asOf: Date,
  onCustomer: (customerId: string, orders: BasketOrder[]) => void,
  { pageRows = PAGE_ROWS, paged = false }: { pageRows?: number; paged?: boolean } = {},
): Promise<{ customers: number; lines: number }> {
  // `paged`: the keyset path on any database (tests compare the two paths on one ledger).
  const file = paged ? null : sqliteFile();
  const group = grouper(onCustomer);
  if (file !== null) {
    const db = new Database(file, { readonly: true, timeout: 0 });
    try {
      const statement = db.prepare(basketSql()).raw();
      let n = 0;
      for (const row of statement.iterate({ shop, asOf: stamp(asOf) }) as IterableIterator<Row>) {
        group.add(row);
        if (++n % ROWS_PER_TURN === 0) await nextTurn();
      }
    } finally {
      db.close();
    }
    return group.end();
  }
  let after: Row | null = null;
  for (;;) {
    const keyset = after ? `AND (o."customerId", o."id", l."id") > (@afterCustomer, @afterOrder, @afterLine)` : "";
    const params: Record<string, unknown> = { shop, asOf };
    if (after) Object.assign(params, { afterCustomer: after[0], afterOrder: after[1], afterLine: after[5] });
    const rows = await prisma.$queryRaw<Record<string, unknown>[]>(
      Prisma.sql`${prismaSql(basketSql({ paged: true, keyset }), params)} LIMIT ${pageRows}`,
    );
    for (const r of rows) {
      const row: Row = [
        r.customerId as string,
        r.orderId as string,
        r.processedAt,
        r.productId as string,
        r.net,
        r.lineId as string,
      ];
      group.add(row);
      after = row;
    }
    if (rows.length < pageRows) break;
  }
  return group.end();
}

function integer(value: unknown): number {
  const n = typeof value === "number" ? value : Number(typeof value === "bigint" ? value : String(value));
  if (!Number.isSafeInteger(n))
    throw new RangeError(`expected an exact integer from the database, got ${String(value)}`);
  return n;
}

function instant(value: unknown): number {
  const ms = value instanceof Date ? value.getTime() : Date.parse(String(value));
  if (Number.isNaN(ms)) throw new RangeError(`expected a time from the database, got ${String(value)}`);
  return ms;
}

// ---- The catalogue as affinity sees it ------------------------------------------------------------------------

/** How many distinct products the shop's lines name (sizes the counter's dense tables). */
export async function distinctProducts(shop: string): Promise<number> {
  const rows = await prisma.$queryRaw<{ n: unknown }[]>(
    Prisma.sql`SELECT COUNT(DISTINCT "productId") AS "n" FROM "OrderLine" WHERE "shop" = ${shop} AND "productId" IS NOT NULL`,
  );
  return integer(rows[0]?.n ?? 0);
}

/** Products that may be recommended: in the catalogue, ACTIVE and not deleted. */
export async function recommendableProducts(shop: string): Promise<Set<string>> {
  const rows = await prisma.product.findMany({
    where: { shop, deletedAt: null, status: "ACTIVE" },
    select: { id: true },
  });
  return new Set(rows.map((r) => r.id));
}

/** Titles of these products: the catalogue's, else the newest title a line gave it (deleted products keep theirs). */
export async function productTitles(shop: string, ids: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 400) {
    const part = unique.slice(i, i + 400);
    for (const p of await prisma.product.findMany({
      where: { shop, id: { in: part } },
      select: { id: true, title: true },
    }))
      if (p.title) out.set(p.id, p.title);
    const missing = part.filter((id) => !out.has(id));
    if (missing.length === 0) continue;
    const lines = await prisma.$queryRaw<{ productId: string; title: string }[]>(
      Prisma.sql`SELECT l."productId" AS "productId", MAX(l."title") AS "title" FROM "OrderLine" l
        WHERE l."shop" = ${shop} AND l."productId" IN (${Prisma.join(missing)}) GROUP BY l."productId"`,
    );
    for (const l of lines) out.set(l.productId, l.title);
  }
  return out;
}

export interface SeenProduct {
  id: string;
  title: string;
  lines: number;
}

/** The products the ledger's lines name, most bought first (what the merchant picks exclusions from). */
export async function productsSeen(shop: string, limit = 500): Promise<SeenProduct[]> {
  const rows = await prisma.$queryRaw<{ productId: string; title: string; lines: unknown }[]>(
    Prisma.sql`SELECT l."productId" AS "productId", COALESCE(MAX(p."title"), MAX(l."title")) AS "title",
        COUNT(*) AS "lines"
      FROM "OrderLine" l LEFT JOIN "Product" p ON p."shop" = l."shop" AND p."id" = l."productId"
      WHERE l."shop" = ${shop} AND l."productId" IS NOT NULL
      GROUP BY l."productId" ORDER BY COUNT(*) DESC, l."productId" LIMIT ${limit}`,
  );
  return rows.map((r) => ({ id: r.productId, title: r.title, lines: integer(r.lines) }));
}

/** Whether the ledger's lines name this product for the shop (an exclusion must name a product seen). */
export async function productSeen(shop: string, productId: string): Promise<boolean> {
  const line = await prisma.orderLine.findFirst({ where: { shop, productId }, select: { id: true } });
  if (line) return true;
  return (
    (await prisma.product.findUnique({ where: { shop_id: { shop, id: productId } }, select: { id: true } })) !== null
  );
}

// ---- Exclusions ------------------------------------------------------------------------------------------------

export async function listExclusions(shop: string): Promise<{ productId: string; createdAt: Date }[]> {
  return prisma.productExclusion.findMany({
    where: { shop },
    orderBy: [{ createdAt: "asc" }, { productId: "asc" }],
    select: { productId: true, createdAt: true },
  });
}

export async function excludedProducts(shop: string): Promise<Set<string>> {
  return new Set((await listExclusions(shop)).map((e) => e.productId));
}

/** Adds an exclusion (idempotent); whether it was new. */
export async function addExclusion(shop: string, productId: string, at: Date): Promise<boolean> {
  const rows = await prisma.$executeRaw(
    Prisma.sql`INSERT INTO "ProductExclusion" ("shop", "productId", "createdAt") VALUES (${shop}, ${productId}, ${at})
      ON CONFLICT ("shop", "productId") DO NOTHING`,
  );
  return rows > 0;
}

/** Removes an exclusion; whether there was one. */
export async function removeExclusion(shop: string, productId: string): Promise<boolean> {
  return (await prisma.productExclusion.deleteMany({ where: { shop, productId } })).count > 0;
}

// ---- Runs and associations -------------------------------------------------------------------------------------

export type AffinityStatus = "done" | "too_small" | "failed";

export interface ShopAffinityValues {
  asOf: Date;
  status: AffinityStatus;
  orders: number;
  lines: number;
  rules: number;
  settings: Record<string, unknown>;
  computedAt: Date;
}

/** Rules kept per kind: the strongest, so a shop of many products keeps a table the admin and storefront can read. */
export const MAX_STORED_RULES = 10_000;

/**
 * Writes a run: the shop's associations replaced by `rules` (the strongest MAX_STORED_RULES of each kind) and the run's
 * row, in one transaction. A failed or too-small run keeps the associations of the last good run.
 */
export async function saveAffinityRun(
  shop: string,
  run: ShopAffinityValues,
  rules: { together: AssociationRule[]; next: AssociationRule[] } | null,
): Promise<void> {
  const row = { ...run, settings: JSON.stringify(run.settings) };
  const stored = rules && [...rules.together.slice(0, MAX_STORED_RULES), ...rules.next.slice(0, MAX_STORED_RULES)];
  const file = sqliteFile();
  if (file !== null) {
    // On a SQLite file: prepared statements in one transaction on a connection of its own (thousands of rules).
    const db = new Database(file, { timeout: 0 });
    try {
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      const clear = db.prepare(`DELETE FROM "ProductAssociation" WHERE "shop" = ?`);
      const insert = db.prepare(`INSERT INTO "ProductAssociation"
        ("shop", "kind", "antecedent", "consequent", "count", "support", "confidence", "lift") VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
      const upsert = db.prepare(`INSERT INTO "ShopAffinity"
        ("shop", "asOf", "status", "orders", "lines", "rules", "settings", "computedAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT ("shop") DO UPDATE SET "asOf" = excluded."asOf", "status" = excluded."status",
          "orders" = excluded."orders", "lines" = excluded."lines", "rules" = excluded."rules",
          "settings" = excluded."settings", "computedAt" = excluded."computedAt"`);
      const write = db.transaction(() => {
        if (stored) {
          clear.run(shop);
          for (const r of stored)
            insert.run(shop, r.kind, r.antecedent, r.consequent, r.count, r.support, r.confidence, r.lift);
        }
        upsert.run(
          shop,
          stamp(row.asOf),
          row.status,
          row.orders,
          row.lines,
          row.rules,
          row.settings,
          stamp(row.computedAt),
        );
      });
      await whenFree(() => write());
    } finally {
      db.close();
    }
    return;
  }
  await prisma.$transaction(
    async (tx) => {
      if (rules) {
        await tx.productAssociation.deleteMany({ where: { shop } });
        const data = stored!.map((r) => ({
          shop,
          kind: r.kind,
          antecedent: r.antecedent,
          consequent: r.consequent,
          count: r.count,
          support: r.support,
          confidence: r.confidence,
          lift: r.lift,
        }));
        for (let i = 0; i < data.length; i += 100)
          await tx.productAssociation.createMany({ data: data.slice(i, i + 100) });
      }
      await tx.shopAffinity.upsert({ where: { shop }, create: { shop, ...row }, update: row });
    },
    { timeout: 60_000 },
  );
}

export interface StoredShopAffinity extends ShopAffinityValues {}

export async function getShopAffinity(shop: string): Promise<StoredShopAffinity | null> {
  const row = await prisma.shopAffinity.findUnique({ where: { shop } });
  if (!row) return null;
  return {
    asOf: row.asOf,
    status: row.status as AffinityStatus,
    orders: row.orders,
    lines: row.lines,
    rules: row.rules,
    settings: JSON.parse(row.settings) as Record<string, unknown>,
    computedAt: row.computedAt,
  };
}

/** The shop's stored rules of one kind, strongest first (lift, count, ids). */
export async function topAssociations(shop: string, kind: AssociationKind, limit: number): Promise<AssociationRule[]> {
  const rows = await prisma.productAssociation.findMany({
    where: { shop, kind },
    orderBy: [{ lift: "desc" }, { count: "desc" }, { antecedent: "asc" }, { consequent: "asc" }],
    take: limit,
  });
  return rows.map((r) => ({
    kind: r.kind as AssociationKind,
    antecedent: r.antecedent,
    consequent: r.consequent,
    count: r.count,
    support: r.support,
    confidence: r.confidence,
    lift: r.lift,
  }));
}

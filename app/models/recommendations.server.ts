// Per-customer product recommendations (docs/affinity.md#recommendations): the ONLY write path of the
// CustomerRecommendation table, and its reads. A row holds the products recommended to one customer now, best first,
// as a JSON array of product gids; `computedAt` is when that list last changed (an unchanged list is not rewritten,
// so a daily run over a large shop writes only what moved). Every statement is scoped by shop.
import Database from "better-sqlite3";
import { setImmediate as nextTurn } from "node:timers/promises";
import { prisma } from "../db.server";
import { stamp, sqliteFile, whenFree } from "./sqlite-direct.server";

export interface RecommendationRow {
  customerId: string;
  /** Product gids, best first (at most the shop's "how many" setting; never empty: no row means no recommendation). */
  products: string[];
}

export interface StoredRecommendation extends RecommendationRow {
  computedAt: Date;
}

const WRITES_PER_TRANSACTION = 200; // four parameters a row: under SQLite's limit of bound parameters per statement
const IDS_PER_READ = 500;
const SQLITE_ROWS_PER_TRANSACTION = 5000;

function parseProducts(text: string): string[] {
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string"))
    throw new TypeError("CustomerRecommendation.products must be a JSON array of strings");
  return value as string[];
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Replaces the shop's recommendations with `rows` (the full set of one run): customers not in `rows` lose theirs,
 * a changed list is written with `at`, an unchanged one is left as it is. Rows with no products count as "none".
 * Idempotent: the same rows again change nothing. Returns the customers whose list changed (added, changed or
 * removed), e.g. for the sync that writes the recommendations metafield.
 */
export async function replaceRecommendations(
  shop: string,
  rows: readonly RecommendationRow[],
  at: Date,
): Promise<Set<string>> {
  const wanted = new Map<string, string[]>();
  for (const row of rows) {
    if (wanted.has(row.customerId)) throw new Error(`replaceRecommendations: customer ${row.customerId} twice`);
    if (row.products.length > 0) wanted.set(row.customerId, [...row.products]);
  }
  const file = sqliteFile();
  const held = new Map<string, string[]>();
  if (file !== null) {
    const db = new Database(file, { readonly: true, timeout: 0 });
    try {
      const read = db.prepare(`SELECT "customerId", "products" FROM "CustomerRecommendation" WHERE "shop" = ?`).raw();
      for (const [id, products] of read.iterate(shop) as IterableIterator<[string, string]>)
        held.set(id, parseProducts(products));
    } finally {
      db.close();
    }
  } else {
    for (const r of await prisma.customerRecommendation.findMany({
      where: { shop },
      select: { customerId: true, products: true },
    }))
      held.set(r.customerId, parseProducts(r.products));
  }

  const removed = [...held.keys()].filter((id) => !wanted.has(id));
  const written: { customerId: string; products: string[] }[] = [];
  for (const [customerId, products] of wanted) {
    const before = held.get(customerId);
    if (!before || !sameList(before, products)) written.push({ customerId, products });
  }
  const changed = new Set<string>([...removed, ...written.map((w) => w.customerId)]);
  if (changed.size === 0) return changed;

  if (file !== null) {
    await writeOnSqlite(file, shop, removed, written, at);
    return changed;
  }
  // Batches of a few hundred rows per transaction: a large shop's first run does not hold the write lock for long.
  // Each batch is a replacement of its own customers' rows, so a run that dies part way and reruns ends the same.
  for (let i = 0; i < removed.length; i += WRITES_PER_TRANSACTION) {
    const ids = removed.slice(i, i + WRITES_PER_TRANSACTION);
    await prisma.customerRecommendation.deleteMany({ where: { shop, customerId: { in: ids } } });
  }
  for (let i = 0; i < written.length; i += WRITES_PER_TRANSACTION) {
    const part = written.slice(i, i + WRITES_PER_TRANSACTION);
    await prisma.$transaction([
      prisma.customerRecommendation.deleteMany({ where: { shop, customerId: { in: part.map((p) => p.customerId) } } }),
      prisma.customerRecommendation.createMany({
        data: part.map((p) => ({
          shop,
          customerId: p.customerId,
          products: JSON.stringify(p.products),
          computedAt: at,
        })),
      }),
    ]);
  }
  return changed;
}

/**
 * The same writes on a SQLite file with prepared statements on a connection of its own (as the recompute's writes,
 * scoring-sqlite.server.ts): transactions of a few thousand rows, the event loop free between them.
 */
async function writeOnSqlite(
  file: string,
  shop: string,
  removed: readonly string[],
  written: readonly { customerId: string; products: string[] }[],
  at: Date,
): Promise<void> {
  const db = new Database(file, { timeout: 0 });
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    const remove = db.prepare(`DELETE FROM "CustomerRecommendation" WHERE "shop" = ? AND "customerId" = ?`);
    const upsert = db.prepare(`INSERT INTO "CustomerRecommendation" ("shop", "customerId", "products", "computedAt")
      VALUES (?, ?, ?, ?) ON CONFLICT ("shop", "customerId") DO UPDATE SET "products" = excluded."products",
        "computedAt" = excluded."computedAt"`);
    const when = stamp(at);
    const removeAll = db.transaction((ids: readonly string[]) => {
      for (const id of ids) remove.run(shop, id);
    });
    const writeAll = db.transaction((rows: readonly { customerId: string; products: string[] }[]) => {
      for (const r of rows) upsert.run(shop, r.customerId, JSON.stringify(r.products), when);
    });
    for (let i = 0; i < removed.length; i += SQLITE_ROWS_PER_TRANSACTION) {
      const part = removed.slice(i, i + SQLITE_ROWS_PER_TRANSACTION);
      await whenFree(() => removeAll(part));
      await nextTurn();
    }
    for (let i = 0; i < written.length; i += SQLITE_ROWS_PER_TRANSACTION) {
      const part = written.slice(i, i + SQLITE_ROWS_PER_TRANSACTION);
      await whenFree(() => writeAll(part));
      await nextTurn();
    }
  } finally {
    db.close();
  }
}

/** The stored recommendations of these customers of the shop (customers without any are absent from the map). */
export async function recommendationsOf(
  shop: string,
  customerIds: readonly string[],
): Promise<Map<string, StoredRecommendation>> {
  const out = new Map<string, StoredRecommendation>();
  const unique = [...new Set(customerIds)];
  for (let i = 0; i < unique.length; i += IDS_PER_READ) {
    const rows = await prisma.customerRecommendation.findMany({
      where: { shop, customerId: { in: unique.slice(i, i + IDS_PER_READ) } },
    });
    for (const r of rows)
      out.set(r.customerId, {
        customerId: r.customerId,
        products: parseProducts(r.products),
        computedAt: r.computedAt,
      });
  }
  return out;
}

/** How many customers of the shop have recommendations now. */
export function recommendedCustomers(shop: string): Promise<number> {
  return prisma.customerRecommendation.count({ where: { shop } });
}

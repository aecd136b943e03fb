// The database a benchmark runs the app on, behind one small interface: a fresh SQLite file (migrated with
// `prisma migrate deploy`) or a fresh PostgreSQL database on the local cluster (migrated with migratePostgres,
// dropped by close()). Each installs a shop as the app holds it after install and reads back what the webhook path
// wrote; the checks on those rows are the benchmark's, the same for both.
import { execFileSync } from "node:child_process";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { ensurePostgres } from "../../scripts/postgres.mjs";
import { migratePostgres } from "../../scripts/migrate-postgres.mjs";

export interface LedgerCounts {
  orders: number;
  deliveries: number;
  /** Follow-up jobs queued for the shop: `Job` rows on SQLite, pg-boss jobs (`pgboss.job`) on PostgreSQL. */
  jobs: number;
}

/** The shop's ledger as one consistent read: the ids of its Order rows and of its WebhookDelivery rows. */
export interface LedgerSnapshot {
  orderIds: Set<string>;
  webhookIds: Set<string>;
}

export interface BenchDatabase {
  kind: "sqlite" | "postgresql";
  /** The app's DATABASE_URL. */
  url: string;
  /** Where it is, for the log. */
  where: string;
  /** The shop's Shop row and offline Session (the app answers 404 to a shop it does not have). */
  install(shop: string): Promise<void>;
  count(shop: string): Promise<LedgerCounts>;
  /** One read transaction: the app may still be committing requests cut off at the end of the last run, and its
   *  order and delivery rows are written together — two separate reads could straddle a commit. */
  check(shop: string): Promise<LedgerSnapshot>;
  /** Releases the database (PostgreSQL: drops it). */
  close(): Promise<void>;
}

const SCOPE = "read_orders,read_all_orders,read_customers,write_customers,read_discounts,write_discounts";
const ACCESS_TOKEN = "shpat_bench_not_real";

/** A migrated SQLite file; `journal` is the journal mode the file is left in (the app's connection finds it set). */
export function createSqliteDatabase(file: string, journal: string): BenchDatabase {
  execFileSync(process.execPath, ["node_modules/prisma/build/index.js", "migrate", "deploy"], {
    env: { ...process.env, DATABASE_URL: `file:${file}`, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
    stdio: "pipe",
  });
  const readonly = <T>(read: (db: Database.Database) => T): T => {
    const db = new Database(file, { readonly: true });
    try {
      return read(db);
    } finally {
      db.close();
    }
  };
  return {
    kind: "sqlite",
    url: `file:${file}`,
    where: path.relative(process.cwd(), file),
    async install(shop) {
      const db = new Database(file);
      db.pragma(`journal_mode = ${journal}`);
      const now = new Date().toISOString();
      db.prepare(
        `INSERT INTO "Shop" ("shop", "status", "scope", "installedAt", "createdAt", "updatedAt") VALUES (?, 'installed', ?, ?, ?, ?)`,
      ).run(shop, SCOPE, now, now, now);
      db.prepare(
        `INSERT INTO "Session" ("id", "shop", "state", "isOnline", "scope", "accessToken") VALUES (?, ?, '', 0, ?, ?)`,
      ).run(`offline_${shop}`, shop, SCOPE, ACCESS_TOKEN);
      db.close();
    },
    async count(shop) {
      return readonly((db) => {
        const count = (table: string) =>
          (db.prepare(`SELECT COUNT(*) AS n FROM "${table}" WHERE "shop" = ?`).get(shop) as { n: number }).n;
        return { orders: count("Order"), deliveries: count("WebhookDelivery"), jobs: count("Job") };
      });
    },
    async check(shop) {
      return readonly((db) =>
        db.transaction(() => ({
          orderIds: new Set(
            (db.prepare(`SELECT "id" FROM "Order" WHERE "shop" = ?`).all(shop) as { id: string }[]).map((r) => r.id),
          ),
          webhookIds: new Set(
            (
              db.prepare(`SELECT "webhookId" FROM "WebhookDelivery" WHERE "shop" = ?`).all(shop) as {
                webhookId: string;
              }[]
            ).map((r) => r.webhookId),
          ),
        }))(),
      );
    },
    async close() {},
  };
}

/** A fresh database on the local cluster (`scripts/postgres.mjs`), migrated; the app's pg-boss creates its schema. */
export async function createPostgresDatabase(name: string): Promise<BenchDatabase> {
  const serverUrl = ensurePostgres();
  const database = `${name}_${process.pid}_${Date.now()}`;
  await onServer(serverUrl, (admin) => admin.query(`CREATE DATABASE "${database}"`));
  const u = new URL(serverUrl);
  u.pathname = `/${database}`;
  const url = u.toString();
  try {
    await migratePostgres(url);
  } catch (error) {
    await drop(serverUrl, database);
    throw error;
  }
  const withClient = <T>(use: (client: pg.Client) => Promise<T>) => onServer(url, use);
  return {
    kind: "postgresql",
    url,
    where: `${u.host}/${database}`,
    async install(shop) {
      // TIMESTAMP(3) columns hold UTC, as Prisma writes them: an ISO text (its zone dropped on the way in), not a Date
      // (node-pg would write the process's local time).
      const now = new Date().toISOString();
      await withClient(async (client) => {
        await client.query(
          `INSERT INTO "Shop" ("shop", "status", "scope", "installedAt", "createdAt", "updatedAt") VALUES ($1, 'installed', $2, $3, $3, $3)`,
          [shop, SCOPE, now],
        );
        await client.query(
          `INSERT INTO "Session" ("id", "shop", "state", "isOnline", "scope", "accessToken") VALUES ($1, $2, '', false, $3, $4)`,
          [`offline_${shop}`, shop, SCOPE, ACCESS_TOKEN],
        );
      });
    },
    async count(shop) {
      return withClient(async (client) => {
        const count = async (sql: string) => Number((await client.query<{ n: string }>(sql, [shop])).rows[0].n);
        // pg-boss creates its schema on its first enqueue: none yet means no job.
        const hasJobs =
          (await client.query<{ t: string | null }>(`SELECT to_regclass('pgboss.job') AS t`)).rows[0].t !== null;
        return {
          orders: await count(`SELECT COUNT(*) AS n FROM "Order" WHERE "shop" = $1`),
          deliveries: await count(`SELECT COUNT(*) AS n FROM "WebhookDelivery" WHERE "shop" = $1`),
          jobs: hasJobs ? await count(`SELECT COUNT(*) AS n FROM pgboss.job WHERE data->>'shop' = $1`) : 0,
        };
      });
    },
    async check(shop) {
      return withClient(async (client) => {
        await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        try {
          const orders = await client.query<{ id: string }>(`SELECT "id" FROM "Order" WHERE "shop" = $1`, [shop]);
          const deliveries = await client.query<{ webhookId: string }>(
            `SELECT "webhookId" FROM "WebhookDelivery" WHERE "shop" = $1`,
            [shop],
          );
          return {
            orderIds: new Set(orders.rows.map((r) => r.id)),
            webhookIds: new Set(deliveries.rows.map((r) => r.webhookId)),
          };
        } finally {
          await client.query("COMMIT");
        }
      });
    },
    close: () => drop(serverUrl, database),
  };
}

async function onServer<T>(connectionString: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

function drop(serverUrl: string, database: string) {
  return onServer(serverUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`)).then(
    () => {},
  );
}

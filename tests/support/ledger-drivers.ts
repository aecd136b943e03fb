// The ledger's two drivers side by side, whichever database this run's app uses: the SQLite driver on a migrated file
// of its own with the table queue, and the PostgreSQL driver on a database created for the test file with pg-boss —
// each read back through a Prisma client of its own, so a test compares the two drivers' rows directly.
import { execFileSync } from "node:child_process";
import { copyFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { inject } from "vitest";
import { PrismaClient } from "../../app/generated/prisma/client";
import { PrismaClient as PostgresPrismaClient } from "../../app/generated/prisma-pg/client";
import { createPgBossQueue } from "../../app/jobs/pgboss-queue.server";
import { createTableQueue } from "../../app/jobs/table-queue.server";
import { createPgLedgerDriver } from "../../app/models/ledger-driver-pg.server";
import { createSqliteLedgerDriver } from "../../app/models/ledger-driver-sqlite.server";
import type { LedgerDriver, TransactionalQueue } from "../../app/models/ledger-write";
import { migratePostgres } from "../../scripts/migrate-postgres.mjs";
import { createTestDatabase, sqliteOnly } from "./pg";
import { PGBOSS_STATES } from "./queue";

export interface LedgerSide {
  database: "sqlite" | "postgresql";
  driver: LedgerDriver;
  /** The queue engine of the side's database, for work that queues jobs. */
  queue: TransactionalQueue;
  prisma: PrismaClient;
  /** The side's jobs of a shop as the contract sees them, in key order. */
  jobs(shop: string): Promise<{ kind: string; key: string | null; payload: unknown; state: string }[]>;
  /** A shop as installed (what the webhook path checks). */
  install(shop: string): Promise<void>;
}

export interface BothDrivers {
  sqlite: LedgerSide;
  postgresql: LedgerSide;
  close(): Promise<void>;
}

const byKey = <T extends { key: string | null }>(rows: T[]) =>
  rows.sort((a, b) => ((a.key ?? "") < (b.key ?? "") ? -1 : 1));

async function sqliteSide(): Promise<{ side: LedgerSide; close(): Promise<void> }> {
  const file = path.join(inject("testRunDir"), `drivers-${randomUUID()}.sqlite`);
  const template = inject("templateDb");
  if (template) copyFileSync(template, file);
  else {
    execFileSync(process.execPath, ["node_modules/prisma/build/index.js", "migrate", "deploy"], {
      env: { ...process.env, DATABASE_URL: `file:${file}`, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
      stdio: "pipe",
    });
  }
  const driver = createSqliteLedgerDriver(file);
  const prisma = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: `file:${file}`, timeout: 10_000 }) });
  const side: LedgerSide = {
    database: "sqlite",
    driver,
    queue: createTableQueue(),
    prisma,
    jobs: async (shop) =>
      byKey(
        (await prisma.job.findMany({ where: { shop } })).map((j) => ({
          kind: j.kind,
          key: j.key,
          payload: JSON.parse(j.payload),
          state: j.state,
        })),
      ),
    install: async (shop) => void (await prisma.shop.create({ data: { shop } })),
  };
  return {
    side,
    async close() {
      driver.close();
      await prisma.$disconnect();
    },
  };
}

async function postgresSide(): Promise<{ side: LedgerSide; close(): Promise<void> } | { unavailable: string }> {
  const database = await createTestDatabase("loyalty_drivers");
  if ("unavailable" in database) return database;
  await migratePostgres(database.url);
  const pool = new pg.Pool({ connectionString: database.url, max: 4 });
  pool.on("error", () => {});
  const queue = createPgBossQueue({ connectionString: database.url });
  const prisma = new PostgresPrismaClient({ adapter: new PrismaPg(pool) }) as unknown as PrismaClient;
  const side: LedgerSide = {
    database: "postgresql",
    driver: createPgLedgerDriver(pool),
    queue,
    prisma,
    async jobs(shop) {
      const exists = await pool.query(`SELECT to_regclass('pgboss.job') AS t`);
      if (!exists.rows[0].t) return [];
      const { rows } = await pool.query<{
        name: string;
        data: { key?: string | null; payload?: unknown };
        state: string;
      }>(`SELECT name, data, state::text AS state FROM pgboss.job WHERE data->>'shop' = $1`, [shop]);
      return byKey(
        rows.map((r) => ({
          kind: r.name,
          key: r.data.key ?? null,
          payload: r.data.payload ?? {},
          state: PGBOSS_STATES[r.state] ?? r.state,
        })),
      );
    },
    install: async (shop) => void (await prisma.shop.create({ data: { shop } })),
  };
  return {
    side,
    async close() {
      await queue.close();
      await prisma.$disconnect();
      if (!pool.ended) await pool.end();
      await database.drop();
    },
  };
}

/**
 * Both drivers on fresh databases of their own; `skipped` when the run was asked for without PostgreSQL
 * (`npm test -- --sqlite-only`). PostgreSQL missing otherwise is an error, as everywhere in the suite.
 */
export async function openBothDrivers(): Promise<BothDrivers | "skipped"> {
  if (sqliteOnly) return "skipped";
  const postgres = await postgresSide();
  if ("unavailable" in postgres)
    throw new Error(`PostgreSQL is required (npm test starts it): ${postgres.unavailable}`);
  const sqlite = await sqliteSide();
  return {
    sqlite: sqlite.side,
    postgresql: postgres.side,
    async close() {
      await sqlite.close();
      await postgres.close();
    },
  };
}

/** A shop's ledger rows on one side (without the shop column): customers, orders, refunds and deliveries. */
export async function ledgerRows(side: LedgerSide, shop: string) {
  const strip = <T extends { shop: string }>(rows: T[]) => rows.map(({ shop: _shop, ...rest }) => rest);
  const { prisma } = side;
  const [customers, orders, refunds, deliveries] = await Promise.all([
    prisma.customer.findMany({ where: { shop }, orderBy: { id: "asc" } }),
    prisma.order.findMany({ where: { shop }, orderBy: { id: "asc" } }),
    prisma.refund.findMany({ where: { shop }, orderBy: { id: "asc" } }),
    prisma.webhookDelivery.findMany({
      where: { shop },
      orderBy: { webhookId: "asc" },
      select: { webhookId: true, eventId: true, topic: true },
    }),
  ]);
  return { customers: strip(customers), orders: strip(orders), refunds: strip(refunds), deliveries };
}

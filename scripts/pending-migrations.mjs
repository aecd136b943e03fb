// Which of the app's migrations a database lacks. `npm start` and `npm run worker` refuse a database that
// `npm run setup` has not brought up to date; they never migrate it themselves. SQLite: prisma/migrations as
// `prisma migrate deploy` records them; PostgreSQL: prisma/postgresql/migrations as scripts/migrate-postgres.mjs does
// (both in Prisma's `_prisma_migrations` table).
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import pg from "pg";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const APPLIED = `SELECT "migration_name" FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL`;

/** The names of the migrations `databaseUrl`'s database has not applied, oldest first. */
export async function pendingMigrations(databaseUrl) {
  const postgres = /^postgres(ql)?:\/\//.test(databaseUrl);
  const dir = path.join(root, postgres ? "prisma/postgresql/migrations" : "prisma/migrations");
  const expected = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const applied = new Set(postgres ? await appliedOnPostgres(databaseUrl) : appliedOnSqlite(databaseUrl));
  return expected.filter((name) => !applied.has(name));
}

function appliedOnSqlite(databaseUrl) {
  // The path as the app's SQLite adapter reads it (relative to the working directory); a missing file is not created.
  const file = databaseUrl.replace(/^file:/, "");
  if (!existsSync(file)) return [];
  const db = new Database(file, { fileMustExist: true });
  try {
    const table = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'`).get();
    return table ? db.prepare(APPLIED).pluck().all() : [];
  } finally {
    db.close();
  }
}

async function appliedOnPostgres(databaseUrl) {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: "loyalty-start" });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT to_regclass('_prisma_migrations') IS NOT NULL AS "exists"`);
    return rows[0].exists ? (await client.query(APPLIED)).rows.map((r) => r.migration_name) : [];
  } finally {
    await client.end();
  }
}

const WAIT_FOR_DATABASE_MS = 60_000;

/**
 * Ends the process (exit code 1) with one line saying what to do unless every migration is applied. A database that
 * does not answer yet (starting, restarting) is waited for, up to a minute, as the worker and the queue wait for it
 * once running: a process started during a database restart must not die of it.
 */
export async function exitUnlessMigrated(
  databaseUrl,
  { waitMs = WAIT_FOR_DATABASE_MS, sleep = (ms) => new Promise((r) => setTimeout(r, ms)) } = {},
) {
  const deadline = Date.now() + waitMs;
  let pending;
  for (let attempt = 1; ; attempt++) {
    try {
      pending = await pendingMigrations(databaseUrl);
      break;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (Date.now() >= deadline) {
        console.error(
          `Cannot read the database's migrations (${reason}): check DATABASE_URL and that the database is up.`,
        );
        process.exit(1);
      }
      if (attempt === 1) console.error(`Waiting for the database (${reason}) …`);
      await sleep(Math.min(1000 * attempt, 5000));
    }
  }
  if (pending.length > 0) {
    const which = pending.length === 1 ? pending[0] : `${pending[0]} … ${pending.at(-1)}`;
    console.error(
      `The database is missing ${pending.length} migration(s) (${which}): run \`npm run setup\` to apply them, then start again.`,
    );
    process.exit(1);
  }
}

// The job queue a test drives, on the engine the app uses for this run's database: the table queue on SQLite,
// pg-boss on PostgreSQL (TEST_DATABASE=postgresql). Queues a file opens are closed after it.
import pg from "pg";
import { afterAll } from "vitest";
import { databaseKind, prisma } from "../../app/db.server";
import { env } from "../../app/env.server";
import { createPgBossQueue } from "../../app/jobs/pgboss-queue.server";
import { createTableQueue } from "../../app/jobs/table-queue.server";
import type { JobQueue } from "../../app/jobs/queue";

const opened: JobQueue[] = [];
afterAll(async () => {
  await Promise.all(opened.splice(0).map((q) => q.close()));
});

export function testQueue(options: { now?: () => Date; random?: () => number } = {}): JobQueue {
  const queue =
    databaseKind === "postgresql"
      ? createPgBossQueue({ connectionString: env.DATABASE_URL, ...options })
      : createTableQueue(options);
  opened.push(queue);
  return queue;
}

export interface JobRow {
  id: string;
  kind: string;
  key: string | null;
  /** As the table queue stores it: JSON text. */
  payload: string;
  state: "queued" | "running" | "done" | "dead" | "cancelled";
  runAt: Date;
  attempts: number;
  lastError: string | null;
}

/** pg-boss's job states as the queue contract names them. */
export const PGBOSS_STATES: Record<string, JobRow["state"]> = {
  created: "queued",
  retry: "queued",
  active: "running",
  completed: "done",
  cancelled: "cancelled",
  failed: "dead",
};

/** A shop's jobs as the engine of this run holds them (for assertions), oldest first. */
export async function jobRows(
  shop: string,
  where: Partial<Pick<JobRow, "kind" | "key" | "state">> = {},
): Promise<JobRow[]> {
  let rows: JobRow[];
  if (databaseKind === "postgresql") {
    const client = new pg.Client({ connectionString: env.DATABASE_URL });
    await client.connect();
    try {
      const exists = await client.query(`SELECT to_regclass('pgboss.job') AS t`);
      if (!exists.rows[0].t) return [];
      const { rows: raw } = await client.query<{
        id: string;
        name: string;
        data: { key?: string | null; payload?: unknown };
        state: string;
        start_after: Date;
        retry_count: number;
        output: unknown;
      }>(
        `SELECT id, name, data, state, start_after, retry_count, output FROM pgboss.job WHERE data->>'shop' = $1
         UNION ALL SELECT id, name, data, state, start_after, retry_count, output FROM pgboss.archive WHERE data->>'shop' = $1
         ORDER BY start_after, id`,
        [shop],
      );
      rows = raw.map((r) => ({
        id: r.id,
        kind: r.name,
        key: r.data.key ?? null,
        payload: JSON.stringify(r.data.payload ?? {}),
        state: PGBOSS_STATES[r.state] ?? "queued",
        runAt: r.start_after,
        attempts: r.retry_count + (r.state === "created" ? 0 : 1),
        lastError: r.state === "failed" ? JSON.stringify(r.output) : null,
      }));
    } finally {
      await client.end();
    }
  } else {
    rows = (await prisma.job.findMany({ where: { shop }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] })).map(
      (j) => ({
        id: j.id,
        kind: j.kind,
        key: j.key,
        payload: j.payload,
        state: j.state as JobRow["state"],
        runAt: j.runAt,
        attempts: j.attempts,
        lastError: j.lastError,
      }),
    );
  }
  return rows.filter(
    (r) =>
      (where.kind === undefined || r.kind === where.kind) &&
      (where.key === undefined || r.key === where.key) &&
      (where.state === undefined || r.state === where.state),
  );
}

/** Removes a shop's jobs (of one kind, or all) on this run's engine. */
export async function deleteJobs(shop: string, kind?: string): Promise<void> {
  if (databaseKind === "postgresql") {
    const client = new pg.Client({ connectionString: env.DATABASE_URL });
    await client.connect();
    try {
      const exists = await client.query(`SELECT to_regclass('pgboss.job') AS t`);
      if (!exists.rows[0].t) return;
      for (const table of ["pgboss.job", "pgboss.archive"]) {
        await client.query(`DELETE FROM ${table} WHERE data->>'shop' = $1 AND ($2::text IS NULL OR name = $2)`, [
          shop,
          kind ?? null,
        ]);
      }
    } finally {
      await client.end();
    }
  } else {
    await prisma.job.deleteMany({ where: { shop, ...(kind ? { kind } : {}) } });
  }
}

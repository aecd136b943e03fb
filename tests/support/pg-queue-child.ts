// A worker process for the multi-process job queue tests (forked with `--import tsx`): runs kind `step` jobs on the
// pg-boss queue and records every start and end in the `queue_events` table with the database's clock, so the test
// can check overlaps across processes. argv: connectionString schema mode(normal|hang) concurrency.
// `hang`: the first job it takes never ends (the test kills this process with SIGKILL in the middle of it).
import pg from "pg";
import { createPgBossQueue } from "../../app/jobs/pgboss-queue.server";

const [connectionString, schema, mode, concurrency] = process.argv.slice(2);
const events = new pg.Pool({ connectionString, max: 4 });
const queue = createPgBossQueue({ connectionString, schema });
await queue.start();

const record = (event: string, job: { id: string; shop: string; attempt: number; payload: { i: number } }) =>
  events.query(
    "INSERT INTO queue_events (job_id, shop, i, pid, attempt, event, at) VALUES ($1, $2, $3, $4, $5, $6, clock_timestamp())",
    [job.id, job.shop, job.payload.i, process.pid, job.attempt, event],
  );

const worker = queue.work(
  {
    step: async (job: { id: string; shop: string; attempt: number; payload: { i: number; ms?: number } }) => {
      await record("start", job);
      if (mode === "hang") {
        process.send?.({ type: "started", id: job.id });
        await new Promise(() => {}); // until SIGKILL
      }
      await new Promise((resolve) => setTimeout(resolve, job.payload.ms ?? 40));
      await record("end", job);
    },
  },
  { concurrency: Number(concurrency) || 2, pollMs: 10, leaseMs: 3000 },
);

process.on("message", async (message: { type?: string }) => {
  if (message?.type !== "stop") return;
  await worker.stop();
  await queue.close();
  await events.end();
  process.exit(0);
});
process.send?.({ type: "ready", pid: process.pid });

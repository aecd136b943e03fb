// The PostgreSQL job queue: pg-boss 10 keeps the jobs (its schema, migrations, one partition per kind, job states,
// retry bookkeeping, cancel, archive and retention), shared by every web and worker process. What pg-boss does not
// have — one job per shop at a time across all processes, per-shop order without blocking other shops, our backoff —
// comes from a PostgreSQL advisory lock per shop held by the worker's own database session (ADR 0004):
//
// - A worker runs a job of shop S only while its session holds S's lock. Locks die with the session, so a worker
//   that is killed (or loses its connection) releases its shops at once; a job left `active` whose shop lock nobody
//   holds has lost its worker, and the next worker to take the lock records the lost attempt and runs it again.
// - A worker finishes (complete/fail) a job on that same session: if the session is gone, so is the lock, and it does
//   not touch a job another worker may have taken over.
// - Coalescing: an enqueue with a key runs in a transaction holding a lock on shop+key and inserts only when no job
//   of that shop and key is still waiting (created or retry), so concurrent enqueues from many processes coalesce.
import { randomUUID } from "node:crypto";
import pg from "pg";
import PgBoss from "pg-boss";
import { logger } from "../logger.server";
import { inTransaction } from "../pg-transaction.server";
import {
  namesGid,
  PermanentJobError,
  retryDelayMs,
  type EnqueueOptions,
  type JobCounts,
  type JobHandlers,
  type JobQueue,
  type JobState,
  type WorkOptions,
  type Worker,
} from "./queue";

export interface PgBossQueueOptions {
  connectionString: string;
  /** pg-boss's schema (default `pgboss`): tests give each run one of its own. */
  schema?: string;
  /** The clock for run-at times (enqueue, due, retry); PostgreSQL's clock stamps start and creation times. */
  now?: () => Date;
  random?: () => number;
  /** Connections shared by pg-boss and the queue's reads and enqueues; every worker adds one session of its own. */
  poolSize?: number;
}

export interface PgBossQueue extends JobQueue {
  readonly schema: string;
  /** Installs or migrates pg-boss's schema (once per process; every other method waits for it). */
  start(): Promise<void>;
  /** Enqueues inside the caller's open transaction on `tx` (the webhook path's one transaction, ledger-pg). */
  enqueueIn<P>(
    tx: { query(text: string, values?: unknown[]): Promise<pg.QueryResult> },
    shop: string,
    kind: string,
    payload: P,
    options?: EnqueueOptions,
  ): Promise<string | null>;
}

/** pg-boss's hard limit is 24 h: an `active` job older than this is failed by pg-boss's maintenance (and retried). */
const MAX_RUN_SECONDS = 23 * 3600;
/** A job still waiting after this long is archived by pg-boss (it would otherwise wait forever). */
const PENDING_RETENTION_MINUTES = 30 * 24 * 60;
/** How many of the oldest due jobs a claim looks at before it looks at all of them. */
const CLAIM_WINDOW = 500;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const STATE_OF: Record<string, JobState> = {
  created: "queued",
  retry: "queued",
  active: "running",
  completed: "done",
  cancelled: "cancelled",
  failed: "dead",
};

/** The database went away (terminated, restarted, unreachable) rather than refusing a statement. */
function isConnectionLoss(error: unknown) {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  return (
    ["57P01", "57P02", "57P03", "08000", "08003", "08006", "ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT"].includes(
      code ?? "",
    ) || /Connection terminated|session is gone/i.test(message ?? "")
  );
}

interface ClaimedJob {
  id: string;
  kind: string;
  shop: string;
  payload: unknown;
  attempt: number;
  maxAttempts: number;
}

interface JobRowData {
  shop: string;
  key: string | null;
  payload: unknown;
}

type SqlValues = unknown[];

/** One worker's own database session: the per-shop locks it holds live and die with it. */
class LockSession {
  alive = true;
  readonly db: PgBoss.Db;
  private constructor(
    private readonly client: pg.Client,
    private readonly onLost: (reason: Error) => void,
  ) {
    this.db = { executeSql: (text, values) => this.query(text, values) };
    const lost = (reason: Error) => {
      if (!this.alive) return;
      this.alive = false;
      this.onLost(reason);
    };
    client.on("error", (error) => lost(error));
    client.on("end", () => lost(new Error("the worker's database session ended")));
  }

  static async open(connectionString: string, leaseMs: number, onLost: (reason: Error) => void) {
    const client = new pg.Client({ connectionString, application_name: "loyalty-jobs-worker", keepAlive: true });
    await client.connect();
    // The server notices a vanished worker host within about a lease (a killed process: at once).
    const seconds = (ms: number) => String(Math.max(1, Math.round(ms / 1000)));
    await client.query(
      `SELECT set_config('tcp_keepalives_idle', $1, false), set_config('tcp_keepalives_interval', $2, false),
              set_config('tcp_keepalives_count', '3', false), set_config('tcp_user_timeout', $3, false)`,
      [seconds(leaseMs / 3), seconds(leaseMs / 6), String(Math.max(1000, leaseMs))],
    );
    return new LockSession(client, onLost);
  }

  private tail: Promise<unknown> = Promise.resolve();

  /** One statement at a time on the session (claims, heartbeats and job ends of one worker take turns). */
  query<R extends pg.QueryResultRow = Record<string, unknown>>(
    text: string,
    values?: SqlValues,
  ): Promise<pg.QueryResult<R>> {
    const result = this.tail.then(() => {
      if (!this.alive) throw new Error("the worker's database session is gone");
      return this.client.query<R>(text, values);
    });
    this.tail = result.catch(() => {});
    return result;
  }

  /** Drops the session (and with it every lock it holds). */
  close() {
    this.alive = false;
    return this.client.end().catch(() => {});
  }
}

export function createPgBossQueue({
  connectionString,
  schema = "pgboss",
  now = () => new Date(),
  random = Math.random,
  poolSize = 5,
}: PgBossQueueOptions): PgBossQueue {
  const pool = new pg.Pool({ connectionString, max: poolSize, application_name: "loyalty-jobs" });
  pool.on("error", (error) => logger.warn("job queue connection error", { error: String(error) }));
  const db: PgBoss.Db = { executeSql: (text, values) => pool.query(text, values) };
  const boss = new PgBoss({ db, schema, schedule: false, supervise: true, deleteAfterDays: 30 });
  boss.on("error", (error) => logger.error("pg-boss error", { error: String(error) }));

  const job = `${schema}.job`;
  const archive = `${schema}.archive`;
  /** Namespace of this queue's advisory locks (first key); the second key is the shop's hash. */
  const lockSpace = `loyalty-jobs:${schema}`;
  /** The shops whose lock a worker session holds right now (any process): read once per statement. */
  const heldShops = (spaceParam: string) => `held AS MATERIALIZED (
      SELECT l.objid FROM pg_locks l
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND l.classid = hashtext(${spaceParam})::oid)`;
  const isHeld = (shopExpr: string) => `hashtext(${shopExpr})::oid IN (SELECT objid FROM held)`;

  let starting: Promise<void> | undefined;
  function start(): Promise<void> {
    starting ??= (async () => {
      await boss.start();
      // Reads and erasures go by shop, and claims look for running jobs: indexes for both (created on the
      // partitioned table, so every kind's partition, present and future, gets them).
      await inTransaction(pool, async (client) => {
        await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`${lockSpace}:setup`]);
        await client.query(`CREATE INDEX IF NOT EXISTS job_shop_state ON ${job} ((data->>'shop'), state)`);
        await client.query(`CREATE INDEX IF NOT EXISTS job_active ON ${job} (name) WHERE state = 'active'`);
        await client.query(`CREATE INDEX IF NOT EXISTS archive_shop ON ${archive} ((data->>'shop'))`);
      });
    })();
    starting.catch(() => (starting = undefined)); // a later call tries again (say, the database was still starting)
    return starting;
  }

  const queues = new Map<string, Promise<void>>();
  function ensureQueue(kind: string) {
    let created = queues.get(kind);
    if (!created) {
      created = boss.createQueue(kind, {
        name: kind,
        policy: "standard",
        retryDelay: 0, // retries are timed by retryDelayMs (see failAttempt)
        retryBackoff: false,
        expireInSeconds: MAX_RUN_SECONDS,
        retentionMinutes: PENDING_RETENTION_MINUTES,
      });
      queues.set(kind, created);
      created.catch(() => queues.delete(kind));
    }
    return created;
  }

  /** A statement runner: the pool, or one client inside a transaction. */
  type Sql = { query(text: string, values?: SqlValues): Promise<pg.QueryResult> };

  /** pg-boss's send options and row data for one job (the same for both ways of enqueueing). */
  function sendArgs<P>(shop: string, payload: P, options: EnqueueOptions) {
    const key = options.key ?? null;
    const data: JobRowData = { shop, key, payload: payload ?? {} };
    const send: PgBoss.SendOptions = {
      id: randomUUID(),
      startAfter: options.runAt ?? now(),
      retryLimit: Math.max(0, (options.maxAttempts ?? 8) - 1),
      ...(key ? { singletonKey: `${shop}|${key}` } : {}),
    };
    return { key, data, send };
  }

  /**
   * Enqueues inside the caller's open transaction (`tx`): the job exists exactly when the caller's writes commit.
   * Coalesces like enqueue; the shop+key lock is held until the caller's transaction ends.
   */
  async function enqueueIn<P>(
    tx: Sql,
    shop: string,
    kind: string,
    payload: P,
    options: EnqueueOptions = {},
  ): Promise<string | null> {
    await start();
    await ensureQueue(kind);
    const { key, data, send } = sendArgs(shop, payload, options);
    const db: PgBoss.Db = { executeSql: (text, values) => tx.query(text, values) };
    if (!key) return boss.send(kind, data as object, { ...send, db });
    // Coalesce: one waiting job per shop+key, whatever its kind. The transaction-scoped lock makes concurrent
    // enqueues of the same shop+key (from any process) take turns, so the check and the insert are one step.
    await tx.query("SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))", [`${lockSpace}:key`, `${shop}|${key}`]);
    const waiting = await tx.query(
      `SELECT 1 FROM ${job} WHERE data->>'shop' = $1 AND data->>'key' = $2 AND state < 'active' LIMIT 1`,
      [shop, key],
    );
    return waiting.rowCount ? null : boss.send(kind, data as object, { ...send, db });
  }

  async function enqueue<P>(
    shop: string,
    kind: string,
    payload: P,
    options: EnqueueOptions = {},
  ): Promise<string | null> {
    // Before taking a connection: enqueueIn's own calls then find both done (never waiting on the pool it holds).
    await start();
    await ensureQueue(kind);
    if (!options.key) {
      const { data, send } = sendArgs(shop, payload, options);
      return boss.send(kind, data as object, send);
    }
    return inTransaction(pool, (client) => enqueueIn(client, shop, kind, payload, options));
  }

  async function counts(shop: string, kind?: string): Promise<JobCounts> {
    await start();
    const { rows } = await pool.query<{ state: string; n: number }>(
      `SELECT state::text AS state, count(*)::int AS n FROM (
         SELECT state FROM ${job} WHERE data->>'shop' = $1 AND ($2::text IS NULL OR name = $2)
         UNION ALL
         SELECT state FROM ${archive} WHERE data->>'shop' = $1 AND ($2::text IS NULL OR name = $2)
       ) s GROUP BY state`,
      [shop, kind ?? null],
    );
    const result: JobCounts = {};
    for (const { state, n } of rows) result[STATE_OF[state]] = (result[STATE_OF[state]] ?? 0) + n;
    return result;
  }

  async function state(id: string): Promise<JobState | null> {
    if (!UUID.test(id)) return null;
    await start();
    const { rows } = await pool.query<{ state: string }>(
      `SELECT state::text AS state FROM ${job} WHERE id = $1 UNION ALL SELECT state::text FROM ${archive} WHERE id = $1 LIMIT 1`,
      [id],
    );
    return rows[0] ? STATE_OF[rows[0].state] : null;
  }

  async function cancelShop(shop: string): Promise<number> {
    await start();
    const { rows } = await pool.query<{ name: string; ids: string[] }>(
      `SELECT name, array_agg(id::text) AS ids FROM ${job} WHERE data->>'shop' = $1 AND state < 'completed' GROUP BY name`,
      [shop],
    );
    let cancelled = 0;
    for (const { name, ids } of rows) {
      // pg-boss returns { affected } here (its typings say void).
      const result = (await boss.cancel(name, ids)) as unknown as { affected?: number } | undefined;
      cancelled += result?.affected ?? 0;
    }
    return cancelled;
  }

  async function purgeShop(shop: string): Promise<number> {
    await start();
    return inTransaction(pool, async (client) => {
      const jobs = await client.query(`DELETE FROM ${job} WHERE data->>'shop' = $1`, [shop]);
      const archived = await client.query(`DELETE FROM ${archive} WHERE data->>'shop' = $1`, [shop]);
      return (jobs.rowCount ?? 0) + (archived.rowCount ?? 0);
    });
  }

  /**
   * Records a failed attempt through pg-boss (retry while attempts remain, else `failed`), then times the retry: by
   * retryDelayMs, or at once for a job whose worker was lost. Runs on the worker's session while it holds the shop's
   * lock, so no other worker sees the job in between.
   */
  async function failAttempt(
    session: LockSession,
    claimed: ClaimedJob,
    message: string,
    { permanent = false, retryAt }: { permanent?: boolean; retryAt?: Date } = {},
  ) {
    if (permanent) {
      await session.query(
        `UPDATE ${job} SET retry_limit = retry_count WHERE name = $1 AND id = $2 AND state = 'active'`,
        [claimed.kind, claimed.id],
      );
    }
    await boss.fail(claimed.kind, claimed.id, { message }, { db: session.db });
    if (!permanent) {
      const runAt = retryAt ?? new Date(now().getTime() + retryDelayMs(claimed.attempt, random));
      await session.query(`UPDATE ${job} SET start_after = $3 WHERE name = $1 AND id = $2 AND state = 'retry'`, [
        claimed.kind,
        claimed.id,
        runAt,
      ]);
    }
  }

  const workers = new Set<Worker>();

  function work(handlers: JobHandlers, { concurrency = 2, pollMs = 250, leaseMs = 30_000 }: WorkOptions = {}): Worker {
    // A worker takes only the kinds it can run, so workers with different handlers can share one queue.
    const kinds = Object.keys(handlers);
    const running = new Map<string, { shop: string; abort: AbortController; done: Promise<void> }>();
    let session: LockSession | null = null;
    let stopped = false;
    let wake: (() => void) | null = null;
    const idleWaiters: (() => void)[] = [];
    let lastErrorAt = 0;

    const toJob = (row: {
      id: string;
      name: string;
      data: JobRowData;
      retry_count: number;
      retry_limit: number;
    }): ClaimedJob => ({
      id: row.id,
      kind: row.name,
      shop: row.data.shop,
      payload: row.data.payload,
      attempt: row.retry_count + 1,
      maxAttempts: row.retry_limit + 1,
    });

    async function unlock(on: LockSession, shop: string) {
      if (on.alive) await on.query("SELECT pg_advisory_unlock(hashtext($1), hashtext($2))", [lockSpace, shop]);
    }

    /** Holding the shop's lock: first gives back jobs whose worker is gone, then takes the shop's next due job. */
    async function claimInShop(on: LockSession, shop: string): Promise<ClaimedJob | null> {
      const lost = await on.query<{
        id: string;
        name: string;
        data: JobRowData;
        retry_count: number;
        retry_limit: number;
        start_after: Date;
      }>(
        `SELECT id, name, data, retry_count, retry_limit, start_after FROM ${job} WHERE data->>'shop' = $1 AND state = 'active'`,
        [shop],
      );
      for (const row of lost.rows) {
        const orphan = toJob(row);
        logger.warn("job lost its worker; recording the attempt", {
          id: orphan.id,
          shop,
          kind: orphan.kind,
          attempt: orphan.attempt,
        });
        // Due again at once, and at its old place in the shop's order.
        await failAttempt(on, orphan, "Error: the worker running this job stopped (its database session ended)", {
          retryAt: row.start_after,
        });
      }
      const { rows } = await on.query<{
        id: string;
        name: string;
        data: JobRowData;
        retry_count: number;
        retry_limit: number;
      }>(
        // pg-boss's own fetch, narrowed to one shop and the kinds this worker runs, in per-shop order.
        `WITH next AS (
           SELECT name, id FROM ${job}
           WHERE name = ANY($1::text[]) AND data->>'shop' = $3 AND state < 'active' AND start_after <= $2
           ORDER BY start_after, created_on, id
           LIMIT 1
           FOR UPDATE SKIP LOCKED
         )
         UPDATE ${job} j SET state = 'active', started_on = now(),
           retry_count = CASE WHEN j.started_on IS NOT NULL THEN j.retry_count + 1 ELSE j.retry_count END
         FROM next WHERE j.name = next.name AND j.id = next.id
         RETURNING j.id, j.name, j.data, j.retry_count, j.retry_limit`,
        [kinds, now(), shop],
      );
      return rows[0] ? toJob(rows[0]) : null;
    }

    /**
     * Candidate shops, oldest due first: shops with due jobs of this worker's kinds (or jobs left `active`) whose lock
     * nobody holds, each locked here if it still can be. `window` bounds how many of the oldest due jobs are looked
     * at (null: all of them).
     */
    async function lockShops(on: LockSession, slots: number, window: number | null) {
      const busy = [...new Set([...running.values()].map((r) => r.shop))];
      const { rows } = await on.query<{ shop: string; got: boolean }>(
        // pg_try_advisory_lock sits in the outer select list, so it runs once per returned shop, never for rows a
        // plan filters out later; pg_locks leaves out the shops another worker is running right now.
        `WITH ${heldShops("$5")},
         due AS (
           SELECT j.data->>'shop' AS shop, j.start_after FROM ${job} j
           WHERE j.name = ANY($1::text[]) AND j.state < 'active' AND j.start_after <= $2
           ORDER BY j.start_after
           LIMIT $6
         ),
         lost AS (SELECT j.data->>'shop' AS shop, j.start_after FROM ${job} j WHERE j.name = ANY($1::text[]) AND j.state = 'active')
         SELECT s.shop, pg_try_advisory_lock(hashtext($5), hashtext(s.shop)) AS got FROM (
           SELECT c.shop, min(c.start_after) AS due FROM (SELECT * FROM due UNION ALL SELECT * FROM lost) c
           WHERE NOT (c.shop = ANY($3::text[])) AND NOT ${isHeld("c.shop")}
           GROUP BY 1
           ORDER BY 2
           LIMIT $4
         ) s`,
        [kinds, now(), busy, slots, lockSpace, window],
      );
      return rows.filter((r) => r.got).map((r) => r.shop);
    }

    /** Locks up to `slots` shops and takes one job in each. */
    async function claim(on: LockSession, slots: number): Promise<ClaimedJob[]> {
      // The oldest due jobs first (cheap); only when all their shops are busy, every due job (a long backlog of one
      // shop must not hide the other shops).
      let locked = await lockShops(on, slots, CLAIM_WINDOW);
      if (locked.length === 0) locked = await lockShops(on, slots, null);
      const claimed: ClaimedJob[] = [];
      for (let i = 0; i < locked.length; i++) {
        const shop = locked[i];
        try {
          const next = await claimInShop(on, shop);
          if (next) claimed.push(next);
          else await unlock(on, shop);
        } catch (error) {
          for (const rest of locked.slice(i)) await unlock(on, rest).catch(() => {});
          for (const c of claimed) await unlock(on, c.shop).catch(() => {}); // never run: the lost-job path retries them
          throw error;
        }
      }
      return claimed;
    }

    async function run(on: LockSession, claimed: ClaimedJob, abort: AbortController) {
      // Every third of a lease: is the job still ours and active? (cancelled, erased or expired → abort)
      let checking = false;
      const heartbeat = setInterval(
        () => {
          if (checking || abort.signal.aborted) return;
          checking = true;
          let timer: NodeJS.Timeout | undefined;
          const timeout = new Promise<never>(
            (_, reject) => (timer = setTimeout(() => reject(new Error("heartbeat timed out")), leaseMs)),
          );
          Promise.race([
            on.query<{ state: string }>(`SELECT state::text AS state FROM ${job} WHERE name = $1 AND id = $2`, [
              claimed.kind,
              claimed.id,
            ]),
            timeout,
          ])
            .then(({ rows }) => {
              if (rows[0]?.state !== "active") abort.abort(new Error("job cancelled or erased"));
            })
            .catch((error: unknown) => {
              abort.abort(new Error(`lost the worker's database session: ${String(error)}`));
              void on.close(); // its locks go with it; another worker takes the job over
            })
            .finally(() => {
              clearTimeout(timer);
              checking = false;
            });
        },
        Math.max(50, Math.floor(leaseMs / 3)),
      );
      let failure: unknown = null;
      try {
        const handler = handlers[claimed.kind];
        if (!handler) throw new PermanentJobError(`no handler for job kind "${claimed.kind}"`); // claimed by kind: never
        await handler({
          id: claimed.id,
          shop: claimed.shop,
          kind: claimed.kind,
          payload: claimed.payload as never,
          attempt: claimed.attempt,
          signal: abort.signal,
        });
      } catch (error) {
        failure = error ?? new Error("job failed");
      } finally {
        clearInterval(heartbeat);
      }
      if (failure === null) {
        // On the session that holds the shop's lock: only a live holder can finish the job (pg-boss completes only
        // an `active` job, so a cancelled one stays cancelled).
        await boss.complete(claimed.kind, claimed.id, {}, { db: on.db });
        return;
      }
      const message = failure instanceof Error ? `${failure.name}: ${failure.message}` : String(failure);
      const permanent = failure instanceof PermanentJobError;
      if ((permanent || claimed.attempt >= claimed.maxAttempts) && !abort.signal.aborted) {
        logger.warn("job dead", {
          id: claimed.id,
          shop: claimed.shop,
          kind: claimed.kind,
          attempts: claimed.attempt,
          error: message,
        });
      }
      await failAttempt(on, claimed, message, { permanent });
    }

    function begin(on: LockSession, claimed: ClaimedJob) {
      const abort = new AbortController();
      const done = run(on, claimed, abort)
        .catch((error: unknown) => {
          // The session went away: the job stays `active` without a lock holder, and another worker retries it.
          logger.warn("could not record a job's end", {
            id: claimed.id,
            shop: claimed.shop,
            kind: claimed.kind,
            error: String(error),
          });
        })
        .then(() => unlock(on, claimed.shop))
        .catch(() => {})
        .finally(() => {
          running.delete(claimed.id);
          wake?.();
        });
      running.set(claimed.id, { shop: claimed.shop, abort, done });
    }

    async function hasDueWork() {
      const { rows } = await pool.query<{ due: boolean }>(
        `WITH ${heldShops("$3")}
         SELECT EXISTS (
           SELECT 1 FROM ${job} j WHERE j.name = ANY($1::text[])
             AND ((j.state < 'active' AND j.start_after <= $2) OR (j.state = 'active' AND NOT ${isHeld("j.data->>'shop'")}))
         ) AS due`,
        [kinds, now(), lockSpace],
      );
      return rows[0].due;
    }

    function onSessionLost(reason: Error) {
      for (const r of running.values()) r.abort.abort(reason);
      wake?.();
    }

    async function loop() {
      while (!stopped) {
        let claimed = 0;
        try {
          await start(); // once; tried again while the database is not reachable
          // A lost session is replaced once the jobs that ran on it have wound down.
          if (!session?.alive && running.size === 0)
            session = await LockSession.open(connectionString, leaseMs, onSessionLost);
          if (session?.alive && running.size < concurrency) {
            const on = session;
            for (const next of await claim(on, concurrency - running.size)) {
              begin(on, next);
              claimed++;
            }
          }
          if (!claimed && running.size === 0 && idleWaiters.length && !(await hasDueWork())) {
            idleWaiters.splice(0).forEach((resolve) => resolve());
          }
        } catch (error) {
          if ((session && !session.alive) || isConnectionLoss(error)) {
            // The connection went (server restart, network, terminated): a new session is opened on the next turn.
            logger.warn("job worker lost its database session", { error: String(error) });
          } else {
            if (Date.now() - lastErrorAt > 10_000) logger.error("job claim failed", { error: String(error) });
            lastErrorAt = Date.now();
          }
        }
        if (claimed) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = null;
      }
    }

    const loopDone = loop();
    const worker: Worker = {
      async stop() {
        stopped = true;
        wake?.();
        await loopDone;
        await Promise.all([...running.values()].map((r) => r.done));
        await session?.close();
        session = null;
        workers.delete(worker);
      },
      idle() {
        return new Promise<void>((resolve) => {
          idleWaiters.push(resolve);
          wake?.();
        });
      },
    };
    workers.add(worker);
    return worker;
  }

  // Closing twice (a test's teardown and the process's shutdown) closes once.
  let closing: Promise<void> | null = null;
  function close() {
    closing ??= (async () => {
      await Promise.all([...workers].map((w) => w.stop()));
      if (starting) await starting.catch(() => {});
      await boss.stop({ graceful: false, close: false });
      await pool.end();
    })();
    return closing;
  }

  async function purgeCustomer(shop: string, customerId: string): Promise<number> {
    await start();
    let erased = 0;
    for (const table of [job, archive]) {
      const { rows } = await pool.query<{ id: string; data: unknown; output: unknown }>(
        `SELECT id, data, output FROM ${table} WHERE data->>'shop' = $1 AND (data::text LIKE '%' || $2 || '%' OR output::text LIKE '%' || $2 || '%')`,
        [shop, customerId],
      );
      const ids = rows
        .filter(
          (r) => namesGid(JSON.stringify(r.data), customerId) || namesGid(JSON.stringify(r.output ?? null), customerId),
        )
        .map((r) => r.id);
      if (ids.length)
        erased += (await pool.query(`DELETE FROM ${table} WHERE id = ANY($1::uuid[])`, [ids])).rowCount ?? 0;
    }
    return erased;
  }

  return { schema, start, enqueue, enqueueIn, work, counts, state, cancelShop, purgeShop, purgeCustomer, close };
}

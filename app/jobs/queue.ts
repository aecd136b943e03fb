// The job queue's contract. Two engines implement it: a table in the app's database (default, SQLite) and, for
// several worker processes on PostgreSQL, pg-boss. The same contract tests run against both.

export type JobState = "queued" | "running" | "done" | "dead" | "cancelled";

export interface EnqueueOptions {
  /** While a job of the same shop and key is queued (not yet running), enqueueing another is a no-op. */
  key?: string;
  /** Not before this time. */
  runAt?: Date;
  maxAttempts?: number;
}

export interface JobContext<P> {
  id: string;
  shop: string;
  kind: string;
  payload: P;
  attempt: number;
  /** Aborted when the job is cancelled (e.g. the shop uninstalled) or the worker stops. */
  signal: AbortSignal;
}

export type JobHandler<P = unknown> = (job: JobContext<P>) => Promise<void>;
export type JobHandlers = Record<string, JobHandler<never>>;

export interface WorkOptions {
  /** Jobs run at once by this worker (never two of the same shop). */
  concurrency?: number;
  /** Idle poll interval. */
  pollMs?: number;
  /** A claimed job is the worker's for this long, renewed while it runs; after that another worker may take it. */
  leaseMs?: number;
}

export interface Worker {
  /** Stops claiming, waits for running jobs to finish (or be aborted), then resolves. */
  stop(): Promise<void>;
  /** Resolves when no job is due (queued and runnable now) and none is running: for tests and CLIs. */
  idle(): Promise<void>;
}

export type JobCounts = Partial<Record<JobState, number>>;

/**
 * An open transaction of the app's database, as the ledger's drivers hand it to `enqueueIn`: the SQLite driver's
 * (synchronous: runs a statement written with $n placeholders, returns the rows it changed) or a PostgreSQL client.
 */
export type DatabaseTransaction =
  | { run(sql: { name: string; text: string }, params: readonly unknown[]): number }
  | { query(text: string, values?: unknown[]): Promise<unknown> };

export interface JobQueue {
  /** The new job's id, or null when coalesced into a job of the same shop and key that is still queued. */
  enqueue<P>(shop: string, kind: string, payload: P, options?: EnqueueOptions): Promise<string | null>;
  /**
   * The same inside the caller's open transaction, committed or rolled back with it (a webhook's ledger rows and
   * their follow-up jobs): the table queue takes SQLite's and inserts before it returns, pg-boss a PostgreSQL client.
   */
  enqueueIn<P>(
    tx: DatabaseTransaction,
    shop: string,
    kind: string,
    payload: P,
    options?: EnqueueOptions,
  ): string | null | Promise<string | null>;
  work(handlers: JobHandlers, options?: WorkOptions): Worker;
  /** The shop's jobs by state (all kinds, or one); states with no job are left out. */
  counts(shop: string, kind?: string): Promise<JobCounts>;
  /** A job's state, or null when there is no such job (never was, or erased). */
  state(id: string): Promise<JobState | null>;
  /**
   * Cancels every job of the shop that has not finished (uninstall): queued ones never run, a running one sees its
   * signal aborted within a lease and is not marked done. Returns how many jobs were cancelled.
   */
  cancelShop(shop: string): Promise<number>;
  /** Erases every job row of the shop, finished ones included (shop/redact). Returns how many rows went. */
  purgeShop(shop: string): Promise<number>;
  /**
   * Erases the shop's job rows that name this customer (key, payload or last error; exactly this gid, not a longer
   * one), finished ones included: customers/redact. Returns how many rows went.
   */
  purgeCustomer(shop: string, customerId: string): Promise<number>;
  /** Releases what the engine holds (connections); workers must be stopped first. */
  close(): Promise<void>;
}

/** Thrown by a handler for a failure retrying cannot fix: the job goes straight to `dead`. */
export class PermanentJobError extends Error {
  override name = "PermanentJobError";
}

/** Exponential backoff with full jitter between half and all of the step: 1 s, 2 s, 4 s … capped at 10 min. */
export function retryDelayMs(attempt: number, random: () => number = Math.random, baseMs = 1000, capMs = 600_000) {
  const step = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step * (0.5 + random() * 0.5));
}

/** Whether a text names exactly this gid (gid://shopify/Customer/12 is not named by …/123). */
export function namesGid(text: string | null | undefined, gid: string): boolean {
  if (!text) return false;
  for (let at = text.indexOf(gid); at !== -1; at = text.indexOf(gid, at + 1)) {
    if (!/[0-9]/.test(text[at + gid.length] ?? "")) return true;
  }
  return false;
}

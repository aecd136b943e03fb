// One transaction on a PostgreSQL pool connection, guarded. node-pg's pool listens for a connection's errors only
// while it is idle: one the server ends while it is checked out (PostgreSQL restarting, an administrator's terminate)
// would emit an 'error' nobody handles and crash the process. Here the error is caught, the transaction fails with
// it, and the dead connection is dropped instead of going back to the pool.
//
// `signal`: the work is for a request whose client may give up (Shopify waits 5 s for a webhook's answer). The wait for
// a connection is where a burst queues; when the client is gone by the time the connection comes, the work is not
// started (the connection goes straight back) and the call fails with the signal's reason: nobody would receive its
// answer, the sender retries, and the connection is the next live request's instead of a dead one's.
import type pg from "pg";

export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  signal?.throwIfAborted();
  const client = await pool.connect();
  if (signal?.aborted) {
    client.release();
    throw signal.reason;
  }
  let broken: Error | undefined;
  const onError = (error: Error) => {
    broken = error;
  };
  client.on("error", onError);
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch((rollback: Error) => {
      broken ??= rollback;
    });
    throw error;
  } finally {
    client.removeListener("error", onError);
    client.release(broken);
  }
}

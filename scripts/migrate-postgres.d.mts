/** Applies prisma/postgresql/migrations (recorded in _prisma_migrations); returns how many were applied. */
export function migratePostgres(connectionString: string, options?: { log?: (line: string) => void }): Promise<number>;

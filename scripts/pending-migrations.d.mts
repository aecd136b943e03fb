/** The names of the migrations the database at `databaseUrl` has not applied, oldest first. */
export function pendingMigrations(databaseUrl: string): Promise<string[]>;
/**
 * Ends the process (exit code 1) with one line telling to run `npm run setup` unless every migration is applied; a
 * database that does not answer yet is waited for (a minute by default).
 */
export function exitUnlessMigrated(
  databaseUrl: string,
  options?: { waitMs?: number; sleep?: (ms: number) => Promise<void> },
): Promise<void>;

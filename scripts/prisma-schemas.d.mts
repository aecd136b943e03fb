export const SQLITE_SCHEMA: string;
export const POSTGRES_SCHEMA: string;
export const POSTGRES_MIGRATIONS: string;
export function derivePostgresSchema(source: string): string;
export function writePostgresSchema(): string;

// Which database a DATABASE_URL names: the one place that decides it. db.server.ts (the Prisma client and the pool),
// jobs/runtime.server.ts (the queue engine) and the prepared-statement paths on SQLite all follow this answer.
// Pure: no environment read here, the caller passes the URL.

export type DatabaseKind = "sqlite" | "postgresql";

/** postgres:// or postgresql:// is PostgreSQL; anything else (file:…) is the embedded SQLite file. */
export function databaseKindOf(url: string): DatabaseKind {
  return /^postgres(ql)?:\/\//.test(url) ? "postgresql" : "sqlite";
}

/** The SQLite file a `file:` URL names; null for any other URL. */
export function sqliteFileOf(url: string): string | null {
  return databaseKindOf(url) === "sqlite" && url.startsWith("file:") ? url.slice("file:".length) : null;
}

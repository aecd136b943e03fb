// Shopify sessions in the app's Session table (the SessionStorage the library asks for), read through the same
// prepared statements as the ledger on SQLite and PostgreSQL and written through Prisma. Written here rather than
// taken from @shopify/shopify-app-session-storage-prisma, which imports `Prisma` from "@prisma/client" — a module
// the engine-free `prisma-client` generator does not provide (docs/decisions/0001-prisma-without-engines.md).
import { Session } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";
import Database from "better-sqlite3";
import { pgPool, prisma } from "../db.server";
import type { Session as SessionRow } from "../generated/prisma/client";
import { sqliteFile } from "./sqlite-direct.server";

function toRow(session: Session): SessionRow {
  const user = session.onlineAccessInfo?.associated_user;
  return {
    id: session.id,
    shop: session.shop,
    state: session.state,
    isOnline: session.isOnline,
    scope: session.scope ?? null,
    expires: session.expires ?? null,
    accessToken: session.accessToken ?? "",
    userId: user?.id !== undefined ? BigInt(user.id) : null,
    firstName: user?.first_name ?? null,
    lastName: user?.last_name ?? null,
    email: user?.email ?? null,
    accountOwner: user?.account_owner ?? false,
    locale: user?.locale ?? null,
    collaborator: user?.collaborator ?? false,
    emailVerified: user?.email_verified ?? false,
    refreshToken: session.refreshToken ?? null,
    refreshTokenExpires: session.refreshTokenExpires ?? null,
  };
}

function fromRow(row: SessionRow): Session {
  const entries: [string, string | number | boolean][] = [
    ["id", row.id],
    ["shop", row.shop],
    ["state", row.state],
    ["isOnline", row.isOnline],
  ];
  if (row.scope) entries.push(["scope", row.scope]);
  if (row.expires) entries.push(["expires", row.expires.getTime()]);
  if (row.accessToken) entries.push(["accessToken", row.accessToken]);
  if (row.refreshToken) entries.push(["refreshToken", row.refreshToken]);
  if (row.refreshTokenExpires) entries.push(["refreshTokenExpires", row.refreshTokenExpires.getTime()]);
  if (row.isOnline && row.userId !== null) {
    entries.push(["userId", row.userId.toString()]);
    if (row.firstName) entries.push(["firstName", row.firstName]);
    if (row.lastName) entries.push(["lastName", row.lastName]);
    if (row.email) entries.push(["email", row.email]);
    if (row.locale) entries.push(["locale", row.locale]);
    entries.push(["accountOwner", row.accountOwner]);
    if (row.collaborator !== null) entries.push(["collaborator", row.collaborator]);
    if (row.emailVerified !== null) entries.push(["emailVerified", row.emailVerified]);
  }
  return Session.fromPropertyArray(entries, true);
}

export class SessionTableStorage implements SessionStorage {
  async storeSession(session: Session): Promise<boolean> {
    const row = toRow(session);
    await prisma.session.upsert({ where: { id: row.id }, create: row, update: row });
    return true;
  }

  /**
   * Every webhook and admin request loads its shop's session: through a prepared statement (SQLite or PostgreSQL),
   * which costs a fraction of a Prisma query (on the webhook path Prisma was a quarter of the event loop on SQLite,
   * 15 % on PostgreSQL, for this one read).
   */
  async loadSession(id: string): Promise<Session | undefined> {
    const row = await readSessionRow(id);
    return row ? fromRow(row) : undefined;
  }

  async deleteSession(id: string): Promise<boolean> {
    await prisma.session.deleteMany({ where: { id } });
    return true;
  }

  async deleteSessions(ids: string[]): Promise<boolean> {
    await prisma.session.deleteMany({ where: { id: { in: ids } } });
    return true;
  }

  async findSessionsByShop(shop: string): Promise<Session[]> {
    const rows = await prisma.session.findMany({ where: { shop }, orderBy: { expires: "desc" }, take: 25 });
    return rows.map(fromRow);
  }
}

/** A session row by id, read directly (prepared statement) where the database allows, else through Prisma. */
export async function readSessionRow(id: string): Promise<SessionRow | null> {
  const sqlite = sqliteSessionReader();
  if (sqlite) return sqlite(id);
  const pg = pgSessionReader();
  if (pg) return pg(id);
  return prisma.session.findUnique({ where: { id } });
}

/**
 * A session row read straight from PostgreSQL on the process's pool, typed as Prisma types it; null on SQLite. Times
 * come as epoch milliseconds (the TIMESTAMP(3) columns hold UTC; node-pg would read them as local time), the 64-bit
 * user id as text.
 */
export function pgSessionReader(): ((id: string) => Promise<SessionRow | null>) | null {
  const pool = pgPool();
  if (!pool) return null;
  const ms = (column: string) => `(extract(epoch FROM "${column}") * 1000)::float8 AS "${column}"`;
  const text = `SELECT "id","shop","state","isOnline","scope",${ms("expires")},"accessToken","userId"::text AS "userId","firstName",
    "lastName","email","accountOwner","locale","collaborator","emailVerified","refreshToken",${ms("refreshTokenExpires")}
    FROM "Session" WHERE "id" = $1`;
  const time = (v: unknown) => (v === null ? null : new Date(v as number));
  return async (id: string) => {
    const { rows } = await pool.query({ name: "session-by-id", text, values: [id] });
    const r = rows[0] as Record<string, unknown> | undefined;
    if (!r) return null;
    return {
      ...(r as unknown as SessionRow),
      expires: time(r.expires),
      refreshTokenExpires: time(r.refreshTokenExpires),
      userId: r.userId === null ? null : BigInt(r.userId as string),
    };
  };
}

let reader: ((id: string) => SessionRow | null) | undefined;

/** A session row read straight from SQLite, typed as Prisma types it; null for other databases (Prisma path). */
export function sqliteSessionReader(): ((id: string) => SessionRow | null) | null {
  if (reader) return reader;
  const file = sqliteFile();
  if (file === null) return null;
  const db = new Database(file, { timeout: 0 });
  db.pragma("journal_mode = WAL");
  // Integers as BigInt: userId is a 64-bit Shopify id.
  const select = db.prepare(`SELECT * FROM "Session" WHERE "id" = ?`).safeIntegers(true);
  const time = (v: unknown) => (v === null ? null : new Date(v as string));
  const flag = (v: unknown) => (v === null ? null : v !== 0n);
  reader = (id: string) => {
    const r = select.get(id) as Record<string, unknown> | undefined;
    if (!r) return null;
    return {
      id: r.id as string,
      shop: r.shop as string,
      state: r.state as string,
      isOnline: r.isOnline !== 0n,
      scope: r.scope as string | null,
      expires: time(r.expires),
      accessToken: r.accessToken as string,
      userId: r.userId as bigint | null,
      firstName: r.firstName as string | null,
      lastName: r.lastName as string | null,
      email: r.email as string | null,
      accountOwner: r.accountOwner !== 0n,
      locale: r.locale as string | null,
      collaborator: flag(r.collaborator),
      emailVerified: flag(r.emailVerified),
      refreshToken: r.refreshToken as string | null,
      refreshTokenExpires: time(r.refreshTokenExpires),
    };
  };
  return reader;
}

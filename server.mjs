// Production HTTP server: static assets plus the built Remix app. `npm start` runs it; tests start it in-process.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseEnv } from "node:util";
import express from "express";
import { createRequestHandler } from "@remix-run/express";

const root = path.dirname(fileURLToPath(import.meta.url));

/** Builds the express app around a Remix server build. */
export function createApp(build) {
  const app = express();
  app.disable("x-powered-by");
  app.use("/assets", express.static(path.join(root, "build/client/assets"), { immutable: true, maxAge: "1y" }));
  app.use(express.static(path.join(root, "build/client"), { maxAge: "1h" }));
  app.all("*", createRequestHandler({ build, mode: build.mode }));
  return app;
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

/** Starts listening; resolves with the bound URL and a close function. */
export async function startServer(build, port) {
  const app = createApp(build);
  return new Promise((resolve) => {
    const server = app.listen(port, "127.0.0.1", () => {
      const { port: bound } = server.address();
      resolve({ url: `http://127.0.0.1:${bound}`, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const build = await loadBuildOrExit();
  const { env, startJobWorker, stopJobWorker } = build.entry.module;
  const { url, close } = await startServer(build, env.PORT);
  console.log(`Loyalty & RFM listening on ${url}`);
  if (env.WORKER === "inline") startJobWorker();
  const shutdown = async () => {
    await close();
    await stopJobWorker();
    process.exit(0);
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}

// Starts a server in a child process of its own (so the load generator never shares its event loop) and waits
// for the "listening on http://…" line it prints; stop() ends exactly that process.
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";

export interface ChildServer {
  url: string;
  pid: number;
  /** Everything the child wrote to stderr so far (warnings, errors). */
  stderr(): string;
  stop(): Promise<void>;
}

const EXIT_ON_SIGNAL = path.resolve("bench/exit-on-signal.mjs");

export async function startChildServer(
  name: string,
  script: string,
  env: Record<string, string>,
  { nodeArgs = [] as string[], timeoutMs = 30_000 } = {},
): Promise<ChildServer> {
  const child = spawn(process.execPath, ["--import", EXIT_ON_SIGNAL, ...nodeArgs, script], {
    // Only what the caller gives (plus PATH): nothing from this shell leaks into the measured server.
    env: { NODE_ENV: "production", PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${name} did not start within ${timeoutMs} ms`)), timeoutMs);
    const onData = () => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
      if (match) done(() => resolve(match[1]));
    };
    const onExit = (code: number | null) =>
      fail(new Error(`${name} exited (code ${code}) before listening:\n${stderr}`));
    const done = (then: () => void) => {
      clearTimeout(timer);
      child.stdout!.off("data", onData);
      child.off("exit", onExit);
      then();
    };
    const fail = (error: Error) =>
      done(() => {
        stop(child);
        reject(error);
      });
    child.stdout!.on("data", onData);
    child.once("exit", onExit);
  });

  return { url, pid: child.pid!, stderr: () => stderr, stop: () => stop(child) };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

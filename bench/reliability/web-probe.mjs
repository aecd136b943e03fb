// Preloaded (`node --import`) into the web process by the load suite when it is asked to profile waits
// (`reliability:load -- --waits`): every PROBE_EVERY_MS it samples the event loop's delay
// (perf_hooks.monitorEventLoopDelay), the process's PostgreSQL pool (globalThis.__pgPool, app/db.server.ts: open, idle,
// and requests waiting for a connection) and the HTTP requests in flight; once a second it reads its time on a CPU and
// waiting for one (/proc/self/schedstat) and appends one JSON line to PROBE_FILE (the harness empties it; several web
// processes append to it, each line names its pid). Nothing of the app is changed; without PROBE_FILE it does nothing.
/* global globalThis */
import { appendFileSync, readFileSync } from "node:fs";
import cluster from "node:cluster";
import http from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";

const file = process.env.PROBE_FILE;
// Under web-cluster.mjs the primary only hands connections to its children: the children are the web processes.
const clusterPrimary = cluster.isPrimary && Number(process.env.WEB_PROCESSES ?? 1) > 1;
if (file && !clusterPrimary) {
  const every = Number(process.env.PROBE_EVERY_MS ?? 20);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let inFlight = 0;
  const original = http.Server.prototype.emit;
  http.Server.prototype.emit = function emit(event, req, res) {
    if (event === "request" && res) {
      inFlight += 1;
      res.once("close", () => (inFlight -= 1));
    }
    return original.apply(this, arguments);
  };
  // /proc/self/schedstat: nanoseconds on a CPU, and waiting on a run queue for one (runnable, not running).
  const sched = () => {
    try {
      const [onCpu, runQueue] = readFileSync("/proc/self/schedstat", "utf8").split(" ").map(Number);
      return { onCpu, runQueue };
    } catch {
      return { onCpu: 0, runQueue: 0 };
    }
  };
  let lastSched = sched();
  let samples = [];
  setInterval(() => {
    const pool = globalThis.__pgPool;
    samples.push({
      total: pool?.totalCount ?? 0,
      idle: pool?.idleCount ?? 0,
      waiting: pool?.waitingCount ?? 0,
      inFlight,
    });
  }, every).unref();
  setInterval(() => {
    const n = samples.length || 1;
    const sum = (k) => samples.reduce((s, x) => s + x[k], 0);
    const max = (k) => samples.reduce((m, x) => Math.max(m, x[k]), 0);
    const now = sched();
    const cpuMs = { on: (now.onCpu - lastSched.onCpu) / 1e6, runQueue: (now.runQueue - lastSched.runQueue) / 1e6 };
    lastSched = now;
    appendFileSync(
      file,
      `${JSON.stringify({
        at: Date.now(),
        pid: process.pid,
        loopDelayMs: {
          p50: loop.percentile(50) / 1e6,
          p99: loop.percentile(99) / 1e6,
          max: loop.max / 1e6,
        },
        pool: {
          open: sum("total") / n,
          idle: sum("idle") / n,
          waitingMean: sum("waiting") / n,
          waitingMax: max("waiting"),
        },
        requestsInFlight: { mean: sum("inFlight") / n, max: max("inFlight") },
        // Of this second: ms running on a CPU, ms runnable but waiting for one (the machine's other work).
        cpuMs,
      })}\n`,
    );
    samples = [];
    loop.reset();
  }, 1000).unref();
}

// Several web processes of the built app on one port, as a deployment scales its web tier on one host: node:cluster's
// primary accepts connections and hands them round-robin to WEB_PROCESSES children, each the ordinary web process
// (server.mjs's runWebProcess: its own event loop, its own database pool). Used by the load suite's `--web N`
// (bench/reliability/cluster.ts). A child whose primary is gone (SIGKILLed by the harness) ends too.
import cluster from "node:cluster";
import path from "node:path";
import { pathToFileURL } from "node:url";

// The app's folder: the working directory the harness starts it in (the project, or a copy of another build).
const root = process.cwd();
const count = Number(process.env.WEB_PROCESSES ?? 2);

if (cluster.isPrimary) {
  cluster.schedulingPolicy = cluster.SCHED_RR;
  for (let i = 0; i < count; i++) cluster.fork();
  cluster.on("exit", (worker, code, signal) => {
    console.error(`web child ${worker.process.pid} exited (${signal ?? `code ${code}`})`);
    process.exit(1);
  });
  for (const signal of ["SIGTERM", "SIGINT"])
    process.on(signal, () => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.kill(signal);
      process.exit(0);
    });
} else {
  process.on("disconnect", () => process.exit(0));
  const { loadBuildOrExit, runWebProcess } = await import(pathToFileURL(path.join(root, "server.mjs")).href);
  await runWebProcess(await loadBuildOrExit());
}

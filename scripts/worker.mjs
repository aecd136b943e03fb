// `npm run worker`: a process that only runs jobs (run the web server with WORKER=separate beside it). On PostgreSQL
// any number of these share the pg-boss queue (docs/decisions/0004-pg-boss.md).
import { loadBuildOrExit } from "../server.mjs";

const build = await loadBuildOrExit();
const { startJobWorker, stopJobWorker } = build.entry.module;
startJobWorker();
console.log("Loyalty & RFM worker running");
let stopping = null;
const shutdown = () => {
  // Waits for the running jobs, then closes the queue (pg-boss's pool and the worker's session) before exiting.
  stopping ??= stopJobWorker().then(
    () => process.exit(0),
    (error) => {
      console.error("worker shutdown failed", error);
      process.exit(1);
    },
  );
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);

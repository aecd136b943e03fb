// `npm run worker`: a process that only runs jobs (run the web server with WORKER=separate beside it).
import { loadBuildOrExit } from "../server.mjs";

const build = await loadBuildOrExit();
const { startJobWorker, stopJobWorker } = build.entry.module;
startJobWorker();
console.log("Loyalty & RFM worker running");
const shutdown = async () => {
  await stopJobWorker();
  process.exit(0);
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);

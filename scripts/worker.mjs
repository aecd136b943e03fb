// `npm run worker`: a process that only runs jobs (run the web server with WORKER=separate beside it).
import { existsSync } from "node:fs";
import { loadBuild } from "../server.mjs";

if (existsSync(".env")) process.loadEnvFile(".env");
let build;
try {
  build = await loadBuild();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
const { startJobWorker, stopJobWorker } = build.entry.module;
startJobWorker();
console.log("Loyalty & RFM worker running");
const shutdown = async () => {
  await stopJobWorker();
  process.exit(0);
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);

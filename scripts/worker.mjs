// `npm run worker`: a process that only runs jobs (run the web server with WORKER=separate beside it). On PostgreSQL
// any number of these share the pg-boss queue (docs/decisions/0004-pg-boss.md). Like `npm start` it reads .env,
// validates the environment and refuses a database `npm run setup` has not migrated.
import { loadBuildOrExit, stopOnSignals } from "../server.mjs";
import { exitUnlessMigrated } from "./pending-migrations.mjs";

const build = await loadBuildOrExit();
const { env, startJobWorker, stopJobWorker, disconnectDatabase } = build.entry.module;
await exitUnlessMigrated(env.DATABASE_URL);
startJobWorker();
console.log("Loyalty & RFM worker running");
// Waits for the running jobs, then closes the queue (pg-boss's pool and the worker's session) and the database.
stopOnSignals(async () => {
  await stopJobWorker();
  await disconnectDatabase();
});

// `npm start`: the app's web process for production (docs/deployment.md). Reads .env when there is one, validates the
// environment (a bad variable ends it, naming the variable, with exit code 1), refuses a database `npm run setup` has
// not migrated (start never migrates), then serves on HOST:PORT with the job worker in-process unless
// WORKER=separate. SIGTERM or SIGINT: stops accepting, finishes the requests in flight, stops the worker, closes the
// queue and the database, exits 0.
import { loadBuildOrExit, runWebProcess } from "../server.mjs";
import { exitUnlessMigrated } from "./pending-migrations.mjs";

const build = await loadBuildOrExit();
await exitUnlessMigrated(build.entry.module.env.DATABASE_URL);
await runWebProcess(build);

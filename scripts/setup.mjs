// Generates the Prisma client and applies migrations to the database (the embedded SQLite file by default).
// Runs after `npm install` and as `npm run setup`; running it again is harmless.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

if (existsSync(".env")) process.loadEnvFile(".env");
process.env.DATABASE_URL ||= "file:./prisma/dev.sqlite";

function prisma(...args) {
  const result = spawnSync(process.execPath, ["node_modules/prisma/build/index.js", ...args], {
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
  });
  if (result.status !== 0) {
    console.error(`prisma ${args.join(" ")} failed`);
    process.exit(result.status ?? 1);
  }
}

prisma("generate");
if (process.argv.includes("--generate-only")) process.exit(0);
prisma("migrate", "deploy");

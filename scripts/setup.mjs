// Generates the Prisma clients (SQLite and PostgreSQL, from the one schema) and applies migrations to the database
// DATABASE_URL names (the embedded SQLite file by default). Runs after `npm install` and as `npm run setup`;
// running it again is harmless.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { POSTGRES_SCHEMA, SQLITE_SCHEMA, writePostgresSchema } from "./prisma-schemas.mjs";

if (existsSync(".env")) process.loadEnvFile(".env");
process.env.DATABASE_URL ||= "file:./prisma/dev.sqlite";

function prisma(args, extraEnv = {}) {
  const result = spawnSync(process.execPath, ["node_modules/prisma/build/index.js", ...args], {
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1", ...extraEnv },
  });
  if (result.status !== 0) {
    console.error(`prisma ${args.join(" ")} failed`);
    process.exit(result.status ?? 1);
  }
}

/**
 * Generates a client unless it was already generated from this very schema by this Prisma version (a stamp in its
 * folder says so): regenerating rewrites files that running processes may be importing.
 */
function generate(schema, output, databaseUrl) {
  const prismaVersion = JSON.parse(readFileSync("node_modules/prisma/package.json", "utf8")).version;
  const stamp = `${output}/.generated-from`;
  const digest = createHash("sha256")
    .update(`${prismaVersion}\n${readFileSync(schema, "utf8")}`)
    .digest("hex");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === digest) return;
  // Each client is generated under its own provider's adapter (no connection is made).
  prisma(["generate"], { DATABASE_URL: databaseUrl, PRISMA_SCHEMA: schema });
  writeFileSync(stamp, digest);
}

writePostgresSchema();
generate(SQLITE_SCHEMA, "app/generated/prisma", "file:./prisma/dev.sqlite");
generate(POSTGRES_SCHEMA, "app/generated/prisma-pg", "postgresql://generate@127.0.0.1:5432/none");
if (process.argv.includes("--generate-only")) process.exit(0);
if (/^postgres(ql)?:\/\//.test(process.env.DATABASE_URL)) {
  // Prisma's engine-free migrate cannot read PostgreSQL's catalog yet: the same migrations, applied the same way.
  const { migratePostgres } = await import("./migrate-postgres.mjs");
  const applied = await migratePostgres(process.env.DATABASE_URL, { log: console.log });
  console.log(applied ? `${applied} migration(s) applied` : "No pending migrations to apply.");
} else {
  prisma(["migrate", "deploy"]);
}

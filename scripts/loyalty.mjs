// `npm run loyalty -- <command> --shop <domain>`: the operator CLI (app/cli.server.ts), run inside the built app.
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { loadBuildOrExit } from "../server.mjs";

const args = process.argv.slice(2);
const envFlag = args.indexOf("--env");
if (envFlag >= 0 && !existsSync(args[envFlag + 1] ?? "")) {
  console.error(`no such env file: ${args[envFlag + 1]}`);
  process.exit(2);
}
if (!existsSync("build/server/index.js")) {
  console.error("Building the app first …");
  const built = spawnSync(
    process.execPath,
    ["node_modules/@remix-run/dev/dist/cli.js", "vite:build", "--logLevel", "warn"],
    { stdio: "inherit" },
  );
  if (built.status !== 0) process.exit(1);
}
const build = envFlag >= 0 ? await loadBuildOrExit(args[envFlag + 1], { override: true }) : await loadBuildOrExit();
process.exit(await build.entry.module.runCli(args));

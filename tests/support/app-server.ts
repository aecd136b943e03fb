// Starts the built app (build/server) in this test file's process, on a free loopback port, with real HTTP.
import { afterAll } from "vitest";
import { loadBuild, startServer } from "../../server.mjs";

export async function startApp() {
  const build = await loadBuild();
  const server = await startServer(build, 0);
  afterAll(() => server.close());
  return server;
}

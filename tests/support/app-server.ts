// Starts the built app (build/server) in this test file's process, on a loopback port, with real HTTP.
import net from "node:net";
import { afterAll } from "vitest";
import { loadBuild, startServer } from "../../server.mjs";

/** A port the OS says is free right now (bound and released), so the app's public URL can name it up front. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Starts the app; with `publicUrl`, SHOPIFY_APP_URL is where it really listens (browser flows redirect there). */
export async function startApp({ publicUrl = false } = {}) {
  let port = 0;
  if (publicUrl) {
    port = await freePort();
    process.env.SHOPIFY_APP_URL = `http://127.0.0.1:${port}`;
  }
  const build = await loadBuild();
  const server = await startServer(build, port);
  afterAll(() => server.close());
  return server;
}

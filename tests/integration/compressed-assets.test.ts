// The built app's scripts and styles answered compressed (server.mjs compressedAssets): brotli or gzip as the browser
// accepts, the same bytes once decompressed, cached as immutable; a client that accepts neither gets them as they are.
import { readdirSync, readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { describe, expect, it, vi } from "vitest";
import { startApp } from "../support/app-server";

const app = await startApp();
const ASSETS = path.resolve("build/client/assets");
const css = readdirSync(ASSETS).find((f) => f.endsWith(".css"))!;
const js = readdirSync(ASSETS).find((f) => f.endsWith(".js"))!;

/** A raw GET (fetch would decompress and hide the encoding). */
function get(pathname: string, acceptEncoding?: string) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const request = http.get(
      `${app.url}${pathname}`,
      { headers: acceptEncoding === undefined ? {} : { "Accept-Encoding": acceptEncoding } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (c: Buffer) => chunks.push(c));
        response.on("end", () =>
          resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    request.on("error", reject);
  });
}

describe("compressed build assets", () => {
  it("answers brotli or gzip as accepted, the same bytes, immutable", async () => {
    for (const file of [css, js]) {
      const raw = readFileSync(path.join(ASSETS, file));
      const br = await get(`/assets/${file}`, "gzip, deflate, br");
      expect([br.status, br.headers["content-encoding"], br.headers.vary]).toEqual([200, "br", "Accept-Encoding"]);
      expect(brotliDecompressSync(br.body).equals(raw)).toBe(true);
      expect(br.body.length).toBeLessThan(raw.length / 2);
      expect(br.headers["cache-control"]).toContain("immutable");
      const gz = await get(`/assets/${file}`, "gzip, deflate");
      expect(gz.headers["content-encoding"]).toBe("gzip");
      expect(gunzipSync(gz.body).equals(raw)).toBe(true);
      // The second answer comes from memory and is the same
      expect((await get(`/assets/${file}`, "gzip")).body.equals(gz.body)).toBe(true);
    }
  });

  it("leaves clients that accept neither, unknown files and paths outside the assets to the static server", async () => {
    const raw = readFileSync(path.join(ASSETS, css));
    const plain = await get(`/assets/${css}`, "identity");
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body.equals(raw)).toBe(true);
    // Not an asset: on to Remix, which answers 404 (and logs that no route matched)
    vi.spyOn(console, "error").mockImplementation(() => {});
    expect((await get("/assets/no-such-file.js", "gzip")).status).toBe(404);
    expect((await get("/assets/..%2f..%2fpackage.json", "gzip")).status).toBe(404);
    expect((await get("/assets/%E0%A4%A.js", "gzip")).status).toBeGreaterThanOrEqual(400);
  });
});

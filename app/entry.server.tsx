import { renderToPipeableStream } from "react-dom/server";
import { RemixServer } from "@remix-run/react";
import { createReadableStreamFromReadable, type EntryContext } from "@remix-run/node";
import { isbot } from "isbot";
import { addDocumentResponseHeaders } from "./shopify.server";
import { logger } from "./logger.server";
import { env } from "./env.server";
import { withoutNulBytes } from "./render-stream.server";

export const streamTimeout = 5000;

export default async function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
) {
  addDocumentResponseHeaders(request, responseHeaders);
  // With a local App Bridge (demo, browser tests) preload that one, not Shopify's CDN copy.
  if (env.APP_BRIDGE_URL && responseHeaders.has("Link")) {
    responseHeaders.set("Link", `<${env.APP_BRIDGE_URL}>; rel="preload"; as="script";`);
  }
  const callbackName = isbot(request.headers.get("user-agent") ?? "") ? "onAllReady" : "onShellReady";

  return new Promise<Response>((resolve, reject) => {
    const { pipe, abort } = renderToPipeableStream(<RemixServer context={remixContext} url={request.url} />, {
      [callbackName]: () => {
        // React 18's stream can carry NUL bytes before a multi-byte character (./render-stream.server.ts).
        const body = withoutNulBytes();
        responseHeaders.set("Content-Type", "text/html; charset=utf-8");
        resolve(
          new Response(createReadableStreamFromReadable(body), {
            headers: responseHeaders,
            status: responseStatusCode,
          }),
        );
        pipe(body);
      },
      onShellError(error: unknown) {
        reject(error);
      },
      onError(error: unknown) {
        responseStatusCode = 500;
        logger.error("render failed", { error: String(error) });
      },
    });
    setTimeout(abort, streamTimeout + 1000);
  });
}

// The server (server.mjs, scripts/worker.mjs) reads its validated configuration from the build rather than from the
// environment, starts the job worker through it and, on shutdown, stops it and closes the database.
export { env } from "./env.server";
export { startJobWorker, stopJobWorker } from "./jobs/worker.server";
export { disconnectDatabase } from "./db.server";
export { runCli } from "./cli.server";

// A stand-in app for tests: an HTTP server on 127.0.0.1 that records every webhook request and answers as told.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedWebhook {
  path: string;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  /** The live request, for libraries that validate a node request (e.g. @shopify/shopify-api's node adapter). */
  request: http.IncomingMessage;
}

/** Return a status to answer with, or "hang" to never answer (the sender must time out). */
export type ReceiverReply = number | "hang";

export interface TestReceiver {
  url: string;
  received: ReceivedWebhook[];
  close(): Promise<void>;
}

export async function startTestReceiver(
  reply: (webhook: ReceivedWebhook, index: number) => ReceiverReply | Promise<ReceiverReply> = () => 200,
): Promise<TestReceiver> {
  const received: ReceivedWebhook[] = [];
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", async () => {
      const webhook: ReceivedWebhook = {
        path: request.url ?? "",
        headers: request.headers,
        rawBody: Buffer.concat(chunks).toString("utf8"),
        request,
      };
      const index = received.push(webhook) - 1;
      const answer = await reply(webhook, index);
      if (answer === "hang") {
        hanging.add(response);
        return;
      }
      response.writeHead(answer, { "Content-Type": "text/plain" }).end(String(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const response of hanging) response.destroy();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

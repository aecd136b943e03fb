// The LINE webhook route (/webhooks/line/<shop>) reads its body bounded: a chunked body with no Content-Length that
// grows past LINE's size is refused 413 once the limit is crossed, without the rest being read (it was read whole
// into memory first). The route is called directly with a streamed body; nothing reaches the database.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";

process.env.CHANNEL_SECRETS_KEY ??= randomBytes(32).toString("base64");
const { action } = await import("../../app/routes/webhooks.line.$shop");

/** A body of `total` bytes in 64 KiB chunks, counting how many bytes the reader pulled. */
function chunked(total: number) {
  let pulled = 0;
  const chunk = new Uint8Array(64 * 1024).fill(0x20);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled >= total) return controller.close();
      pulled += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  return { stream, pulled: () => pulled };
}

describe("LINE webhook body size", () => {
  it("refuses a chunked body without Content-Length past 1 MB, reading little more than the limit", async () => {
    const body = chunked(16 * 1024 * 1024);
    const request = new Request("http://app.test/webhooks/line/body-limit.myshopify.com", {
      method: "POST",
      headers: { "x-line-signature": "A".repeat(43) + "=" },
      body: body.stream,
      duplex: "half",
    } as RequestInit);
    expect(request.headers.get("content-length")).toBeNull();
    const res = await action({ request, params: { shop: "body-limit.myshopify.com" }, context: {} });
    expect(res.status).toBe(413);
    expect(body.pulled()).toBeLessThan(2 * 1024 * 1024);
  });
});

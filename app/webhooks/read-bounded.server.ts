// A request body read to at most `limit` bytes: the webhook endpoints (Shopify's, LINE's) refuse what is larger
// without holding it in memory. Content-Length is checked first by the callers, but a chunked body has none, so the
// bound is also kept while reading.

/** The body's bytes, or null past `limit` (the rest is not read: the caller answers 413 and closes the connection). */
export async function readBounded(request: Request, limit: number): Promise<Uint8Array | null> {
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

// Reads a bulk operation's JSONL result as a stream of parsed lines: never the whole file in memory, lines split
// across network chunks (and UTF-8 characters split across chunks) put back together, and a resume point.
import { BulkOperationError } from "./errors";

export interface BulkLine<T = unknown> {
  /** 1-based line number in the file: keep the last one handled to resume after it. */
  line: number;
  value: T;
}

export interface JsonlOptions {
  /** Skip lines 1..afterLine (without parsing them) and yield from afterLine + 1 on. */
  afterLine?: number;
}

/** Parsed lines of a JSONL byte stream. */
export async function* jsonlLines(
  chunks: AsyncIterable<Uint8Array>,
  { afterLine = 0 }: JsonlOptions = {},
): AsyncGenerator<BulkLine> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let pending = "";
  let line = 0;
  const take = (text: string): BulkLine | null => {
    line++;
    if (line <= afterLine) return null;
    const trimmed = text.endsWith("\r") ? text.slice(0, -1) : text;
    if (trimmed.trim() === "") return null;
    try {
      return { line, value: JSON.parse(trimmed) as unknown };
    } catch (error) {
      throw new BulkOperationError(`line ${line} of the bulk result is not JSON: ${(error as Error).message}`, null, {
        cause: error,
      });
    }
  };
  for await (const chunk of chunks) {
    pending += decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let end = pending.indexOf("\n"); end !== -1; end = pending.indexOf("\n", start)) {
      const parsed = take(pending.slice(start, end));
      start = end + 1;
      if (parsed) yield parsed;
    }
    pending = pending.slice(start);
  }
  pending += decoder.decode();
  if (pending !== "") {
    const parsed = take(pending);
    if (parsed) yield parsed;
  }
}

/** Streams the JSONL at `url` (a bulk operation's `url` or `partialDataUrl`). */
export async function* streamBulkResult(
  url: string,
  fetch: typeof globalThis.fetch = globalThis.fetch,
  options: JsonlOptions & { signal?: AbortSignal } = {},
): AsyncGenerator<BulkLine> {
  const response = await fetch(url, { signal: options.signal });
  if (!response.ok || !response.body) {
    throw new BulkOperationError(`bulk result could not be downloaded: HTTP ${response.status}`, null);
  }
  const body = response.body;
  let finished = false;
  try {
    yield* jsonlLines(readChunks(body), options);
    finished = true;
  } finally {
    // A consumer that stops early must not leave the download running.
    if (!finished) await body.cancel().catch(() => {});
  }
}

async function* readChunks(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

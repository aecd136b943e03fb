// Writes a generated shop to disk as it is generated: lines are batched into chunks and the writer waits for
// the stream to drain, so memory stays flat whatever the size of the shop.
import { createWriteStream } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { once } from "node:events";
import { generateShop } from "./generate";
import { type GeneratorInput, resolveOptions } from "./options";
import type { TruthSummary } from "./truth";

export interface WriteShopFileOptions {
  /** Write `<path>.truth.json` beside the file (default true). */
  truthFile?: boolean;
  /** Called every `progressEvery` records (default 50,000) with the number written so far. */
  onProgress?: (records: number) => void;
  progressEvery?: number;
}

export interface WriteShopFileResult {
  path: string;
  truthPath: string | null;
  bytes: number;
  truth: TruthSummary;
}

const CHUNK_CHARS = 256 * 1024;

export async function writeShopFile(
  input: GeneratorInput,
  path: string,
  options: WriteShopFileOptions = {},
): Promise<WriteShopFileResult> {
  const { truthFile = true, onProgress, progressEvery = 50_000 } = options;
  const resolved = resolveOptions(input); // a bad option fails before any file is created
  await mkdir(dirname(path), { recursive: true });
  const out = createWriteStream(path);
  const failed = new Promise<never>((_, reject) => out.once("error", reject));
  failed.catch(() => undefined); // observed below; avoid an unhandled rejection while writing
  let bytes = 0;
  let count = 0;
  let chunk = "";
  const flush = async () => {
    if (chunk === "") return;
    const buffer = Buffer.from(chunk, "utf8");
    bytes += buffer.length;
    const ok = out.write(buffer);
    chunk = "";
    if (!ok) await Promise.race([once(out, "drain"), failed]);
  };

  const records = generateShop(resolved);
  let step = records.next();
  try {
    while (!step.done) {
      chunk += JSON.stringify(step.value) + "\n";
      count++;
      if (chunk.length >= CHUNK_CHARS) await flush();
      if (onProgress && count % progressEvery === 0) onProgress(count);
      step = records.next();
    }
    await flush();
    out.end();
    await Promise.race([once(out, "finish"), failed]);
  } catch (error) {
    out.destroy();
    throw error;
  }

  const truth = step.value;
  let truthPath: string | null = null;
  if (truthFile) {
    truthPath = `${path}.truth.json`;
    await writeFile(truthPath, JSON.stringify(truth, null, 2) + "\n", "utf8");
  }
  return { path, truthPath, bytes, truth };
}

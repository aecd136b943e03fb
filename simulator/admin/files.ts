// Files the simulator serves under /files/…: bulk results (JSONL on disk) and staged uploads.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes, randomUUID } from "node:crypto";
import { STAGED_FILE_LIFETIME_MS } from "./staged-policy";

export class FileStore {
  readonly dir: string;
  private readonly staged = new Map<string, { content: Buffer; uploadedAt: number }>();
  /** Signs the staged upload policies this simulator hands out (its storage checks them). */
  readonly signingKey = randomBytes(32);

  constructor() {
    this.dir = mkdtempSync(path.join(tmpdir(), "admin-simulator-"));
  }

  /** A fresh file name for a bulk result; the caller writes it. */
  newResultFile(): { name: string; path: string } {
    const name = `bulk-${randomUUID()}.jsonl`;
    return { name, path: path.join(this.dir, name) };
  }

  resultPath(name: string): string | null {
    return /^bulk-[0-9a-f-]+\.jsonl$/.test(name) ? path.join(this.dir, name) : null;
  }

  putStaged(key: string, content: Buffer, uploadedAt: number): void {
    this.staged.set(key, { content, uploadedAt });
  }

  /** The uploaded file at `key`, unless it was never uploaded or has expired by `now`. */
  getStaged(key: string, now: number): Buffer | undefined {
    const file = this.staged.get(key);
    if (!file) return undefined;
    if (now - file.uploadedAt >= STAGED_FILE_LIFETIME_MS) {
      this.staged.delete(key);
      return undefined;
    }
    return file.content;
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

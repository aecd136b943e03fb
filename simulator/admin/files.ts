// Files the simulator serves under /files/…: bulk results (JSONL on disk) and staged uploads.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";

export class FileStore {
  readonly dir: string;
  private readonly staged = new Map<string, Buffer>();

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

  putStaged(key: string, content: Buffer): void {
    this.staged.set(key, content);
  }

  getStaged(key: string): Buffer | undefined {
    return this.staged.get(key);
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

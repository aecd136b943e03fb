// Reads a shop file line by line (constant memory), checking every line against the record schemas.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { ShopFileRecord } from "../shop-file/types";
import { RECORD_SCHEMAS } from "./schema";

export class ShopFileError extends Error {
  constructor(
    readonly path: string,
    readonly line: number,
    problem: string,
  ) {
    super(`${path}:${line}: ${problem}`);
    this.name = "ShopFileError";
  }
}

/**
 * Every record of the file, in order. Throws ShopFileError naming the line when a line is not JSON, has an
 * unknown `__typename`, misses or mistypes a required field, or when the first record is not the Shop.
 * Blank lines are skipped. Fields outside the format are dropped.
 */
export async function* readShopFile(path: string): AsyncGenerator<ShopFileRecord, void, undefined> {
  const input = createReadStream(path, { encoding: "utf8" });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNumber = 0;
  let records = 0;
  try {
    for await (const line of lines) {
      lineNumber++;
      if (line.trim() === "") continue;
      const record = parseLine(path, lineNumber, line);
      if (records === 0 && record.__typename !== "Shop") {
        throw new ShopFileError(path, lineNumber, `the first record must be the Shop, found ${record.__typename}`);
      }
      if (records > 0 && record.__typename === "Shop") {
        throw new ShopFileError(path, lineNumber, "a shop file holds one Shop record, found a second");
      }
      records++;
      yield record;
    }
  } finally {
    lines.close();
    input.destroy();
  }
}

function parseLine(path: string, lineNumber: number, line: string): ShopFileRecord {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new ShopFileError(path, lineNumber, `not JSON (${(error as Error).message})`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ShopFileError(path, lineNumber, "each line must be one JSON object");
  }
  const typename = (value as { __typename?: unknown }).__typename;
  if (typeof typename !== "string" || !(typename in RECORD_SCHEMAS)) {
    throw new ShopFileError(
      path,
      lineNumber,
      `unknown __typename ${JSON.stringify(typename)} (expected ${Object.keys(RECORD_SCHEMAS).join(", ")})`,
    );
  }
  const parsed = RECORD_SCHEMAS[typename as keyof typeof RECORD_SCHEMAS].safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(record)"}: ${i.message}`).join("; ");
    throw new ShopFileError(path, lineNumber, `invalid ${typename}: ${problems}`);
  }
  return parsed.data;
}

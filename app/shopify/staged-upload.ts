// Uploads the JSONL of variables a bulk mutation reads: ask Shopify for a staged target, POST the file to it.
import type { AdminClient } from "./client";
import { STAGED_UPLOADS_CREATE_MUTATION } from "./documents";
import { BulkOperationError } from "./errors";
import { backoffDelay } from "./retry-policy";
import type { GraphqlVariables } from "./transport.server";
import { expectOk, mutationResult, type UserError } from "./user-errors";

/** Shopify's limit for a bulk mutation's variables file. */
export const BULK_VARIABLES_MAX_BYTES = 20 * 1024 * 1024;
const UPLOAD_ATTEMPTS = 4;

interface StagedUploadsCreateData {
  stagedUploadsCreate: {
    stagedTargets:
      | { url: string | null; resourceUrl: string | null; parameters: { name: string; value: string }[] }[]
      | null;
    userErrors: UserError[];
  } | null;
}

/** One JSON object of variables per line, as bulkOperationRunMutation reads them. */
export function bulkVariablesJsonl(lines: Iterable<GraphqlVariables>): string {
  let text = "";
  for (const variables of lines) text += `${JSON.stringify(variables)}\n`;
  return text;
}

/** Uploads the variables and returns the `stagedUploadPath` to give bulkOperationRunMutation. */
export async function uploadBulkVariables(
  client: AdminClient,
  jsonl: string,
  fetch: typeof globalThis.fetch = globalThis.fetch,
): Promise<string> {
  const bytes = new TextEncoder().encode(jsonl);
  if (bytes.byteLength > BULK_VARIABLES_MAX_BYTES) {
    throw new BulkOperationError(
      `bulk mutation variables are ${bytes.byteLength} bytes, over Shopify's ${BULK_VARIABLES_MAX_BYTES}: split them into several operations`,
    );
  }
  const filename = "bulk-variables.jsonl";
  const data = await client.request<StagedUploadsCreateData>(STAGED_UPLOADS_CREATE_MUTATION, {
    input: [
      {
        resource: "BULK_MUTATION_VARIABLES",
        filename,
        mimeType: "text/jsonl",
        httpMethod: "POST",
        fileSize: String(bytes.byteLength),
      },
    ],
  });
  const { stagedTargets } = expectOk(
    mutationResult(data.stagedUploadsCreate, "stagedUploadsCreate"),
    "stagedUploadsCreate",
  );
  const target = stagedTargets?.[0];
  const key = target?.parameters.find((p) => p.name === "key")?.value;
  if (!target?.url || !key) throw new BulkOperationError("stagedUploadsCreate gave no upload target with a key");

  // The target is a storage bucket, not the Admin API: its own small retry for lost connections and 5xx.
  for (let attempt = 1; ; attempt++) {
    const form = new FormData();
    for (const { name, value } of target.parameters) form.append(name, value);
    form.append("file", new Blob([bytes], { type: "text/jsonl" }), filename); // the file goes last, after the policy fields
    let failure: string;
    try {
      const response = await fetch(target.url, { method: "POST", body: form });
      if (response.ok) return key;
      const text = await response.text();
      if (response.status < 500)
        throw new BulkOperationError(`staged upload refused: HTTP ${response.status} ${text.slice(0, 300)}`);
      failure = `HTTP ${response.status}`;
    } catch (error) {
      if (error instanceof BulkOperationError) throw error;
      failure = (error as Error).message;
    }
    if (attempt >= UPLOAD_ATTEMPTS)
      throw new BulkOperationError(`staged upload failed after ${attempt} attempts (last: ${failure})`);
    await client.sleep(backoffDelay(attempt, client.random));
  }
}

// A mutation's userErrors as a typed result: the caller must look at them, nothing is swallowed.
import { UserErrorsError } from "./errors";

export interface UserError {
  field: string[] | null;
  message: string;
  /** Not every payload's error type has a code (plain UserError does not). */
  code: string | null;
}

export type MutationResult<T> = { ok: true; data: T } | { ok: false; userErrors: UserError[] };

interface Payload {
  userErrors?: readonly { field?: readonly string[] | null; message: string; code?: string | null }[] | null;
}

/**
 * `mutationResult(data.tagsAdd)` → ok with the payload when userErrors is empty, else the errors. A missing payload
 * (null: Shopify refused before running the mutation) is an error too, never a silent success.
 */
export function mutationResult<T extends Payload>(
  payload: T | null | undefined,
  mutation = "mutation",
): MutationResult<Omit<T, "userErrors">> {
  if (!payload)
    return { ok: false, userErrors: [{ field: null, message: `${mutation} returned no payload`, code: null }] };
  const errors = payload.userErrors ?? [];
  if (errors.length) {
    return {
      ok: false,
      userErrors: errors.map((e) => ({
        field: e.field ? [...e.field] : null,
        message: e.message,
        code: e.code ?? null,
      })),
    };
  }
  const { userErrors: _ignored, ...data } = payload;
  return { ok: true, data };
}

/** For callers that cannot go on without the mutation: the payload, or a UserErrorsError naming every error. */
export function expectOk<T>(result: MutationResult<T>, mutation: string): T {
  if (!result.ok) throw new UserErrorsError(mutation, result.userErrors);
  return result.data;
}

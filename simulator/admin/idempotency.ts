// Shopify's idempotency directive. The 2026-04 schema declares `directive @idempotent(key: String!) on FIELD`:
// "Enables idempotent mutation execution using a provided key. Only supported on mutations that explicitly document
// idempotency support in their description." The mutations that document it (2026-04) are inventory and location ones
// and refundCreate ("As of 2026-04, the idempotency key is required and must be provided using the @idempotent
// directive"; https://shopify.dev/docs/api/usage/idempotent-requests,
// https://shopify.dev/changelog/making-idempotency-mandatory-for-inventory-adjustments-and-refund-mutations). The
// reward mutations (storeCreditAccountCredit/Debit, giftCardCreate, giftCardDeactivate, giftCardSendNotification…)
// document none, and what Shopify does with the directive on them is not documented (ignored? refused?). The local
// Shopify neither pretends to deduplicate nor ignores it silently: such a request is answered with a
// SIMULATOR_NOT_IMPLEMENTED error, so an app cannot come to rely on a protection Shopify does not promise.
import { getDirectiveValues, type GraphQLResolveInfo } from "graphql";
import { notImplemented } from "./shopify-error";

/** The key of an @idempotent directive on the field being resolved, or null without one. */
export function idempotencyKey(info: GraphQLResolveInfo): string | null {
  const directive = info.schema.getDirective("idempotent");
  if (!directive) return null;
  for (const node of info.fieldNodes) {
    const values = getDirectiveValues(directive, node, info.variableValues);
    if (values && typeof values.key === "string") return values.key;
  }
  return null;
}

/** Does the mutation's schema description document @idempotent support? */
export function documentsIdempotency(info: GraphQLResolveInfo): boolean {
  const field = info.parentType.getFields()[info.fieldName];
  return /@idempotent/.test(field?.description ?? "");
}

/** Throws for an @idempotent directive on a mutation that does not document idempotency (see above). */
export function refuseUndocumentedIdempotency(info: GraphQLResolveInfo): void {
  if (idempotencyKey(info) === null || documentsIdempotency(info)) return;
  throw notImplemented(
    `@idempotent on ${info.fieldName}: the 2026-04 schema documents no idempotency support for this mutation, and ` +
      "Shopify does not document what the directive does on it (it is only supported on mutations whose description " +
      "says so); find an earlier attempt's result by reading instead",
  );
}

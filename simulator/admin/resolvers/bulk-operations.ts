// Bulk operation queries and mutations; the work itself happens in ../bulk.ts.
import type { ResolverMap } from "../context";
import type { BulkOperationRecord } from "../records";

function latest(ops: Iterable<BulkOperationRecord>, type: string): BulkOperationRecord | null {
  let found: BulkOperationRecord | null = null;
  for (const op of ops) if (op.type === type && (!found || op.createdAt >= found.createdAt)) found = op;
  return found;
}

export const bulkOperationResolvers: ResolverMap = {
  "QueryRoot.bulkOperation": (_s, args: { id: string }, ctx) => ctx.shop.bulkOperations.get(args.id) ?? null,
  "QueryRoot.currentBulkOperation": (_s, args: { type: string }, ctx) =>
    latest(ctx.shop.bulkOperations.values(), args.type),
  "Mutation.bulkOperationRunQuery": (_s, args: { query: string; groupObjects: boolean }, ctx) =>
    ctx.core.bulk.startQuery(ctx, args.query, args.groupObjects),
  "Mutation.bulkOperationRunMutation": (
    _s,
    args: { mutation: string; stagedUploadPath: string; clientIdentifier?: string | null },
    ctx,
  ) => ctx.core.bulk.startMutation(ctx, args.mutation, args.stagedUploadPath, args.clientIdentifier ?? null),
};

// refunds/create: the refund lowers its order's value where the order sits in time, even before (or without) the
// order update that reflects it.
import { refundBody, refundFromBody } from "./ledger-payloads";
import type { LedgerHandler } from "./receive.server";

export const refundsCreate: LedgerHandler<typeof refundBody> = {
  topic: "refunds/create",
  payload: refundBody,
  change: ({ payload }) => ({ kind: "refunds", refunds: [refundFromBody(payload)] }),
};

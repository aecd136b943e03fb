// refunds/create: the refund lowers its order's value where the order sits in time, even before (or without) the
// order update that reflects it.
import { applyRefunds } from "../models/ledger.server";
import { refundBody, refundFromBody } from "./ledger-payloads";
import type { WebhookHandler } from "./receive.server";
import { ledgerChanged } from "./ledger-changed.server";

export const refundsCreate: WebhookHandler<typeof refundBody> = {
  topic: "refunds/create",
  payload: refundBody,
  async handle({ shop, payload }) {
    await ledgerChanged(shop, await applyRefunds(shop, [refundFromBody(payload)]));
  },
};

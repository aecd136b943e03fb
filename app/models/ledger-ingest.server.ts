// One webhook's change to the ledger, exactly once (docs/rules.md#ledger-deliveries): the shop and the delivery
// checked, the rows written, the follow-up jobs queued and the delivery recorded, in one transaction — the algorithm
// of ledger-write.ts on this database's driver (docs/decisions/0005).
import type { DeliveryIds } from "./webhook-delivery.server";
import type { LedgerChange } from "./ledger-types";
import { ingestWebhook, type TransactionalQueue, type WebhookOutcome } from "./ledger-write";
import { ledgerDriver } from "./ledger.server";

export type { WebhookOutcome };

/** What follows a write: a `kind` job per affected customer, written by `queue` (this database's) in the same transaction. */
export interface FollowUp {
  kind: string;
  queue(): TransactionalQueue;
}

export function ingestLedgerChange(
  shop: string,
  delivery: DeliveryIds,
  change: LedgerChange,
  followUp: FollowUp,
): Promise<WebhookOutcome> {
  return ledgerDriver().transaction(
    () => ingestWebhook(shop, delivery, change, followUp.kind, new Date()),
    followUp.queue(),
  );
}

// One webhook's change to the ledger, exactly once (docs/rules.md#ledger-deliveries): the shop and the delivery
// checked, the rows written, the follow-up jobs queued and the delivery recorded, in one transaction — the algorithm
// of ledger-write.ts on this database's driver (docs/decisions/0005).
import type { DeliveryIds } from "./webhook-delivery.server";
import type { LedgerChange } from "../domain/ledger-types";
import {
  ingestWebhook,
  type RecommendationsFollowUp,
  type TransactionalQueue,
  type WebhookOutcome,
} from "./ledger-write";
import { ledgerDriver } from "./ledger.server";

export type { WebhookOutcome };

/**
 * What follows a write, written by `queue` (this database's) in the same transaction: a `changed` job per affected
 * customer and a `refresh` job per customer whose same-second versions differ. The kinds are the job contracts'
 * (app/jobs/contracts.ts), handed in: models do not import jobs.
 */
export interface FollowUp {
  changed: string;
  refresh: string;
  /** A `productRefresh` job per product whose same-second versions differ (domain/ledger-types.ts). */
  productRefresh?: string;
  /** When a product some customer is recommended is deleted or goes on or off sale (docs/recommendations.md). */
  recommendations?: RecommendationsFollowUp;
  queue(): TransactionalQueue;
}

/** `signal`: the delivery's request; once its sender has given up, the write is not begun (it rejects). */
export function ingestLedgerChange(
  shop: string,
  delivery: DeliveryIds,
  change: LedgerChange,
  followUp: FollowUp,
  signal?: AbortSignal,
): Promise<WebhookOutcome> {
  return ledgerDriver().transaction(
    () => ingestWebhook(shop, delivery, change, followUp, new Date()),
    followUp.queue(),
    signal,
  );
}

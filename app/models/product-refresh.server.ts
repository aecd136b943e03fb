// Writes a product as just read from Shopify (the product-refresh job) through the ledger's write path
// (ledger-write.ts refreshProduct on this database's driver): the row and, when the product went on or off sale and
// someone is recommended it, the recommendations' follow-up job, in one transaction.
import type { LedgerProduct } from "../domain/ledger-types";
import { refreshProduct, type RecommendationsFollowUp, type TransactionalQueue } from "./ledger-write";
import { ledgerDriver } from "./ledger.server";

/** Whether the held row changed (Shopify's version replaced a different one of the same second or older). */
export function refreshProductVersion(
  shop: string,
  product: LedgerProduct,
  followUp: { recommendations: RecommendationsFollowUp; queue: TransactionalQueue },
  now = new Date(),
): Promise<boolean> {
  return ledgerDriver().transaction(() => refreshProduct(shop, product, followUp.recommendations, now), followUp.queue);
}
